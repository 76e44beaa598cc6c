"""The import floors: ``common/`` imports nothing else of mini_keras; ``backends/`` imports only
itself and ``common/``; frameworks are imported only in their own backend folder."""

import ast
import pathlib

import mini_keras
from mini_keras.backends import discovery

PACKAGE_DIR = pathlib.Path(mini_keras.__file__).parent


def _mini_keras_imports(path: pathlib.Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every mini_keras import in ``path``, function-local ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "<relative import>"))
    return [(line, name) for line, name in found
            if name == "<relative import>" or name.split(".")[0] == "mini_keras"]


def _offenders(folder: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE_DIR / folder).rglob("*.py")):
        for line, name in _mini_keras_imports(path):
            if name == "mini_keras" or not name.startswith(allowed):
                bad.append(f"{path.relative_to(PACKAGE_DIR)}:{line} imports {name}")
    return bad


def test_ground_floor_imports_nothing_else_of_mini_keras():
    assert not _offenders("common", ("mini_keras.common.",))


def test_backends_import_only_themselves_and_the_ground_floor():
    # `from mini_keras import backends` names mini_keras.backends itself.
    assert not _offenders("backends", ("mini_keras.backends", "mini_keras.common."))


def test_scanner_sees_function_local_and_relative_imports(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from mini_keras.core import variable\n"
                      "from . import x\nimport mini_keras.ops\nimport os\n")
    assert sorted(_mini_keras_imports(source)) == [
        (2, "mini_keras.core.variable"), (3, "<relative import>"), (4, "mini_keras.ops")]


def test_every_backend_folder_is_discovered():
    folders = {p.parent.name for p in (PACKAGE_DIR / "backends").glob("*/__init__.py")}
    assert folders - {"contract"} == {n for n, f in discovery.discover().items() if not f.plugin}


def _backend_files() -> list[pathlib.Path]:
    return sorted((PACKAGE_DIR / "backends").rglob("*.py"))


def test_no_backend_file_over_500_lines():
    long = {str(p.relative_to(PACKAGE_DIR)): n for p in _backend_files()
            if (n := len(p.read_text().splitlines())) > 500}
    assert not long


def test_module_names_say_what_is_inside():
    """No ``*_ext.py`` named after history, and one spelling per module name across backends
    (``shapes.py`` everywhere, never ``shape.py`` in one of them)."""
    stems = {p.stem for p in _backend_files()}
    assert not [s for s in stems if s.endswith("_ext")]
    assert not [(s, s + "s") for s in stems if s + "s" in stems]
