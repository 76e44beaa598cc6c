"""Framework modules as layers: ``TorchModuleWrapper`` (torch), ``JaxLayer`` and ``FlaxLayer``
(JAX). Each runs on the backend of its framework; the framework side is that backend's
``module_*`` / ``tree_*`` hooks (``backends/contract/optional.py``)."""

from mini_keras.layers.interop import jax_layer, torch_module
from mini_keras.layers.interop.jax_layer import *
from mini_keras.layers.interop.torch_module import *

__all__ = torch_module.__all__ + jax_layer.__all__
