"""Reference data every site needs (catalogues, categories), loaded by `flask seed`.

Each feature keeps its reference data and an idempotent loader in its ``seed.py``;
the app factory names every loader in one list (``register_seed_loaders``), so
nothing registers by being imported. `make run` calls them all, so a fresh
database and an old one end in the same state. A loader that builds on
another's rows names it in ``after`` (research news links to catalogue trials).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app


@dataclass(frozen=True)
class Loader:
    name: str
    func: Callable[[], int]
    after: tuple[str, ...] = ()


def in_order(loaders: Iterable[Loader]) -> list[Loader]:
    """Loaders with every loader named in ``after`` before them (list order otherwise)."""
    pending = list(loaders)
    names = [item.name for item in pending]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two reference loaders share a name: {names}")
    ordered: list[Loader] = []
    placed: set[str] = set()
    while pending:
        ready = [item for item in pending if all(dep in placed or dep not in names for dep in item.after)]
        if not ready:
            raise RuntimeError(f"reference loaders wait on each other: {[item.name for item in pending]}")
        for item in ready:
            ordered.append(item)
            placed.add(item.name)
            pending.remove(item)
    return ordered


def init_app(app: Flask, loaders: Iterable[Loader]) -> None:
    """Keep the app's loaders in the order they run (a circle of ``after`` fails at start-up)."""
    app.extensions["reference_loaders"] = in_order(loaders)


def loaders() -> list[Loader]:
    """The current app's loaders, in the order they run."""
    return list(current_app.extensions["reference_loaders"])


def load_all() -> list[tuple[str, int]]:
    """Run every loader of the current app; (name, rows added) for each."""
    return [(item.name, item.func()) for item in loaders()]
