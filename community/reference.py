"""Reference data every site needs (catalogues, categories), loaded by `flask seed`.

Each feature registers an idempotent loader; `make run` calls them all, so a
fresh database and an old one end in the same state. A loader that builds on
another's rows names it in ``after`` (research news links to catalogue trials).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Loader:
    name: str
    func: Callable[[], int]
    after: tuple[str, ...]


_loaders: dict[str, Loader] = {}


def loader(name: str, after: tuple[str, ...] = ()):
    """Register an idempotent loader that returns how many rows it added."""

    def decorate(func: Callable[[], int]) -> Callable[[], int]:
        _loaders[name] = Loader(name, func, after)
        return func

    return decorate


def in_order() -> list[Loader]:
    """Loaders with every loader named in ``after`` before them (registration order otherwise)."""
    ordered: list[Loader] = []
    placed: set[str] = set()
    pending = list(_loaders.values())
    while pending:
        ready = [item for item in pending if all(dep in placed or dep not in _loaders for dep in item.after)]
        if not ready:
            raise RuntimeError(f"reference loaders wait on each other: {[item.name for item in pending]}")
        for item in ready:
            ordered.append(item)
            placed.add(item.name)
            pending.remove(item)
    return ordered


def load_all() -> list[tuple[str, int]]:
    return [(item.name, item.func()) for item in in_order()]
