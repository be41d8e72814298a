"""The house's import rules, read from the code itself: imports go down.

- the library never imports its command line (only ``python -m budgetkit`` does);
- no module imports an underscore name from another module;
- the modules import each other without a cycle (imports inside functions count: a cycle that
  works only because an import is deferred is still a cycle; ``if TYPE_CHECKING:`` ones do not);
- what the package, the tests, the scripts and the notebooks import from a module is in its ``__all__``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "budgetkit"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (PACKAGE.parent / relative.with_suffix(".py")).is_file() or (PACKAGE.parent / relative / "__init__.py").is_file()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for statement in node.body for child in ast.walk(statement)}
    return skipped


def _imports() -> list[tuple[str, str, str | None]]:
    """(importer, imported module, name taken from it or None) for every import of a budgetkit module."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = _module_name(path)
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                found += [(importer, alias.name, None) for alias in node.names if alias.name.startswith("budgetkit")]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                if not source.startswith("budgetkit"):
                    continue
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    found.append((importer, submodule, None) if _is_module(submodule) else (importer, source, alias.name))
    return found


def test_the_library_never_imports_its_command_line():
    importers = sorted({importer for importer, module, _ in _imports()
                        if module == "budgetkit.cli" and importer != "budgetkit.__main__"})
    assert importers == []


def test_no_module_imports_a_private_name_of_another():
    private = sorted(f"{importer} imports {name} from {module}" for importer, module, name in _imports()
                     if name and name.startswith("_") and not name.startswith("__"))
    assert private == []


def test_the_modules_import_each_other_without_a_cycle():
    graph: dict[str, set[str]] = {}
    for importer, module, _ in _imports():
        # a package is initialised before its own modules: importing it from inside is no cycle
        if importer != module and not importer.startswith(module + "."):
            graph.setdefault(importer, set()).add(module)
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" → ".join(trail[trail.index(target):] + [node, target]) if target in trail
                              else f"{node} → {target}")
            elif target not in state:
                visit(target, [*trail, node])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def _sources_outside() -> list[tuple[str, str]]:
    """(file, code) of the tests, scripts, benchmarks and notebooks (their code cells)."""
    files = sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "scripts").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")])
    sources = [(str(path), path.read_text(encoding="utf-8")) for path in files]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        sources.append((str(notebook), "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")))
    return sources


def _declared_all(module: str) -> set[str] | None:
    relative = Path(*module.split("."))
    path = PACKAGE.parent / relative.with_suffix(".py")
    path = path if path.is_file() else PACKAGE.parent / relative / "__init__.py"
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return None


def test_what_is_imported_from_a_module_is_in_its_all():
    taken = [(importer, module, name) for importer, module, name in _imports() if name]
    for source, code in _sources_outside():
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("budgetkit"):
                taken += [(source, node.module, alias.name) for alias in node.names
                          if not _is_module(f"{node.module}.{alias.name}")]
    missing = sorted({f"{module}.{name} (imported by {importer})" for importer, module, name in taken
                      if importer != module and not name.startswith("__")
                      and name not in (_declared_all(module) or set())})
    assert missing == []


def test_the_rules_see_the_imports_they_check():
    """The reader finds the imports the rules are about, so the tests above cannot pass by finding none."""
    imports = _imports()
    assert ("budgetkit.__main__", "budgetkit.cli", "main") in imports
    assert any(importer.startswith("budgetkit.report") and module == "budgetkit.findings" for importer, module, _ in imports)
