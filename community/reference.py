"""Reference data every site needs (catalogues, categories), loaded by `flask seed`.

Each feature registers an idempotent loader; `make run` calls them all, so a
fresh database and an old one end in the same state.
"""

from __future__ import annotations

from collections.abc import Callable

_loaders: list[tuple[str, Callable[[], int]]] = []


def loader(name: str):
    """Register an idempotent loader that returns how many rows it added."""

    def decorate(func: Callable[[], int]) -> Callable[[], int]:
        _loaders.append((name, func))
        return func

    return decorate


def load_all() -> list[tuple[str, int]]:
    return [(name, func()) for name, func in _loaders]
