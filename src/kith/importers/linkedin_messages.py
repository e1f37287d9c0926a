"""LinkedIn ``messages.csv``: conversations as message interactions with direction.

Columns are mapped by header name (exports have had 10 to 13 of them). You
are the participant present in every conversation, unless ``--me`` says
otherwise (a name or a profile URL). Message bodies are never stored.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kith.errors import ImportFailed
from kith.importers.grouping import Threads
from kith.importers.reading import csv_rows, find_header, parse_datetime, pick, read_text, records
from kith.importers.records import Parsed, ParseOptions, Party, Problem, display
from kith.normalize import email_key, fold, url_key

HEADER = ("From", "To", "Date")  # the columns that make a file a LinkedIn messages.csv


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read a LinkedIn messages.csv."""
    rows = csv_rows(read_text(path, opts))
    header = find_header(rows, HEADER)
    if header is None:
        raise ImportFailed(f"{path}: not a LinkedIn messages.csv (no 'FROM,...,TO,...,DATE' header)")
    messages = list(records(rows, header))
    me = _me(messages, opts.me)
    if me is None:
        raise ImportFailed(f"{path}: cannot tell which participant is you; pass --me YOUR_NAME_OR_PROFILE_URL")
    out, threads = Parsed(), Threads("message")
    for line, row in messages:
        _message(row, f"row {line}", me, threads, out, display(path))
    out.interactions = threads.interactions("msg")
    return out


def parties(row: dict[str, str]) -> tuple[Party, list[Party]]:
    """(sender, recipients) of a message row."""
    sender = Party(name=pick(row, "From"), url=pick(row, "Sender Profile URL"))
    names = [n.strip() for n in pick(row, "To").split(",") if n.strip()]
    urls = [u.strip() for u in pick(row, "Recipient Profile URLs").split(",") if u.strip()]
    if urls and len(names) != len(urls):
        names = [""] * len(urls)  # names with commas in them: trust the URLs
    recipients = [Party(name=n, url=u) for n, u in zip(names or [""] * len(urls), urls or [""] * len(names), strict=False)]
    return sender, recipients


def identity(party: Party) -> str:
    """A participant's comparable identity: the profile URL key, else the folded name."""
    return (url_key(party.url) or "") if party.url else fold(party.name)


def _me(messages: list[tuple[int, dict[str, str]]], given: list[str]) -> set[str] | None:
    # E-mail addresses (from the config) say nothing about a LinkedIn identity.
    named = [g for g in given if not email_key(g)]
    if named:
        return {(url_key(g) or "") if "/" in g else fold(g) for g in named}
    # Messages in the SENT folder were sent by you.
    sent = {identity(parties(row)[0]) for _, row in messages if pick(row, "Folder").upper() == "SENT"}
    if len(sent) == 1:
        return sent
    conversations: dict[str, set[str]] = {}
    for line, row in messages:
        sender, recipients = parties(row)
        conv = pick(row, "Conversation ID") or f"line {line}"
        conversations.setdefault(conv, set()).update(identity(p) for p in [sender, *recipients])
    counts = Counter(i for people in conversations.values() for i in people if i)
    if not counts:
        return None
    best = counts.most_common(2)
    everywhere = best[0][1] == len(conversations)
    if everywhere and (len(best) == 1 or best[1][1] < best[0][1]):
        return {best[0][0]}
    return None


def _message(row: dict[str, str], ref: str, me: set[str], threads: Threads, out: Parsed, file: str) -> None:
    if pick(row, "Is Message Draft").lower() in ("yes", "true"):
        out.skip("draft message")
        return
    when = parse_datetime(pick(row, "Date"))
    if when is None:
        out.problems.append(Problem(file, ref, f"unreadable date '{pick(row, 'Date')}'"))
        return
    sender, recipients = parties(row)
    others = [p for p in [sender, *recipients] if identity(p) not in me and (p.name or p.url)]
    if not others:
        out.skip("message with only you")
        return
    direction = "out" if identity(sender) in me else "in"
    conv = pick(row, "Conversation ID") or pick(row, "Conversation Title") or ref
    threads.add(conv, when, others, direction, ref, pick(row, "Conversation Title", "Subject"))
