"""Distribution API (Keras 3 names): run the same model over several devices or hosts.

    devices = keras.distribution.list_devices()
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    model = ...; model.compile(...); model.fit(x, y, batch_size=64)   # the global batch

The classes here only *describe* the placement (a mesh of devices, a layout per tensor); each
backend's ``distribution_lib`` hands it to that framework's own engine: ``jax.sharding`` on JAX,
``torch.distributed`` + DistributedDataParallel on PyTorch, ``tf.distribute.MirroredStrategy`` on
TensorFlow. The numpy backend runs on one device and refuses a distribution with a clear error.
"""

from mini_keras.distribution.api import (
    DataParallel,
    DeviceMesh,
    Distribution,
    LayoutMap,
    ModelParallel,
    TensorLayout,
    distribution,
    initialize,
    list_devices,
    set_distribution,
)

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "Distribution",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "distribution",
    "initialize",
    "list_devices",
    "set_distribution",
]
