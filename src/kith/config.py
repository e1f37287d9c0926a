"""Where Kith keeps things: data dir, config file, database URL.

Precedence for the database: ``--db`` > ``KITH_DATABASE_URL`` > config file
``database_url`` > ``$XDG_DATA_HOME/kith/kith.db``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kith.errors import BadInput


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole-number setting from the environment; a bad value is a user error, not a traceback."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise BadInput(f"{name} must be a whole number of at least {minimum}, not '{raw}'")
    return int(raw)


def data_dir() -> Path:
    """``$XDG_DATA_HOME/kith`` (default ``~/.local/share/kith``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kith"


def config_path() -> Path:
    """``$XDG_CONFIG_HOME/kith/config.toml`` (default ``~/.config/kith``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kith" / "config.toml"


@dataclass
class Settings:
    """What the config file may set; every field has a working default."""

    database_url: str | None = None
    mode: str = "local"  # local | server
    me: list[str] = field(default_factory=list)  # the user's own e-mail addresses
    host: str = "127.0.0.1"
    port: int = 8765
    secret_key: str | None = None


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file if there is one; a broken file is a user error."""
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read the config file {path}: {exc}") from None
    settings = Settings()
    for key, value in raw.items():
        if not hasattr(settings, key):
            raise BadInput(f"{path}: unknown setting '{key}'")
        setattr(settings, key, value)
    if settings.mode not in ("local", "server"):
        raise BadInput(f"{path}: mode must be 'local' or 'server', not '{settings.mode}'")
    return settings


def database_url(db: str | None = None, settings: Settings | None = None) -> str:
    """Turn ``--db`` (a path or a URL), the environment or the config into a URL."""
    chosen = db or os.environ.get("KITH_DATABASE_URL") or (settings or load_settings()).database_url
    if not chosen:
        return "sqlite:///" + str(data_dir() / "kith.db")
    if "://" in chosen:
        return chosen
    return "sqlite:///" + str(Path(chosen).expanduser().resolve())
