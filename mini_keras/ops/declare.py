"""The one way to declare a public op: ``@primitive`` or ``@composite``.

A *primitive* is dispatched by name to the current backend's contract function; its declared
body (often just ``...``) holds the argument checks, run before dispatch (a check may return a
dict of converted arguments, which then replace those arguments). A *composite* is written in
``ops.*`` calls, so it runs, differentiates and traces the same on every backend.

Both kinds get the same generated wrapper, with the declaration's exact signature, name and
docstring (``help()`` and ``inspect`` see the real function). Per call the wrapper does one
class lookup per argument: arguments whose classes have been seen before as plain values go
straight to the backend (or the body). Anything else takes the slow path once per call:
Variables are unwrapped, and a KerasTensor anywhere in the arguments makes the call a node of
the functional graph (:mod:`mini_keras.ops.symbolic`). A class that turns out to be plain is
remembered, so the slow path vanishes for it after its first call.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mini_keras.backends import contract, current
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.variable import Variable

# Classes known to be plain values (no Variable, no KerasTensor inside): the fast path's test.
_PLAIN: set[type] = {type(None), bool, int, float, complex, str, np.ndarray, np.float32,
                     np.float64, np.int32, np.int64, np.bool_, slice, type(Ellipsis)}
# ... and Variable itself: ops with no varargs read a Variable's value inline, no slow path.
_PLAIN_OR_VARIABLE: set[type] = _PLAIN | {Variable}
_CONTAINERS = (list, tuple, dict)
_EMPTY_BODY = (lambda: None).__code__.co_code  # ``...`` / docstring-only bodies compile to this


@dataclass
class OpInfo:
    """What the registry knows about one public op.

    Attributes:
        name: the public name (``ops.<name>``).
        kind: "primitive" or "composite".
        family: Keras 3's op family (numpy, nn, linalg, math, core, image).
        keras_class: class name of Keras 3's ``Operation`` for this op (saved models).
        function: the public function.
        declaration: the declared function (its body: checks for a primitive, the formula for
            a composite).
        symbolic: optional ``(*args) -> result`` used instead of a graph node on KerasTensors
            (``shape``, ``dtype``: answered from the static shape).
        spec: optional ``(probed, *args) -> outputs`` for a graph node whose output sizes
            depend on the values (``bincount``, ``unique``): it corrects the KerasTensors the
            probe found (``probed``), e.g. by making such a size ``None``.
    """

    name: str
    kind: str
    family: str
    keras_class: str
    function: Callable = None
    declaration: Callable = None
    symbolic: Callable | None = None
    params: list = field(default_factory=list)
    spec: Callable | None = None


#: every declared op by public name, in declaration order
REGISTRY: dict[str, OpInfo] = {}


def _family(module_name: str) -> str:
    """``mini_keras.ops.nn.activations`` -> ``nn``."""
    return module_name.split(".")[2]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def unwrap(x):
    """Replace Variables (also inside lists/tuples/dicts) by their values."""
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, (list, tuple)):
        return type(x)(unwrap(e) for e in x)
    if isinstance(x, dict):
        return {k: unwrap(v) for k, v in x.items()}
    return x


def has_keras_tensor(x) -> bool:
    """True if ``x`` is, or (in nested lists/tuples/dicts) holds, a KerasTensor."""
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(has_keras_tensor(e) for e in x)
    if isinstance(x, dict):
        return any(has_keras_tensor(e) for e in x.values())
    return False


def _learn(values) -> None:
    """Remember the classes of plain (non-container, non-Variable) values for the fast path."""
    for v in values:
        cls = v.__class__
        if cls not in _PLAIN and not isinstance(v, (Variable, KerasTensor, *_CONTAINERS)):
            _PLAIN.add(cls)
            _PLAIN_OR_VARIABLE.add(cls)


def _slow(info: OpInfo, impl: Callable, values: tuple):
    """The call path for anything but plain values: graph node, or unwrap and run."""
    if any(has_keras_tensor(v) for v in values):
        from mini_keras.ops.symbolic import symbolic_call
        return symbolic_call(info, values)
    _learn(values)
    return _spread(info, impl, [unwrap(v) for v in values])


def _spread(info: OpInfo, fn: Callable, values):
    """Call ``fn`` with one value per declared parameter (varargs as a tuple)."""
    args, kwargs = [], {}
    for param, value in zip(info.params, values):
        if param.kind is param.VAR_POSITIONAL:
            args.extend(value)
        elif param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = value
        elif param.kind is param.VAR_KEYWORD:
            kwargs.update(value)
        else:
            args.append(value)
    return fn(*args, **kwargs)


def call_with(info: OpInfo, values):
    """Run the public op on one value per declared parameter (used by graph nodes)."""
    return _spread(info, info.function, values)


def _source(name: str, params, body: str) -> str:
    """Source of ``def name(<params>): <fast test>; <body>`` with defaults from ``_defaults``."""
    decl, names, call = [], [], []
    star_done = False
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            decl.append(f"*{p.name}")
            call.append(f"*{p.name}")
            star_done = True
        elif p.kind is p.VAR_KEYWORD:
            decl.append(f"**{p.name}")
            call.append(f"**{p.name}")
        else:
            if p.kind is p.KEYWORD_ONLY and not star_done:
                decl.append("*")
                star_done = True
            default = "" if p.default is p.empty else f"=_defaults[{p.name!r}]"
            decl.append(p.name + default)
            call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
        names.append(p.name)
    tests = []
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            tests.append(f"all(_v.__class__ in _PLAIN for _v in {p.name})")
        elif p.kind is p.VAR_KEYWORD:
            tests.append(f"all(_v.__class__ in _PLAIN for _v in {p.name}.values())")
        else:
            tests.append(f"{p.name}.__class__ in _PLAIN")
    test = " and ".join(tests) or "True"
    values = "(" + "".join(f"{n}, " for n in names) + ")"
    source = (f"def {name}({', '.join(decl)}):\n"
              f"    if {test}:\n"
              f"        return {body.format(call=', '.join(call))}\n")
    named = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if named and len(named) == len(params):  # Variables among plain values: read, then go
        source += (f"    if {' and '.join(f'{n}.__class__ in _PLAIN_OR_VARIABLE' for n in named)}:\n"
                   + "".join(f"        {n} = {n}.value if {n}.__class__ is _Variable else {n}\n"
                             for n in named)
                   + f"        return {body.format(call=', '.join(call))}\n")
    return source + f"    return _slow(_info, _impl, {values})\n"


def _build(declaration: Callable, kind: str, keras_class: str | None, symbolic,
           spec=None) -> Callable:
    name = declaration.__name__
    signature = inspect.signature(declaration)
    params = list(signature.parameters.values())
    info = OpInfo(name, kind, _family(declaration.__module__), keras_class or _camel(name),
                  declaration=declaration, symbolic=symbolic, params=params, spec=spec)
    namespace = {"_PLAIN": _PLAIN, "_PLAIN_OR_VARIABLE": _PLAIN_OR_VARIABLE,
                 "_Variable": Variable, "_slow": _slow, "_info": info, "_current": current,
                 "_defaults": {p.name: p.default for p in params}, "_body": declaration}
    if kind == "composite":
        namespace["_impl"] = declaration
        body = "_body({call})"
    elif declaration.__code__.co_code == _EMPTY_BODY:
        namespace["_impl"] = _dispatcher(name, params)
        body = f"_current().{name}({{call}})"
    else:  # a primitive with argument checks: check, then dispatch
        namespace["_impl"] = _checked_dispatcher(declaration, params)
        body = "_impl({call})"
    exec(_source(name, params, body), namespace)  # noqa: S102 - generated from a signature
    function = namespace[name]
    function.__doc__ = declaration.__doc__ or (
        getattr(contract, name).__doc__ if kind == "primitive" else None)
    function.__module__ = declaration.__module__
    function.__qualname__ = name
    function.__signature__ = signature
    function.__wrapped_declaration__ = declaration
    info.function = function
    if name in REGISTRY:
        raise ValueError(f"ops.{name} is declared twice ({REGISTRY[name].declaration.__module__} "
                         f"and {declaration.__module__}).")
    REGISTRY[name] = info
    return function


def _dispatcher(name: str, params) -> Callable:
    def dispatch(*args, **kwargs):
        return getattr(current(), name)(*args, **kwargs)
    dispatch.__name__ = name
    return dispatch


def _checked_dispatcher(declaration: Callable, params) -> Callable:
    name = declaration.__name__
    signature = inspect.signature(declaration)

    def checked(*args, **kwargs):
        replaced = declaration(*args, **kwargs)
        if replaced:
            bound = signature.bind(*args, **kwargs)
            bound.arguments.update(replaced)
            args, kwargs = bound.args, bound.kwargs
        return getattr(current(), name)(*args, **kwargs)
    checked.__name__ = name
    return checked


def primitive(declaration: Callable | None = None, *, keras_class: str | None = None,
              symbolic: Callable | None = None):
    """Declare a public op that the backend contract provides under the same name.

    The declared parameters must be the contract function's (a test checks it); the body runs
    the argument checks (``...`` for none) and may return a dict of converted arguments.
    The docstring is the declaration's, or the contract's when the declaration has none.
    """
    def decorate(fn):
        if not hasattr(contract, fn.__name__):
            raise NameError(f"@primitive {fn.__name__}: the backend contract has no function "
                            f"{fn.__name__!r}; declare it @composite instead.")
        return _build(fn, "primitive", keras_class, symbolic)
    return decorate(declaration) if declaration is not None else decorate


def composite(declaration: Callable | None = None, *, keras_class: str | None = None,
              symbolic: Callable | None = None, spec: Callable | None = None):
    """Declare a public op written in ``ops.*`` calls (the same on every backend).

    ``spec`` (see :class:`OpInfo`) corrects the probed output of value-dependent sizes.
    """
    def decorate(fn):
        return _build(fn, "composite", keras_class, symbolic, spec)
    return decorate(declaration) if declaration is not None else decorate


def exported(module_name: str) -> list[str]:
    """Names of the ops declared in ``module_name`` (for its ``__all__``), in order."""
    return [n for n, info in REGISTRY.items() if info.declaration.__module__ == module_name]


def family_names(family: str) -> list[str]:
    """Names of the ops declared in one family (``numpy``, ``nn``...)."""
    return [n for n, info in REGISTRY.items() if info.family == family]


def module_of(name: str):
    """The module that declares op ``name``."""
    return sys.modules[REGISTRY[name].declaration.__module__]
