"""Who is whom: the identity rules of imports and of `kith dupes`, pure (no database).

One place decides whether two descriptions of people are one person:

- **strong identifiers decide**: a shared e-mail address (case-free), phone
  number (E.164), profile URL or source id makes one person; two different
  profiles on one network (two LinkedIn URLs) make two;
- **names only suggest**: names are compared after folding accents and case,
  dropping titles, credentials, middle names and punctuation, with nicknames
  (Bob = Robert) and initials (J. = Jane) as the same given name. A name
  alike is a candidate for review, never an automatic merge;
- **different e-mail addresses at different organisations** are two people,
  however alike their names;
- **a shared surname alone** never scores above 50 %.

:func:`compare` gives the confidence and the evidence; imports hold a new
record for review when it scores at least :data:`REVIEW` against someone
already stored, and `kith dupes` lists pairs at or above the same threshold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

REVIEW = 0.6
"""Confidence from which a pair is listed by `kith dupes` and an import holds a record for review."""

STRONG_NETWORKS = ("linkedin", "facebook")
"""Networks where one person has one profile: two different profiles there are two people."""

_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "fr", "hon"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "cpa", "esq", "pe", "pmp", "msc", "bsc", "ma", "ba",
             "dds", "rn", "cfa", "jd", "llm", "mpa", "mph", "dphil", "frcs", "obe", "mbe", "cbe"}
_PARTICLES = {"van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "bin", "al", "ter", "ten"}
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")

# Given-name variants: every name in a group is the same given name. Short on purpose: common English forms,
# a few other languages' usual short forms; a name not listed is only itself (and its initial).
_NICKNAME_GROUPS = (
    "robert rob bob bobby robbie bert", "william will bill billy liam willy", "richard rick dick rich richie ricky",
    "james jim jimmy jamie", "john jon johnny jack", "jonathan jon jonny", "joseph joe joey jose", "michael mike mick mikey",
    "thomas tom tommy", "christopher chris kit", "christine chris chrissy tina christina", "daniel dan danny",
    "matthew matt matty", "anthony tony antonio", "andrew andy drew", "alexander alex sasha sandy alejandro",
    "alexandra alex sasha sandra lexi", "elizabeth liz beth betty eliza lisa libby", "katherine kate katie kathy kat cathy catherine kathryn",
    "margaret maggie meg peggy marge", "jennifer jen jenny", "jessica jess jessie", "patricia pat patty trish tricia",
    "patrick pat paddy", "stephen steve steven stevie", "edward ed eddie ted ned", "benjamin ben benny",
    "samuel sam sammy", "samantha sam sammie", "nicholas nick nicky nico", "nicole nicky nikki", "timothy tim timmy",
    "gregory greg", "jeffrey jeff geoffrey", "charles charlie chuck chas carlos", "charlotte charlie lottie",
    "francis frank frankie francisco paco", "frances fran frankie", "henry harry hank", "david dave davey",
    "peter pete", "susan sue susie suzanne", "deborah deb debbie", "rebecca becky becca", "victoria vicky tori",
    "abigail abby gail", "jacob jake", "zachary zach zack", "joshua josh", "gabriel gabe", "raymond ray",
    "donald don donnie", "ronald ron ronnie", "kenneth ken kenny", "lawrence larry laurie", "leonard leo len lenny",
    "theodore theo ted teddy", "eleanor ellie nora elle", "dorothy dot dottie", "josephine jo josie",
    "joanna jo joanne", "manuel manu manolo", "guillermo memo", "eduardo edu lalo", "ignacio nacho",
    "enrique quique", "dolores lola", "mercedes merche", "maria mari", "fernando fer nando", "roberto beto",
    "alberto beto", "isabel isabella bella isa", "sofia sophia sophie", "aleksandr sasha", "ekaterina katya",
    "mohammed mohammad muhammad mohamed", "ahmed ahmad", "yusuf yousef youssef joseph", "hannah hanna",
    "olivia liv livvy", "oliver ollie", "vincent vince vinny", "phillip philip phil", "douglas doug",
    "gerald gerry jerry", "terrence terry terence", "walter walt", "nathaniel nate nathan", "nathan nate",
    "kimberly kim", "pamela pam", "cynthia cindy", "sandra sandy", "melissa mel missy", "melanie mel",
    "amanda mandy", "evelyn evie", "madeline maddie madeleine", "allison ali allie alison", "alice ali allie",
)


def _groups() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for line in _NICKNAME_GROUPS:
        names = line.split()
        for n in names:
            out.setdefault(n, {n}).update(names)
    return {k: frozenset(v) for k, v in out.items()}


_VARIANTS = _groups()


def fold_name(text: str) -> str:
    """Accent- and case-free text: ``'Sofía  Fernández'`` -> ``'sofia fernandez'``."""
    return " ".join(unidecode(text or "").lower().split())


@dataclass(frozen=True)
class NameParts:
    """A name as compared: folded given name, middle words, family name (particles kept)."""

    given: str
    middle: tuple[str, ...]
    family: str

    @property
    def initial_only(self) -> bool:
        """Whether the given name is a bare initial (``J. Smith``)."""
        return len(self.given) == 1


@lru_cache(maxsize=65536)
def name_parts(name: str) -> NameParts:
    """Split a display name for comparison: honorifics, credentials and quotes dropped.

    ``"Dr. Jordan Reyes, Ph.D."`` -> given ``jordan``, family ``reyes``;
    ``"Reyes, Jordan"`` -> the same; ``"Ana María de la Cruz"`` -> given
    ``ana``, middle ``maria``, family ``de la cruz``.
    """
    text = fold_name(name)
    text = re.sub(r"\([^)]*\)|\"[^\"]*\"", " ", text)  # nicknames in quotes or brackets
    if text.count(",") == 1:
        left, right = (s.strip() for s in text.split(","))
        right_words = [w.replace(".", "") for w in right.split()]
        if right_words and not all(w in _SUFFIXES for w in right_words):
            text = f"{right} {left}"  # "Family, Given"
    text = " ".join(w.replace(".", "") if len(w.replace(".", "")) > 1 else w for w in text.replace(",", " , ").split())
    words = [w.replace("'", "") for w in _WORD.findall(text.replace(".", ". "))]
    words = [w for w in words if w not in _HONORIFICS]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    if not words:
        return NameParts("", (), "")
    if len(words) == 1:
        return NameParts(words[0], (), "")
    family_start = len(words) - 1
    while family_start > 1 and words[family_start - 1] in _PARTICLES:
        family_start -= 1
    return NameParts(words[0], tuple(words[1:family_start]), " ".join(words[family_start:]))


def given_variants(given: str) -> frozenset[str]:
    """The given names this one may stand for (itself and its nickname group)."""
    return _VARIANTS.get(given, frozenset((given,)))


def canonical_given(given: str) -> str:
    """One representative of a given name's variants (for grouping): the alphabetically first."""
    return min(given_variants(given))


def name_key(name: str) -> str:
    """A grouping key under which the same person's name variants meet: canonical given + family.

    ``"Bob Smith"``, ``"Robert J. Smith"`` and ``"robert smith"`` share one key.
    """
    p = name_parts(name)
    return f"{canonical_given(p.given)}|{p.family}" if p.family else p.given


def _given_alike(a: str, b: str) -> tuple[float, str]:
    """How alike two folded given names are (1 the same, 0 unrelated), and why."""
    if not a or not b:
        return 0.0, ""
    if a == b:
        return 1.0, "same given name"
    if b in given_variants(a) or a in given_variants(b):
        return 0.95, f"{a} and {b} are one name"
    if len(a) == 1 or len(b) == 1:
        return (0.8, "initial matches") if a[0] == b[0] else (0.0, "")
    if min(len(a), len(b)) >= 6 and Levenshtein.distance(a, b) == 1:  # Jonathon / Jonathan, not Mark / Mary
        return 0.8, "given names one letter apart"
    return 0.0, ""


def _family_alike(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return 1.0
    a_last, b_last = a.split()[-1], b.split()[-1]
    if a_last == b_last:
        return 0.95  # "de la Cruz" and "Cruz"
    if min(len(a), len(b)) >= 5 and Levenshtein.distance(a, b) == 1:
        return 0.8
    return 0.0


@dataclass(frozen=True)
class Profile:
    """What identity is judged on: a person's name, organisation and identifier keys."""

    name: str
    org: str = ""  # folded organisation name
    emails: frozenset[str] = field(default_factory=frozenset)
    phones: frozenset[str] = field(default_factory=frozenset)
    urls: frozenset[str] = field(default_factory=frozenset)
    external: frozenset[str] = field(default_factory=frozenset)
    title: str = ""

    def identifiers(self) -> Iterable[tuple[str, str]]:
        """Every strong key as (kind, key): the key spaces matching looks in."""
        yield from (("email", k) for k in self.emails)
        yield from (("phone", k) for k in self.phones)
        yield from (("url", k) for k in self.urls)
        yield from (("external", k) for k in self.external)

    def profiles(self) -> dict[str, set[str]]:
        """Profile URLs on networks where one person has one profile, by network."""
        out: dict[str, set[str]] = {}
        for url in self.urls:
            network = url.split(".", 1)[0]
            if network in STRONG_NETWORKS and url.startswith(f"{network}.com/"):
                out.setdefault(network, set()).add(url)
        return out


@dataclass(frozen=True)
class Verdict:
    """How likely two profiles are one person (0-1), the evidence, and whether they are surely two."""

    confidence: float
    reasons: tuple[str, ...]
    conflict: bool = False


def conflict(a: Profile, b: Profile) -> str:
    """Why ``a`` and ``b`` are surely two people (evidence that no name can outweigh), or ''."""
    pa, pb = a.profiles(), b.profiles()
    for network in sorted(pa.keys() & pb.keys()):
        if not pa[network] & pb[network]:
            return f"different {network.title()} profiles: probably two people"
    if a.emails and b.emails and not a.emails & b.emails and a.org and b.org and a.org != b.org:
        return "different e-mail addresses at different organisations: probably two people"
    return ""


def shared(a: Profile, b: Profile) -> list[str]:
    """The strong identifiers ``a`` and ``b`` share, in words."""
    words = {"email": "e-mail", "phone": "phone", "url": "profile", "external": "source id"}
    return [f"same {words[kind]} {key}" for kind, key in sorted(set(a.identifiers()) & set(b.identifiers()))]


def compare(a: Profile, b: Profile) -> Verdict:
    """The identity rules applied to two profiles (see the module's docstring)."""
    same_ids = shared(a, b)
    surely_two = conflict(a, b)
    if surely_two:
        return Verdict(0.1, (*same_ids, surely_two), True)
    if same_ids:
        return Verdict(0.95, tuple(same_ids))
    na, nb = name_parts(a.name), name_parts(b.name)
    family = _family_alike(na.family, nb.family)
    given, why_given = _given_alike(na.given, nb.given)
    if not na.family or not nb.family:  # one-word names: only the very same word says anything
        if na.given and na.given == nb.given and not (na.family or nb.family):
            return Verdict(0.5, (f"same single name {na.given}",))
        return Verdict(0.0, ())
    if family == 0.0:
        return Verdict(0.0, ())
    reasons = ["same family name" if family == 1.0 else "family names alike"]
    if given == 0.0:
        return Verdict(min(0.3, 0.3 * family), tuple(reasons))  # a shared surname alone
    reasons.append(why_given)
    confidence = 0.5 + 0.25 * given * family  # 0.75 for the same given and family name
    if na.middle and nb.middle and na.middle[0][0] != nb.middle[0][0]:
        reasons.append("different middle names")
        confidence -= 0.3
    orgs_a, orgs_b = _orgs(a), _orgs(b)
    if orgs_a and orgs_b:
        common = _common(orgs_a, orgs_b)
        if common:
            reasons.append(f"both at {common}")
            confidence += 0.15
        else:
            reasons.append(f"different organisations ({a.org or min(orgs_a)} / {b.org or min(orgs_b)})")
            confidence -= 0.2  # a namesake as often as a job change: not listed on the name alone
    if a.emails and b.emails:  # different addresses (none shared): two people more often than not
        reasons.append("different e-mail addresses")
        confidence -= 0.2
    if a.phones and b.phones:
        reasons.append("different phone numbers")
        confidence -= 0.1
    return Verdict(round(max(0.0, min(confidence, 0.94)), 4), tuple(reasons))


WEBMAIL = frozenset({"gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "icloud", "me",
                     "mac", "aol", "proton", "protonmail", "pm", "gmx", "web", "mail", "fastmail", "yandex", "zoho",
                     "hey", "tutanota", "qq", "163", "orange", "free", "comcast", "btinternet", "example"})
"""E-mail domains that say nothing about where someone works (the first label of the domain)."""


def _compact(org: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold_name(org))


def _orgs(p: Profile) -> set[str]:
    """Where the profile says the person works: its organisation, and the domains of work e-mail addresses."""
    out = {_compact(p.org)} if p.org else set()
    for email in p.emails:
        label = email.rsplit("@", 1)[-1].split(".")[0]
        if label and label not in WEBMAIL:
            out.add(label)
    return {o for o in out if len(o) >= 3}


def _common(a: set[str], b: set[str]) -> str:
    """An organisation both sets name (one name may be the start of the other: acme / acmefilms), or ''."""
    for x in sorted(a):
        for y in sorted(b):
            if x.startswith(y) or y.startswith(x):
                return x if len(x) >= len(y) else y
    return ""
