"""Rendering for the CLI: JSON to stdout, tables via Rich, messages to stderr.

Rich is imported when something is first printed through it (40 ms of
every start otherwise: a ``--json`` command never needs it).

Everything printed is neutralised (:func:`safe`): a name imported with an
escape sequence or a right-to-left override shows as ``\x1b[2J`` or
``\u202e``, it never clears the screen or reverses what follows. JSON escapes
the same characters, so its data is unchanged.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console


# Characters a terminal acts on: C0 controls but tab and newline, DEL, C1 (CSI is \x9b), and the
# bidirectional controls (embeddings, overrides, isolates, marks) that reorder what follows them.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# In JSON, C0 is escaped by the encoder already; the rest is escaped here (same data, valid JSON).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown as an escape (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE.sub(_visible, text)


def _json_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


class _Console:
    """A Rich console made on first use."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def _made(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    # Rich's progress bar enters its console with `with`, which looks these up on the class.
    def __enter__(self) -> Any:
        return self._made().__enter__()

    def __exit__(self, *exc: object) -> None:
        self._made().__exit__(*exc)


out = cast("Console", _Console(highlight=False, soft_wrap=True, emoji=False))
err = cast("Console", _Console(stderr=True, highlight=False, soft_wrap=True, emoji=False))


def emit_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (stable, UTF-8, one document).

    Indented for a person at a terminal; compact when piped, where Python's
    C encoder is ten times faster on a 30,000-person listing.
    """
    indent = 2 if sys.stdout.isatty() else None
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    sys.stdout.write(_UNSAFE_IN_JSON.sub(_json_escape, text) + "\n")
    sys.stdout.flush()


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a simple table."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=safe(title) if title else None, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:  # Text, not str: a name like "[bold]" is shown, not read as markup
        t.add_row(*[Text("" if v is None else safe(str(v))) for v in row])
    out.print(t)


def say(message: str) -> None:
    """A confirmation for the user (stdout, plain)."""
    out.print(safe(message), markup=False)


def warn(message: str) -> None:
    """A warning or progress note (stderr)."""
    err.print(safe(message), markup=False)
