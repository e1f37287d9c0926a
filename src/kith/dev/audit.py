"""`make audit`: pip-audit of the locked dependencies (requirements.lock); exit 1 on any known vulnerability.

Runs ``pip-audit --no-deps --disable-pip -r requirements.lock -f json`` (every
line of the lock is pinned, so nothing is resolved or installed) and reads its
report: a dependency with a known vulnerability fails the check and is named
with the advisory and the fixed versions. A dependency the vulnerability
service could not look up (no network, or a registry mirror without the
per-version JSON pip-audit asks for) is listed as not audited, and when none
could be looked up the check says so loudly, like the PostgreSQL run of
`make test` when no server answers, instead of passing in silence.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Run pip-audit on the lock file given (default requirements.lock) and judge its report."""
    lock = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock")
    done = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "-r", str(lock), "-f", "json",
         "--progress-spinner", "off"],
        capture_output=True, text=True, check=False, timeout=900,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(f"audit: pip-audit gave no report: {done.stderr.strip()[-500:]}", file=sys.stderr)
        return 1
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in vulnerable:
        for v in dep["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {dep['name']} {dep.get('version', '')}: {v.get('id')} (fixed in {fixed})")
    audited = len(deps) - len(skipped)
    if skipped and audited == 0:
        print(f"WARNING: the vulnerability service answered for none of the {len(deps)} locked dependencies "
              f"({skipped[0]['skip_reason']}): the audit was NOT done", file=sys.stderr)
    elif skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"WARNING: not audited (the service did not know them): {names}", file=sys.stderr)
    print(f"audit: {audited} of {len(deps)} locked dependencies audited, {len(vulnerable)} with known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
