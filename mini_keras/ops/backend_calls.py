"""Backend functions that are not public ops, called without holding the backend module.

Some contract functions have no ``keras.ops`` name: the random samplers (``keras.random``
checks the arguments and passes the seed) and other extras of the backends. Code above the
backends calls them through :func:`backend_function`, so that only ``backends/`` and ``ops/``
ever hold a backend module (``tests/test_structure_scan.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from mini_keras.backends import current
from mini_keras.ops.declare import unwrap


def backend_function(name: str) -> Callable:
    """Return ``f(*args, **kwargs)`` that runs the current backend's ``name`` at call time.

    Variables among the arguments (also inside lists/tuples/dicts) are replaced by their values.

    Raises:
        AttributeError: at call time, naming the backend, if it has no function ``name``.
    """
    def call(*args, **kwargs):
        backend = current()
        fn = getattr(backend, name, None)
        if fn is None:
            raise AttributeError(f"Backend '{backend.__name__.rsplit('.', 1)[-1]}' has no "
                                 f"function '{name}'.")
        return fn(*[unwrap(a) for a in args], **{k: unwrap(v) for k, v in kwargs.items()})
    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Run the current backend's ``{name}`` (Variables unwrapped)."
    return call
