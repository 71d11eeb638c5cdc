"""The package's import structure: private modules import one way, from the basic modules up, and
no module uses another's private names."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lazyrich"
#: Declared order: a module may import only modules before it.
ORDER = ["_validation", "_linalg", "_measures", "_tasks", "_initialisation", "_kernels", "_exact",
         "_simulation", "_deep", "_protocols", "plotting", "widgets", "report", "__init__"]


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, imported names, line) for every package-relative import, anywhere in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out.append((node.module or "", [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lazyrich"):
            out.append((node.module.split(".", 1)[1] if "." in node.module else "__init__",
                        [a.name for a in node.names], node.lineno))
    return out


def test_every_module_is_in_the_declared_order():
    modules = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert sorted(ORDER) == modules


@pytest.mark.parametrize("name", ORDER)
def test_imports_run_one_way(name):
    for module, _, line in imports(PACKAGE / f"{name}.py"):
        assert module in ORDER, f"{name}.py:{line} imports unknown module {module!r}"
        assert ORDER.index(module) < ORDER.index(name), \
            f"{name}.py:{line} imports {module}, which comes later in {ORDER}"


@pytest.mark.parametrize("name", ORDER)
def test_no_private_names_cross_modules(name):
    for module, names, line in imports(PACKAGE / f"{name}.py"):
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{name}.py:{line} imports private names {private} from {module}"


@pytest.mark.parametrize("name", ORDER[:-1])
def test_no_imports_inside_functions_from_the_package(name):
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            assert id(node) in top, f"{name}.py:{node.lineno} imports from the package inside a function"


def test_the_checker_catches_a_backward_import(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("def f():\n    from ._exact import _log_k\n")
    (module, names, _), = imports(bad)
    assert module == "_exact" and names == ["_log_k"]
