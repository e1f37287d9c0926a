"""Kith: a personal relationship manager for a quality professional network.

The public surface is small: the error hierarchy and the version. Everything
else is reached through the service modules (``kith.services``) or the
interfaces (``kith.cli``, ``kith.web``).
"""

from kith.errors import (
    AmbiguousPerson,
    BadInput,
    DatabaseError,
    ImportFailed,
    KithError,
    NotFound,
)

__version__ = "0.1.0"

__all__ = [
    "AmbiguousPerson",
    "BadInput",
    "DatabaseError",
    "ImportFailed",
    "KithError",
    "NotFound",
    "__version__",
]
