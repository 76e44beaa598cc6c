"""Weight regularizers: penalties added to the training loss."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.saving.object_registration import get_registered_object

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "serialize",
]


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar penalty``."""

    def __call__(self, x):
        raise NotImplementedError

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Recreate the regularizer from :meth:`get_config`'s output."""
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty = ops.add(penalty, ops.multiply(self.l1, ops.sum(ops.abs(x))))
        if self.l2:
            penalty = ops.add(penalty, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|x|)`` (Keras default l1=0.01)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(x**2)`` (Keras default l2=0.01)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


# Keras' lower-case aliases.
l1, l2, l1_l2 = L1, L2, L1L2

_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def serialize(regularizer) -> dict | None:
    """Return ``{"class_name", "config"}`` for a regularizer (None stays None)."""
    if regularizer is None:
        return None
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> Regularizer:
    """Recreate a regularizer from :func:`serialize`'s output (``custom_objects``, the
    active custom object scope and registered classes first, then the built-ins)."""
    name = config.get("class_name")
    cls = get_registered_object(config.get("registered_name") or name, custom_objects) \
        or _BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"Unknown regularizer class {config.get('class_name')!r}. "
                         "Valid names: L1, L2, L1L2")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """Return a regularizer from a name ("l1", "l2", "l1_l2"), a config dict, a callable or None."""
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    raise ValueError(f"Unknown regularizer {identifier!r}. Valid names: l1, l2, l1_l2")
