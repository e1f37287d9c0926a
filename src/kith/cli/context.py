"""The CLI's shared state: global options and the lazily opened database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from kith import clock
from kith.runtime import Kith, open_kith


@dataclass
class CliState:
    """What ``--db`` and ``--as-of`` said, and the database once opened."""

    db: str | None = None
    as_of_text: str | None = None
    _kith: Kith | None = field(default=None, repr=False)

    @property
    def now(self) -> datetime:
        """The instant everything time-dependent is computed as of."""
        if self.as_of_text:
            return clock.parse_when(self.as_of_text, now=clock.now(), end_of_day=True)
        return clock.now()

    def kith(self, *, init: bool = False) -> Kith:
        """Open the database on first use."""
        if self._kith is None:
            self._kith = open_kith(self.db, as_of=self.now, init=init)
        return self._kith

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A workspace transaction on the selected database."""
        with self.kith().session() as session:
            yield session

    def close(self) -> None:
        """Dispose of the engine, if one was opened."""
        if self._kith is not None:
            self._kith.close()
            self._kith = None


STATE = CliState()
