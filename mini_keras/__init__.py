"""mini_keras: a Keras-3-style deep-learning library on numpy, PyTorch, JAX and TensorFlow.

    import mini_keras as keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])

The backend comes from ``MINI_KERAS_BACKEND`` (numpy | torch | jax | tensorflow; default
numpy) and can be changed with ``keras.config.set_backend``; models keep the backend they were
built with.
"""

from mini_keras import (
                        activations,
                        applications,
                        backend,
                        callbacks,
                        config,
                        constraints,
                        datasets,
                        dtype_policies,
                        export,
                        initializers,
                        layers,
                        losses,
                        metrics,
                        mixed_precision,
                        models,
                        ops,
                        optimizers,
                        random,
                        regularizers,
                        saving,
                        tree,
                        utils,
)
from mini_keras.core.variable import Variable
from mini_keras.dtype_policies import DTypePolicy
from mini_keras.layers import Input, InputSpec, Layer
from mini_keras.models import Model, Sequential

__version__ = "0.1.0"

__all__ = [
                        "DTypePolicy",
                        "Input",
                        "InputSpec",
                        "Layer",
                        "Model",
                        "Sequential",
                        "Variable",
                        "__version__",
                        "activations",
                        "applications",
                        "backend",
                        "callbacks",
                        "config",
                        "constraints",
                        "datasets",
                        "dtype_policies",
                        "export",
                        "initializers",
                        "layers",
                        "losses",
                        "metrics",
                        "mixed_precision",
                        "models",
                        "ops",
                        "optimizers",
                        "random",
                        "regularizers",
                        "saving",
                        "tree",
                        "utils",
]
