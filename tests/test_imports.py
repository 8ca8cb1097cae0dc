"""No import cycles in ``src/toppypi``, counting imports inside functions.

The graph is built from the source with ``ast``: every ``import`` and ``from
... import`` anywhere in a module (at the top, inside functions, under
``TYPE_CHECKING``) is an edge to the module it names (``from pkg import mod``
names ``pkg.mod`` when that is a module). A package is not counted as
imported by its submodules. Dependencies must point down (cli -> operations
-> dataset, checks, site -> formats, engines -> model), so the graph must have
no cycle at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# Layers, top down (DESIGN.md): a module may import only from its own layer or below.
LAYERS: list[tuple[str, ...]] = [
    ("toppypi.cli", "toppypi.__main__"),
    ("toppypi.operations", "toppypi.api"),
    ("toppypi.dataset",),
    (
        "toppypi.checks",
        "toppypi.site",
        "toppypi.history",
        "toppypi.publish",
        "toppypi.movers",
        "toppypi.sample",
        "toppypi.sample_data",
        "toppypi.sample_log",
    ),
    ("toppypi.formats",),
    ("toppypi.engines", "toppypi.logs"),  # the local store and the access logs it reads
    ("toppypi.model", "toppypi.errors", "toppypi.atomic"),
    ("toppypi",),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in SRC.joinpath("toppypi").rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                subs = [f"{base}.{a.name}" for a in node.names]
                targets = [s for s in subs if s in files] or [base]
            for target in targets:
                while target and target not in files:  # ``import a.b.c`` names a.b.c's module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[tuple[str, ...]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(tuple(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_graph_is_read_whole() -> None:
    graph = import_graph()
    assert len(graph) > 90
    assert "toppypi.engines.catalog" in graph["toppypi.engines.interface"]
    # an import inside a function counts (the update command imports its operation lazily)
    assert "toppypi.operations.update" in graph["toppypi.cli.update"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [("a", "b", "c")]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_engines_and_model() -> None:
    found = cycles(import_graph())
    mine = [c for c in found if any(m.startswith(("toppypi.engines", "toppypi.model")) for m in c)]
    assert mine == []


def layer_of(module: str) -> int:
    best = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best[1]:
                best = i, len(p)
    assert best[0] >= 0, f"{module} is in no layer: add it to LAYERS"
    return best[0]


def test_no_import_cycles_at_all() -> None:
    assert cycles(import_graph()) == []


def test_dependencies_point_down() -> None:
    """cli -> operations -> dataset -> checks, site, history, publish -> formats -> engines
    -> model, imports inside functions included."""
    upward = [
        f"{a} -> {b}"
        for a, targets in sorted(import_graph().items())
        for b in sorted(targets)
        if layer_of(b) < layer_of(a) and a != "toppypi"  # the package's lazy facade
    ]
    assert upward == []
