"""Keras 3's dtype helpers: ``standardize_dtype``, ``result_type`` and the dtype predicates.

``result_type`` follows Keras 3 (which follows JAX): the least upper bound of the dtypes on a
promotion lattice, where the Python types ``int``/``float`` are "weak" and take the other side's
precision, and 64-bit results become 32-bit except on TensorFlow.
"""

from __future__ import annotations

import functools

from mini_keras import config

FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64",
                  "int8", "int16", "int32", "int64", "bfloat16", "bool", "string",
                  *FLOAT8_TYPES, "complex64", "complex128")
_WEAK = ("int", "float")

# Each dtype -> the dtypes immediately above it (JAX's promotion lattice).
_LATTICE = {
    "bool": ["int"],
    "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"], "uint64": ["float"],
    "int": ["uint8", "int8", "complex64"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"],
    "complex64": ["complex128"], "complex128": [],
}


def _upper_bounds() -> dict:
    bounds = {node: {node} for node in _LATTICE}
    for node in _LATTICE:
        while True:
            grown = bounds[node].union(*(_LATTICE[b] for b in bounds[node]))
            if grown == bounds[node]:
                break
            bounds[node] = grown
    return bounds


_UPPER = _upper_bounds()


def _python_dtypes() -> dict:
    tf = config.backend() == "tensorflow"
    return {bool: "bool", int: "int64" if tf else "int32", float: "float32", str: "string",
            "int": "int64" if tf else "int32", complex: "complex128" if tf else "complex64"}


def standardize_dtype(dtype) -> str:
    """The Keras name of ``dtype`` (a string, a Python type, a numpy/torch/jax/tf dtype).

    ``None`` gives ``floatx()``; ``int`` gives int32 (int64 on TensorFlow).

    Raises:
        ValueError: not a dtype Keras supports.
    """
    if dtype is None:
        return config.floatx()
    try:
        dtype = _python_dtypes().get(dtype, dtype)
    except TypeError:  # unhashable: not a Python type
        pass
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif any(framework in str(dtype) for framework in ("torch", "jax.numpy", "mlx")):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_float_dtype(dtype) -> bool:
    """True for float16/32/64 and bfloat16 (after :func:`standardize_dtype`)."""
    dtype = standardize_dtype(dtype)
    return dtype.startswith(("float", "bfloat"))


def is_int_dtype(dtype) -> bool:
    """True for the signed and unsigned integer dtypes."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


@functools.lru_cache(512)
def _least_upper_bound(*nodes) -> str:
    nodes = set(nodes)
    unknown = [n for n in nodes if n not in _UPPER]
    if unknown:
        raise ValueError(f"dtype={unknown[0]!r} is not a valid dtype for Keras type promotion.")
    common = set.intersection(*(_UPPER[n] for n in nodes))
    least = (common & nodes) or {c for c in common if common <= _UPPER[c]}
    if len(least) != 1:
        raise ValueError(f"Input dtypes {tuple(sorted(nodes))} have no available implicit dtype "
                         "promotion path. Try explicitly casting inputs to the desired output "
                         "type.")
    return least.pop()


def _weak(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    for kind in ("float", "int", "complex"):
        if kind in dtype:
            return kind
    raise ValueError(f"Invalid value for argument `dtype`. Expected one of {ALLOWED_DTYPES}. "
                     f"Received: dtype={dtype}")


def _resolve_weak(dtype: str, precision: str) -> str:
    indicator = "f" if dtype == "bfloat16" else dtype[:1]
    return {"b": "bool", "i": f"int{precision}", "u": f"uint{precision}"}.get(
        indicator, f"float{precision}")


def result_type(*dtypes) -> str:
    """The dtype Keras 3's promotion rules give to an op on ``dtypes`` (``None`` is floatx;
    no argument gives floatx).

    Raises:
        ValueError: a float8 dtype, an unknown dtype, or dtypes with no promotion path.
    """
    if not dtypes:
        return config.floatx()
    if any(d in FLOAT8_TYPES for d in dtypes if isinstance(d, str)):
        raise ValueError("There is no implicit conversions from float8 dtypes to others. You "
                         f"must cast it internally. Received: {dtypes}")
    dtypes = [config.floatx() if d is None else d for d in dtypes]
    weak = [d is int or d is float for d in dtypes]
    names = [standardize_dtype(d) for d in dtypes]
    if len(names) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(*set(names)), True
    else:
        out = _least_upper_bound(*{_weak(n) if w else n for n, w in zip(names, weak)})
        out_weak = out in _WEAK
    if out != "bool" and out_weak:
        out = _resolve_weak(out, config.floatx()[-2:])
    if config.backend() != "tensorflow":  # JAX's default: 64-bit results become 32-bit
        out = {"int64": "int32", "float64": "float32"}.get(out, out)
    return {"uint64": "uint32", "complex128": "complex64"}.get(out, out)
