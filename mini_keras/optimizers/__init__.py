"""``mini_keras.optimizers``: the Optimizer base class, Keras 3's optimizers and ``schedules``."""

from mini_keras.optimizers import schedules
from mini_keras.optimizers.adam_variants import Adamax, AdamW, Lion, Nadam
from mini_keras.optimizers.adaptive import Adadelta, Adagrad
from mini_keras.optimizers.basic import SGD, Adam, RMSprop
from mini_keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from mini_keras.optimizers.optimizer import Optimizer

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Lion",
    "LossScaleOptimizer",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "get",
    "schedules",
]

_BY_NAME = {cls.__name__.lower(): cls for cls in
            (SGD, Adam, RMSprop, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion)}


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
