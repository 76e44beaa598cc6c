"""``mini_keras.optimizers``: SGD, Adam, RMSprop and the Optimizer base class."""

from mini_keras.optimizers.basic import SGD, Adam, RMSprop
from mini_keras.optimizers.optimizer import Optimizer

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "get"]

_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier) -> Optimizer:
    """Return an optimizer from a name ("adam", "sgd", "rmsprop"), a class or an instance."""
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
