"""``make run``: the main job on the local SQLite database.

Fills an empty local database with the demo network, then prints its people
and latest interactions. (The web app replaces this once it exists.)
"""

from __future__ import annotations

import sys

from kith.cli.app import main as cli


def main() -> int:
    """Make sure the local database exists and has data, then show it."""
    if cli(["init"]) != 0:
        return 1
    cli(["demo"])  # refuses politely when the database already has people
    code = cli(["list", "--limit", "40"])
    return code or cli(["interactions", "--limit", "25"])


if __name__ == "__main__":
    sys.exit(main())
