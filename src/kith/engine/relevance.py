"""Who is relevant to a request or a goal: pure text matching with reasons.

A person is described by a :class:`Profile` (title, organisation, industry,
tags, notes). A request ("intro to a casting director") is cut into folded
words, the filler words dropped; each remaining word is matched against the
words of every profile field, exactly or fuzzily (rapidfuzz), and counts with
the weight of the best field it hits: a title says more than a note.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from kith.normalize import fold

FIELD_WEIGHTS: dict[str, float] = {"title": 1.0, "tag": 0.9, "org": 0.8, "industry": 0.7, "notes": 0.5}
FIELD_LABELS: dict[str, str] = {"title": "role", "tag": "tag", "org": "organisation", "industry": "industry", "notes": "notes"}
FUZZY_CUTOFF = 85.0
STEM = 6  # words sharing their first six letters match ("fundraise", "fundraising")

_FILLER = """a an the to for on in of with and or at from by about into as is are be my me i we our
    intro introduction introductions advice help helping someone somebody anyone who whom which can could
    would need needs needed want looking find get ask person people good great best some any"""
STOPWORDS = frozenset(_FILLER.split())

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Folded alphanumeric words of ``text``."""
    return _WORD.findall(fold(text))


def query_words(query: str) -> list[str]:
    """The words of a request that carry meaning (filler words dropped, order kept, no repeats)."""
    seen: dict[str, None] = {}
    for w in words(query):
        if w not in STOPWORDS and len(w) > 1:
            seen.setdefault(w, None)
    return list(seen)


def tag_key(name: str) -> str:
    """A tag as stored: folded, words joined by dashes."""
    return "-".join(words(name))


@dataclass(frozen=True)
class Profile:
    """What Kith knows about a person that can make them relevant."""

    person_id: int
    title: str = ""
    org: str = ""
    industry: str = ""
    tags: tuple[str, ...] = ()
    notes: str = ""

    def fields(self) -> dict[str, str]:
        """Field name to text (tags joined by spaces, dashes split)."""
        return {
            "title": self.title, "org": self.org, "industry": self.industry,
            "tag": " ".join(t.replace("-", " ") for t in self.tags), "notes": self.notes,
        }


@dataclass
class Relevance:
    """How relevant one person is (0-1) and why."""

    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class RelevanceIndex:
    """An inverted index of profile words: build once, search many times."""

    profiles: dict[int, Profile]
    postings: dict[str, dict[int, str]]  # word -> person -> best field
    vocabulary: list[str]


def build_index(profiles: Iterable[Profile]) -> RelevanceIndex:
    """Index every profile's words by the best field they appear in."""
    by_id: dict[int, Profile] = {}
    postings: dict[str, dict[int, str]] = defaultdict(dict)
    for prof in profiles:
        by_id[prof.person_id] = prof
        for name, text in prof.fields().items():
            for w in words(text):
                have = postings[w].get(prof.person_id)
                if have is None or FIELD_WEIGHTS[name] > FIELD_WEIGHTS[have]:
                    postings[w][prof.person_id] = name
    return RelevanceIndex(by_id, dict(postings), sorted(postings))


def expand(index: RelevanceIndex, word: str) -> dict[str, float]:
    """Indexed words that match ``word``, with a similarity in (0, 1]."""
    found: dict[str, float] = {}
    if word in index.postings:
        found[word] = 1.0
    if len(word) >= STEM:
        for cand, score, _ in process.extract_iter(word, index.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF):
            found.setdefault(cand, score / 100.0)
        stem = word[:STEM]
        for cand in index.vocabulary:
            if len(cand) >= STEM and cand.startswith(stem):
                found.setdefault(cand, 0.9)
    return found


Hits = dict[str, tuple[float, str]]
"""For one person: query word -> (value, field it matched best)."""


def match(index: RelevanceIndex, query: str) -> tuple[int, dict[int, Hits]]:
    """How many meaningful words ``query`` has, and each matching person's hits."""
    qwords = query_words(query)
    hits: dict[int, Hits] = defaultdict(dict)
    for qw in qwords:
        for cand, sim in expand(index, qw).items():
            for pid, fname in index.postings[cand].items():
                value = sim * FIELD_WEIGHTS[fname]
                if qw not in hits[pid] or value > hits[pid][qw][0]:
                    hits[pid][qw] = (value, fname)
    return len(qwords), dict(hits)


def score(hits: Hits, n_words: int) -> float:
    """Relevance 0-1: the mean over the query's words of the best field weight each hit."""
    return round(sum(v for v, _ in hits.values()) / n_words, 4) if n_words else 0.0


def search(index: RelevanceIndex, query: str) -> dict[int, Relevance]:
    """Everyone matching at least one meaningful word of ``query``, with their relevance and why."""
    n, hits = match(index, query)
    return {pid: Relevance(score(h, n), explain(index.profiles[pid], h)) for pid, h in hits.items()}


def explain(prof: Profile, matched: Hits) -> list[str]:
    """Why a person matched: one line per field, with the words it matched."""
    by_field: dict[str, list[str]] = defaultdict(list)
    for qw, (_, fname) in matched.items():
        by_field[fname].append(qw)
    texts = prof.fields()
    out = []
    for fname in FIELD_WEIGHTS:
        if fname in by_field:
            shown = texts[fname] if fname != "notes" else _snippet(texts[fname], by_field[fname])
            if fname == "tag":
                shown = ", ".join(prof.tags)
            out.append(f"{FIELD_LABELS[fname]} '{shown}' matches {', '.join(by_field[fname])}")
    return out


def _snippet(text: str, hits: Sequence[str], width: int = 60) -> str:
    low = fold(text)
    at = min((low.find(h[:STEM]) for h in hits if low.find(h[:STEM]) >= 0), default=0)
    start = max(0, at - width // 3)
    piece = text[start:start + width].strip()
    return ("..." if start else "") + piece + ("..." if start + width < len(text) else "")


def role_matches(role: str, title: str) -> bool:
    """Whether a job title is the role asked for: every word of the role in the title, fuzzily."""
    rw, tw = words(role), words(title)
    if not rw or not tw:
        return False
    return all(any(w == t or (len(w) >= 4 and fuzz.ratio(w, t) >= FUZZY_CUTOFF) for t in tw) for w in rw)


@dataclass(frozen=True)
class GoalCriteria:
    """What makes a person relevant to a goal."""

    target_orgs: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def goal_reasons(goal: GoalCriteria, prof: Profile) -> list[str]:
    """Why a person is relevant to a goal; empty when they are not."""
    out: list[str] = []
    if prof.org and fold(prof.org) in {fold(o) for o in goal.target_orgs}:
        out.append(f"works at target {prof.org}")
    if prof.industry and any(_same_industry(prof.industry, i) for i in goal.industries):
        out.append(f"in the {prof.industry} industry")
    role = next((r for r in goal.roles if role_matches(r, prof.title)), None)
    if role is not None:
        out.append(f"{prof.title} (role: {role})")
    shared = sorted({tag_key(t) for t in goal.tags} & {tag_key(t) for t in prof.tags})
    if shared:
        out.append("tagged " + ", ".join(shared))
    return out


def _same_industry(have: str, wanted: str) -> bool:
    a, b = fold(have), fold(wanted)
    return a == b or (bool(b) and (b in a or a in b)) or fuzz.ratio(a, b) >= FUZZY_CUTOFF
