"""Exit 0 if a PostgreSQL server answers at the URL given, 1 otherwise."""

from __future__ import annotations

import sys

import psycopg


def main() -> int:
    """Try one connection with a short timeout."""
    url = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        with psycopg.connect(url, connect_timeout=3):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main())
