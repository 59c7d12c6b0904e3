"""The package's import rules, read from the source with ``ast`` (nothing is imported).

Layers import one way only: engine < experiments < analysis < views < cli, with version.py
below everything and the top-level ``__init__.py`` / ``__main__.py`` above everything. No
module imports a private name (``_x``) from another, and no two modules import each other,
however indirectly. Imports inside functions and under ``if TYPE_CHECKING:`` count too: a
lazy import still ties the layers together.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "fazhi_sim"

LAYERS = {"version": -1, "engine": 0, "experiments": 1, "analysis": 2, "views": 3, "cli": 4,
          # Worked examples are a researcher's code: they may use any layer, none uses them.
          "examples": 5}
TOP = 6
"""Layer of the package's own ``__init__`` and ``__main__``, which may import anything."""


@dataclass(frozen=True)
class Import:
    """One import of one package module by another, where it is written."""

    source: str
    target: str
    names: tuple[str, ...]
    file: Path
    line: int
    context: str = ""

    def where(self, root: Path) -> str:
        return f"{self.file.relative_to(root.parent)}:{self.line}"

    @property
    def note(self) -> str:
        # Says where a lazy or type-only import hides, since that is where it gets missed.
        return f" ({self.context})" if self.context else ""


def module_names(pkg_dir: Path) -> dict[str, Path]:
    """Every module of the package, dotted name to file."""
    out = {}
    for f in sorted(pkg_dir.rglob("*.py")):
        parts = list(f.relative_to(pkg_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = f
    return out


def _base(module: str, file: Path, level: int, name: str | None) -> str:
    # A package's __init__ is its own anchor for ``from . import``; a module's is its parent.
    package = module if file.name == "__init__.py" else module.rpartition(".")[0]
    parts = package.split(".")
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    return f"{base}.{name}" if name else base


def imports(pkg_dir: Path) -> list[Import]:
    """Every import of a package module by a package module, at any depth of the code."""
    modules = module_names(pkg_dir)
    package = pkg_dir.name
    out = []
    for source, file in modules.items():
        tree = ast.parse(file.read_text("utf-8"), filename=str(file))
        for node, context in _walk(tree, ""):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == package or alias.name.startswith(package + "."):
                        target = _known(alias.name, modules)
                        out.append(Import(source, target, (), file, node.lineno, context))
            elif isinstance(node, ast.ImportFrom):
                base = (_base(source, file, node.level, node.module) if node.level
                        else node.module or "")
                if not (base == package or base.startswith(package + ".")):
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    target = sub if sub in modules else _known(base, modules)
                    out.append(Import(source, target, (alias.name,), file, node.lineno,
                                      context))
    return out


def _walk(node: ast.AST, context: str):
    # ast.walk, but remembering whether a node sits in a function or a TYPE_CHECKING block.
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for stmt in node.body:
            yield from _walk(stmt, "under TYPE_CHECKING")
        for stmt in node.orelse:
            yield from _walk(stmt, context)
        return
    yield node, context
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and not context:
        context = "in a function"
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, context)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _known(name: str, modules: dict[str, Path]) -> str:
    # ``import pkg.a.b.attr`` cannot name an attribute, but a missing module still belongs
    # to its nearest existing package for the layer check.
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name


def layer(module: str) -> int | None:
    """The layer of a module, or None if its subpackage has no layer yet."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return TOP
    return LAYERS.get(parts[1])


def layer_problems(pkg_dir: Path) -> list[str]:
    """Imports against the layer order, and modules that belong to no layer."""
    root = pkg_dir
    problems = []
    for mod, file in module_names(pkg_dir).items():
        if layer(mod) is None:
            problems.append(f"{file.relative_to(root.parent)}:1: {mod} is in no layer "
                            f"(add its subpackage to LAYERS in tests/test_layers.py)")
    for imp in imports(pkg_dir):
        src, dst = layer(imp.source), layer(imp.target)
        if src is not None and dst is not None and dst > src:
            problems.append(f"{imp.where(root)}: {imp.source} (layer {src}) imports "
                            f"{imp.target} (layer {dst}), a higher layer{imp.note}")
    return problems


def private_problems(pkg_dir: Path) -> list[str]:
    """``from X import _name`` of another module's private name."""
    problems = []
    for imp in imports(pkg_dir):
        for name in imp.names:
            private = name.startswith("_") and not (name.startswith("__")
                                                    and name.endswith("__"))
            if private and imp.target != imp.source:
                problems.append(f"{imp.where(pkg_dir)}: {imp.source} imports the private "
                                f"name {name} from {imp.target}{imp.note}")
    return problems


def cycle_problems(pkg_dir: Path) -> list[str]:
    """One line per import cycle, naming every import on it with its file and line."""
    edges: dict[str, dict[str, Import]] = {}
    for imp in imports(pkg_dir):
        edges.setdefault(imp.source, {}).setdefault(imp.target, imp)
    problems = []
    for component in _strongly_connected(edges):
        nodes = set(component)
        if len(nodes) == 1:
            (only,) = nodes
            if only not in edges.get(only, {}):
                continue
        cycle = _cycle_through(min(nodes), nodes, edges)
        steps = [f"{a} -> {b} ({_located(edges[a][b], pkg_dir)})"
                 for a, b in pairwise(cycle)]
        problems.append("import cycle: " + "; ".join(steps))
    return problems


def _located(imp: Import, root: Path) -> str:
    return ", ".join(x for x in (imp.where(root), imp.context) if x)


def _strongly_connected(edges: dict[str, dict[str, Import]]) -> list[list[str]]:
    # Tarjan's algorithm, iterative so a deep package cannot exhaust the recursion limit.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    nodes = sorted(set(edges) | {t for out in edges.values() for t in out})
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    found.append(sorted(comp))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, {})))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def _cycle_through(start: str, nodes: set[str], edges: dict[str, dict[str, Import]]
                   ) -> list[str]:
    # Shortest path back to ``start`` inside the component (breadth first).
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(edges.get(node, {})):
            if nxt == start:
                return paths[node] + [start]
            if nxt in nodes and nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


# ---------------------------------------------------------------------- the package
PKG = ROOT / PACKAGE


def test_no_import_cycles():
    problems = cycle_problems(PKG)
    assert not problems, "\n".join(problems)


def test_layers_import_downward_only():
    problems = layer_problems(PKG)
    assert not problems, "\n".join(problems)


def test_no_private_names_imported_from_other_modules():
    problems = private_problems(PKG)
    assert not problems, "\n".join(problems)


def test_the_checker_sees_the_whole_package():
    found = imports(PKG)
    assert len(module_names(PKG)) > 30 and len(found) > 50
    # A lazy import inside a function is seen, resolved from its relative form.
    lazy = [i for i in found if i.source == PACKAGE and i.target == f"{PACKAGE}.views.dashboard"]
    assert lazy, "the dashboard import inside fazhi_sim.__getattr__ was not found"


# ---------------------------------------------------------------------- the checker
def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / PACKAGE
    for name, text in files.items():
        f = pkg / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return pkg


CLEAN = {
    "__init__.py": "from .views.show import show\nfrom .version import __version__\n",
    "version.py": "__version__ = '1'\n",
    "engine/__init__.py": "",
    "engine/model.py": "from ..version import __version__\nimport numpy\n",
    "experiments/__init__.py": "",
    "experiments/run.py": "from ..engine import model\nfrom fazhi_sim.engine.model import X\n",
    "views/__init__.py": "",
    "views/show.py": "from ..experiments.run import run\nfrom . import helpers\n",
    "views/helpers.py": "import fazhi_sim.engine.model\n",
}


def test_checker_passes_a_clean_tree(tmp_path):
    pkg = _tree(tmp_path, CLEAN)
    assert cycle_problems(pkg) == []
    assert layer_problems(pkg) == []
    assert private_problems(pkg) == []
    targets = {(i.source, i.target) for i in imports(pkg)}
    assert ("fazhi_sim.experiments.run", "fazhi_sim.engine.model") in targets  # from .. import
    assert ("fazhi_sim.views.show", "fazhi_sim.views.helpers") in targets       # from . import


def test_checker_reports_an_upward_import_inside_a_function(tmp_path):
    pkg = _tree(tmp_path, {**CLEAN, "engine/model.py": """
        import numpy


        def plot():
            from ..views.show import show
            return show
        """})
    (problem,) = layer_problems(pkg)
    assert problem == ("fazhi_sim/engine/model.py:5: fazhi_sim.engine.model (layer 0) imports "
                       "fazhi_sim.views.show (layer 3), a higher layer (in a function)")


def test_checker_reports_an_upward_import_under_type_checking(tmp_path):
    pkg = _tree(tmp_path, {**CLEAN, "experiments/run.py": """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from fazhi_sim.analysis import fit
        """, "analysis/__init__.py": "", "analysis/fit.py": ""})
    (problem,) = layer_problems(pkg)
    assert problem.startswith("fazhi_sim/experiments/run.py:4:")
    assert problem.endswith("fazhi_sim.analysis.fit (layer 2), a higher layer "
                            "(under TYPE_CHECKING)")


def test_checker_reports_the_version_and_top_layers(tmp_path):
    pkg = _tree(tmp_path, {**CLEAN, "version.py": "from .engine import model\n",
                           "engine/model.py": "import fazhi_sim\n"})
    problems = layer_problems(pkg)
    assert any(p.startswith("fazhi_sim/version.py:1: fazhi_sim.version (layer -1)")
               for p in problems)
    assert any(p.startswith("fazhi_sim/engine/model.py:1:") and "fazhi_sim (layer 6)" in p
               for p in problems)


def test_checker_reports_a_module_in_no_layer(tmp_path):
    pkg = _tree(tmp_path, {**CLEAN, "gadgets/__init__.py": ""})
    (problem,) = layer_problems(pkg)
    assert problem.startswith("fazhi_sim/gadgets/__init__.py:1: fazhi_sim.gadgets is in no")


def test_checker_reports_a_cycle_with_every_import_on_it(tmp_path):
    pkg = _tree(tmp_path, {**CLEAN,
                           "engine/a.py": "from . import b\n",
                           "engine/b.py": "import os\n\n\ndef f():\n    from .c import g\n",
                           "engine/c.py": "import fazhi_sim.engine.a\n"})
    (problem,) = cycle_problems(pkg)
    assert problem == (
        "import cycle: fazhi_sim.engine.a -> fazhi_sim.engine.b (fazhi_sim/engine/a.py:1); "
        "fazhi_sim.engine.b -> fazhi_sim.engine.c (fazhi_sim/engine/b.py:5, in a function); "
        "fazhi_sim.engine.c -> fazhi_sim.engine.a (fazhi_sim/engine/c.py:1)")


def test_checker_reports_a_module_importing_itself(tmp_path):
    pkg = _tree(tmp_path, {**CLEAN, "engine/a.py": "from fazhi_sim.engine.a import x\n"})
    (problem,) = cycle_problems(pkg)
    assert "fazhi_sim.engine.a -> fazhi_sim.engine.a (fazhi_sim/engine/a.py:1)" in problem


@pytest.mark.parametrize("line", ["from .model import _helper",
                                  "from fazhi_sim.engine.model import _helper",
                                  "from . import _helper"])
def test_checker_reports_a_private_import(tmp_path, line):
    pkg = _tree(tmp_path, {**CLEAN, "engine/flow.py": f"import os\n{line}\n"})
    (problem,) = private_problems(pkg)
    assert problem.startswith("fazhi_sim/engine/flow.py:2: fazhi_sim.engine.flow imports the "
                              "private name _helper")


def test_dunder_names_are_not_private(tmp_path):
    pkg = _tree(tmp_path, CLEAN)  # CLEAN imports __version__
    assert private_problems(pkg) == []
