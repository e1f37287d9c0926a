"""Syncing an account: CardDAV both ways, IMAP and CalDAV capture.

One call of :func:`sync_account` talks to one server through the pure
clients of :mod:`kith.sync` and commits its work in batches, each with the
state that says how far it got (the ETags of the cards applied, the last UID
of a mail folder), so an interrupted sync resumes where it stopped and never
applies anything twice. The collection's sync-token is kept only when a
sync completes. A failure is kept on the account in plain words (and
returned); what the batches before it did stays.

CardDAV is a three-way comparison per field between the server's card, Kith's
person and the values both had at the last sync (``SyncItem.base``): a side
that changed wins; both changed to different values is a conflict, kept for
review with both values (Kith's stays, the server's waits in
``sync_conflict``). E-mail addresses and phones are merged as sets. A card
deleted on the server archives its person (history is never deleted).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer, selectinload

from kith.errors import BadInput, NotFound
from kith.exporters.vcard import person_vcard
from kith.importers.grouping import Threads
from kith.importers.records import InteractionRecord, Party
from kith.normalize import email_key, fold
from kith.services.bulk import (
    BulkInteraction,
    BulkPerson,
    insert_interactions_bulk,
    insert_people_bulk,
)
from kith.services.importing import (
    Applier,
    ImportOptions,
    ImportSummary,
    owner_emails,
)
from kith.services.interactions import delete_interaction, log_interaction
from kith.services.people import (
    add_identifier,
    archive_person,
    edit_person,
)
from kith.services.sync_accounts import CAPTURED_SOURCES, get_account, password_of, push_rule
from kith.store import journal
from kith.store.models import (
    Identifier,
    Interaction,
    InteractionParticipant,
    Organization,
    Person,
    PersonTag,
    SyncAccount,
    SyncConflict,
    SyncItem,
    Tag,
)
from kith.sync import AuthFailed, SyncError, Unreachable, carddav
from kith.sync.caldav import read_events
from kith.sync.dav import Changes, DavClient, PreconditionFailed, Resource, TokenExpired
from kith.sync.imap import MailClient, message

BATCH = 200  # cards or events applied per transaction
MAIL_BATCH = 2000  # messages per transaction

DavFactory = Callable[[str, str, str], DavClient]
MailFactory = Callable[[str, str, str], MailClient]


@dataclass
class SyncReport:
    """What one sync of one account changed (`kith sync --json`, the sync page)."""

    account: str
    kind: str
    added: int = 0
    updated: int = 0
    archived: int = 0
    held: int = 0  # new people whose name is like a stored person's: added and held for review (`kith dupes`)
    pushed: int = 0
    created: int = 0  # cards written for people created in Kith
    deleted: int = 0  # cards Kith wrote, deleted on the server with their person
    conflicts: int = 0
    interactions_added: int = 0
    interactions_updated: int = 0
    interactions_removed: int = 0
    interactions_known: int = 0
    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    error: str = ""

    def skip(self, reason: str, n: int = 1) -> None:
        """Count what was left out on purpose."""
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def headline(self) -> str:
        """One line in plain words."""
        if self.kind == "smtp":
            return "digest sent" if self.sent else "digest not sent"
        if self.kind == "carddav":
            parts = [f"{self.added} people added", f"{self.updated} updated", f"{self.pushed} cards written back"]
            if self.created:
                parts.append(f"{self.created} new cards written")
            if self.deleted:
                parts.append(f"{self.deleted} cards deleted (their people were deleted in Kith)")
            if self.archived:
                parts.append(f"{self.archived} archived (deleted on the server)")
        else:
            parts = [f"{self.interactions_added} interactions added"]
            if self.added:
                parts.append(f"{self.added} new people")
            if self.interactions_updated:
                parts.append(f"{self.interactions_updated} updated")
            if self.interactions_removed:
                parts.append(f"{self.interactions_removed} removed")
            if self.interactions_known:
                parts.append(f"{self.interactions_known} already there")
        if self.held:
            parts.append(f"{self.held} held for review as likely duplicates (kith dupes)")
        if self.conflicts:
            parts.append(f"{self.conflicts} conflicts to review")
        if self.skipped:
            parts.append(f"{sum(self.skipped.values())} skipped")
        if self.problems:
            parts.append(f"{len(self.problems)} problems")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (also kept on the account as its last summary)."""
        return {"account": self.account, "kind": self.kind, "added": self.added, "updated": self.updated,
                "archived": self.archived, "held": self.held, "pushed": self.pushed,
                "created": self.created, "deleted": self.deleted, "conflicts": self.conflicts,
                "interactions_added": self.interactions_added, "interactions_updated": self.interactions_updated,
                "interactions_removed": self.interactions_removed, "interactions_known": self.interactions_known,
                "sent": self.sent,
                "skipped": dict(self.skipped), "problems": list(self.problems[:100]), "error": self.error,
                "headline": self.headline()}


@dataclass
class Clients:
    """How to reach servers (tests and benchmarks may pass their own timeouts)."""

    dav: DavFactory = DavClient
    mail: MailFactory = MailClient


def due(account: SyncAccount, now: datetime) -> bool:
    """Is the account due in a scheduled round? (The digest goes once a day; the others every round.)"""
    if account.kind != "smtp":
        return True
    return account.last_ok_at is None or account.last_ok_at.date() < now.date()


def sync_account(session: Session, name: str, *, now: datetime, me: Iterable[str] = (),
                 clients: Clients | None = None) -> SyncReport:
    """Sync one account (an smtp account: send the digest); commits as it goes; a failure is recorded on the
    account and in the report."""
    journal.suspend(session)  # a sync is not an undoable change of the user's
    account = get_account(session, name)
    report = SyncReport(account.name, account.kind)
    clients = clients or Clients()
    try:
        password = password_of(account)
        if account.kind == "smtp":
            send_digest(session, account, password, now, report)
        elif account.kind == "carddav":
            CardSync(session, account, now, report, clients.dav(account.url, account.username, password)).run()
        elif account.kind == "caldav":
            mine = _me(session, account, me)
            CalSync(session, account, now, report, clients.dav(account.url, account.username, password), mine).run()
        else:
            mine = _me(session, account, me)
            with _closing(clients.mail(account.url, account.username, password)) as client:
                MailSync(session, account, now, report, client, mine).run()
    except (SyncError, BadInput) as exc:
        session.rollback()
        report.error = str(exc)
    account = get_account(session, name)
    account.last_sync_at = now
    account.last_error = report.error
    if not report.error:
        account.last_ok_at = now
    account.last_summary = report.as_dict()
    session.commit()
    return report


def send_digest(session: Session, account: SyncAccount, password: str, now: datetime, report: SyncReport) -> None:
    """Send the day's digest through the account's SMTP server."""
    from kith.services.digest import daily_digest, digest_message
    from kith.sync.smtp import send

    digest = daily_digest(session, now)
    to = str(account.options.get("to", ""))
    sender = str(account.options.get("from") or account.username or to)
    send(account.url, digest_message(digest, to=to, sender=sender, now=now), user=account.username,
         password=password)
    report.sent = 1


class _closing:
    def __init__(self, client: MailClient) -> None:
        self.client = client

    def __enter__(self) -> MailClient:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def _me(session: Session, account: SyncAccount, me: Iterable[str]) -> set[str]:
    mine = {k for k in (email_key(m) for m in [*me, *owner_emails(session), *account.options.get("me", [])]) if k}
    if not mine:
        raise BadInput("tell Kith your own e-mail addresses first: 'me' in the config file, or "
                       "`kith account add ... --me you@example.com`")
    return mine


def _applier(session: Session, source: str, now: datetime, report: SyncReport) -> Applier:
    return Applier(session, source, now, ImportSummary(format=source, file=report.account),
                   ImportOptions(photos=False))


def _set_state(account: SyncAccount, **changes: Any) -> None:
    state = dict(account.state or {})
    state.update(changes)
    account.state = state  # a new dict: the JSON column sees the change


# -- CardDAV -------------------------------------------------------------------


def _listing(client: DavClient, account: SyncAccount) -> Changes:
    """What changed on the collection: nothing when its ctag is the one of the last completed listing (one
    cheap request), else by sync-token when the server keeps them, else every member's ETag."""
    ctag = client.ctag()
    if ctag and ctag == account.state.get("ctag"):
        return Changes(token=str(account.state.get("sync_token", "")), complete=False, ctag=ctag)
    changes = _changes(client, account)
    changes.ctag = ctag
    return changes


def _changes(client: DavClient, account: SyncAccount) -> Changes:
    if account.state.get("no_sync_token"):
        return client.members()
    try:
        return client.changes(str(account.state.get("sync_token", "")))
    except TokenExpired:
        return client.members()
    except (AuthFailed, Unreachable):
        raise
    except SyncError:
        _set_state(account, no_sync_token=True)  # the server has no sync-collection: list by ETags from now on
        return client.members()


def kith_values(person: Person) -> dict[str, Any]:
    """The values of a person a card carries, in the comparison's form."""
    return {"name": person.display_name, "org": person.organization.name if person.organization else "",
            "title": person.title, "notes": person.notes, "birthday": person.birthday,
            "emails": sorted({i.value_key for i in person.identifiers if i.kind == "email"}),
            "phones": [i.value for i in person.identifiers if i.kind == "phone"]}


def _same(field_name: str, a: Any, b: Any) -> bool:
    if a == b:
        return True
    if field_name in carddav.LISTS:
        return _keys(field_name, a) == _keys(field_name, b)
    if field_name in ("name", "org", "title"):
        return fold(" ".join(str(a or "").split())) == fold(" ".join(str(b or "").split()))
    return str(a or "").strip() == str(b or "").strip()


def _current_values(session: Session, person_ids: set[int]) -> dict[int, dict[str, Any]]:
    """:func:`kith_values` of many people not archived, read as plain rows (no ORM objects: a sync with
    nothing new compares thousands of them)."""
    out: dict[int, dict[str, Any]] = {}
    rows = session.execute(
        select(Person.id, Person.display_name, Organization.name, Person.title, Person.notes, Person.birthday)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(Person.archived.is_(False)))
    for pid, name, org, title, notes, birthday in rows:
        if pid in person_ids:
            out[pid] = {"name": name, "org": org or "", "title": title, "notes": notes, "birthday": birthday,
                        "emails": [], "phones": []}
    for pid, kind, value, key in session.execute(
            select(Identifier.person_id, Identifier.kind, Identifier.value, Identifier.value_key)
            .where(Identifier.kind.in_(("email", "phone"))).order_by(Identifier.id)):
        values = out.get(pid)
        if values is not None:
            values["emails" if kind == "email" else "phones"].append(key if kind == "email" else value)
    for values in out.values():
        values["emails"] = sorted(set(values["emails"]))
    return out


def _pending(item: SyncItem) -> bool:
    """A card Kith recorded for a new person and has not written yet."""
    return bool((item.base or {}).get("pending"))


def _keys(field_name: str, values: Iterable[str]) -> set[str]:
    return {carddav._list_key(field_name, v) for v in values or []}


class CardSync:
    """Two-way sync of one address book."""

    def __init__(self, session: Session, account: SyncAccount, now: datetime, report: SyncReport,
                 client: DavClient) -> None:
        self.session, self.account, self.now, self.report, self.client = session, account, now, report, client
        self._applier: Applier | None = None  # the people index: loaded only when a card changed
        self.items = {i.href: i for i in session.scalars(
            select(SyncItem).where(SyncItem.account_id == account.id).options(defer(SyncItem.raw)))}
        self.touched: set[str] = set()

    @property
    def applier(self) -> Applier:
        """The importers' applier (and its index of everyone), made on first use."""
        if self._applier is None:
            self._applier = _applier(self.session, "carddav", self.now, self.report)
        return self._applier

    def run(self) -> None:
        """Pull what changed on the server, then push what changed in Kith: edits, new people, deleted ones."""
        try:
            changes = self._changes()
            self._pull(changes)
            self._push()
            self._push_new()
            self._delete_dropped()
        finally:
            self.client.close()

    def _changes(self) -> Changes:
        return _listing(self.client, self.account)

    def _pull(self, changes: Changes) -> None:
        changed = [h for h, etag in changes.members.items() if h not in self.items or self.items[h].etag != etag]
        removed = list(changes.removed)
        if changes.complete:  # a card still being written (see _push_new) is not gone
            removed += [h for h, i in self.items.items() if h not in changes.members and not _pending(i)]
        for at in range(0, len(changed), BATCH):
            self._cards(self.client.multiget(changed[at:at + BATCH], "card"))
            self.session.commit()
        for href in removed:
            self._removed(href)
        if changes.token:
            _set_state(self.account, sync_token=changes.token)
        _set_state(self.account, ctag=changes.ctag)  # read before the listing: a change since shows next time
        self.session.commit()

    def _cards(self, resources: list[Resource]) -> None:
        """One batch of cards, one by one (new cards go through the importers' applier and its identity rules)."""
        for res in resources:
            self._card(res.href, res.etag, res.data)
        self.session.flush()

    def _card(self, href: str, etag: str, data: str) -> None:
        item = self.items.get(href)
        self.touched.add(href)
        try:
            rec = carddav.parse_card(data, href.rsplit("/", 1)[-1])
        except carddav.BadCard as exc:
            self.report.problems.append(f"{href}: {exc}")
            server = None
        else:
            server = carddav.values_of(rec)
        if item is None:
            item = SyncItem(account_id=self.account.id, href=href, etag=etag, raw=data, base={},
                            synced_at=self.now)
            self.session.add(item)
            self.items[href] = item
            if server is None:
                return
            applier = self.applier
            added = applier.summary.added
            who = applier.person_for(rec)  # the importers' identity rules; its row is written
            if who is None:
                return
            item.person_id = who.id
            item.base = server
            if applier.summary.added > added:
                self.report.added += 1
                self.report.held = applier.summary.held
            else:  # someone Kith knew: what Kith holds beyond the card goes to the server
                self._reconcile(item, applier.rows([who])[0], server)
            return
        item.etag, item.raw, item.synced_at = etag, data, self.now
        if _pending(item):  # a card Kith wrote whose PUT was not recorded: it is there
            item.base = {k: v for k, v in (item.base or {}).items() if k != "pending"}
        if server is None:
            return
        person = self.session.get(Person, item.person_id) if item.person_id else None
        if person is None:
            return
        self._reconcile(item, person, server)

    def _removed(self, href: str) -> None:
        item = self.items.pop(href, None)
        if item is None:
            return
        person = self.session.get(Person, item.person_id) if item.person_id else None
        if person is not None and not person.archived:
            archive_person(person, now=self.now)
            self.report.archived += 1
        for conflict in self.session.scalars(select(SyncConflict).where(
                SyncConflict.account_id == self.account.id, SyncConflict.href == href,
                SyncConflict.resolved_at.is_(None))):
            conflict.resolved_at = self.now
        self.session.delete(item)

    def _push(self) -> None:
        """Cards whose person changed in Kith since the last sync (and were not just pulled)."""
        rest = [i for h, i in self.items.items() if h not in self.touched and i.person_id and not _pending(i)]
        current = _current_values(self.session, {i.person_id for i in rest if i.person_id}) if rest else {}
        done = 0
        for item in rest:
            mine = current.get(item.person_id or 0)
            if mine is None:  # archived (or gone): nothing to write back
                continue
            base = item.base or {}
            if all(_same(f, mine.get(f), base.get(f)) for f in carddav.FIELDS):
                continue
            person = self.session.get(Person, item.person_id)
            if person is None:
                continue
            try:
                server = carddav.values_of(carddav.parse_card(item.raw, item.href))
            except carddav.BadCard:
                continue
            self._reconcile(item, person, server)
            done += 1
            if done % BATCH == 0:
                self.session.commit()
        self.session.commit()

    def _push_new(self) -> None:
        """People created in Kith (by the account's rule, see :func:`push_rule`) become new cards.

        Each card is recorded first (``pending``, with an ``external`` identifier naming its UID), committed,
        then written with ``If-None-Match: *``: a sync stopped in between writes it at the next sync, and a
        card that got there anyway is recognised by its href, or by its UID if the account is added again.
        """
        for item in [i for h, i in self.items.items() if _pending(i) and h not in self.touched and i.person_id]:
            self._create(item)
        self.session.commit()
        rule = push_rule(self.account)
        if rule == "none":
            return
        linked = {i.person_id for i in self.items.values() if i.person_id}
        stmt = select(Person.id).where(Person.archived.is_(False), Person.display_name != "").order_by(Person.id)
        if rule.startswith("tag:"):
            stmt = stmt.join(PersonTag, PersonTag.person_id == Person.id).join(
                Tag, Tag.id == PersonTag.tag_id).where(Tag.name == rule[4:])
        elif rule == "contacts":  # not the people known only from captured mail and meetings
            captured_only = select(Identifier.person_id).group_by(Identifier.person_id).having(
                func.sum(case((Identifier.source.in_(CAPTURED_SOURCES), 0), else_=1)) == 0)
            stmt = stmt.where(Person.id.not_in(captured_only))
        ids = [pid for pid in self.session.scalars(stmt) if pid not in linked]
        for at in range(0, len(ids), BATCH):
            fresh = []
            for person in self.session.scalars(select(Person).where(Person.id.in_(ids[at:at + BATCH])).options(
                    selectinload(Person.identifiers), selectinload(Person.tags), selectinload(Person.organization))):
                uid = f"urn:uuid:{uuid.uuid4()}"
                add_identifier(self.session, person, "external", f"vcard:{uid}", source="carddav")
                item = SyncItem(account_id=self.account.id, href=f"{self.client.path}{uid[9:]}.vcf", etag="",
                                raw=person_vcard(person, uid=uid), person_id=person.id,
                                base={**kith_values(person), "pending": True, "kith_card": True}, synced_at=self.now)
                self.session.add(item)
                self.items[item.href] = item
                fresh.append(item)
            self.session.commit()  # recorded before written: a stop in between is finished by the next sync
            for item in fresh:
                self._create(item)
            self.session.commit()

    def _create(self, item: SyncItem) -> None:
        try:
            item.etag = self.client.put(item.href, item.raw, etag=None, content_type=carddav.CONTENT_TYPE)
        except PreconditionFailed:  # written by an earlier, interrupted sync: the listing gives its ETag
            item.etag = ""
        except (AuthFailed, Unreachable):
            raise
        except SyncError as exc:  # this card refused (the others go on): tried again at the next sync
            self.report.problems.append(f"new card for person {item.person_id}: {exc}")
            return
        item.base = {k: v for k, v in (item.base or {}).items() if k != "pending"}
        item.synced_at = self.now
        self.report.created += 1

    def _delete_dropped(self) -> None:
        """Cards Kith wrote whose person was deleted in Kith (not archived: archived people keep their card)
        are deleted on the server, unless changed there since (then they stay, no longer linked)."""
        for href, item in list(self.items.items()):
            if item.person_id is not None or not (item.base or {}).get("kith_card") or href in self.touched:
                continue
            try:
                self.client.delete(href, etag=item.etag)
            except PreconditionFailed:
                item.base = {k: v for k, v in (item.base or {}).items() if k != "kith_card"}
                self.report.skip("card of a deleted person changed on the server (kept there)")
                continue
            self.session.delete(item)
            del self.items[href]
            self.report.deleted += 1
        self.session.commit()

    def _reconcile(self, item: SyncItem, person: Person, server: dict[str, Any]) -> None:
        """The three-way comparison of one card; writes Kith, the server, conflicts and the new base."""
        base = dict(item.base or {})
        mine = kith_values(person)
        to_server: dict[str, Any] = {}
        to_kith: dict[str, Any] = {}
        new_base = dict(base)
        for f in carddav.SCALARS:
            s, k, b = server.get(f, ""), mine.get(f, ""), base.get(f, "")
            if _same(f, s, k):
                new_base[f] = s
            elif _same(f, k, b):
                to_kith[f] = s
                new_base[f] = s
            elif _same(f, s, b):
                to_server[f] = k
                new_base[f] = k
            else:
                self._conflict(item, person, f, str(k), str(s))
        for f in carddav.LISTS:
            s_list, k_list, b_keys = list(server.get(f, [])), list(mine.get(f, [])), _keys(f, base.get(f, []))
            s_keys, k_keys = _keys(f, s_list), _keys(f, k_list)
            removed = (b_keys - s_keys) | (b_keys - k_keys)
            merged = [v for v in k_list + s_list if carddav._list_key(f, v) not in removed]
            seen: set[str] = set()
            final = [v for v in merged if not (carddav._list_key(f, v) in seen
                                               or seen.add(carddav._list_key(f, v)))]  # type: ignore[func-returns-value]
            final_keys = {carddav._list_key(f, v) for v in final}
            if final_keys != k_keys:
                to_kith[f] = final
            if final_keys != s_keys:
                to_server[f] = final
            new_base[f] = sorted(final_keys) if f == "emails" else final
        if to_kith:
            self._write_kith(person, to_kith)
        if to_server:
            self._write_server(item, person, server, to_server)
        item.base = new_base
        item.synced_at = self.now

    def _write_kith(self, person: Person, changes: dict[str, Any]) -> None:
        scalars = {f: v for f, v in changes.items() if f in carddav.SCALARS and not (f == "name" and not v)}
        changed = edit_person(self.session, person, scalars, now=self.now, source="carddav") if scalars else []
        for f in carddav.LISTS:
            if f not in changes:
                continue
            kind = "email" if f == "emails" else "phone"
            wanted = {carddav._list_key(f, v): v for v in changes[f]}
            for ident in list(person.identifiers):
                key = email_key(ident.value) or "" if kind == "email" else carddav._list_key(f, ident.value)
                if ident.kind == kind and key not in wanted:
                    person.identifiers.remove(ident)
                    changed.append(f"-{kind}")
            have = {carddav._list_key(f, i.value) for i in person.identifiers if i.kind == kind}
            for key, value in wanted.items():
                if key in have:
                    continue
                try:
                    add_identifier(self.session, person, kind, value, source="carddav")
                    changed.append(f"+{kind}")
                except BadInput:
                    self.report.skip(f"unusable {kind}")
        if changed:
            person.updated_at = self.now
            self.report.updated += 1
            if self._applier is not None:  # later cards of this sync match by the identifiers as they are now
                self.session.flush()
                self._applier.refresh(person)

    def _write_server(self, item: SyncItem, person: Person, server: dict[str, Any],
                      changes: dict[str, Any]) -> None:
        text = carddav.rewrite(item.raw, changes, server=server,
                               name_parts=(person.given_name, person.family_name))
        try:
            etag = self.client.put(item.href, text, etag=item.etag or "", content_type=carddav.CONTENT_TYPE)
        except PreconditionFailed:
            self.report.skip("card changed on the server meanwhile (next sync)")
            return
        item.raw, item.etag = text, etag
        self.report.pushed += 1

    def _conflict(self, item: SyncItem, person: Person, field_name: str, kith_value: str, server_value: str) -> None:
        open_ = self.session.scalar(select(SyncConflict).where(
            SyncConflict.account_id == self.account.id, SyncConflict.href == item.href,
            SyncConflict.field == field_name, SyncConflict.resolved_at.is_(None)))
        if open_ is not None and open_.server_value == server_value and open_.kith_value == kith_value:
            return
        if open_ is not None:
            open_.resolved_at = self.now  # superseded by the new pair of values
        self.session.add(SyncConflict(account_id=self.account.id, person_id=person.id, href=item.href,
                                      field=field_name, kith_value=kith_value, server_value=server_value,
                                      found_at=self.now))
        self.report.conflicts += 1


# -- conflicts -------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictView:
    """A field both sides changed: the two values, for review."""

    id: int
    account: str
    person_id: int | None
    person: str
    field: str
    kith_value: str
    server_value: str
    found_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.id, "account": self.account, "person_id": self.person_id, "person": self.person,
                "field": self.field, "kith_value": self.kith_value, "server_value": self.server_value,
                "found_at": self.found_at.isoformat()}


def open_conflicts(session: Session) -> list[ConflictView]:
    """Every conflict waiting for review, oldest first."""
    rows = session.execute(select(SyncConflict, SyncAccount.name, Person.display_name)
                           .join(SyncAccount, SyncAccount.id == SyncConflict.account_id)
                           .outerjoin(Person, Person.id == SyncConflict.person_id)
                           .where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.id)).all()
    return [ConflictView(c.id, name, c.person_id, person or "", c.field, c.kith_value, c.server_value, c.found_at)
            for c, name, person in rows]


def resolve_conflict(session: Session, conflict_id: int, keep: str, *, now: datetime) -> ConflictView:
    """Keep Kith's value (written to the server at the next sync) or the server's (written to Kith now)."""
    if keep not in ("kith", "server"):
        raise BadInput("keep 'kith' or 'server'")
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None or conflict.resolved_at is not None:
        raise NotFound(f"no open conflict {conflict_id}")
    view = next(v for v in open_conflicts(session) if v.id == conflict_id)
    item = session.scalar(select(SyncItem).where(SyncItem.account_id == conflict.account_id,
                                                 SyncItem.href == conflict.href))
    person = session.get(Person, conflict.person_id) if conflict.person_id else None
    if item is not None:
        base = dict(item.base or {})
        base[conflict.field] = conflict.server_value  # the server's value becomes the common ground
        item.base = base
        if keep == "server" and person is not None:
            edit_person(session, person, {conflict.field: conflict.server_value}, now=now, source="carddav")
    conflict.resolved_at = now
    session.flush()
    return view


# -- IMAP ------------------------------------------------------------------------


class MailSync:
    """Capture of who wrote to whom, folder by folder, by UIDVALIDITY and UID.

    Mail is the big source (a mailbox of 100,000 messages), so a batch goes in through the bulk path
    (:mod:`kith.services.bulk`): correspondents are matched by e-mail address (a strong identifier; a
    name alone never merges anyone), the unknown ones added in one statement, the interactions in one
    more, their tie states folded in the same transaction.
    """

    def __init__(self, session: Session, account: SyncAccount, now: datetime, report: SyncReport,
                 client: MailClient, me: set[str]) -> None:
        self.session, self.account, self.now, self.report, self.client, self.me = (
            session, account, now, report, client, me)
        self.emails: dict[str, int] | None = None  # e-mail key -> person, loaded at the first new message
        self.known: set[str] = set()

    def run(self) -> None:
        """Every folder, in batches, each committed with its last UID."""
        for folder in self.client.folders(list(self.account.options.get("folders", []))):
            self._folder(folder)

    def _load(self) -> dict[str, int]:
        if self.emails is None:
            self.emails = {str(k): int(p) for k, p in self.session.execute(
                select(Identifier.value_key, Identifier.person_id).where(Identifier.kind == "email"))}
            self.known = set(self.session.scalars(
                select(Interaction.dedupe_key).where(Interaction.dedupe_key.like("imap:%"))))
        return self.emails

    def _folder(self, folder: str) -> None:
        validity = self.client.select(folder)
        marks = dict(self.account.state.get("folders", {}))
        mark = marks.get(folder, {})
        last = int(mark.get("last_uid", 0)) if mark.get("uidvalidity") == validity else 0
        uids = self.client.uids_after(last)
        for at in range(0, len(uids), MAIL_BATCH):
            chunk = uids[at:at + MAIL_BATCH]
            threads = Threads("email")
            for uid, head in self.client.headers(chunk):
                found = message(uid, head, self.me)
                if isinstance(found, str):
                    if found.startswith("problem: "):
                        self.report.problems.append(f"{folder} UID {uid}: {found[len('problem: '):]}")
                    else:
                        self.report.skip(found)
                    continue
                threads.add(found.thread, found.when, found.others, found.direction, f"{folder} UID {uid}",
                            found.subject)
            self._apply(threads)
            marks[folder] = {"uidvalidity": validity, "last_uid": chunk[-1]}
            _set_state(self.account, folders=dict(marks))
            self.session.commit()

    def _apply(self, threads: Threads) -> None:
        records = threads.interactions("mail")
        if not records:
            return
        emails = self._load()
        fresh: list[tuple[str, InteractionRecord]] = []
        unknown: dict[str, Party] = {}
        for rec in records:
            key = _dedupe("imap", rec.dedupe_key)
            if key in self.known:
                self.report.interactions_known += 1
                continue
            fresh.append((key, rec))
            for party in rec.participants:
                k = email_key(party.email)
                if k and k not in emails and k not in unknown:
                    unknown[k] = party
        if unknown:
            people = [BulkPerson(name=" ".join(p.name.split()) or p.email.split("@")[0], emails=(p.email.strip(),),
                                 source="imap") for p in unknown.values()]
            emails.update(zip(unknown, insert_people_bulk(self.session, people, now=self.now), strict=True))
            self.report.added += len(unknown)
        rows = []
        for key, rec in fresh:
            ids = tuple(dict.fromkeys(emails[k] for k in (email_key(p.email) for p in rec.participants) if k))
            if ids:
                rows.append(BulkInteraction(occurred_at=rec.when, kind="email", person_ids=ids,
                                            direction=rec.direction, note=rec.note, source="imap", dedupe_key=key))
                self.known.add(key)
        if rows:
            self.report.interactions_added += insert_interactions_bulk(self.session, rows, now=self.now)


def _dedupe(source: str, dedupe: str) -> str:
    """The stored dedupe key of a record (as the importers store theirs)."""
    key = f"{source}:{dedupe}"
    if len(key) > 300:
        key = f"{source}:sha1:{hashlib.sha1(dedupe.encode('utf-8', 'replace')).hexdigest()}"
    return key


# -- CalDAV ------------------------------------------------------------------------


class CalSync:
    """Meetings from one calendar: added, moved and removed with their events."""

    def __init__(self, session: Session, account: SyncAccount, now: datetime, report: SyncReport,
                 client: DavClient, me: set[str]) -> None:
        self.session, self.account, self.now, self.report, self.client, self.me = (
            session, account, now, report, client, me)
        self._applier: Applier | None = None  # the people index: loaded at the first new meeting
        self.items = {i.href: i for i in session.scalars(select(SyncItem).where(SyncItem.account_id == account.id))}

    @property
    def applier(self) -> Applier:
        """The importers' applier (attendees are found and added by their rules), made on first use."""
        if self._applier is None:
            self._applier = _applier(self.session, "caldav", self.now, self.report)
        return self._applier

    def run(self) -> None:
        """Pull changed and removed events, then look again at events that were still ahead."""
        try:
            changes = _listing(self.client, self.account)
            changed = [h for h, e in changes.members.items() if h not in self.items or self.items[h].etag != e]
            removed = list(changes.removed)
            if changes.complete:
                removed += [h for h in self.items if h not in changes.members]
            for at in range(0, len(changed), BATCH):
                for res in self.client.multiget(changed[at:at + BATCH], "cal"):
                    self._event(res.href, res.etag, res.data)
                self.session.commit()
            for href in removed:
                item = self.items.pop(href, None)
                if item is not None:
                    self._apply(item, [])
                    self.session.delete(item)
            for href, item in self.items.items():
                if href not in changed and (item.base or {}).get("upcoming"):
                    self._event(href, item.etag, item.raw)
            if changes.token:
                _set_state(self.account, sync_token=changes.token)
            _set_state(self.account, ctag=changes.ctag)
            self.session.commit()
        finally:
            self.client.close()

    def _event(self, href: str, etag: str, data: str) -> None:
        item = self.items.get(href)
        if item is None:
            item = SyncItem(account_id=self.account.id, href=href, etag=etag, raw=data, base={}, synced_at=self.now)
            self.session.add(item)
            self.items[href] = item
        item.etag, item.raw, item.synced_at = etag, data, self.now
        try:
            reading = read_events(data, self.me, self.now)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError) as exc:
            self.report.problems.append(f"{href}: {exc}")
            return
        for reason, n in reading.skipped.items():
            self.report.skip(reason, n)
        self._apply(item, reading.meetings)
        base = dict(item.base or {})
        base["upcoming"] = reading.upcoming
        item.base = base

    def _apply(self, item: SyncItem, meetings: list[Any]) -> None:
        base = dict(item.base or {})
        known: dict[str, int] = dict(base.get("meetings", {}))
        attendees: dict[str, list[str]] = dict(base.get("attendees", {}))  # key -> the others' addresses
        wanted = {m.key: m for m in meetings}
        for key, inter_id in list(known.items()):
            inter = self.session.get(Interaction, inter_id)
            if key not in wanted:
                if inter is not None:
                    delete_interaction(self.session, inter)
                    self.report.interactions_removed += 1
                del known[key]
                attendees.pop(key, None)
                continue
            meeting = wanted.pop(key)
            if inter is None:
                wanted[key] = meeting
                del known[key]
                continue
            changed = False
            if inter.occurred_at != meeting.when or inter.note != meeting.note or inter.direction != meeting.direction:
                inter.occurred_at, inter.note, inter.direction = meeting.when, meeting.note, meeting.direction
                changed = True
            addresses = sorted(o.email for o in meeting.others)
            if attendees.get(key) != addresses:
                changed = self._participants(inter, meeting) or changed
                attendees[key] = addresses
            if changed:
                self.report.interactions_updated += 1
        for key, meeting in wanted.items():
            people = self._people(meeting)
            if not people:
                continue
            inter = log_interaction(self.session, people, "meeting", when=meeting.when, now=self.now,
                                    direction=meeting.direction, note=meeting.note, source="caldav")
            self.session.flush()
            known[key] = inter.id
            attendees[key] = sorted(o.email for o in meeting.others)
            self.report.interactions_added += 1
        base["meetings"] = known
        base["attendees"] = attendees
        item.base = base

    def _people(self, meeting: Any) -> list[Person]:
        """The people of a meeting's other attendees, found (or added) by the importers' rules."""
        found = [w for w in (self.applier.party(Party(o.name, o.email)) for o in meeting.others) if w]
        if not found:
            return []
        people = self.applier.rows(found)
        self.report.added, self.report.held = self.applier.summary.added, self.applier.summary.held
        self.session.flush()
        return people

    def _participants(self, inter: Interaction, meeting: Any) -> bool:
        """Attendees added on the server join the meeting, those removed leave it (their tie states follow
        at commit); whether anyone did."""
        wanted = {p.id for p in self._people(meeting)}
        if not wanted:
            return False
        have = {p.person_id: p for p in inter.participants}
        for pid, part in have.items():
            if pid not in wanted:
                self.session.delete(part)
        for pid in wanted - set(have):
            self.session.add(InteractionParticipant(interaction_id=inter.id, person_id=pid))
        if set(have) == wanted:
            return False
        self.session.flush()
        self.session.expire(inter, ["participants"])
        return True


# -- background ----------------------------------------------------------------------


def accounts_everywhere(session: Session) -> list[tuple[int, str]]:
    """(workspace, account name) of every account of every workspace (an unscoped session)."""
    return [(int(ws), str(name)) for ws, name in session.execute(
        select(SyncAccount.workspace_id, SyncAccount.name).order_by(SyncAccount.workspace_id, SyncAccount.name))]


class BackgroundSync:
    """Syncs every account of every workspace every ``interval`` seconds, on its own thread.

    `kith serve` runs one (in the serving process, beside the workers: requests never wait for it). A
    failing account is recorded on the account like any sync; nothing a round raises stops the next one.
    """

    def __init__(self, factory: Callable[[], Session], open_workspace: Callable[[int], Any],
                 interval: float, *, now: Callable[[], datetime], me: Iterable[str] = (),
                 log: Callable[[str], None] = lambda _m: None) -> None:
        import threading

        self.factory, self.open_workspace, self.interval, self.now = factory, open_workspace, interval, now
        self.me, self.log = list(me), log
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="kith-sync", daemon=True)

    def start(self) -> BackgroundSync:
        """Begin: a first round now, then one per interval."""
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the account being synced and stop."""
        self.stopped.set()
        self.thread.join(timeout)

    def round(self) -> list[SyncReport]:
        """Sync every account once."""
        with self.factory() as session:
            targets = accounts_everywhere(session)
        reports = []
        for ws, name in targets:
            if self.stopped.is_set():
                break
            try:
                with self.open_workspace(ws) as session:
                    now = self.now()
                    if not due(get_account(session, name), now):
                        continue
                    report = sync_account(session, name, now=now, me=self.me)
            except Exception as exc:  # a bug or a database hiccup must not end the schedule
                self.log(f"sync of {name} failed: {type(exc).__name__}: {exc}")
                continue
            reports.append(report)
            self.log(f"{name}: " + (f"sync failed: {report.error}" if report.error else report.headline()))
        return reports

    def _loop(self) -> None:
        while not self.stopped.is_set():
            try:
                self.round()
            except Exception as exc:  # the accounts could not be listed (database down): try next round
                self.log(f"sync round failed: {type(exc).__name__}: {exc}")
            self.stopped.wait(self.interval)
