"""Precision and recall of automatic merges and of `kith dupes` on the labelled set (tests/fixtures/matching).

Run: ``.venv/bin/python bench/matching_quality.py [--json]``. The five files
are imported in order (LinkedIn, vCard, Google, Outlook, mailbox) into a
fresh SQLite database; every identifier a person ends up with is looked up in
``truth.json``:

- **automatic merges**: of the pairs of identifiers imports put on one person,
  the share that belong to one real person (precision), and of the pairs of
  one real person's identifiers, the share put on one person (recall);
- **kith dupes** (default threshold): of the pairs listed, the share that are
  one real person (precision), and of the pairs of people that are one real
  person (left apart by the imports), the share listed (recall).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kith.runtime import open_kith
from kith.services.dedupe import find_duplicates
from kith.services.importing import ImportOptions, import_file
from kith.store.models import Identifier

SET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "matching"
ORDER = (("linkedin", "linkedin.csv"), ("vcard", "contacts.vcf"), ("google", "google.csv"),
         ("outlook", "outlook.csv"), ("mbox", "mail.mbox"))
NOW = datetime(2026, 6, 15, tzinfo=UTC)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def measure(url: str) -> dict[str, Any]:
    """Import the set into ``url`` (an empty database) and score it."""
    truth: dict[str, int] = json.loads((SET / "truth.json").read_text(encoding="utf-8"))["identifiers"]
    kith = open_kith(url, as_of=NOW, init=True)
    held = 0
    try:
        for fmt, name in ORDER:
            with kith.session() as session:
                summary = import_file(session, fmt, SET / name, now=NOW,
                                      options=ImportOptions(me=["me@example.com"], photos=False))
                held += summary.held
        with kith.session() as session:
            owners: dict[int, list[int]] = defaultdict(list)
            for pid, kind, key in session.execute(select(Identifier.person_id, Identifier.kind, Identifier.value_key)):
                group = "url" if kind in ("url", "linkedin", "facebook") else kind
                if f"{group}:{key}" in truth:
                    owners[int(pid)].append(truth[f"{group}:{key}"])
            cands = find_duplicates(session)
            listed = [(c.a.id, c.b.id) for c in cands]
    finally:
        kith.close()
    merged_pairs = sum(len(v) * (len(v) - 1) // 2 for v in owners.values())
    merged_right = sum(1 for v in owners.values() for a, b in combinations(v, 2) if a == b)
    per_truth: dict[int, int] = defaultdict(int)
    for v in owners.values():
        for t in v:
            per_truth[t] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in per_truth.values())
    who = {pid: set(v) for pid, v in owners.items()}
    listed_right = sum(1 for a, b in listed if who.get(a, set()) & who.get(b, set()))
    people_of: dict[int, list[int]] = defaultdict(list)
    for pid, ts in who.items():
        for t in ts:
            people_of[t].append(pid)
    should = {tuple(sorted(p)) for ps in people_of.values() for p in combinations(sorted(set(ps)), 2)}
    found = {tuple(sorted(p)) for p in listed}
    if "--debug" in sys.argv:
        for c in cands:
            if not who.get(c.a.id, set()) & who.get(c.b.id, set()):
                print("FP", c.a.name, "|", c.b.name, c.confidence, c.reasons, c.evidence)
        for v in owners.values():
            if len(set(v)) > 1:
                print("WRONG MERGE", v)
        for a, b in sorted(should - found):
            print("FN", a, b)
    return {
        "people_in_truth": json.loads((SET / "truth.json").read_text(encoding="utf-8"))["people"],
        "people_after_import": len(owners), "held_for_review": held,
        "auto_merge": {"pairs": merged_pairs, "right": merged_right, "precision": _ratio(merged_right, merged_pairs),
                       "recall": _ratio(merged_right, true_pairs)},
        "dupes": {"listed": len(listed), "right": listed_right, "precision": _ratio(listed_right, len(listed)),
                  "should_list": len(should), "recall": _ratio(len(should & found), len(should))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--debug", action="store_true", help="print the wrong pairs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(f"sqlite:///{tmp}/matching.db")
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        return
    a, d = result["auto_merge"], result["dupes"]
    print(f"{result['people_in_truth']} real people -> {result['people_after_import']} people after the five imports, "
          f"{result['held_for_review']} held for review")
    print("| | pairs | right | precision | recall | target |\n| --- | ---: | ---: | ---: | ---: | --- |")
    print(f"| automatic merges | {a['pairs']} | {a['right']} | {a['precision']:.3f} | {a['recall']:.3f} | precision 1.0 |")
    print(f"| `kith dupes` (default) | {d['listed']} | {d['right']} | {d['precision']:.3f} | {d['recall']:.3f} "
          f"| precision >= 0.95, recall >= 0.8 |")


if __name__ == "__main__":
    main()
