"""The house's dependency direction, read from the source with `ast` (nothing is imported).

    wiring    community/__init__.py (the factory), cli.py, demo.py, generate.py, header.py
      |
    features  community/<feature>/  (account, admin, auth, forum, insights, main, messages,
      |                              moderation, news, search, tracking, trials)
    core      community/permissions.py (the Guardian), audit.py, mail.py, security.py
      |
    models    community/models/
      |
    infra     db, extensions, errors, config, rendering, forms, views, reference, ...

Every import — at module level and inside functions — is an edge. A module may import its
own layer or one below, never one above; models never import features or the Guardian. A
feature may use another feature's services, never its ``views`` (views are the web edge:
a rule that two features share belongs in a service). Package ``__init__``s import nothing
(no registration by side effect: the factory names every blueprint, command and seed loader).
And the module graph has no cycles, in-function imports included: an import moved into a
function so that a cycle stops failing at start-up is still a cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "community"

# Edges the house tolerates until the refactor of issue #14 lands; each names its fix. The
# integrator empties this after merging the moderation and forum splits and the trials work.
# An entry whose import no longer exists fails the test too, so the list can only shrink.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}

WIRING = {"community", "community.cli", "community.demo", "community.generate", "community.header"}
CORE = {"community.permissions", "community.audit", "community.mail", "community.security"}
LAYERS = ("infra", "models", "core", "features", "wiring")
# Package __init__s that exist to gather: the factory, and models/ (Alembic and the personal
# data registry must see every table).
GATHERING_INITS = {"community", "community.models"}


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    in_function: str | None  # the enclosing function's name, None at module level


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(name: str) -> str | None:
    """The community module an imported name lives in (``community.db.db`` -> ``community.db``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool):
        self.module, self.is_package = module, is_package
        self.functions: list[str] = []
        self.found: list[Import] = []

    def _function(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def _add(self, name: str, line: int) -> None:
        target = resolve(name)
        if target and target != self.module:
            self.found.append(Import(self.module, target, line, self.functions[-1] if self.functions else None))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module if self.is_package else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        for alias in node.names:
            # `from community.trials import importer` imports a module; `from community.db
            # import db` imports a name from one.
            full = f"{base}.{alias.name}"
            self._add(full if full in MODULES else base, node.lineno)


def _collect() -> list[Import]:
    found: list[Import] = []
    for name, path in MODULES.items():
        collector = _Collector(name, path.name == "__init__.py")
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found += collector.found
    return list(dict.fromkeys(found))  # `from x import a, b` is one import


IMPORTS = _collect()


def layer(module: str) -> str:
    if module in WIRING:
        return "wiring"
    if module in CORE:
        return "core"
    if module == "community.models" or module.startswith("community.models."):
        return "models"
    if MODULES[module].parent != PACKAGE:  # community/<feature>/...
        return "features"
    return "infra"


def feature(module: str) -> str | None:
    return module.split(".")[1] if layer(module) == "features" else None


def _where(imp: Import) -> str:
    path = MODULES[imp.source].relative_to(ROOT)
    inside = f" (inside {imp.in_function}())" if imp.in_function else ""
    return f"{path}:{imp.line}{inside} imports {imp.target}"


def _offending(imports, rule) -> list[str]:
    return sorted(_where(imp) for imp in imports if rule(imp) and (imp.source, imp.target) not in KNOWN_VIOLATIONS)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def _graph(imports) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in imports:
        if (imp.source, imp.target) not in KNOWN_VIOLATIONS:
            graph[imp.source].add(imp.target)
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A shortest import path from start to goal, or None."""
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node]):
                if nxt in previous:
                    continue
                previous[nxt] = node
                if nxt == goal:
                    path = [nxt]
                    while previous[path[-1]] is not None:
                        path.append(previous[path[-1]])
                    return path[::-1]
                following.append(nxt)
        frontier = following
    return None


def _in_function_counts() -> str:
    counts: dict[str, int] = defaultdict(int)
    for imp in IMPORTS:
        if imp.in_function:
            counts[imp.source] += 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "in-function imports of community modules, per module:\n" + "\n".join(
        f"  {count:3}  {name}" for name, count in rows)


def test_the_source_is_read():
    """A parser that finds nothing would pass every rule below."""
    assert len(MODULES) > 100 and len(IMPORTS) > 500
    assert {layer(name) for name in MODULES} == set(LAYERS)
    assert any(imp.source == "community.cli" and imp.target == "community.backup" and imp.in_function == "backup"
               for imp in IMPORTS)  # `from community.backup import ...` inside `flask backup`


def test_every_import_points_down_or_sideways():
    """A module imports its own layer or a lower one: features -> core (Guardian) -> models -> infra."""
    rank = {name: LAYERS.index(layer(name)) for name in MODULES}
    upward = _offending(IMPORTS, lambda imp: rank[imp.target] > rank[imp.source])
    assert not upward, "imports that point up a layer (" + " < ".join(LAYERS) + "):\n" + "\n".join(upward)


def test_models_never_import_features_or_the_guardian():
    """Models are columns and small invariants: they know nothing of who may do what."""
    wrong = _offending(IMPORTS, lambda imp: layer(imp.source) == "models"
                       and layer(imp.target) in ("core", "features", "wiring"))
    assert not wrong, "\n".join(wrong)


def test_no_feature_imports_another_features_views():
    """Views are the web edge; what two features share lives in a service."""
    wrong = _offending(IMPORTS, lambda imp: imp.source not in WIRING and imp.target.endswith(".views")
                       and layer(imp.target) == "features" and feature(imp.target) != feature(imp.source))
    assert not wrong, "\n".join(wrong)


def test_package_inits_register_nothing_by_side_effect():
    """Blueprints, commands and seed loaders are named by the factory, not imported into being."""
    wrong = _offending(IMPORTS, lambda imp: MODULES[imp.source].name == "__init__.py"
                       and imp.source not in GATHERING_INITS and not imp.in_function)
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules():
    """Strongly connected components of the module graph, in-function imports included."""
    cycles = _strongly_connected(_graph(IMPORTS))
    assert not cycles, "import cycles (each line is one strongly connected group):\n" + "\n".join(
        " <-> ".join(component) for component in cycles)


def test_no_in_function_import_only_dodges_a_cycle():
    """An import inside a function whose target imports the caller back at module level."""
    top_level = _graph([imp for imp in IMPORTS if not imp.in_function])
    dodges = []
    for imp in IMPORTS:
        if not imp.in_function or (imp.source, imp.target) in KNOWN_VIOLATIONS:
            continue
        back = _reaches(top_level, imp.target, imp.source)
        if back:
            dodges.append(f"{_where(imp)}, which imports it back: {' -> '.join(back)}")
    assert not dodges, "\n".join(sorted(dodges)) + "\n\n" + _in_function_counts()


def test_known_violations_still_exist():
    """The allow-list only shrinks: an entry whose import is gone must be deleted."""
    present = {(imp.source, imp.target) for imp in IMPORTS}
    stale = [f"{source} -> {target}: {why}" for (source, target), why in KNOWN_VIOLATIONS.items()
             if (source, target) not in present]
    assert not stale, "fixed, delete from KNOWN_VIOLATIONS:\n" + "\n".join(stale)
