"""Find the backends: the sub-packages of ``mini_keras/backends/`` and installed plugins.

A plugin is an entry point in the group ``mini_keras.backends``: its name is the backend's name,
its value the import path of a module that exports the contract functions (``__all__``). A
backend states its own facts as module attributes, which :class:`Facts` reads:

- ``FRAMEWORK``: the framework module it needs (checked with ``find_spec``, never imported here);
- ``PIP_EXTRA``: what to ``pip install`` when that framework is missing;
- ``CAPABILITIES``: names such as "float64", "bfloat16", "autodiff", "accelerators", "jit".

A built-in backend keeps them in ``backends/<name>/facts.py`` (framework-free, so asking a
capability never imports the framework); a plugin keeps them in its module.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.metadata
import importlib.util
import pathlib
import pkgutil

ENTRY_POINT_GROUP = "mini_keras.backends"
_PACKAGE_DIR = pathlib.Path(__file__).parent
_FIRST = ("numpy", "torch", "jax", "tensorflow")  # a stable order for the built-ins we ship
_NOT_BACKENDS = ("contract",)  # the one sub-package of backends/ that declares instead of implements


@dataclasses.dataclass(frozen=True)
class Facts:
    """What a backend says about itself before it is imported.

    Attributes:
        name: the backend's name ("numpy", or a plugin's entry-point name).
        module: import path of the module exporting the contract functions.
        framework: the framework module it needs (None: nothing beyond mini_keras).
        pip_extra: the install hint shown when the framework is missing.
        capabilities: capability names (see ``mini_keras.backends.supports``).
        plugin: True for an entry-point backend.
    """

    name: str
    module: str
    framework: str | None
    pip_extra: str
    capabilities: frozenset[str]
    plugin: bool = False

    def available(self) -> bool:
        """True if the backend's framework can be imported. A plugin's module is imported to
        tell (it declares its framework there); one that fails to import is not available."""
        if self.plugin:
            try:
                module = importlib.import_module(self.module)
            except ImportError:
                return False
            framework = getattr(module, "FRAMEWORK", None)
            return framework is None or _importable(framework)
        return _importable(self.framework or self.module)


def _importable(module_path: str) -> bool:
    try:
        return importlib.util.find_spec(module_path.split(".")[0]) is not None
    except (ImportError, ValueError):
        return False


def _facts_of(name: str, module_path: str, source, plugin: bool) -> Facts:
    """Build :class:`Facts` from a module (or None: defaults from the name)."""
    framework = getattr(source, "FRAMEWORK", name if not plugin else None)
    return Facts(
        name=name,
        module=module_path,
        framework=framework,
        pip_extra=getattr(source, "PIP_EXTRA", f"mini_keras[{name}]"),
        capabilities=frozenset(getattr(source, "CAPABILITIES", ())),
        plugin=plugin,
    )


def _load_facts_file(name: str, path: pathlib.Path):
    """Run ``backends/<name>/facts.py`` on its own: importing it as a submodule would run the
    package's ``__init__``, which imports the framework."""
    spec = importlib.util.spec_from_file_location(f"mini_keras.backends._facts_of_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _builtin() -> dict[str, Facts]:
    found = {}
    for info in pkgutil.iter_modules([str(_PACKAGE_DIR)]):
        if not info.ispkg or info.name.startswith("_") or info.name in _NOT_BACKENDS:
            continue
        module_path = f"{__package__}.{info.name}"
        facts_file = _PACKAGE_DIR / info.name / "facts.py"
        facts_module = _load_facts_file(info.name, facts_file) if facts_file.exists() else None
        found[info.name] = _facts_of(info.name, module_path, facts_module, plugin=False)
    return found


def _plugins() -> dict[str, Facts]:
    found = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        # Facts of a plugin are attributes of its module; reading them imports only that module,
        # which must defer its framework import to the functions if it wants lazy loading.
        found[entry.name] = Facts(entry.name, entry.value, None, entry.value.split(".")[0],
                                  frozenset(), plugin=True)
    return found


@functools.lru_cache(maxsize=1)
def discover() -> dict[str, Facts]:
    """Every backend by name: the built-ins first (numpy, torch, jax, tensorflow, then the
    other folders alphabetically), then the plugins. A plugin cannot shadow a built-in."""
    builtin = _builtin()
    order = [n for n in _FIRST if n in builtin] + sorted(set(builtin) - set(_FIRST))
    found = {name: builtin[name] for name in order}
    for name, facts in sorted(_plugins().items()):
        found.setdefault(name, facts)
    return found


def refresh() -> None:
    """Forget what :func:`discover` found (call after installing a plugin in this process)."""
    discover.cache_clear()


def plugin_facts(facts: Facts, module) -> Facts:
    """A plugin's full facts, read from its imported ``module``."""
    return _facts_of(facts.name, facts.module, module, plugin=True)
