"""DTypePolicy: the compute and variable dtypes of a layer, and the global default policy."""

from __future__ import annotations

import numpy as np

_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
# Plain dtype names a policy may carry (compute dtype == variable dtype). Integer and bool
# policies exist for layers such as InputLayer(dtype="int32"), as in Keras 3.
_DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
           "uint8", "uint16", "uint32", "uint64", "bool", "string")
VALID_POLICIES = tuple(_MIXED) + _DTYPES
_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")

_global_policy: DTypePolicy | None = None


def _standardize_name(name) -> str:
    """A policy name from a string, a numpy dtype or a numpy scalar type."""
    if isinstance(name, str):
        return name
    if isinstance(name, np.dtype) or (isinstance(name, type) and issubclass(name, np.generic)):
        return np.dtype(name).name
    raise TypeError(f"DTypePolicy: 'name' must be a string such as 'mixed_float16', received "
                    f"{name!r} of type {type(name).__name__}.")


class DTypePolicy:
    """The dtypes a layer computes in and stores its variables in (Keras 3's ``DTypePolicy``).

    Args:
        name: ``"mixed_float16"`` / ``"mixed_bfloat16"`` (compute in float16 / bfloat16, keep
            variables in float32) or a dtype name such as ``"float32"`` (both dtypes equal).
            ``None`` copies the global policy (:func:`dtype_policy`).

    Raises:
        ValueError: ``name`` is not one of :data:`VALID_POLICIES`.

    Example:
        >>> policy = DTypePolicy("mixed_float16")
        >>> policy.compute_dtype, policy.variable_dtype
        ('float16', 'float32')
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = dtype_policy().name
        name = _standardize_name(name)
        if name in _MIXED:
            compute, variable = _MIXED[name]
        elif name in _DTYPES:
            compute = variable = name
        else:
            raise ValueError(
                f"Cannot convert {name!r} to a mixed precision DTypePolicy. Valid policies: "
                f"{', '.join(VALID_POLICIES)}.")
        self._name, self._compute_dtype, self._variable_dtype = name, compute, variable

    @property
    def name(self) -> str:
        """The policy name, e.g. ``"mixed_float16"``."""
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype layers compute in (their inputs are cast to it, and so are their outputs)."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype layers create their variables in."""
        return self._variable_dtype

    @property
    def quantization_mode(self) -> None:
        """Always None: mini_keras has no quantized policies."""
        return None

    @property
    def is_mixed(self) -> bool:
        """Whether the compute dtype differs from the variable dtype."""
        return self._compute_dtype != self._variable_dtype

    def get_config(self) -> dict:
        """``{"name": name}``."""
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> DTypePolicy:
        """Recreate from :meth:`get_config`."""
        return cls(**config)

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and other._name == self._name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


# Keras 3 keeps this alias for backward compatibility.
FloatDTypePolicy = DTypePolicy


def dtype_policy() -> DTypePolicy:
    """Return the global policy new layers use by default (``config.floatx()`` unless set)."""
    if _global_policy is not None:
        return _global_policy
    from mini_keras import config
    return DTypePolicy(config.floatx())


def set_dtype_policy(policy) -> None:
    """Set the global policy used by layers created from now on.

    Args:
        policy: a :class:`DTypePolicy` or a policy name (``"mixed_float16"``,
            ``"mixed_bfloat16"``, ``"float32"``...). ``None`` restores the default.

    Raises:
        ValueError: unknown policy name.
    """
    global _global_policy
    _global_policy = None if policy is None else get(policy)


def get(identifier) -> DTypePolicy:
    """Return a DTypePolicy from a name, a ``DTypePolicy``, its serialized dict, or None (the
    global policy)."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return DTypePolicy(identifier)


def serialize(dtype_policy: DTypePolicy) -> dict:
    """Keras 3's serialized form: ``{"module": "keras", "class_name": "DTypePolicy", ...}``."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": dtype_policy.get_config(),
            "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> DTypePolicy:
    """Inverse of :func:`serialize` (also accepts Keras 3's ``FloatDTypePolicy`` entries, and
    a policy class of ``custom_objects`` by its class name)."""
    class_name = config.get("class_name", "DTypePolicy")
    if class_name in (custom_objects or {}):
        return custom_objects[class_name].from_config(dict(config.get("config") or {}))
    if class_name not in ("DTypePolicy", "FloatDTypePolicy"):
        raise ValueError(f"Cannot deserialize a dtype policy of class {class_name!r}: mini_keras "
                         "supports DTypePolicy (quantized policies are not supported).")
    return DTypePolicy.from_config(dict(config.get("config") or {"name": "float32"}))


def is_float_dtype(dtype: str) -> bool:
    """Whether ``dtype`` is a floating dtype name."""
    return dtype in _FLOAT_DTYPES
