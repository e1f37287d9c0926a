"""Pathological inputs of a given size, one family per importer (tests/test_hostile_input.py, bench/hostile_parsing.py).

Each shape is a function ``size -> bytes`` producing about ``size`` bytes of
a file that once made an importer do work growing faster than its input (a
folded vCard line, thousands of e-mail lines on one card, a header of
100,000 columns over short rows...), or that could.
"""

from __future__ import annotations

from collections.abc import Callable

Shape = Callable[[int], bytes]


def _card(body: str) -> bytes:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Diaz\r\n{body}\r\nEND:VCARD\r\n".encode()


def vcard_folded_line(size: int) -> bytes:
    """One NOTE folded over ``size / 76`` physical lines (the issue's 4 MB line: 37 s)."""
    return _card("NOTE:" + "\r\n".join(" " + "x" * 74 for _ in range(size // 77)))


def vcard_soft_breaks(size: int) -> bytes:
    """One quoted-printable NOTE soft-broken (``=`` at line ends) over ``size / 76`` lines."""
    return _card("NOTE;ENCODING=QUOTED-PRINTABLE:" + "=\r\n".join("=41" * 24 + "x" for _ in range(size // 76)))


def vcard_many_emails(size: int) -> bytes:
    """One card with ``size / 30`` EMAIL lines (the issue's 4,000 lines: 94 s to import)."""
    return _card("\r\n".join(f"EMAIL;TYPE=work:a{i:08d}@example.com" for i in range(size // 38)))


def vcard_many_notes(size: int) -> bytes:
    """One card with ``size / 200`` NOTE lines (the old reader joined each to all the notes before it)."""
    return _card("\r\n".join(f"NOTE:n{i:06d}" + "x" * 186 for i in range(size // 200)))


def vcard_many_categories(size: int) -> bytes:
    """One card with one CATEGORIES line of ``size / 8`` distinct tags."""
    return _card("CATEGORIES:" + ",".join(f"t{i:06d}" for i in range(size // 8)))


def vcard_parameters(size: int) -> bytes:
    """One TEL line with ``size / 8`` parameters."""
    return _card("TEL" + "".join(f";X-P{i:04d}=v" for i in range(size // 9)) + ":+1 555 0100")


def vcard_many_cards(size: int) -> bytes:
    """``size / 90`` small cards: the ordinary shape, for comparison."""
    one = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:P{i}\r\nEMAIL:p{i}@example.com\r\nEND:VCARD\r\n"
    return "".join(one.format(i=f"{i:07d}") for i in range(size // 90)).encode()


def _wide_csv(header: list[str], size: int) -> bytes:
    # Half the file a header of thousands of columns, half rows of three cells: the old reader built
    # every row's dict over every header column (rows x columns).
    head = ",".join(header) + "," + ",".join(f"Extra {i:06d}" for i in range(size // 2 // 13))
    rows = "\n".join("Ana,Diaz," + "x" * 90 for _ in range(size // 2 // 100))
    return f"{head}\n{rows}\n".encode()


def google_wide(size: int) -> bytes:
    """A Google CSV header of ``size / 26`` columns over ``size / 200`` short rows."""
    return _wide_csv(["First Name", "Last Name"], size)


def outlook_wide(size: int) -> bytes:
    """An Outlook CSV header as wide as the file over short rows."""
    return _wide_csv(["First Name", "Last Name", "E-mail Address"], size)


def linkedin_wide(size: int) -> bytes:
    """A LinkedIn Connections.csv header as wide as the file over short rows."""
    return _wide_csv(["First Name", "Last Name", "Connected On"], size)


def interactions_rows(size: int) -> bytes:
    """``size / 50`` interaction rows."""
    rows = "\n".join(f"2024-03-{1 + i % 28:02d}T10:00:00Z,p{i % 5000}@example.com,out,email,n{i}"
                     for i in range(size // 50))
    return f"timestamp,contact,direction,kind,note\n{rows}\n".encode()


def linkedin_messages_rows(size: int) -> bytes:
    """``size / 120`` messages in one conversation."""
    head = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER"
    rows = "\n".join(f"c1,Hi,Sam Roe,https://www.linkedin.com/in/sam,Ana Diaz,https://www.linkedin.com/in/ana,"
                     f"2024-03-{1 + i % 28:02d} 10:00:00 UTC,,m{i},INBOX" for i in range(size // 120))
    return f"{head}\n{rows}\n".encode()


def facebook_friends(size: int) -> bytes:
    """``size / 50`` friends."""
    items = ",".join(f'{{"name": "Friend {i:08d}", "timestamp": 1500000000}}' for i in range(size // 50))
    return f'{{"friends_v2": [{items}]}}'.encode()


def facebook_nested(size: int) -> bytes:
    """Arrays nested ``size / 2`` deep (a RecursionError in the old reader)."""
    depth = size // 2
    return ("[" * depth + "]" * depth).encode()


def mbox_many_recipients(size: int) -> bytes:
    """One message whose To header names ``size / 26`` people."""
    to = ", ".join(f"p{i:07d}@example.com" for i in range(size // 26))
    return (f"From sam@example.com Mon Mar 11 10:00:00 2024\nFrom: Sam <sam@example.com>\nTo: {to}\n"
            "Date: Mon, 11 Mar 2024 10:00:00 +0000\nSubject: hi\n\nbody\n").encode()


def mbox_many_messages(size: int) -> bytes:
    """``size / 190`` short messages."""
    one = ("From sam@example.com Mon Mar 11 10:00:00 2024\nFrom: Sam <sam@example.com>\nTo: p{i}@example.com\n"
           "Date: Mon, 11 Mar 2024 10:00:00 +0000\nSubject: s{i}\nMessage-ID: <{i}@x>\n\nbody\n\n")
    return "".join(one.format(i=f"{i:07d}") for i in range(size // 190)).encode()


def ics_many_attendees(size: int) -> bytes:
    """One meeting with ``size / 40`` attendees."""
    att = "\r\n".join(f"ATTENDEE;CN=P{i}:mailto:p{i:07d}@example.com" for i in range(size // 40))
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20240311T100000Z\r\n"
            f"SUMMARY:big\r\nORGANIZER:mailto:sam@example.com\r\n{att}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def ics_folded_line(size: int) -> bytes:
    """One event whose DESCRIPTION is folded over ``size / 76`` lines."""
    desc = "\r\n".join(" " + "x" * 74 for _ in range(size // 77))
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20240311T100000Z\r\nSUMMARY:s\r\n"
            "ORGANIZER:mailto:sam@example.com\r\nATTENDEE:mailto:ana@example.com\r\n"
            f"DESCRIPTION:{desc}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


SPARSE_RULES = ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "FREQ=MONTHLY;INTERVAL=12;BYMONTH=3",
                "FREQ=DAILY;INTERVAL=14;BYDAY=SA,SU", "FREQ=MONTHLY;INTERVAL=6;BYMONTH=4,5,6",
                "FREQ=DAILY;INTERVAL=7;BYDAY=WE,TH,FR")


def ics_sparse_intervals(size: int, start: str = "20200106T090000Z") -> bytes:
    """``size / 230`` repeating events whose interval never lands on their days (from a Monday at 9:00, every 7
    days on Tuesdays...): dateutil alone walks each to the year 9999."""
    one = ("BEGIN:VEVENT\r\nUID:u{i}\r\nDTSTART:{start}\r\nRRULE:{rule}\r\nSUMMARY:never {i}\r\n"
           "ORGANIZER:mailto:sam@example.com\r\nATTENDEE:mailto:ana@example.com\r\nEND:VEVENT\r\n")
    events = "".join(one.format(i=i, start=start, rule=SPARSE_RULES[i % len(SPARSE_RULES)]) for i in range(size // 230))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()


# format -> shape name -> generator
SHAPES: dict[str, dict[str, Shape]] = {
    "vcard": {"folded line": vcard_folded_line, "soft breaks": vcard_soft_breaks, "many e-mails": vcard_many_emails,
              "many notes": vcard_many_notes, "many categories": vcard_many_categories,
              "parameters": vcard_parameters, "many cards": vcard_many_cards},
    "google": {"wide header": google_wide},
    "outlook": {"wide header": outlook_wide},
    "linkedin": {"wide header": linkedin_wide},
    "interactions": {"many rows": interactions_rows},
    "linkedin-messages": {"many rows": linkedin_messages_rows},
    "facebook": {"many friends": facebook_friends, "deep nesting": facebook_nested},
    "mbox": {"many recipients": mbox_many_recipients, "many messages": mbox_many_messages},
    "ics": {"many attendees": ics_many_attendees, "folded line": ics_folded_line,
            "sparse intervals": ics_sparse_intervals},
}
