"""Who is relevant to a request or a goal: pure text matching with reasons.

A person is described by a :class:`Profile` (title, organisation, industry,
tags, notes). A request ("intro to a casting director") is cut into folded
words, the filler words dropped; each remaining word is matched against the
words of every profile field, exactly or fuzzily (rapidfuzz), and counts with
the weight of the best field it hits: a title says more than a note.

A goal (:class:`GoalCriteria`) is matched exactly, by one rule that the goal
audit, the agenda and the person page share (:class:`GoalMatcher`): target
organisations by the first words of the name (:func:`works_at`), industries by
family (:func:`same_industry`), roles as whole words (:func:`role_matches`),
tags by their folded key. ``docs/network.md`` writes the rule down.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from kith.normalize import fold

FIELD_WEIGHTS: dict[str, float] = {"title": 1.0, "tag": 0.9, "org": 0.8, "industry": 0.7, "notes": 0.5}
FIELD_LABELS: dict[str, str] = {"title": "role", "tag": "tag", "org": "organisation", "industry": "industry", "notes": "notes"}
FUZZY_CUTOFF = 85.0
PARTIAL_ROLE = 0.5  # a word of a role phrase in a title that is another role
STEM = 6  # words sharing their first six letters match ("fundraise", "fundraising")

_FILLER = """a an the to for on in of with and or at from by about into as is are be my me i we our
    intro introduction introductions advice help helping someone somebody anyone who whom which can could
    would need needs needed want looking find get ask person people good great best some any"""
STOPWORDS = frozenset(_FILLER.split())

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Folded alphanumeric words of ``text``."""
    return _WORD.findall(fold(text))


TITLE_VARIANTS: dict[str, tuple[str, ...]] = {
    "vp": ("vice", "president"), "svp": ("senior", "vice", "president"), "evp": ("executive", "vice", "president"),
    "avp": ("assistant", "vice", "president"), "ceo": ("chief", "executive", "officer"),
    "cto": ("chief", "technology", "officer"), "cfo": ("chief", "financial", "officer"),
    "coo": ("chief", "operating", "officer"), "cmo": ("chief", "marketing", "officer"),
    "cio": ("chief", "information", "officer"), "cpo": ("chief", "product", "officer"),
    "cro": ("chief", "revenue", "officer"), "md": ("managing", "director"), "gm": ("general", "manager"),
    "hr": ("human", "resources"), "pr": ("public", "relations"), "dir": ("director",), "mgr": ("manager",),
    "sr": ("senior",), "snr": ("senior",), "jr": ("junior",), "asst": ("assistant",), "exec": ("executive",),
    "cofounder": ("co", "founder"), "eng": ("engineer",), "prof": ("professor",),
}
"""Common title abbreviations and the words they stand for ("VP" is "vice president")."""


def canonical_words(text: str) -> list[str]:
    """Folded words with title abbreviations spelled out ("VP, Marketing" -> vice president marketing)."""
    out: list[str] = []
    for w in words(text):
        out.extend(TITLE_VARIANTS.get(w, (w,)))
    return out


_ROLE_NOUNS = """director manager producer head officer president partner editor agent engineer designer
    writer founder lead chief executive coordinator supervisor assistant analyst consultant architect developer
    scientist recruiter counsel attorney lawyer accountant buyer planner strategist specialist associate principal
    owner chair chairman publicist reporter critic professor lecturer advisor adviser photographer operator
    recordist stylist dean student investor journalist"""
ROLE_HEADS = frozenset(_ROLE_NOUNS.split())
"""Nouns that name a role: a request's phrase built on one ("casting director") is matched as a phrase."""


def role_phrases(query: str) -> list[tuple[str, ...]]:
    """The role phrases of a request: runs of two or more meaningful words around a role noun.

    "intro to a casting director at a film studio" has one, ("casting",
    "director"); "head of casting" is ("head", "casting"): an "of" between two
    meaningful words joins them. Words after the last role noun end the
    phrase unless an "of" joined them ("an executive assistant contact" is
    ("executive", "assistant")).
    """
    ws = canonical_words(query)
    runs: list[list[tuple[str, bool]]] = []
    run: list[tuple[str, bool]] = []
    joined = False
    for k, w in enumerate(ws):
        if w not in STOPWORDS and len(w) > 1:
            run.append((w, joined))
            joined = False
            continue
        joined = bool(w == "of" and run and k + 1 < len(ws) and ws[k + 1] not in STOPWORDS)
        if not joined and run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    phrases = []
    for r in runs:
        heads = [i for i, (w, _) in enumerate(r) if singular(w) in ROLE_HEADS]
        if not heads:
            continue
        end = heads[-1] + 1
        while end < len(r) and (r[end][1] or any(j for _, j in r[heads[-1] + 1:end])):
            end += 1
        phrase = tuple(dict.fromkeys(w for w, _ in r[:end]))
        if len(phrase) >= 2:
            phrases.append(phrase)
    return phrases


def query_words(query: str) -> list[str]:
    """The words of a request that carry meaning (filler words dropped, order kept, no repeats)."""
    seen: dict[str, None] = {}
    for w in canonical_words(query):
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
            for w in canonical_words(text):
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
    """How many meaningful words ``query`` has, and each matching person's hits.

    A role phrase of the request (:func:`role_phrases`) counts as a phrase:
    its words count fully from a title only when the whole phrase describes
    the person (:func:`phrase_fits`): "casting director" is not "Account
    Director". Otherwise the role noun does not count from the title, the
    other words count half (``PARTIAL_ROLE``: a Casting Associate is near),
    and both still count where they match the organisation, industry, tags
    or notes.
    """
    qwords = query_words(query)
    hits: dict[int, Hits] = defaultdict(dict)
    for qw in qwords:
        for cand, sim in expand(index, qw).items():
            for pid, fname in index.postings[cand].items():
                value = sim * FIELD_WEIGHTS[fname]
                if qw not in hits[pid] or value > hits[pid][qw][0]:
                    hits[pid][qw] = (value, fname)
    for phrase in role_phrases(query):
        for pid, h in hits.items():
            prof = index.profiles[pid]
            fits = phrase_fits(phrase, prof)
            for w in phrase:
                if fits is not None:
                    field_name = fits[w]
                    h[w] = max(h.get(w, (0.0, field_name)), (FIELD_WEIGHTS[field_name], field_name))
                elif w in h and h[w][1] == "title":  # "senior" of Senior Agent is no senior publicist
                    other = _other_field(prof, w)
                    if other is not None:
                        h[w] = (FIELD_WEIGHTS[other], other)
                    elif singular(w) in ROLE_HEADS:
                        del h[w]
                    else:  # a Casting Associate is near a casting director: half a title's credit
                        h[w] = (PARTIAL_ROLE, "title")
    return len(qwords), {pid: h for pid, h in hits.items() if h}


@lru_cache(maxsize=4096)
def _field_words(text: str) -> frozenset[str]:
    """A field's words, spelled out and singular (titles and organisations repeat: remembered)."""
    return frozenset(singular(w) for w in canonical_words(text))


def phrase_fits(phrase: Sequence[str], prof: Profile) -> dict[str, str] | None:
    """Whether a role phrase describes the person, and where each word of it was found.

    The role nouns must be whole words of the title; each other word must be
    in the title or in the organisation, industry or tags ("film producer" is
    a Producer at a film studio; "casting director" is not an Account
    Director). None when it does not fit.
    """
    fields = prof.fields()
    title = _field_words(fields["title"])
    head = title_head(fields["title"])
    if head is not None and head not in {singular(w) for w in phrase}:
        return None  # an Agent's Assistant is an assistant, not a talent agent
    where: dict[str, str] = {}
    for w in phrase:
        key = singular(w)
        if key in title:
            where[w] = "title"
        elif key in ROLE_HEADS:
            return None
        else:
            found = next((f for f in ("tag", "org", "industry") if key in _field_words(fields[f])), None)
            if found is None:
                return None
            where[w] = found
    return where


def title_head(title: str) -> str | None:
    """The role noun a title is about: the last one before any "of" ("Director of Photography": director;
    "Agent's Assistant": assistant), None when the title has none."""
    ws = [singular(w) for w in canonical_words(title)]
    before_of = ws[:ws.index("of")] if "of" in ws else ws
    for part in (before_of, ws):
        nouns = [w for w in part if w in ROLE_HEADS]
        if nouns:
            return nouns[-1]
    return None


def _other_field(prof: Profile, word: str) -> str | None:
    """The best field but the title that has ``word`` as a whole word."""
    fields = prof.fields()
    key = singular(word)
    return next((f for f in ("tag", "org", "industry", "notes") if key in _field_words(fields[f])), None)


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


# -- goal relevance ----------------------------------------------------------------------------
#
# One rule, used by the goal audit, the agenda and the person page (docs/network.md, "Goal
# relevance"). Everything is compared folded: case and accents never matter.

LEGAL_FORMS = frozenset({
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "lp", "plc", "gmbh", "ag", "sa", "sas", "sarl",
    "bv", "nv", "corp", "corporation", "co", "company", "pty", "pte", "srl", "spa", "ab", "oy", "kg"})
"""Legal forms ignored at the end of an organisation's name ("Cafe Noir Ltd" is "Cafe Noir")."""

ROLE_FILLER = frozenset({"of", "the", "and", "for", "at", "a", "an", "in", "to"})
"""Words of a role that need not be in the title ("head of casting" is "Casting Head")."""

INDUSTRY_FAMILIES: dict[str, tuple[str, ...]] = {
    "film": ("film", "movies", "cinema", "motion pictures", "filmmaking"),
    "television": ("tv", "television", "broadcasting", "broadcast media"),
    "music": ("music", "recorded music", "record labels"),
    "publishing": ("publishing", "books", "book publishing"),
    "public relations": ("pr", "public relations", "publicity"),
    "advertising": ("advertising", "ad agencies"),
    "venture capital": ("vc", "venture capital"),
    "private equity": ("private equity",),
    "software": ("software", "computer software", "saas"),
    "information technology": ("it", "information technology"),
    "health care": ("health care", "healthcare"),
}
"""Industry families: every name on a line means the family's first word ("Movies" is "Film").

Labels are also cut at ``&``, ``/``, ``,``, ``+`` and "and" into parts, so "Film & TV" is
the two families film and television, and matches "Film", "TV" and "film and television".
"""

GENERIC_INDUSTRY_WORDS = frozenset({
    "service", "industry", "other", "general", "sector", "business", "product", "solution", "company"})
"""A part of an industry label made only of these says nothing ("IT Services" vs "Services")."""

_INDUSTRY_SPLIT = re.compile(r"&|/|,|;|\+|\||\band\b")


def singular(word: str) -> str:
    """A folded word without a plural ``s`` ("films" -> "film"; "business" and "gas" stay)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def org_key(name: str) -> tuple[str, ...]:
    """An organisation's name as words: folded, without a leading "the", "and" or trailing legal forms."""
    ws = [w for w in words(name) if w != "and"]
    if len(ws) > 1 and ws[0] == "the":
        ws = ws[1:]
    while len(ws) > 1 and ws[-1] in LEGAL_FORMS:
        ws.pop()
    return tuple(ws)


def works_at(target: str, org: str) -> bool:
    """Whether ``org`` is the target organisation: the target's words are the first words of its name.

    "Halcyon" is "Halcyon Studios" and "Café Noir" is "Cafe Noir Ltd"; "Hal" is not
    "Halcyon" (whole words only) and "Noir" is not "Cafe Noir" (the target must start the name).
    """
    want, have = org_key(target), org_key(org)
    return bool(want) and have[:len(want)] == want


def _family_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for family, names in INDUSTRY_FAMILIES.items():
        canon = tuple(singular(w) for w in words(family))
        for name in (family, *names):
            table[tuple(singular(w) for w in words(name))] = canon
    return table


_FAMILIES = _family_table()  # built once from constants; never changes
_LONGEST_NAME = max(len(k) for k in _FAMILIES)


def industry_key(label: str) -> frozenset[tuple[str, ...]]:
    """An industry label as its parts, each a tuple of words with family names made canonical."""
    parts: set[tuple[str, ...]] = set()
    for piece in _INDUSTRY_SPLIT.split(fold(label)):
        ws = [singular(w) for w in words(piece)]
        out: list[str] = []
        i = 0
        while i < len(ws):
            for n in range(min(_LONGEST_NAME, len(ws) - i), 0, -1):
                canon = _FAMILIES.get(tuple(ws[i:i + n]))
                if canon is not None:
                    out.extend(canon)
                    i += n
                    break
            else:
                out.append(ws[i])
                i += 1
        if out and not all(w in GENERIC_INDUSTRY_WORDS for w in out):
            parts.add(tuple(out))
    return frozenset(parts)


def _within(small: tuple[str, ...], big: tuple[str, ...]) -> bool:
    """Whether the words ``small`` appear together, in order, in ``big``."""
    n = len(small)
    return any(big[i:i + n] == small for i in range(len(big) - n + 1))


def same_industry(have: str, wanted: str) -> bool:
    """Whether two industry labels share a family: a part of one is (within) a part of the other.

    "Film" matches "Film & TV", "film and television", "Film/TV", "Movies" and "Independent
    Film"; "Public Relations" does not match "International Relations", nor "Financial
    Services" "IT Services".
    """
    a, b = industry_key(have), industry_key(wanted)
    return any(_within(p, q) or _within(q, p) for p in a for q in b)


def role_words(role: str) -> list[str]:
    """The words of a role that a title must contain (filler like "of" dropped unless that is all).

    Abbreviations are spelled out (:data:`TITLE_VARIANTS`): "VP marketing" is
    "vice president marketing", and matches "Vice President of Marketing".
    """
    ws = canonical_words(role)
    return [w for w in ws if w not in ROLE_FILLER] or ws


def role_matches(role: str, title: str) -> bool:
    """Whether a job title is the role asked for: every word of the role is a whole word of the title.

    In any order ("casting director" is "Director of Casting"), a plural allowed; "casting
    director" is not "Account Director", "editor" is not "Creditor", "writer" is not "Waiter".
    """
    rw, tw = role_words(role), canonical_words(title)
    if not rw or not tw:
        return False
    have = {singular(t) for t in tw}
    return all(singular(w) in have for w in rw)


@dataclass(frozen=True)
class GoalCriteria:
    """What makes a person relevant to a goal."""

    target_orgs: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


class GoalMatcher:
    """One goal's criteria, prepared once to test many people (the agenda tests thousands).

    Answers are remembered per organisation, industry and title text, which people share.
    """

    def __init__(self, goal: GoalCriteria) -> None:
        self.goal = goal
        self._tags = {k for k in (tag_key(t) for t in goal.tags) if k}
        self._targets = [key for key in (org_key(t) for t in goal.target_orgs) if key]
        self._org: dict[str, bool] = {}
        self._industry: dict[str, bool] = {}
        self._role: dict[str, str | None] = {}
        self._tag_key: dict[str, str] = {}

    def at_target(self, org: str) -> bool:
        """Whether ``org`` is one of the goal's target organisations."""
        if org not in self._org:  # works_at, with the targets' words made once
            have = org_key(org) if self._targets else ()
            self._org[org] = any(have[:len(want)] == want for want in self._targets)
        return self._org[org]

    def in_industry(self, industry: str) -> bool:
        """Whether ``industry`` is in the family of one of the goal's industries."""
        if industry not in self._industry:
            self._industry[industry] = any(same_industry(industry, i) for i in self.goal.industries)
        return self._industry[industry]

    def role_of(self, title: str) -> str | None:
        """The first of the goal's roles that ``title`` is, if any."""
        if title not in self._role:
            self._role[title] = next((r for r in self.goal.roles if role_matches(r, title)), None)
        return self._role[title]

    def shared_tags(self, tags: tuple[str, ...]) -> list[str]:
        """The goal's tags (folded keys) among ``tags``, sorted."""
        if not self._tags:
            return []
        keys = self._tag_key
        for t in tags:
            if t not in keys:
                keys[t] = tag_key(t)
        return sorted(self._tags & {keys[t] for t in tags})

    def relevant(self, prof: Profile) -> bool:
        """Whether :meth:`reasons` would give any reason (cheaper: no words)."""
        return bool(
            (prof.org and self.at_target(prof.org))
            or (prof.industry and self.in_industry(prof.industry))
            or (prof.title and self.goal.roles and self.role_of(prof.title) is not None)
            or (prof.tags and self.shared_tags(prof.tags))
        )

    def reasons(self, prof: Profile) -> list[str]:
        """Why a person is relevant to the goal, in a fixed order; empty when they are not."""
        out: list[str] = []
        if prof.org and self.at_target(prof.org):
            out.append(f"works at target {prof.org}")
        if prof.industry and self.in_industry(prof.industry):
            out.append(f"in the {prof.industry} industry")
        role = self.role_of(prof.title) if prof.title and self.goal.roles else None
        if role is not None:
            out.append(f"{prof.title} (role: {role})")
        shared = self.shared_tags(prof.tags)
        if shared:
            out.append("tagged " + ", ".join(shared))
        return out


def goal_reasons(goal: GoalCriteria, prof: Profile) -> list[str]:
    """Why a person is relevant to a goal; empty when they are not (see :class:`GoalMatcher`)."""
    return GoalMatcher(goal).reasons(prof)
