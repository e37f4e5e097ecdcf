"""The import graph of src/newsweave: no cycle, and no module reaching up a layer.

The layers (docs/design.md has the picture), lowest first. A module may import modules of its
own layer or of lower ones, never of a higher one:

0. the data model: records, errors, disjoint_sets, stopwords (a word list), caseless (a regex
   helper over str), kept (bounded caches)
1. stages, pure functions over records: ingest, clean, copies, sentences, nlp, pieces, embed,
   entities, time, claims, claim_slots, group, brief, settings, query
2. the store (the only code that knows SQL)
3. pipeline and runners (wire stages to the store)
4. the read side: export (the read model), briefing, disagreements, formats, attention, searches
5. the Python API (api), and watch (polling rounds over it)
6. front ends: cli, web, and the package itself (``newsweave.open``)

Imports under ``if TYPE_CHECKING:`` are annotations only and are not counted. A new top-level
module must be placed in a layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "newsweave"

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"records", "errors", "disjoint_sets", "stopwords", "caseless", "kept"}),
    frozenset(
        {
            "ingest",
            "clean",
            "copies",
            "sentences",
            "nlp",
            "pieces",
            "embed",
            "entities",
            "time",
            "claims",
            "claim_slots",
            "group",
            "brief",
            "settings",
            "query",
        }
    ),
    frozenset({"store"}),
    frozenset({"pipeline", "runners"}),
    frozenset({"export", "briefing", "disagreements", "formats", "attention", "searches"}),
    frozenset({"api", "watch"}),
    frozenset({"cli", "web", "__init__"}),
)
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """(imported newsweave module, line, at module level) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name in modules:
                        found.append((alias.name, child.lineno, top))
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    sub = f"{child.module}.{alias.name}"
                    target = sub if sub in modules else child.module
                    if target in modules:
                        found.append((target, child.lineno, top))
            inner = top and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            visit(child, inner)

    visit(tree, True)
    return found


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_has_a_layer() -> None:
    unplaced = sorted({_top(m) for m in _modules()} - set(LAYER_OF))
    assert not unplaced, f"place these in a layer in tests/test_layers.py: {unplaced}"


def test_no_module_reaches_up_a_layer() -> None:
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        here = LAYER_OF.get(_top(name))
        for target, line, _ in _imports(path, modules):
            there = LAYER_OF.get(_top(target))
            if here is not None and there is not None and there > here:
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {target}")
    assert not wrong, "imports that reach up a layer:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    modules = _modules()
    graph = {
        name: sorted({t for t, _, top in _imports(path, modules) if top and t != name})
        for name, path in modules.items()
    }
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []
    cycles: list[str] = []

    def dfs(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                dfs(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            dfs(name)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    """The checks above can fail: an upward import in a stage module is found."""
    fake = tmp_path / "newsweave"
    fake.mkdir()
    (fake / "brief.py").write_text("from newsweave.api import Newsweave\n")
    (fake / "api.py").write_text("from newsweave import brief\n")
    modules = {"newsweave.brief": fake / "brief.py", "newsweave.api": fake / "api.py"}
    assert _imports(fake / "brief.py", modules) == [("newsweave.api", 1, True)]
    assert LAYER_OF[_top("newsweave.api")] > LAYER_OF[_top("newsweave.brief")]
