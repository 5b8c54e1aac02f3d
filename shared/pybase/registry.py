"""One small registry for every "named thing chosen at run time": field types, view types, file
formats (extractors), formula functions and search backends.

All of them behave alike: registering a name twice is a programming error and raises at import
time (a later module silently replacing an earlier one hid bugs), and looking up an unknown name
raises UnknownName, which says what was asked for and what exists. Domains that answer an unknown
name to a client translate it into their own API error. A registry may name a module to import (or a
function to call) on first lookup, which registers the entries, so importing the registry alone
stays cheap (cold starts).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class DuplicateName(RuntimeError):
    """A name registered twice in one registry."""


class UnknownName(LookupError):
    """A lookup of a name nobody registered."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(f"Unknown {kind} {name!r}; known: {', '.join(known) or 'none'}.")
        self.kind = kind
        self.name = name
        self.known = known


class Registry(Generic[T]):
    """Entries by name, in registration order."""

    def __init__(
        self,
        kind: str,
        *,
        load: str | Callable[[], object] | None = None,
        normalize: Callable[[str], str] | None = None,
    ) -> None:
        self.kind = kind  # what an entry is, for error messages ("field type")
        self._entries: dict[str, T] = {}
        self._load = load  # a module whose import registers the entries, or a function that does
        self._loaded = load is None
        self._normalize = normalize or (lambda name: name)

    def add(self, name: str, entry: T) -> T:
        key = self._normalize(name)
        if key in self._entries:
            raise DuplicateName(f"{self.kind} {name!r} registered twice")
        self._entries[key] = entry
        return entry

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            # Set first: the imported modules register (and may look up) while being imported.
            self._loaded = True
            if isinstance(self._load, str):
                importlib.import_module(self._load)
            elif self._load is not None:
                self._load()

    def find(self, name: str) -> T | None:
        self._ensure_loaded()
        return self._entries.get(self._normalize(name))

    def get(self, name: str) -> T:
        found = self.find(name)
        if found is None:
            raise UnknownName(self.kind, name, self.names())
        return found

    def names(self) -> list[str]:
        self._ensure_loaded()
        return sorted(self._entries)

    def values(self) -> list[T]:
        self._ensure_loaded()
        return list(self._entries.values())

    def items(self) -> list[tuple[str, T]]:
        self._ensure_loaded()
        return list(self._entries.items())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None

    def __iter__(self) -> Iterator[str]:
        self._ensure_loaded()
        return iter(list(self._entries))

    def __len__(self) -> int:
        self._ensure_loaded()
        return len(self._entries)
