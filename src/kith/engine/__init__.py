"""The engine: pure computation, no I/O and no database.

Inputs are plain values and dataclasses; outputs carry their explanation.
"""
