"""Name -> object registries with lazy population and "did you mean" errors.

Modules that register things (``suite.tasks.*``, ``suite.baselines.*``) are
imported only when a registry is first read, so ``import suite`` stays cheap.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from typing import Generic, Iterator, TypeVar

from suite.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """A registry of one kind of object (``task``, ``method``, ``suite``)."""

    def __init__(self, kind: str, packages: tuple[str, ...] = (), entry_points: bool = False):
        self.kind = kind
        self._packages = packages
        self._entry_points = entry_points  # also import the ``netarena.methods`` entry points of installed packages
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, name: str, item: T) -> T:
        key = name.lower()
        if key in self._items and self._items[key] is not item:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._items[key] = item
        return item

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for package in self._packages:
            pkg = importlib.import_module(package)
            for info in pkgutil.iter_modules(pkg.__path__):
                if not info.name.startswith("_"):
                    importlib.import_module(f"{package}.{info.name}")
        if self._entry_points:
            from suite.submission import load_entry_points

            load_entry_points()

    def get(self, name: str) -> T:
        self._load()
        key = name.strip().lower()
        if key in self._items:
            return self._items[key]
        close = difflib.get_close_matches(key, list(self._items), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "no similar name is registered;"
        raise UnknownNameError(
            f"unknown {self.kind} {name!r}: {hint} (`netarena list {self.kind}s` shows all)"
        )

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items[n] for n in self.names())

    def __contains__(self, name: str) -> bool:
        self._load()
        return name.lower() in self._items

    def __len__(self) -> int:
        self._load()
        return len(self._items)


TASKS: Registry = Registry("task", ("suite.tasks",))
METHODS: Registry = Registry("method", ("suite.baselines",), entry_points=True)
SUITES: Registry = Registry("suite", ("suite.tasks",))
