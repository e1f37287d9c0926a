"""Running one command line: retried after a lost database race, errors mapped to exit codes.

Exit codes: 0 success, 1 user error (one line on stderr, never a traceback),
2 bad usage (from Typer/Click).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError

from kith.cli.base import app
from kith.cli.context import STATE
from kith.cli.output import safe
from kith.errors import KithError
from kith.runtime import database_failure
from kith.services import retrying


def run(argv: Sequence[str] | None) -> int:
    """Run the command line ``argv`` (None: the process's own); its exit code."""
    try:
        return _run_retrying(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KithError as exc:
        print(f"error: {safe(str(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:
        failure = database_failure(exc)  # SQLAlchemy's or the driver's own (a damaged file, a lost server)
        if failure is None:
            raise
        print(f"error: {safe(str(failure))}", file=sys.stderr)
        return 1
    finally:
        STATE.close()


def _run_retrying(argv: Sequence[str] | None) -> int:
    """Run the command; one that lost a database race (its transaction rolled back) runs again.

    A write that waited past SQLite's busy timeout or PostgreSQL's lock timeout
    behind another writer changed nothing, so the whole command is run once
    more after a short pause (:mod:`kith.services.retrying`), up to a few times.
    """
    attempt = 0
    while True:
        STATE.db = None
        STATE.as_of_text = None
        try:
            # Typer handles usage errors itself (exit 2) and always ends in SystemExit.
            app(args=list(argv) if argv is not None else None, prog_name="kith")
            return 0
        except (OperationalError, SADatabaseError) as exc:
            if attempt + 1 >= retrying.ATTEMPTS or not retrying.is_transient(exc):
                raise
        STATE.close()
        time.sleep(retrying.pause(attempt))
        attempt += 1
