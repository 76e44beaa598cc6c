"""Check a backend module against the contract when it is loaded."""

from __future__ import annotations

import inspect
from types import ModuleType

from mini_keras.backends import contract


class BackendContractError(ImportError):
    """A backend module lacks a contract function or implements one with another signature."""


def _describe(fn) -> list[tuple]:
    return [(p.name, p.kind.name, p.default) for p in inspect.signature(fn).parameters.values()]


def check(name: str, module: ModuleType) -> None:
    """Raise :class:`BackendContractError` naming each missing or mis-signatured function.

    Required functions must exist; optional hooks (``adam_update``, ``lstm``...) are checked only
    where the backend provides them.
    """

    problems = []
    for fn_name, reference in contract.functions().items():
        implementation = getattr(module, fn_name, None)
        if not callable(implementation):
            problems.append(f"missing {fn_name}{inspect.signature(reference)}")
            continue
        problems += _signature_problem(fn_name, reference, implementation)
    for fn_name, reference in contract.optional_functions().items():
        implementation = getattr(module, fn_name, None)
        if implementation is not None:
            problems += _signature_problem(fn_name, reference, implementation)
    if problems:
        raise BackendContractError(
            f"Backend {name!r} ({module.__name__}) does not meet the contract "
            f"(mini_keras.backends.contract): " + "; ".join(problems))


def _signature_problem(fn_name: str, reference, implementation) -> list[str]:
    try:
        received = _describe(implementation)
    except (TypeError, ValueError):
        return []  # a builtin without a signature: nothing to compare
    expected = _describe(reference)
    if received == expected:
        return []
    return [(f"{fn_name} has signature {inspect.signature(implementation)}, "
             f"expected {inspect.signature(reference)}")]
