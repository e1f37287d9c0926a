"""The ``kith`` command line (Typer + Rich)."""
