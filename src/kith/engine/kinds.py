"""The vocabulary of relationships: interaction kinds, their depth, relation kinds.

Depth orders kinds the way the product describes them: a like or a hello is
worth less than a chat, a chat less than a coffee, a coffee less than working
together, and that less than a favour. The weights are the ``w_kind`` of the
tie-strength model (see ``docs/scoring.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Kind:
    """An interaction kind: its name, depth weight and what it says about a tie."""

    name: str
    depth: float
    label: str
    hello: bool = False  # only a cordial hello: no real exchange
    favor: bool = False  # a favour changes the reciprocity ledger
    thanks: bool = False
    context: str = "talk"  # for multiplexity: talk, meet, work, help, social


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("like", 0.1, "liked or reacted", hello=True, context="online"),
        Kind("hello", 0.2, "said hello", hello=True, context="social"),
        Kind("connection", 0.2, "connected online", hello=True, context="online"),
        Kind("met", 0.6, "met", context="meet"),
        Kind("message", 0.5, "messaged", context="talk"),
        Kind("email", 0.6, "e-mailed", context="talk"),
        Kind("call", 1.0, "called", context="talk"),
        Kind("video", 1.0, "video call", context="talk"),
        Kind("meeting", 1.0, "meeting", context="work"),
        Kind("event", 0.7, "event together", context="social"),
        Kind("coffee", 1.3, "coffee", context="social"),
        Kind("meal", 1.6, "meal", context="social"),
        Kind("worked-together", 2.0, "worked together", context="work"),
        Kind("intro-made", 1.5, "made an introduction", favor=True, context="help"),
        Kind("referral", 2.0, "referral", favor=True, context="help"),
        Kind("favor-given", 2.2, "did them a favour", favor=True, context="help"),
        Kind("favor-received", 2.2, "they did me a favour", favor=True, context="help"),
        Kind("thanks-given", 0.8, "thanked them", thanks=True, context="help"),
        Kind("thanks-received", 0.8, "they thanked me", thanks=True, context="help"),
        Kind("note", 0.0, "note"),
    )
}

HELLO_KINDS = frozenset(k.name for k in KINDS.values() if k.hello)


class Direction(StrEnum):
    """Who reached out: ``out`` I did, ``in`` they did, ``mutual`` both or unknown."""

    OUT = "out"
    IN = "in"
    MUTUAL = "mutual"


# A kind implies a direction when the user does not give one.
IMPLIED_DIRECTION: dict[str, Direction] = {
    "favor-given": Direction.OUT,
    "favor-received": Direction.IN,
    "thanks-given": Direction.OUT,
    "thanks-received": Direction.IN,
    "intro-made": Direction.OUT,
}


class RelationKind(StrEnum):
    """Person-to-person relations. Read as ``A <kind> B``."""

    ASSISTANT_OF = "assistant-of"
    WORKS_WITH = "works-with"
    REPORTS_TO = "reports-to"
    INTRODUCED_BY = "introduced-by"
    REFERRED_BY = "referred-by"
    KNOWS = "knows"
    PARTNER_OF = "partner-of"


# Relations that make the first person a gatekeeper of the second.
#: How a relation reads in a sentence on one of its two people's pages: ``A kind B`` is "<outgoing> B" on A's
#: page and "A <incoming>" on B's.
RELATION_WORDS: dict[str, tuple[str, str]] = {
    RelationKind.ASSISTANT_OF: ("assistant of", "is their assistant"),
    RelationKind.WORKS_WITH: ("works with", "works with them"),
    RelationKind.REPORTS_TO: ("reports to", "reports to them"),
    RelationKind.INTRODUCED_BY: ("introduced by", "was introduced by them"),
    RelationKind.REFERRED_BY: ("referred by", "was referred by them"),
    RelationKind.KNOWS: ("knows", "knows them"),
    RelationKind.PARTNER_OF: ("partner of", "is their partner"),
}


def relation_words(kind: str, outgoing: bool) -> str:
    """The words of relation ``kind`` seen from its first person (``outgoing``) or its second (see RELATION_WORDS)."""
    words = RELATION_WORDS.get(kind)
    if words is None:
        return kind if outgoing else f"is {kind} them"
    return words[0] if outgoing else words[1]


GATEKEEPER_RELATIONS = frozenset({RelationKind.ASSISTANT_OF})
SYMMETRIC_RELATIONS = frozenset({RelationKind.WORKS_WITH, RelationKind.KNOWS, RelationKind.PARTNER_OF})

LAYERS = ("inner", "close", "active", "meaningful", "acquaintance", "dormant", "new")
"""From the closest to the loosest; ``dormant`` went silent, ``new`` never started (no contact logged)."""


AGENDA_ACTIONS = ("repair", "return-favour", "thank", "follow-up", "nurture", "rewarm-goal", "reconnect")
"""The agenda's actions, in the order that breaks ties between them (``kith.engine.agenda_rules``)."""
# The interaction kind that most often does an agenda action, offered first when it is logged from the agenda.
LOG_KIND_FOR_ACTION = {"repair": "call", "return-favour": "favor-given", "thank": "thanks-given",
                       "follow-up": "message", "nurture": "message", "rewarm-goal": "message", "reconnect": "message"}
DEFAULT_LOG_KIND = "message"
