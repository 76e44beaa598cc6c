"""``mini_keras.constraints``: projections applied to a weight after each optimizer update.

A constraint is a callable ``weight -> projected weight``. Pass it to a layer
(``Dense(4, kernel_constraint="non_neg")``); the optimizer applies it after every step.
"""

from __future__ import annotations

import inspect

from mini_keras import config, ops
from mini_keras.saving.object_registration import get_registered_object

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]


def _norms(w, axis):
    """Euclidean norms of ``w`` along ``axis`` (kept as size-1 dims so they broadcast)."""
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weight (identity here)."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Recreate the constraint from :meth:`get_config`'s output."""
        return cls(**config)


class MaxNorm(Constraint):
    """Rescale slices whose L2 norm exceeds ``max_value``: ``w * clip(n, 0, max) / (eps + n)``.

    Args:
        max_value: largest allowed norm.
        axis: axis (or axes) along which norms are computed; 0 for a Dense kernel means
            each unit's incoming weight vector.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0.0, self.max_value)
        return ops.multiply(w, ops.divide(desired, ops.add(norms, config.epsilon())))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Clamp negative weights to zero: ``max(w, 0)``."""

    def __call__(self, w):
        return ops.maximum(w, ops.zeros((), dtype=ops.dtype(w)))


class UnitNorm(Constraint):
    """Scale slices to unit L2 norm: ``w / (eps + ||w||)``.

    Args:
        axis: axis (or axes) along which norms are computed.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return ops.divide(w, ops.add(_norms(w, self.axis), config.epsilon()))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Pull slice norms into ``[min_value, max_value]`` at speed ``rate``.

    ``desired = rate * clip(n, min, max) + (1 - rate) * n``; ``w * desired / (eps + n)``.

    Args:
        min_value, max_value: allowed norm range.
        rate: 1.0 projects fully; smaller values move part of the way each step.
        axis: axis (or axes) along which norms are computed.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = ops.add(ops.multiply(self.rate, ops.clip(norms, self.min_value, self.max_value)),
                          ops.multiply(1.0 - self.rate, norms))
        return ops.multiply(w, ops.divide(desired, ops.add(norms, config.epsilon())))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras' lower-case aliases.
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm

_BY_NAME = {cls.__name__: cls for cls in (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
_BY_NAME.update({"constraint": Constraint, "max_norm": MaxNorm, "non_neg": NonNeg,
                 "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm})


def serialize(constraint) -> dict | None:
    """Return ``{"class_name", "config"}`` for a constraint (None stays None)."""
    if constraint is None:
        return None
    return {"module": "keras.constraints", "class_name": type(constraint).__name__,
            "config": constraint.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> Constraint:
    """Recreate a constraint from :func:`serialize`'s output (``custom_objects``, the
    active custom object scope and registered classes first, then the built-ins)."""
    name = config.get("class_name")
    cls = get_registered_object(config.get("registered_name") or name, custom_objects) \
        or _BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"Unknown constraint class {config.get('class_name')!r}. "
                         f"Valid names: {', '.join(sorted(_BY_NAME))}")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Return a constraint from None, a name ("max_norm", "NonNeg"), a config dict or a callable.

    Raises:
        ValueError: an unknown name or an object that is not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"Unknown constraint {identifier!r}. "
                             f"Valid names: {', '.join(sorted(_BY_NAME))}")
        return cls()
    if inspect.isclass(identifier) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
