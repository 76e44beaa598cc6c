"""Package scans for the floors of the code (issue 12): who may touch the backend registry, and
how long a file may grow.

Code above the backends computes through ``mini_keras.ops``; only the places named in
ARCHITECTURE.md ("Who may touch the backend") call ``backends.current()`` / ``backends.get()``
or import ``current`` / ``get`` from ``mini_keras.backends``. Asking the registry a question
(``backend_scope``, ``current_name``, ``supports``, ``optional_hook``) is allowed everywhere.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mini_keras

PACKAGE_DIR = Path(mini_keras.__file__).parent
_REGISTRY_MODULE = "mini_keras.backends"
_FORBIDDEN = frozenset(("current", "get"))

# Places that must hold the backend module itself (keep this short; each is justified in
# ARCHITECTURE.md, "Who may touch the backend").
ALLOWED_PATHS = (
    "backends/",          # the backends and their registry
    "ops/",               # the op layer: dispatches each op to the current backend
    "core/variable.py",   # a Variable stores a backend handle (variable_create/read/assign)
    "distribution/",      # checks a distribution's backend can be imported
)
# The trainer's glue with the backend: compile a step, differentiate it, feed it host batches.
ALLOWED_FUNCTIONS = {
    "trainers/trainer.py": ("_compile_fn", "_to_backend", "predict"),
}
# Sites outside the allowed places that other work items still port (the files belong to other
# owners). Each entry must still exist, so the list only shrinks: delete an entry when its site
# goes through ops.
PENDING = {
    ("config.py", "device"),  # the ground floor's config (struct-ground) asks the backend itself
}


def backend_access_sites(source: str) -> list[tuple[str, int, str]]:
    """``(enclosing function, line, what)`` for every registry access in ``source``.

    Sees ``backends.current()`` / ``backends.get(name)`` through any alias of the module
    (``from mini_keras import backends as b``, ``import mini_keras.backends as b``, relative
    imports), the dotted ``mini_keras.backends.get(...)``, and ``from mini_keras.backends import
    current`` / ``get``.
    """
    tree = ast.parse(source)
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            for name in node.names:
                if name.name == "backends" and (module in ("mini_keras", "") or node.level):
                    aliases.add(name.asname or name.name)
        elif isinstance(node, ast.Import):
            for name in node.names:
                if name.name == _REGISTRY_MODULE and name.asname:
                    aliases.add(name.asname)

    def is_registry(expr) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in aliases
        return (isinstance(expr, ast.Attribute) and expr.attr == "backends"
                and isinstance(expr.value, ast.Name) and expr.value.id == "mini_keras")

    sites = []

    def visit(node, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _FORBIDDEN and is_registry(node.func.value)):
                sites.append((function, node.lineno, f"backends.{node.func.attr}()"))
        if isinstance(node, ast.ImportFrom):
            relative_registry = node.level and node.module == "backends"
            if node.module == _REGISTRY_MODULE or relative_registry:
                for name in node.names:
                    if name.name in _FORBIDDEN:
                        sites.append((function, node.lineno, f"import {name.name}"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return sites


def _package_sites():
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        if rel.startswith(ALLOWED_PATHS):
            continue
        for function, line, what in backend_access_sites(path.read_text()):
            if function in ALLOWED_FUNCTIONS.get(rel, ()):
                continue
            found.append((rel, function, line, what))
    return found


def test_backend_access_only_in_the_named_places():
    offenders = [f"{rel}:{line} in {function}(): {what}"
                 for rel, function, line, what in _package_sites()
                 if (rel, function) not in PENDING]
    assert not offenders, ("code above the backends must go through mini_keras.ops:\n"
                           + "\n".join(offenders))


def test_pending_backend_sites_still_exist():
    """A ported site must leave PENDING, so the allowance never outlives its reason."""
    remaining = {(rel, function) for rel, function, _, _ in _package_sites()}
    stale = sorted(PENDING - remaining)
    assert not stale, f"ported: remove from PENDING: {stale}"


def test_scanner_sees_every_access_form():
    source = (
        "from mini_keras import backends\n"
        "from mini_keras import backends as bk\n"
        "import mini_keras.backends as reg\n"
        "import mini_keras\n"
        "from mini_keras.backends import current, backend_scope\n"
        "from ..backends import get\n"
        "def f():\n"
        "    backends.current().add(1, 2)\n"
        "    bk.get('numpy')\n"
        "    reg.current()\n"
        "    mini_keras.backends.get('torch')\n"
        "    backends.backend_scope('numpy'); backends.optional_hook('lstm')\n"
        "    backends.supports('float64'); backends.current_name()\n"
        "    other.get('x'); {}.get('y')\n"
    )
    sites = backend_access_sites(source)
    assert sorted((line, what) for _, line, what in sites) == [
        (5, "import current"), (6, "import get"), (8, "backends.current()"),
        (9, "backends.get()"), (10, "backends.current()"), (11, "backends.get()")]
    assert {function for function, line, _ in sites if line > 7} == {"f"}


# -- file sizes -------------------------------------------------------------------------------
MAX_LINES = 500
# Held back from the limit until their own work item splits them (struct-backends): delete the
# entry when it lands, so every file of the package is held to the limit.
SIZE_EXEMPT = ("backends/",)


def test_no_file_over_500_lines():
    too_long = {rel: n for path in sorted(PACKAGE_DIR.rglob("*.py"))
                if not (rel := path.relative_to(PACKAGE_DIR).as_posix()).startswith(SIZE_EXEMPT)
                and (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not too_long, f"split these by purpose (limit {MAX_LINES} lines): {too_long}"
