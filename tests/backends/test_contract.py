"""Every backend exports the whole contract with identical signatures, and stays in its folder."""

import inspect
import pathlib
import re

import pytest

import mini_keras
from mini_keras import backends, config
from mini_keras.backends import contract, discovery

PACKAGE_DIR = pathlib.Path(mini_keras.__file__).parent
# Every discovered backend's framework except numpy (which the whole package may use).
FRAMEWORKS = tuple(sorted({facts.framework for facts in discovery.discover().values()
                           if facts.framework and facts.framework != "numpy"}))
CONTRACT_FUNCTIONS = contract.functions()


def _installed_backend(name):
    if name not in backends.available():
        pytest.skip(f"backend {name!r} not installed")
    return backends.get(name)


def _describe(signature):
    return [(p.name, p.kind.name, p.default) for p in signature.parameters.values()]


def test_contract_is_not_empty():
    assert len(CONTRACT_FUNCTIONS) > 100
    assert {"add", "conv", "value_and_grad", "compile"} <= set(CONTRACT_FUNCTIONS)


@pytest.mark.parametrize("name", backends.names())
def test_backend_exports_every_contract_function(name):
    module = _installed_backend(name)
    missing = sorted(fn for fn in CONTRACT_FUNCTIONS if not callable(getattr(module, fn, None)))
    assert not missing, f"backend {name!r} is missing {missing}"


@pytest.mark.parametrize("name", backends.names())
def test_backend_signatures_match_contract(name):
    module = _installed_backend(name)
    mismatched = []
    for fn_name, reference in CONTRACT_FUNCTIONS.items():
        implementation = getattr(module, fn_name, None)
        if not callable(implementation):
            continue  # reported by test_backend_exports_every_contract_function
        expected = _describe(inspect.signature(reference))
        received = _describe(inspect.signature(implementation))
        if expected != received:
            mismatched.append(f"{fn_name}: expected {expected}, received {received}")
    assert not mismatched, f"backend {name!r}:\n" + "\n".join(mismatched)


@pytest.mark.parametrize("name", backends.names())
def test_backend_module_knows_its_name(name):
    assert _installed_backend(name).name == name


_IMPORT = re.compile(
    r"^\s*(?:import\s+(?P<plain>[\w.]+(?:\s*,\s*[\w.]+)*)|from\s+(?P<source>[\w.]+)\s+import\b)",
    re.MULTILINE,
)


def _imported_roots(path):
    """Top-level package names imported anywhere in ``path`` (also inside functions)."""
    roots = set()
    for match in _IMPORT.finditer(path.read_text()):
        if match["source"]:
            roots.add(match["source"].split(".")[0])
        else:
            for module in match["plain"].split(","):
                roots.add(module.split()[0].split(".")[0])
    return roots


def _owner(path):
    """The backend folder a file lives in ("torch", ...), or None outside mini_keras/backends/x/."""
    parts = path.relative_to(PACKAGE_DIR).parts
    if len(parts) >= 3 and parts[0] == "backends":
        return parts[1]
    return None


def test_framework_imports_live_only_in_their_backend():
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    assert sources
    offenders = []
    for path in sources:
        owner = _owner(path)
        for framework in sorted(set(FRAMEWORKS) & _imported_roots(path)):
            if owner != framework:
                offenders.append(f"{path.relative_to(PACKAGE_DIR)} imports {framework}")
    assert not offenders, "\n".join(offenders)


def test_numpy_backend_never_imports_other_frameworks():
    numpy_dir = PACKAGE_DIR / "backends" / "numpy"
    for path in sorted(numpy_dir.rglob("*.py")):
        assert not set(FRAMEWORKS) & _imported_roots(path), path.name


def test_import_scanner_sees_all_import_forms(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "import numpy as np\n"
        "def f():\n"
        "    import jax.numpy as jnp\n"
        "    from torch.nn import functional\n"
        "import os, tensorflow as tf\n"
    )
    assert _imported_roots(source) == {"numpy", "jax", "torch", "os", "tensorflow"}


def test_unknown_backend_in_set_backend_lists_valid_names():
    previous = backends.default_name()
    with pytest.raises(ValueError) as info:
        config.set_backend("nope")
    for name in backends.names():
        assert name in str(info.value)
    assert backends.default_name() == previous


def test_unknown_backend_in_get_lists_valid_names():
    with pytest.raises(ValueError) as info:
        backends.get("nope")
    assert "nope" in str(info.value)
    for name in backends.names():
        assert name in str(info.value)
