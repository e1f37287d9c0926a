"""Write the labelled matching set in tests/fixtures/matching (synthetic, fixed seed).

The same few hundred fictional people exported from LinkedIn (current shape),
a phone's vCard file, Google Contacts CSV, Outlook CSV and a mailbox, with the
variations real exports have: nicknames (Bob / Robert), dropped accents,
middle names and initials, e-mail case, phone formats, job changes, names
written "Family, Given", and namesakes (distinct people who share a name).
``truth.json`` maps every identifier the files carry (as Kith normalises it)
to the person it belongs to. Run: ``.venv/bin/python bench/make_matching_set.py``.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kith.normalize import email_key, phone_key, url_key

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "matching"
NICK = {"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Katherine": "Kate", "Michael": "Mike",
        "Jennifer": "Jen", "Thomas": "Tom", "Alexander": "Alex", "Margaret": "Maggie", "Daniel": "Dan",
        "Christopher": "Chris", "Samuel": "Sam", "Victoria": "Vicky", "Nicholas": "Nick", "Joseph": "Joe"}
GIVEN = [*NICK, "José", "Zoë", "Søren", "Ana", "Chidi", "Mei", "Ravi", "Ines", "Łukasz", "Aoife", "Kwame", "Yuki",
         "Fatima", "Omar", "Priya", "Lars", "Nadia", "Tomás", "Hana", "Emeka", "Sofía", "Kofi", "Quinn", "Jordan"]
FAMILY = ["Díaz", "Okafor", "Nguyen", "Müller", "O'Brien", "Fernández", "Kowalski", "Haddad", "Tanaka", "Silva",
          "Mensah", "Johansson", "García", "Ivanova", "Patel", "Moreau", "Rossi", "Kim", "Walsh", "Herrera", "Novak",
          "Costa", "Lindqvist", "Bianchi", "Schmidt", "Yilmaz", "Dubois", "Sato", "Reyes", "Abara"]
MIDDLE = ["Marie", "James", "Lee", "Ann", "Jo", "Kai"]
ORGS = ["Acme Films", "Lumen Studios", "Northwind", "Blue Harbor", "Quill & Co", "Globex", "Soylent Corp",
        "Umbrella Health", "Initech", "Cedar Post", "Harbor Lights", "Delta Docs", "Vandelay", "Stark Media"]
PLAIN = str.maketrans("áéíóúñçøöüëłÁÉÍÓÚØÖÜËŁ", "aeiouncooueladeiouoouel".ljust(22, "e")[:22])


def ascii_name(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s.replace("ø", "o").replace("ł", "l").replace("Ł", "L"))
                   if not unicodedata.combining(c))


def main() -> None:
    rng = random.Random(12)
    people = []
    names: set[tuple[str, str]] = set()
    n = 0
    while len(people) < 300:
        if len(people) < 270:  # distinct names first, then 30 namesakes of people already there
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            if (given, family) in names:
                continue
        else:
            given, family = rng.choice(sorted(names))
        names.add((given, family))
        n += 1
        slug = ascii_name(f"{given}.{family}").lower().replace("'", "")
        org = rng.choice(ORGS)
        people.append({
            "id": n, "given": given, "family": family, "middle": rng.choice(MIDDLE) if rng.random() < 0.3 else "",
            "org": org, "old_org": rng.choice([o for o in ORGS if o != org]) if rng.random() < 0.25 else org,
            "work": f"{slug}.{n}@{org.lower().replace(' ', '').replace('&', '')}.example.com",
            "home": f"{slug}{n}@mail.example.net", "phone": f"212555{1000 + n:04d}",
            "url": f"https://www.linkedin.com/in/{slug.replace('.', '-')}-{n}",
        })
    truth: dict[str, int] = {}

    def note(kind: str, value: str, pid: int) -> None:
        key = {"email": email_key, "phone": phone_key, "url": url_key}[kind](value)
        assert key is not None
        truth[f"{kind}:{key}"] = pid

    def shown(p: dict[str, str | int], style: int) -> tuple[str, str]:
        given, family = str(p["given"]), str(p["family"])
        if style == 1 and given in NICK:
            given = NICK[given]
        elif style == 2:
            given, family = ascii_name(given), ascii_name(family)
        elif style == 3 and p["middle"]:
            given = f"{given} {p['middle']}"
        elif style == 4:
            given = f"{given} {str(p['middle'] or 'J')[0]}."
        return given, family

    OUT.mkdir(parents=True, exist_ok=True)
    day = datetime(2019, 1, 1, tzinfo=UTC)
    with (OUT / "linkedin.csv").open("w", encoding="utf-8", newline="") as f:
        f.write('Notes:\n"When exporting your connection data, you may notice that some of the email addresses '
                'are missing."\n\n')
        w = csv.writer(f)
        w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for p in people:
            if rng.random() < 0.7:
                given, family = shown(p, rng.choice([0, 0, 1, 2]))
                email = str(p["home"]) if rng.random() < 0.3 else ""
                w.writerow([given, family, p["url"], email, p["org"], "Producer",
                            (day + timedelta(days=int(p["id"]) * 3)).strftime("%d %b %Y")])
                note("url", str(p["url"]), int(p["id"]))
                if email:
                    note("email", email, int(p["id"]))
    with (OUT / "contacts.vcf").open("w", encoding="utf-8", newline="") as f:
        for p in people:
            if rng.random() < 0.5:
                given, family = shown(p, rng.choice([0, 1, 3, 4]))
                phone = f"+1 212 555 {str(p['phone'])[-4:]}"
                lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{given} {family}", f"N:{family};{given};;;",
                         f"TEL;TYPE=cell:{phone}", f"ORG:{p['old_org']}"]
                note("phone", phone, int(p["id"]))
                if rng.random() < 0.5:
                    lines.append(f"EMAIL;TYPE=home:{p['home']}")
                    note("email", str(p["home"]), int(p["id"]))
                f.write("\r\n".join([*lines, "END:VCARD"]) + "\r\n")
    with (OUT / "google.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["First Name", "Middle Name", "Last Name", "Organization Name", "E-mail 1 - Label",
                    "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"])
        for p in people:
            if rng.random() < 0.45:
                given, family = shown(p, rng.choice([0, 1, 2]))
                email = str(p["home"]).upper() if rng.random() < 0.2 else str(p["home"])
                phone = f"({str(p['phone'])[:3]}) {str(p['phone'])[3:6]}-{str(p['phone'])[6:]}" if rng.random() < 0.4 else ""
                w.writerow([given, "", family, p["old_org"] if rng.random() < 0.5 else "", "* Home", email,
                            "Mobile" if phone else "", phone])
                note("email", email, int(p["id"]))
                if phone:
                    note("phone", phone, int(p["id"]))
    with (OUT / "outlook.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["First Name", "Middle Name", "Last Name", "Company", "Job Title", "E-mail Address"])
        for p in people:
            if rng.random() < 0.45:
                given, family = shown(p, rng.choice([0, 2, 3]))
                middle = ""
                if " " in given:
                    given, middle = given.split(" ", 1)
                w.writerow([given, middle, family, p["org"], "Producer", p["work"]])
                note("email", str(p["work"]), int(p["id"]))
    with (OUT / "mail.mbox").open("w", encoding="utf-8") as f:
        start = datetime(2024, 1, 1, tzinfo=UTC)
        k = 0
        for p in people:
            if rng.random() < 0.5:
                given, family = shown(p, rng.choice([0, 1, 2, 4]))
                addr = str(p["work"] if rng.random() < 0.6 else p["home"])
                addr = addr.capitalize() if rng.random() < 0.3 else addr
                display = f"{family}, {given}" if rng.random() < 0.2 else f"{given} {family}"
                for _ in range(rng.randint(1, 3)):
                    k += 1
                    when = start + timedelta(hours=7 * k)
                    f.write(f"From {addr} {when:%a %b %d %H:%M:%S %Y}\nFrom: \"{display}\" <{addr}>\n"
                            f"To: Me <me@example.com>\nSubject: Hello {k}\n"
                            f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\nMessage-ID: <m{k}@example.com>\n\nHi.\n\n")
                note("email", addr, int(p["id"]))
    (OUT / "truth.json").write_text(json.dumps({"people": len(people), "identifiers": truth}, indent=0,
                                               sort_keys=True) + "\n", encoding="utf-8")
    twins = len(people) - len(names)
    print(f"{len(people)} people ({twins} namesakes), {len(truth)} identifiers -> {OUT}")


if __name__ == "__main__":
    main()
