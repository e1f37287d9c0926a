"""Fictional names, organisations and roles of the demo network (any resemblance is chance).

Domains use the reserved ``.example`` top-level domain, so no demo e-mail can
reach anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

GIVEN_NAMES: tuple[str, ...] = (
    "Ana", "Amara", "Aiko", "Beatriz", "Björn", "Camille", "Chidi", "Chloé", "Dalia", "Darius", "Débora",
    "Elif", "Emeka", "Esther", "Fatima", "Felipe", "François", "Grace", "Gustavo", "Hana", "Hiroshi",
    "Ines", "Ingrid", "Isabela", "Jamal", "Javier", "Jiho", "Joaquín", "Kavya", "Kofi", "Lars", "Léa",
    "Leila", "Lucía", "Mateo", "Maëlle", "Mariam", "Mei", "Mikael", "Nadia", "Naledi", "Nikolai", "Noémie",
    "Olu", "Omar", "Paloma", "Priya", "Quentin", "Rafael", "Rania", "Renée", "Rohan", "Sakura", "Santiago",
    "Saoirse", "Sergei", "Siobhán", "Sofía", "Tariq", "Thandiwe", "Théo", "Tomás", "Uma", "Valentina",
    "Wen", "Xavier", "Yasmin", "Yusuf", "Zainab", "Zoë", "Ama", "Bruno", "Carmen", "Dev", "Eun-ji", "Farah",
)
FAMILY_NAMES: tuple[str, ...] = (
    "Abara", "Adeyemi", "Almeida", "Andersson", "Bianchi", "Bouchard", "Castillo", "Chen", "Cohen", "Dubois",
    "Duarte", "Eriksen", "Fernández", "Fischer", "García", "Gómez", "Haddad", "Hansen", "Ibáñez", "Ito",
    "Jankowski", "Jiménez", "Kaur", "Kim", "Kowalczyk", "Larsen", "Lefèvre", "Lindqvist", "Mbeki", "Mendoza",
    "Moreau", "Müller", "Nakamura", "Navarro", "Nguyen", "Novák", "Okafor", "Olsen", "Ortiz", "Öztürk",
    "Papadopoulos", "Park", "Pereira", "Petrović", "Quispe", "Ramírez", "Rossi", "Sánchez", "Santos",
    "Schäfer", "Sato", "Silva", "Singh", "Søndergaard", "Takahashi", "Tanaka", "Thompson", "Torres",
    "Van der Berg", "Vasquez", "Wójcik", "Yamamoto", "Yilmaz", "Zhang", "Ødegaard", "Nuñez", "Mensah",
    "Rahman", "Khan", "Osei", "Bergström", "Łukasik",
)


@dataclass(frozen=True)
class DemoOrg:
    """A fictional organisation: who works there and how big the slice of my network is."""

    name: str
    domain: str
    industry: str
    tag: str
    size: int
    titles: tuple[str, ...]


ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("Northlight Pictures", "northlight.example", "film production", "film", 34,
            ("head of development", "producer", "line producer", "development executive", "production coordinator",
             "executive assistant", "post-production supervisor", "location manager")),
    DemoOrg("Halcyon Studios", "halcyon.example", "film production", "film", 30,
            ("casting director", "casting associate", "head of marketing", "executive producer",
             "executive assistant", "studio manager", "head of publicity")),
    DemoOrg("Marquee Publicity", "marquee.example", "publicity", "publicity", 26,
            ("publicist", "senior publicist", "head of publicity", "account director", "executive assistant",
             "partner", "junior publicist")),
    DemoOrg("Bellweather Ventures", "bellweather.example", "venture capital", "vc", 16,
            ("partner", "principal", "associate", "executive assistant", "platform lead", "analyst")),
    DemoOrg("Tidewater Capital", "tidewater.example", "venture capital", "vc", 10,
            ("partner", "associate", "investor relations", "analyst")),
    DemoOrg("Loomwork", "loomwork.example", "software", "startup", 18,
            ("founder", "co-founder", "head of growth", "engineer", "product manager", "designer")),
    DemoOrg("Parcel Labs", "parcellabs.example", "logistics software", "startup", 14,
            ("founder", "CTO", "engineer", "head of sales", "operations lead")),
    DemoOrg("Quill AI", "quill.example", "software", "startup", 12,
            ("founder", "co-founder", "engineer", "head of partnerships")),
    DemoOrg("Crestline Talent", "crestline.example", "talent agency", "talent", 20,
            ("talent agent", "senior agent", "agent's assistant", "executive assistant", "head of film")),
    DemoOrg("Ravensworth University", "ravensworth.example", "higher education", "academia", 22,
            ("professor of film studies", "lecturer", "career advisor", "PhD student", "dean")),
    DemoOrg("The Morning Ledger", "ledger.example", "newspaper", "press", 18,
            ("film critic", "entertainment reporter", "editor", "business reporter", "photographer")),
    DemoOrg("Swift Car Rental", "swiftrental.example", "car rental", "services", 6,
            ("rental agent", "branch manager", "fleet coordinator")),
    DemoOrg("Ortega & Lind", "ortegalind.example", "law", "legal", 12,
            ("partner", "entertainment lawyer", "associate", "paralegal")),
)

# People with no organisation: freelancers, crew, fellow job seekers.
FREELANCE_TITLES: tuple[str, ...] = (
    "hair and make-up", "gaffer", "driver", "production assistant", "sound recordist", "camera operator",
    "freelance publicist", "screenwriter", "photographer", "stylist", "editor",
)
PEER_TITLES: tuple[str, ...] = (
    "looking for a role in publicity", "between jobs", "founder (pre-seed)", "aspiring producer",
    "career changer", "freelance writer",
)
FREELANCERS = 24
PEERS = 22

EVENTS: tuple[tuple[str, str, int, str], ...] = (
    # name, kind, days before now, location
    ("Lakeshore Film Festival", "event", 320, "Lakeshore"),
    ("Founders Summit", "event", 150, "Convention Centre"),
    ("Marquee summer party", "event", 75, "Rooftop, Marquee Publicity"),
    ("Publicity Week mixer", "event", 6, "The Ledger Building"),
)

SOUR_CALL_NOTE = "Call went badly: pushed too hard for a meeting with her boss; she hung up."
CAR_RENTAL_NOTE = "Heard about it from the guy I rent my cars from."
