"""The layout's rules, checked on the source (docs/architecture.md): no module imports
the module that calls it (the import graph of both packages has no cycle, imports made
only for types included), and the language services import no protocol."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "waivern_orchestration": REPO / "core" / "waivern_orchestration",
    "waivern_lsp": REPO / "server" / "waivern_lsp",
}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, root in PACKAGES.items():
        for path in root.rglob("*.py"):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(path: Path) -> Iterator[str]:
    """Every module name an import in the file may refer to (`from a import b`: `a`, `a.b`)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_module_imports_its_caller() -> None:
    modules = _modules()
    graph: nx.DiGraph[str] = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imported(path):
            if target in modules and target != name:
                graph.add_edge(name, target)

    cycles = [" → ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(graph)]
    assert cycles == []


def test_the_language_services_speak_no_protocol() -> None:
    language = PACKAGES["waivern_lsp"] / "language"
    offenders = {
        f"{path.relative_to(language)}: {target}"
        for path in language.rglob("*.py")
        for target in _imported(path)
        if target.split(".")[0] in ("pygls", "lsprotocol")
        or target.startswith(("waivern_lsp.server", "waivern_lsp.features", "waivern_lsp.runs"))
    }
    assert offenders == set()
