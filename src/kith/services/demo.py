"""A realistic demo network: ~300 people, a dozen organisations, two years of history.

Deterministic: everything random comes from one ``random.Random(seed)`` and
every choice is made over ordered lists, so the same seed and ``now`` give
the same network (a test compares two backups). The user is "me", the
centre of the network, not a Person row.

Every feature of the product has something to show: inner circle and
dormant ties, hellos-only contacts, people met at events and never followed
up (one event is only days old), gatekeepers (one soured, one weak),
favours both ways (some unthanked, one still owed), a crew to thank after a
project, cadences on a person, a tag and a layer, a cooling weekly tie,
goals whose targets get less attention than fellow job seekers, and
opportunities referred by unexpected people (the car-rental agent).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS
from kith.normalize import fold
from kith.services import demo_data as data
from kith.services.backup import workspace_data_tables
from kith.services.bulk import (
    BulkInteraction,
    BulkPerson,
    insert_interactions_bulk,
    insert_people_bulk,
)
from kith.services.events import add_event, add_member
from kith.services.favors import record_favor
from kith.services.organizations import get_or_create_org
from kith.services.people import set_person_cadence
from kith.services.relations import link
from kith.store import journal
from kith.store.models import Cadence, Event, Favor, Goal, Opportunity, Organization, Person

DAY = timedelta(days=1)
CHAT_KINDS = ("message", "email", "call", "video", "coffee", "meal", "meeting")
HELLO_KINDS = ("like", "hello", "connection")
# Mostly neutral or warm; about one exchange in forty goes a little badly.
SENTIMENTS = (*(0,) * 16, *(1,) * 13, *(2,) * 10, -1)


def is_empty(session: Session) -> bool:
    """True when the workspace holds no relationship data at all."""
    return not workspace_data_tables(session)


def build_demo(session: Session, *, now: datetime, seed: int = 7) -> dict[str, int]:
    """Fill the workspace with the demo network as of ``now``; returns what was created."""
    journal.suspend(session)  # the demo is one whole, not a list of changes
    demo = _Demo(session, now, random.Random(seed))
    demo.build()
    return demo.summary()


@dataclass
class _Demo:
    """The builder: people first (bulk), then the stories, then every interaction in one bulk insert."""

    session: Session
    now: datetime
    rng: random.Random
    orgs: dict[str, Organization] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    by_org: dict[str, list[Person]] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)  # people given a story (kept out of the random tiers)
    log: list[BulkInteraction] = field(default_factory=list)
    inner: list[Person] = field(default_factory=list)  # the inner circle; inner[0] is cooling

    # ----------------------------------------------------------------- helpers

    def ago(self, days: float, hour: int | None = None) -> datetime:
        """An instant ``days`` before now, during working hours."""
        h = hour if hour is not None else self.rng.randint(8, 19)
        day = (self.now - timedelta(days=days)).replace(hour=h, minute=self.rng.choice((0, 15, 30, 45)),
                                                       second=0, microsecond=0)
        return min(day, self.now - timedelta(minutes=5))

    def add(self, people: list[Person], kind: str, when: datetime, *, sentiment: int | None = None,
            direction: str | None = None, note: str = "", event: Event | None = None) -> None:
        """Queue one interaction."""
        self.log.append(BulkInteraction(
            occurred_at=when, kind=kind, person_ids=tuple(p.id for p in people),
            direction=direction or (None if kind in ("favor-given", "favor-received", "thanks-given",
                                                     "thanks-received", "intro-made")
                                    else self.rng.choice(("out", "out", "in", "mutual"))),
            sentiment=self.rng.choice(SENTIMENTS) if sentiment is None else sentiment,
            note=note, event_id=event.id if event else None,
        ))

    def take(self, org: str, title: str) -> Person:
        """The first person at ``org`` with ``title`` who has no story yet."""
        person = next(p for p in self.by_org[org] if p.title == title and p.id not in self.used)
        self.used.add(person.id)
        return person

    def pick(self, people: list[Person], k: int) -> list[Person]:
        """``k`` people without a story yet, chosen at random, then marked as used."""
        free = [p for p in people if p.id not in self.used]
        chosen = self.rng.sample(free, k)
        self.used.update(p.id for p in chosen)
        return chosen

    def rel(self, a: Person, kind: str, b: Person) -> None:
        """Record ``a kind b``."""
        link(self.session, a, kind, b, now=self.now - 200 * DAY, source="demo")

    # ----------------------------------------------------------------- build

    def build(self) -> None:
        """Create everything, in dependency order."""
        self.make_orgs_and_events()
        self.make_people()
        self.gatekeepers()
        self.events_and_follow_ups()
        self.crew()
        self.favours()
        self.peers_and_goals()
        self.tiers()
        self.group_meetings()
        self.relations()
        self.cadences_and_overrides()
        self.every_kind()
        insert_interactions_bulk(self.session, sorted(self.log, key=lambda i: (i.occurred_at, i.person_ids)),
                                 now=self.now)
        self.session.expire_all()

    def make_orgs_and_events(self) -> None:
        """The organisations, the events and the short-film project."""
        for o in data.ORGS:
            self.orgs[o.name] = get_or_create_org(self.session, o.name, industry=o.industry, domain=o.domain)
        for name, kind, days, place in data.EVENTS:
            self.events[name] = add_event(self.session, name, kind=kind, starts_on=(self.now - days * DAY).date(),
                                          location=place)
        self.events["Paper Boats"] = add_event(
            self.session, "Paper Boats (short film)", kind="project", starts_on=(self.now - 45 * DAY).date(),
            ends_on=(self.now - 38 * DAY).date(), location="Harbour district", note="Three-day shoot, one reshoot day.")

    def make_people(self) -> None:
        """About 300 people: staff of every organisation, freelancers, peers, people met at events."""
        names = self.name_source()
        rows: list[tuple[str, BulkPerson]] = []
        for o in data.ORGS:
            org_id = self.orgs[o.name].id
            for i in range(o.size):
                given, family = next(names)
                title = o.titles[i % len(o.titles)]
                email = f"{fold(given).replace(' ', '')}.{fold(family).replace(' ', '')}@{o.domain}"
                rows.append((o.name, BulkPerson(given + " " + family, org_id, title, (email,), (o.tag,),
                                                created_at=self.now - 730 * DAY, source="demo")))
        for i in range(data.FREELANCERS):
            given, family = next(names)
            rows.append(("", BulkPerson(given + " " + family, None, data.FREELANCE_TITLES[i % len(data.FREELANCE_TITLES)],
                                        tags=("crew",), created_at=self.now - 700 * DAY, source="demo")))
        for i in range(data.PEERS):
            given, family = next(names)
            email = f"{fold(given).replace(' ', '')}{i}@mail.example"
            rows.append(("peer", BulkPerson(given + " " + family, None, data.PEER_TITLES[i % len(data.PEER_TITLES)],
                                            (email,), ("peer",), created_at=self.now - 500 * DAY, source="demo")))
        rows += self.met_at_events(names)
        ids = insert_people_bulk(self.session, [r for _, r in rows], now=self.now)
        loaded = {p.id: p for p in self.session.scalars(select(Person).where(Person.id.in_(ids)))}
        for (group, _), pid in zip(rows, ids, strict=True):
            self.people.append(loaded[pid])
            self.by_org.setdefault(group, []).append(loaded[pid])

    def name_source(self) -> Iterator[tuple[str, str]]:
        """Unique (given, family) pairs in a seeded order."""
        pairs = [(g, f) for g in data.GIVEN_NAMES for f in data.FAMILY_NAMES]
        self.rng.shuffle(pairs)
        return iter(pairs)

    def met_at_events(self, names: Iterator[tuple[str, str]]) -> list[tuple[str, BulkPerson]]:
        """Five to seven new people met at each event (the stack of business cards)."""
        rows = []
        orgs = list(data.ORGS)
        for name, _kind, days, _place in data.EVENTS:
            ev = self.events[name]
            for _ in range(self.rng.randint(5, 7)):
                given, family = next(names)
                o = self.rng.choice(orgs)
                email = f"{fold(given).replace(' ', '')}.{fold(family).replace(' ', '')}@{o.domain}"
                rows.append((f"met:{name}", BulkPerson(
                    given + " " + family, self.orgs[o.name].id, self.rng.choice(o.titles), (email,), (o.tag,),
                    met_at_event_id=ev.id, met_on=ev.starts_on, created_at=self.ago(days), source="demo")))
        return rows

    # ----------------------------------------------------------------- stories

    def gatekeepers(self) -> None:
        """Key people with assistants: one nurtured, one soured, one barely known."""
        pairs = [("Northlight Pictures", "head of development"), ("Halcyon Studios", "casting director"),
                 ("Bellweather Ventures", "partner"), ("Crestline Talent", "head of film")]
        keys = [self.take(org, title) for org, title in pairs]
        for key in keys:
            key.is_key = True
        nurtured, soured, weak, plain = (self.take(org, "executive assistant") for org, _ in pairs)
        for assistant, key in zip((nurtured, soured, weak, plain), keys, strict=True):
            self.rel(assistant, "assistant-of", key)
            self.rel(assistant, "reports-to", key)
        for key in keys:
            for days in range(700, 30, -self.rng.randint(60, 120)):
                self.add([key], self.rng.choice(("email", "meeting", "call", "coffee")), self.ago(days))
        for days in range(600, 10, -30):
            self.add([nurtured], self.rng.choice(("coffee", "message", "call")), self.ago(days), sentiment=1)
        for days in (400, 250, 120, 60):
            self.add([soured], self.rng.choice(("email", "call")), self.ago(days), sentiment=1)
        self.add([soured], "call", self.ago(20), sentiment=-2, direction="out", note=data.SOUR_CALL_NOTE)
        self.add([weak], "hello", self.ago(410), sentiment=0)
        self.add([plain], "email", self.ago(90), sentiment=0)

    def events_and_follow_ups(self) -> None:
        """Everyone met at an event gets a "met"; most are followed up, the recent event's not yet."""
        for name, _kind, days, _place in data.EVENTS:
            ev = self.events[name]
            met = self.by_org[f"met:{name}"]
            for i, person in enumerate(met):
                self.used.add(person.id)
                add_member(self.session, ev, person, role="met")
                self.add([person], "met", self.ago(days), sentiment=1, direction="mutual", event=ev)
                if days > 10 and i % 3 != 2:  # a third of every past event never followed up
                    self.add([person], self.rng.choice(("email", "message", "connection")),
                             self.ago(days - self.rng.randint(1, 5)), direction="out")
                    if i % 2 == 0:
                        self.add([person], "coffee", self.ago(days - self.rng.randint(10, 30)))
            for guest in self.rng.sample(self.by_org["Marquee Publicity"], 3):
                add_member(self.session, ev, guest, role="attendee")
                self.add([guest], "event", self.ago(days), event=ev)

    def crew(self) -> None:
        """The short film: producer, director, and crew behind the scenes; some thanked, some not."""
        project = self.events["Paper Boats"]
        producer = self.take("Northlight Pictures", "producer")
        director = self.pick(self.by_org["peer"], 1)[0]
        crew = [self.take("", title) for title in ("hair and make-up", "gaffer", "driver", "production assistant",
                                                   "sound recordist")]
        add_member(self.session, project, producer, role="producer")
        add_member(self.session, project, director, role="director")
        for person in crew:
            add_member(self.session, project, person, role=person.title, behind_scenes=True)
        for day in (45, 44, 43, 38):
            self.add([producer, director, *crew], "worked-together", self.ago(day, 9), sentiment=1,
                     direction="mutual", event=project)
        for person in (producer, director, crew[0], crew[1]):  # the driver and the assistants: not yet
            self.add([person], "thanks-given", self.ago(35), sentiment=2, note="Thank you for Paper Boats")

    def favours(self) -> None:
        """The ledger: received (thanked and not), given, returned, declined, one asked of me still open."""
        pool = [p for p in self.people if p.organization_id is not None]
        thanked, unthanked, unthanked2, returned, given, given2, owed, declined = self.pick(pool, 8)
        for person, what, days in ((thanked, "Read my pitch deck", 200), (unthanked, "Introduced me to a casting director", 25),
                                   (unthanked2, "Lent me a camera for the reshoot", 50),
                                   (returned, "Reference for a publicist job", 300)):
            record_favor(self.session, person, "received", what, now=self.now, done_on=(self.now - days * DAY).date(),
                         status="returned" if person is returned else "done",
                         returned_on=(self.now - (days - 60) * DAY).date() if person is returned else None)
            self.add([person], "favor-received", self.ago(days), sentiment=2, note=what)
        self.add([thanked], "thanks-given", self.ago(198), sentiment=2)
        self.add([returned], "thanks-given", self.ago(298), sentiment=2)
        self.add([returned], "favor-given", self.ago(240), sentiment=1, note="Returned the favour: reviewed his contract")
        for person, what, days in ((given, "Reviewed her screenplay", 80), (given2, "Moved boxes for his office move", 160)):
            record_favor(self.session, person, "given", what, now=self.now, done_on=(self.now - days * DAY).date())
            self.add([person], "favor-given", self.ago(days), sentiment=1, note=what)
        self.add([given], "thanks-received", self.ago(78), sentiment=2)
        record_favor(self.session, owed, "given", "Asked me to introduce her to a venture partner", now=self.now,
                     status="asked", asked_on=(self.now - 12 * DAY).date())
        self.add([owed], "message", self.ago(12), direction="in", note="Could you introduce me to a VC partner?")
        record_favor(self.session, declined, "received", "Asked for a festival pass", now=self.now, status="declined",
                     asked_on=(self.now - 100 * DAY).date())

    def peers_and_goals(self) -> None:
        """Goals with targets, while most recent networking goes to fellow job seekers and founders."""
        for peer in self.by_org["peer"]:
            if peer.id in self.used:
                continue
            for days in range(self.rng.randint(2, 6), 90, self.rng.randint(6, 14)):
                self.add([peer], self.rng.choice(("coffee", "call", "message", "video")), self.ago(days))
            self.used.add(peer.id)
        created = self.now - 120 * DAY
        seed = Goal(title="Raise a seed round", note="For my own startup.", target_orgs=["Bellweather Ventures",
                    "Tidewater Capital"], industries=["venture capital"], roles=["partner"], tags=["vc"],
                    starts_on=created.date(), created_at=created)
        pr = Goal(title="Land a role in film publicity", target_orgs=["Marquee Publicity", "Northlight Pictures",
                  "Halcyon Studios"], industries=["publicity", "film production"],
                  roles=["publicist", "head of publicity", "unit publicist"], tags=["publicity", "film"],
                  starts_on=created.date(), created_at=created)
        self.session.add_all([seed, pr])
        self.session.flush()
        self.opportunities(seed, pr)

    def opportunities(self, seed: Goal, pr: Goal) -> None:
        """Where opportunities came from; the best one from the car-rental agent."""
        renter = self.take("Swift Car Rental", "rental agent")
        for days in range(700, 5, -45):
            self.add([renter], self.rng.choice(("hello", "message", "hello")), self.ago(days), sentiment=1)
        friend = self.pick(self.people, 1)[0]
        rows = [
            ("Unit publicist on Northlight's next feature", "job", renter, "Northlight Pictures", pr, "open",
             data.CAR_RENTAL_NOTE, 9),
            ("Junior publicist at Marquee", "job", friend, "Marquee Publicity", pr, "lost", "", 140),
            ("Press junket for a festival title", "gig", friend, "Halcyon Studios", pr, "won", "", 60),
            ("Angel syndicate intro", "deal", self.by_org["peer"][0], "Tidewater Capital", seed, "open", "", 30),
            ("Brand campaign for a startup", "client", self.by_org["Loomwork"][0], "Loomwork", None, "won", "", 200),
            ("Publicity coordinator (job board)", "job", None, "Halcyon Studios", pr, "lost", "No referrer.", 100),
        ]
        for title, kind, ref, org, goal, outcome, note, days in rows:
            self.session.add(Opportunity(
                title=title, kind=kind, referred_by_id=ref.id if ref else None, organization_id=self.orgs[org].id,
                goal_id=goal.id if goal else None, found_on=(self.now - days * DAY).date(), outcome=outcome,
                value=None, note=note, created_at=self.now - days * DAY))
            if ref is not None:
                self.add([ref], "referral", self.ago(days), direction="in", sentiment=2, note=title)
        producer = self.by_org["Northlight Pictures"][1]
        self.rel(producer, "referred-by", renter)
        self.rel(renter, "knows", producer)

    def tiers(self) -> None:
        """Everyone else: inner circle weekly, close every few weeks, monthly, quarterly, hellos, dormant."""
        free = [p for p in self.people if p.id not in self.used]
        self.rng.shuffle(free)
        plan = ((5, 7), (12, 21), (40, 35), (60, 95))
        start = 0
        for count, every in plan:
            for person in free[start:start + count]:
                # The first inner-circle tie was weekly for two years and went silent a month ago.
                self.regular(person, every, stop=32 if person is free[0] else 0)
            start += count
        self.inner = free[:5]
        for person in free[start:start + 55]:
            for days in sorted(self.rng.sample(range(1, 700), self.rng.randint(1, 4)), reverse=True):
                self.add([person], self.rng.choice(HELLO_KINDS), self.ago(days), sentiment=0)
        start += 55
        for person in free[start:start + 35]:
            for days in sorted(self.rng.sample(range(500, 729), self.rng.randint(1, 3)), reverse=True):
                self.add([person], self.rng.choice(CHAT_KINDS), self.ago(days))
        start += 35
        for person in free[start:]:
            self.add([person], self.rng.choice(CHAT_KINDS + HELLO_KINDS), self.ago(self.rng.randint(30, 600)))

    def regular(self, person: Person, every: int, *, stop: int = 0) -> None:
        """Contact roughly every ``every`` days for two years, until ``stop`` days ago."""
        days = 729.0 - self.rng.uniform(0, every)
        while days > stop:
            self.add([person], self.rng.choice(CHAT_KINDS), self.ago(days))
            days -= every * self.rng.uniform(0.6, 1.4)

    def group_meetings(self) -> None:
        """Meetings and dinners with many people at once."""
        for org in ("Northlight Pictures", "Halcyon Studios", "Bellweather Ventures", "Loomwork",
                    "Marquee Publicity", "Ravensworth University"):
            staff = [p for p in self.by_org[org] if p.id not in self.used]  # keep the stories intact
            for _ in range(3):
                group = self.rng.sample(staff, self.rng.randint(4, min(12, len(staff))))
                self.add(sorted(group, key=lambda p: p.id), self.rng.choice(("meeting", "meeting", "meal", "event")),
                         self.ago(self.rng.randint(5, 700)), direction="mutual")

    def relations(self) -> None:
        """Colleagues, managers, acquaintances, introductions, one couple."""
        for org in sorted(k for k in self.by_org if k and not k.startswith(("met:", "peer"))):
            staff = self.by_org[org]
            for a, b in pairwise(staff[1:6]):
                self.rel(a, "works-with", b)
            for junior in staff[6:9]:
                self.rel(junior, "reports-to", staff[0])
        ordered = sorted(self.people, key=lambda p: p.id)
        for _ in range(30):
            a, b = self.rng.sample(ordered, 2)
            self.rel(a, "knows", b)
        free = [p for p in ordered if p.id not in self.used]
        for a, b in (self.rng.sample(free, 2) for _ in range(10)):
            self.rel(a, "introduced-by", b)
            a.introduced_by_id = b.id
            self.add([b], "intro-made", self.ago(self.rng.randint(100, 600)), direction="in",
                     note=f"Introduced me to {a.display_name}")
        a, b = self.rng.sample(ordered, 2)
        self.rel(a, "partner-of", b)

    def cadences_and_overrides(self) -> None:
        """Cadences on people, a tag and a layer; manual closeness; a few archived."""
        for person, days in zip(self.inner[:3], (7, 14, 30), strict=True):
            set_person_cadence(self.session, person, days)
        self.session.add_all([Cadence(scope="tag", target="vc", days=45),
                              Cadence(scope="layer", target="close", days=21)])
        ordered = sorted(self.people, key=lambda p: p.id)
        for person, closeness in zip(self.rng.sample(ordered, 3), (90, 60, 15), strict=True):
            person.closeness = closeness
        for person in self.rng.sample([p for p in ordered if p.id not in self.used and not p.is_key], 4):
            person.archived = True
        self.session.flush()

    def every_kind(self) -> None:
        """Whatever kind the stories did not use yet gets one plausible example."""
        present = {i.kind for i in self.log}
        someone = next(p for p in sorted(self.people, key=lambda p: p.id) if p.id not in self.used)
        for kind in KINDS:
            if kind not in present:
                self.add([someone], kind, self.ago(self.rng.randint(20, 300)),
                         note="Remember: prefers phone to e-mail." if kind == "note" else "")

    def summary(self) -> dict[str, int]:
        """How many of each thing the demo created."""
        count = {name: int(self.session.scalar(select(func.count()).select_from(model)) or 0)
                 for name, model in (("people", Person), ("organizations", Organization), ("events", Event),
                                     ("favors", Favor), ("goals", Goal), ("opportunities", Opportunity))}
        count["interactions"] = len(self.log)
        return count
