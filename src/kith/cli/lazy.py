"""Load on first use: a command's module when the command is looked up, a service when it is first used.

``kith agenda`` or ``kith list`` need not load every capability. The root
group's command table (:class:`LazyCommands`) imports a command's module when
the command is looked up; each command module imports its heavier services
through :func:`lazy_module` at run time (and through a plain import under
``TYPE_CHECKING`` for the type checker).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from types import ModuleType
from typing import TYPE_CHECKING

from typer.main import get_group

if TYPE_CHECKING:
    from typer._click import Command


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, executed only when an attribute is first read."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return importlib.import_module(name)  # raises the usual ImportError
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


class LazyCommands(MutableMapping[str, "Command"]):
    """A group's commands by name, each built from its module (its ``commands`` Typer) when first asked for.

    ``modules`` maps each command's name to the module that declares it, in
    listing order. The first lookup of a name imports that module and builds
    the Click commands of everything the module declares (once per module).
    """

    def __init__(self, modules: Mapping[str, str]) -> None:
        self._modules = dict(modules)
        self._built: dict[str, Command] = {}
        self._loaded: set[str] = set()

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            module = self._modules[name]  # KeyError: no such command
            if module not in self._loaded:
                self._load(module)
        return self._built[name]

    def _load(self, module: str) -> None:
        built = get_group(importlib.import_module(module).commands).commands
        missing = [n for n, m in self._modules.items() if m == module and n not in built]
        if missing:
            raise LookupError(f"{module} declares no command {', '.join(missing)}")
        self._built.update((n, c) for n, c in built.items() if self._modules.get(n) == module)
        self._loaded.add(module)

    def __setitem__(self, name: str, command: Command) -> None:  # Click's add_command: already built
        self._modules.setdefault(name, "")
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._modules[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)
