"""Account passwords: the system keyring when one is available, else a file readable only by the user.

Never the database, never a backup, never output. The file is
``$XDG_CONFIG_HOME/kith/secrets.json`` (``KITH_SECRETS_FILE`` overrides it),
created with mode 0600 and refused when anyone else can read it.
``KITH_SECRETS=file`` skips the keyring (tests, headless servers).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from kith.config import config_path
from kith.sync import SyncError

SERVICE = "kith"


def secrets_file() -> Path:
    """Where the file store lives."""
    override = os.environ.get("KITH_SECRETS_FILE", "").strip()
    return Path(override) if override else config_path().with_name("secrets.json")


def _keyring() -> Any | None:
    """The keyring module when a real system keyring backs it, else None."""
    if os.environ.get("KITH_SECRETS", "").strip().lower() == "file":
        return None
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: fall back to the file
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def where() -> str:
    """Where secrets go, in words (for `kith account add`)."""
    return "the system keyring" if _keyring() is not None else f"{secrets_file()} (readable only by you)"


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SyncError(f"{path} can be read by others (mode {mode:o}); run: chmod 600 {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError) as exc:
        raise SyncError(f"cannot read the secrets file {path}: {exc}") from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def store(key: str, secret: str) -> None:
    """Keep a secret under ``key``."""
    ring = _keyring()
    if ring is not None:
        ring.set_password(SERVICE, key, secret)
        return
    path = secrets_file()
    data = _read(path)
    data[key] = secret
    _write(path, data)


def load(key: str) -> str:
    """The secret under ``key``; a clear error when there is none."""
    ring = _keyring()
    value = ring.get_password(SERVICE, key) if ring is not None else _read(secrets_file()).get(key)
    if value is None:
        raise SyncError("the password of this account is missing (add the account again)")
    return str(value)


def forget(key: str) -> None:
    """Drop a secret (nothing when there is none)."""
    ring = _keyring()
    if ring is not None:
        with contextlib.suppress(Exception):  # keyring.errors.PasswordDeleteError: already gone
            ring.delete_password(SERVICE, key)
        return
    path = secrets_file()
    data = _read(path)
    if data.pop(key, None) is not None:
        _write(path, data)
