"""``make run``: the web app on the local SQLite database.

Creates (or upgrades) the local database and serves Kith on
http://127.0.0.1:8765/ (``KITH_PORT`` overrides the port). An empty database
opens on the onboarding page, which offers imports or the demo network.
"""

from __future__ import annotations

import sys

from kith.cli.app import main as cli


def main() -> int:
    """Create the local database if needed, print the URL and serve until interrupted."""
    if cli(["init"]) != 0:
        return 1
    return cli(["serve"])


if __name__ == "__main__":
    sys.exit(main())
