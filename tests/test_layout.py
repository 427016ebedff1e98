"""The package's shape: no import cycles, small modules, and importing it stays cheap."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sync"
MAX_LINES = 400
#: A module may be longer when its docstring says why, after these words.
LONG_ON_PURPOSE = f"Over {MAX_LINES} lines on purpose:"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every sync module ``name`` imports, at the top or inside a function (a lazy
    import hides a cycle, it does not remove it); ``if TYPE_CHECKING`` blocks aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:  # from package import submodule
                    found.add(sub)
                elif base in known:
                    found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (``[a, b, …, a]``), or None."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                cycle = walk(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = walk(node)
            if cycle:
                return cycle
    return None


class TestImports:
    """Modules import each other in one direction: the data flow's."""

    def test_the_package_has_no_import_cycle(self) -> None:
        graph = import_graph()
        assert len(graph) > 30  # the walk found the package
        cycle = find_cycle(graph)
        assert cycle is None, "import cycle: " + " -> ".join(cycle or [])

    def test_the_cycle_finder_finds_a_lazy_cycle(self, tmp_path: Path) -> None:
        """A cycle closed by an import inside a function is still found."""
        a = tmp_path / "a.py"
        a.write_text("import sync.b\n")
        b = tmp_path / "b.py"
        b.write_text("def f():\n    from sync.a import x\n")
        known = {"sync.a", "sync.b"}
        graph = {"sync.a": imports_of("sync.a", a, known), "sync.b": imports_of("sync.b", b, known)}
        assert find_cycle(graph) == ["sync.a", "sync.b", "sync.a"]

    def test_import_sync_is_cheap(self) -> None:
        """``import sync`` loads none of the heavy steps (they are imported lazily).
        (That no module imports in a circle is test_the_package_has_no_import_cycle.)"""
        code = "import sys, sync; print(sorted(m for m in sys.modules if m.startswith('sync')))"
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == "['sync', 'sync.lazy']"

    def test_only_the_cli_imports_click(self) -> None:
        for name, path in modules().items():
            if name.startswith(("sync.cli", "sync.sandbox.__main__")):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                    module = node.module if isinstance(node, ast.ImportFrom) else None
                    assert "click" not in (*names, module), name


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_are_small_or_say_why(name: str) -> None:
    path = modules()[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines <= MAX_LINES:
        return
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert LONG_ON_PURPOSE in doc, (
        f"{path.relative_to(ROOT)} has {lines} lines (over {MAX_LINES}): split it along its"
        f" seams, or say why at its top ('{LONG_ON_PURPOSE} …')"
    )
