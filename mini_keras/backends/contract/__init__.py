"""The backend contract: every function a backend must provide, with its exact semantics.

A backend is a module (a sub-package ``mini_keras.backends.<name>`` or a plugin's entry point)
that exports every *required* function below, with the same name and parameters; loading the
backend checks this (:mod:`mini_keras.backends.validation`). The functions are declared by
meaning, one module each: :mod:`.core`, :mod:`.variables`, :mod:`.math`, :mod:`.shapes`,
:mod:`.linalg`, :mod:`.fourier`, :mod:`.nn`, :mod:`.random`, :mod:`.control_flow`;
:mod:`.optional` holds the fused fast paths a backend may leave out, and :mod:`.distribution`
the functions of its ``distribution_lib``. Public ``mini_keras.ops`` functions dispatch to the required ones.

Conventions every backend follows:
- Inputs may be Python scalars, numpy arrays, or the backend's own tensors (numpy backend: also
  its autodiff ``Tensor``). Outputs are the backend's tensors.
- ``dtype`` arguments and :func:`dtype` results are canonical strings: "float16", "bfloat16",
  "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint32", "bool".
  ``dtype=None`` for float creation means ``mini_keras.config.floatx()``. JAX runs with
  ``jax_enable_x64`` off, as Keras 3 does: there, float64/int64 requests give float32/int32
  (silently, without a warning per call).
- ``axis`` may be an int, a tuple of ints or None; negative axes count from the end.
- Tensors are placed on the backend's default accelerator when one is present.
- A function that cannot be differentiated on a backend raises ``NotImplementedError`` naming the
  op when a gradient is requested; it never returns a silent zero gradient.
- Random functions take ``seed``: an int tensor or sequence of shape (2,) = (seed, counter). The
  same seed gives the same numbers on the same backend (streams may differ between backends).
- Variables reach a backend as handles (what :func:`variable_create` returned), never as
  ``mini_keras.Variable`` objects: ``mini_keras.ops`` unwraps them before dispatch.
"""


from __future__ import annotations

import importlib
import inspect
from types import ModuleType

from mini_keras.backends.contract import (
    control_flow,
    core,
    distribution,
    fourier,
    linalg,
    math,
    nn,
    optional,
    random,
    shapes,
    variables,
)

REQUIRED_MODULES: tuple[ModuleType, ...] = (core, variables, math, shapes, linalg, fourier, nn,
                                            random, control_flow)


def _declared(module: ModuleType) -> dict:
    return {name: fn for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__
            and not name.startswith("_")}


def functions() -> dict:
    """Every required contract function by name (the optional hooks are not included)."""
    found = {}
    for module in REQUIRED_MODULES:
        found.update(_declared(module))
    return found


def optional_functions() -> dict:
    """The optional fast-path hooks by name (``adam_update``, ``sgd_update``, ``lstm``, ``gru``)."""
    return _declared(optional)


def distribution_functions() -> dict:
    """The functions every backend's ``distribution_lib`` module provides, by name."""
    return _declared(distribution)


def export(namespace: dict, *modules: ModuleType) -> list[str]:
    """Copy the contract functions (required and optional) that ``modules`` define into
    ``namespace`` (a backend package's ``globals()``) and return their names, for ``__all__``.

    A backend's ``__init__`` calls it once, so it never lists the contract's names again.
    """
    names = []
    for name in {**functions(), **optional_functions()}:
        found = [getattr(m, name) for m in modules
                 if callable(getattr(m, name, None)) and not isinstance(getattr(m, name), ModuleType)]
        if not found:
            continue
        # A module may import a sibling's function for its own use: the defining module wins.
        owners = {getattr(m, "__name__", None) for m in modules}
        own = [fn for fn in found if getattr(fn, "__module__", None) in owners]
        namespace[name] = (own or found)[-1]
        names.append(name)
    return names


def export_modules(namespace: dict, package: str, module_names: tuple[str, ...]) -> list[str]:
    """Import the modules ``module_names`` of ``package`` and :func:`export` their contract
    functions into ``namespace``; the one list a backend's ``__init__`` keeps is its files."""
    return export(namespace, *(importlib.import_module(f"{package}.{m}") for m in module_names))


def __getattr__(name: str):
    """``getattr(contract, "add")``: any contract function, required or optional."""
    for module in (*REQUIRED_MODULES, optional):
        fn = _declared(module).get(name)
        if fn is not None:
            return fn
    raise AttributeError(f"the backend contract has no function {name!r}")
