"""Run every ``bench/bench_*.py`` script in turn and print its output (``make bench``).

Arguments after ``--`` go to every script (e.g. ``-- --people 3000``).
Exit status 1 if any script fails.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    """Run the benchmark scripts; returns the exit status."""
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *extra])
        print(f"=== {script.name}: exit {code} in {time.perf_counter() - start:.1f} s\n", flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print("FAILED: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
