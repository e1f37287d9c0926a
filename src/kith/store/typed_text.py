"""Text written to the database holds no control characters, whichever interface it was typed in.

:class:`TypedText` is installed by the owner of a session factory
(:func:`kith.runtime.open_kith`), like the other session hooks: before every
flush it passes each text column of every new or changed row through
:func:`kith.normalize.typed`, the rule imports apply to files
(:mod:`kith.importers.checks`). A NUL typed into the web, the API or the CLI
is removed the same way everywhere, and never reaches PostgreSQL, which
refuses it. Searches fold their query (:func:`kith.normalize.fold`), which
applies the same rule.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import instance_state

from kith.normalize import typed


def _text_columns(mapper: Any) -> list[str]:
    return [attr.key for attr in mapper.column_attrs
            if len(attr.columns) == 1 and isinstance(attr.columns[0].type, String | Text)]


class TypedText:
    """A ``before_flush`` hook that removes control characters from every text column written."""

    def __init__(self) -> None:
        self._columns: dict[Any, list[str]] = {}

    def install(self, factory: sessionmaker[Session]) -> None:
        """Register the hook on ``factory`` (and on no other session)."""
        event.listen(factory, "before_flush", self._clean)

    def _clean(self, session: Session, _ctx: Any, _instances: Any) -> None:
        for obj in list(session.new) + list(session.dirty):
            state = instance_state(obj)
            names = self._columns.get(state.mapper)
            if names is None:
                names = self._columns[state.mapper] = _text_columns(state.mapper)
            values = state.dict
            for name in names:
                value = values.get(name)
                if isinstance(value, str) and value:
                    clean = typed(value)
                    if clean is not value:
                        setattr(obj, name, clean)


__all__ = ["TypedText"]
