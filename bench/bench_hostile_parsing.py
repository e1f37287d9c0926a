"""Parsing pathological files of 1, 2 and 4 MB, one shape family per importer (docs/benchmarks.md).

Prints the CPU seconds each importer's parser takes on each shape at each size,
and the growth from 1 to 4 MB (4 is linear, 16 quadratic). The shapes are
those of tests/hostile_inputs.py; tests/test_hostile_input.py asserts the
same growth at smaller sizes. ``--sizes 0.25 0.5 1`` for other sizes; a
measurement over ``--limit`` CPU seconds (default 120) is cut short and shown as
"> limit".
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile_inputs import SHAPES
from kith.errors import ImportFailed
from kith.importers import PARSERS
from kith.importers.records import ParseOptions

MB = 1024 * 1024


class TooLong(Exception):
    """A measurement ran past the limit."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise TooLong


def measure(fmt: str, data: bytes, folder: Path, limit: int) -> float | None:
    """CPU seconds to parse ``data`` as ``fmt`` (None past ``limit`` seconds)."""
    path = folder / "input"
    path.write_bytes(data)
    opts = ParseOptions(me=["sam@example.com", "Sam Roe"], now=datetime(2026, 6, 15, tzinfo=UTC))
    signal.setitimer(signal.ITIMER_PROF, limit)  # CPU seconds: a loaded machine does not cut it short
    started = time.process_time()
    try:
        PARSERS[fmt](path, opts)
    except ImportFailed:
        pass
    except (TooLong, RecursionError):
        return None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return time.process_time() - started


def main(argv: list[str]) -> int:
    """Measure every shape at every size; print one line per shape."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4], help="file sizes in MB")
    parser.add_argument("--limit", type=int, default=120, help="seconds before a measurement is cut short")
    parser.add_argument("--only", nargs="*", default=[], help="only these formats")
    args, _ = parser.parse_known_args(argv)
    signal.signal(signal.SIGPROF, _alarm)
    print(f"{'format':18} {'shape':16} " + " ".join(f"{s:>7g} MB" for s in args.sizes) + "   growth")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, shapes in SHAPES.items():
            if args.only and fmt not in args.only:
                continue
            for name, make in shapes.items():
                measure(fmt, make(MB // 16), Path(tmp), args.limit)  # lazy imports out of the way
                seconds: list[float | None] = []
                for size in args.sizes:
                    took = measure(fmt, make(int(size * MB)), Path(tmp), args.limit)
                    seconds.append(took)
                    if took is None:
                        break
                cells = [f"{s:8.2f} s" if s is not None else f"> {args.limit:4d} s" for s in seconds]
                cells += ["" for _ in range(len(args.sizes) - len(cells))]
                first, last = seconds[0], seconds[-1]
                growth = f"x{last / max(first, 1e-3):.1f}" if first is not None and last is not None and \
                    len(seconds) == len(args.sizes) else ""
                print(f"{fmt:18} {name:16} " + " ".join(f"{c:>10}" for c in cells) + f"   {growth}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
