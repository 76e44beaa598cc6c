"""``vectorize``: numpy's ``np.vectorize`` for tensors, through ``ops.vectorized_map``.

The loop (broadcast) axes of the arguments are flattened into one leading axis that
``vectorized_map`` maps over (``jax.vmap``, ``tf.vectorized_map``, ``torch.vmap`` or a loop),
so the function sees one core slice per call, as with numpy's generalized ufuncs.
"""

from __future__ import annotations

import math
import re

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import _fail
from mini_keras.ops.declare import composite, exported, unwrap

_CORE = r"\(\s*(?:\w+(?:\s*,\s*\w+)*)?\s*\)"
_SIGNATURE = re.compile(rf"^\s*{_CORE}(?:\s*,\s*{_CORE})*\s*->\s*{_CORE}(?:\s*,\s*{_CORE})*\s*$")


def _core_dims(part: str) -> list[tuple[str, ...]]:
    return [tuple(d.strip() for d in group.split(",") if d.strip())
            for group in re.findall(r"\(([^)]*)\)", part)]


def _parse(signature: str):
    """``"(m,n),(n)->(m)"`` -> ``([("m", "n"), ("n",)], [("m",)])``."""
    if not isinstance(signature, str) or not _SIGNATURE.match(signature):
        _fail("vectorize", f"`signature` must look like '(m,n),(n)->(m)', received "
                           f"{signature!r}.")
    inputs, outputs = signature.split("->")
    return _core_dims(inputs), _core_dims(outputs)


def _run(pyfunc, excluded, core_in, multiple_out, args, kwargs):
    mapped = [i for i in range(len(args)) if i not in excluded]
    names = [k for k in kwargs if k not in excluded]
    values = [ops.convert_to_tensor(unwrap(args[i])) for i in mapped]
    values += [ops.convert_to_tensor(unwrap(kwargs[k])) for k in names]
    if core_in is not None and len(core_in) != len(values):
        _fail("vectorize", f"the signature has {len(core_in)} inputs, but the function got "
                           f"{len(values)} vectorized arguments.")
    cores = [len(c) for c in core_in] if core_in is not None else [0] * len(values)
    shapes = [tuple(ops.shape(v)) for v in values]
    for shape, core in zip(shapes, cores):
        if len(shape) < core:
            _fail("vectorize", f"an argument of shape {shape} has fewer than the {core} core "
                               "dimensions of its signature.")
    loop = np.broadcast_shapes(*[s[:len(s) - c] for s, c in zip(shapes, cores)]) if values \
        else ()

    def call(*sliced):
        full, rest = list(args), dict(kwargs)
        for i, v in zip(mapped, sliced):
            full[i] = v
        for k, v in zip(names, sliced[len(mapped):]):
            rest[k] = v
        return pyfunc(*full, **rest)
    if not loop:
        return call(*values)
    count = math.prod(loop)
    flat = tuple(ops.reshape(ops.broadcast_to(v, loop + s[len(s) - c:]),
                             (count, *s[len(s) - c:])) for v, s, c in zip(values, shapes, cores))
    out = ops.vectorized_map(lambda elements: call(*elements), flat)
    if isinstance(out, (tuple, list)):
        return type(out)(ops.reshape(o, loop + tuple(ops.shape(o))[1:]) for o in out)
    if multiple_out:
        _fail("vectorize", "the signature names several outputs but the function returned one.")
    return ops.reshape(out, loop + tuple(ops.shape(out))[1:])


@composite
def vectorize(pyfunc, *, excluded=None, signature=None):
    """A version of ``pyfunc`` that maps over the leading (broadcast) axes of its arguments.

    Args:
        pyfunc: the function of tensors to vectorize.
        excluded: positions (ints) or keyword names (strs) of arguments passed through as they
            are, not vectorized.
        signature: a generalized-ufunc signature such as ``"(m,n),(n)->(m)"``: the core
            dimensions each call of ``pyfunc`` sees; without it every call sees scalars.

    Returns:
        The vectorized function.

    Raises:
        TypeError: ``pyfunc`` is not callable. ValueError: a malformed ``signature``.
    """
    if not callable(pyfunc):
        _fail("vectorize", f"`pyfunc` must be callable, received {pyfunc!r}.", TypeError)
    excluded = frozenset(excluded or ())
    core_in, core_out = _parse(signature) if signature is not None else (None, None)
    multiple_out = core_out is not None and len(core_out) > 1

    def vectorized(*args, **kwargs):
        return _run(pyfunc, excluded, core_in, multiple_out, args, kwargs)
    vectorized.__name__ = getattr(pyfunc, "__name__", "vectorized")
    vectorized.__doc__ = getattr(pyfunc, "__doc__", None)
    return vectorized


__all__ = [name for name in exported(__name__)]
