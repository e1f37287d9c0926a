"""Real servers for the sync tests, each on 127.0.0.1 on a free port with its data in a temporary folder.

- :class:`Radicale` (from PyPI): CardDAV and CalDAV.
- :class:`Dovecot` (Debian's dovecot-imapd): IMAP; run unprivileged (as ``nobody`` when the tests run
  as root, since Dovecot refuses to serve mail as root). Tests skip with the reason when it is not installed.
- :class:`SmtpSink` (aiosmtpd): an SMTP server keeping what it receives.

Each is started and stopped by its fixture; ``stop()``/``start()`` are also used by the fault tests
(a server going down in the middle of a sync).
"""

from __future__ import annotations

import base64
import contextlib
import grp
import http.client
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

USER, PASSWORD = "alice", "s3cret-pass"


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Account passwords kept in a 0600 file under the test's own directory, never the machine's keyring
    (a test module uses it with ``pytestmark = pytest.mark.usefixtures("secrets_file")``)."""
    path = tmp_path / "secrets.json"
    monkeypatch.setenv("KITH_SECRETS", "file")
    monkeypatch.setenv("KITH_SECRETS_FILE", str(path))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} stopped at start: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not open port {port}")


class Radicale:
    """A Radicale server with one user (basic auth, plain htpasswd)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        (root / "users").write_text(f"{USER}:{PASSWORD}\n")
        (root / "config").write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {root / 'users'}\nhtpasswd_encryption = plain\n"
            "delay = 0\n"
            f"[storage]\nfilesystem_folder = {root / 'collections'}\n"
            "[rights]\ntype = owner_only\n[logging]\nlevel = warning\n")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.root / "radicale.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(self.root / "config")],
                                     stdout=log.open("ab"), stderr=subprocess.STDOUT)
        _wait_port(self.port, self.proc, log, "Radicale")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    # -- a client's side of the server (what a phone would do) --------------------

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None,
                timeout: float = 30) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        conn.request(method, path, body=body.encode() or None,
                     headers={"Authorization": f"Basic {auth}", **(headers or {})})
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def make_collection(self, name: str, kind: str) -> str:
        """An address book (kind 'card') or calendar ('cal'); its URL."""
        path = f"/{USER}/{name}/"
        rtype = ('<C:addressbook xmlns:C="urn:ietf:params:xml:ns:carddav"/>' if kind == "card"
                 else '<C:calendar xmlns:C="urn:ietf:params:xml:ns:caldav"/>')
        body = (f'<?xml version="1.0"?><D:mkcol xmlns:D="DAV:"><D:set><D:prop><D:resourcetype><D:collection/>'
                f'{rtype}</D:resourcetype></D:prop></D:set></D:mkcol>')
        status, _, text = self.request("MKCOL", path, body, {"Content-Type": "application/xml"})
        assert status == 201, (status, text)
        return self.base + path

    def put(self, url: str, name: str, text: str, kind: str = "card") -> str:
        path = url.replace(self.base, "") + name
        ctype = "text/vcard" if kind == "card" else "text/calendar"
        status, headers, body = self.request("PUT", path, text, {"Content-Type": ctype})
        assert status in (201, 204), (status, body)
        return headers.get("etag", "")

    def get(self, url: str, name: str) -> str:
        status, _, body = self.request("GET", url.replace(self.base, "") + name)
        assert status == 200, (status, body)
        return body

    def delete(self, url: str, name: str) -> None:
        status, _, body = self.request("DELETE", url.replace(self.base, "") + name)
        assert status in (200, 204), (status, body)


class Dovecot:
    """Dovecot serving one user's Maildir over plain IMAP on 127.0.0.1."""

    def __init__(self) -> None:
        if shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists():
            pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does it)")
        self.binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        # Not under pytest's tmp_path: when the tests run as root Dovecot serves as 'nobody', who must reach it.
        self.root = Path(tempfile.mkdtemp(prefix="kith-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        pw = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        uid, gid, group = pw.pw_uid, pw.pw_gid, grp.getgrgid(pw.pw_gid).gr_name
        for d in ("run", "state", "mail", "home"):
            (self.root / d).mkdir()
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        r = self.root
        (r / "dovecot.conf").write_text(f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {pw.pw_name}
default_internal_group = {group}
default_login_user = {pw.pw_name}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{r}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={r}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
        if os.getuid() == 0:
            for base, dirs, files in os.walk(r):
                for n in dirs + files:
                    os.chown(os.path.join(base, n), uid, gid)
            os.chown(r, uid, gid)

    @property
    def url(self) -> str:
        return f"imap://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.root / "dovecot.out"
        self.proc = subprocess.Popen([self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
                                     stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        _wait_port(self.port, self.proc, log, "Dovecot")

    def stop(self) -> None:
        """Stop the server and every session it serves (its own process group)."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def append(self, messages: list[bytes], folder: str = "INBOX") -> None:
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(USER, PASSWORD)
        for raw in messages:
            typ, data = m.append(folder, None, None, raw)
            assert typ == "OK", data
        m.logout()

    def new_uidvalidity(self) -> None:
        """Give the inbox a new UIDVALIDITY (as after a server rebuild): its UIDs mean nothing any more."""
        self.stop()
        box = self.root / "mail" / USER
        uidlist = box / "dovecot-uidlist"
        head, _, rest = uidlist.read_text().partition("\n")
        words = [f"V{int(w[1:]) + 1000}" if w.startswith("V") else w for w in head.split(" ")]
        uidlist.write_text(" ".join(words) + "\n" + rest)
        for index in box.glob("dovecot.index*"):
            index.unlink()
        self.start()


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    server = Radicale(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    server.start()
    yield server
    server.cleanup()


def mail(n: int, *, frm: str, to: str, subject: str = "hello", day: int = 1, cc: str = "",
         extra: str = "", msgid: str = "") -> bytes:
    """One message's bytes (headers and a short body)."""
    lines = [f"From: {frm}", f"To: {to}", f"Subject: {subject}",
             f"Date: Mon, {day:02d} Jun 2026 10:{n % 60:02d}:00 +0000",
             f"Message-ID: <{msgid or f'm{n}@example.org'}>"]
    if cc:
        lines.append(f"Cc: {cc}")
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\nThe body, never read by Kith.\r\n").encode()
