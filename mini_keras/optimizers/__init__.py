"""``mini_keras.optimizers``: the Optimizer base class, Keras 3's optimizers and ``schedules``."""

from mini_keras.optimizers import schedules
from mini_keras.optimizers.adam_variants import Adamax, AdamW, Lion, Nadam
from mini_keras.optimizers.adaptive import Adadelta, Adagrad
from mini_keras.optimizers.basic import SGD, Adam, RMSprop
from mini_keras.optimizers.ftrl import Ftrl
from mini_keras.optimizers.layerwise import Adafactor, Lamb
from mini_keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from mini_keras.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from mini_keras.optimizers.muon import Muon
from mini_keras.optimizers.optimizer import Optimizer
from mini_keras.optimizers.schedule_free import ScheduleFreeAdamW
from mini_keras.saving import module_serialization as _module_serialization

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "MultiOptimizer",
    "Muon",
    "Nadam",
    "Optimizer",
    "OptimizerMap",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

# Names ``get`` resolves: every optimizer class above that makes sense from its defaults alone
# (the wrappers need an inner optimizer or a map).
_BY_NAME = {name.lower(): obj for name, obj in list(globals().items())
            if isinstance(obj, type) and issubclass(obj, Optimizer)
            and obj not in (Optimizer, LossScaleOptimizer, MultiOptimizer)}


def serialize(optimizer) -> dict:
    """The Keras 3 config of an optimizer."""
    return _module_serialization.serialize(optimizer)


def deserialize(config, custom_objects=None) -> Optimizer:
    """An optimizer from its Keras 3 config or a name ("adam", "Adam"; case-insensitive)."""
    if isinstance(config, str) and config not in (custom_objects or {}):
        return get(config)
    return _module_serialization.deserialize(config, {}, "optimizer", custom_objects)


def get(identifier) -> Optimizer:
    """Return an optimizer from a name ("adam", "adamw", "sgd", ...; case-insensitive), a class
    or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer {identifier!r}. Valid names: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(f"Could not interpret optimizer {identifier!r}: expected a name or an Optimizer.")
