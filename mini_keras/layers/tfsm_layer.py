"""TFSMLayer: a TensorFlow SavedModel endpoint used as a layer (tensorflow backend only)."""

from __future__ import annotations

import importlib
import os

from mini_keras.core.variable import Variable
from mini_keras.layers.layer import Layer

_TF_WRITER = "mini_keras.backends.tensorflow.export_saved_model"


class TFSMLayer(Layer):
    """Call an endpoint of a SavedModel (e.g. one written by ``Model.export``) as a layer.

    Keras 3's names and defaults. A SavedModel is a TensorFlow graph, so the layer runs on the
    tensorflow backend only: created on another backend it raises a ``ValueError`` saying how
    to get a tensorflow layer (Keras 3 refuses other backends too). The SavedModel's variables
    are the layer's weights (``get_weights``/``set_weights`` reach the endpoint), and, as in
    Keras 3, ``fit`` trains them when the layer is trainable: the gradient of the endpoint
    with respect to its variables is handed to the training step.

    Args:
        filepath: the SavedModel directory.
        call_endpoint: endpoint called by ``call`` (default ``"serve"``, ``Model.export``'s).
        call_training_endpoint: endpoint for ``training=True`` calls, or None.
        trainable: whether its weights count as trainable.
        name, dtype: as for every layer.

    Example:
        >>> reloaded = keras.layers.TFSMLayer("exported_dir", call_endpoint="serve")
        >>> y = reloaded(x)
    """

    def __init__(self, filepath, call_endpoint: str = "serve", call_training_endpoint=None,
                 trainable: bool = True, name=None, dtype=None):
        super().__init__(trainable=trainable, name=name, dtype=dtype)
        if self._backend_name != "tensorflow":
            raise ValueError(
                f"TFSMLayer '{self.name}': a SavedModel runs on the tensorflow backend only, but "
                f"the current backend is {self._backend_name!r}. Create the layer under "
                "mini_keras.backends.backend_scope('tensorflow') (or MINI_KERAS_BACKEND="
                "tensorflow), or load the original .keras file on this backend instead.")
        self.filepath = os.fspath(filepath)
        self.call_endpoint = call_endpoint
        self.call_training_endpoint = call_training_endpoint
        self._tf_lib = tf_lib = importlib.import_module(_TF_WRITER)
        self._saved = tf_lib.load_saved_model(self.filepath)
        for endpoint in (call_endpoint, call_training_endpoint):
            if endpoint is not None and not callable(getattr(self._saved, endpoint, None)):
                found = sorted(n for n in dir(self._saved) if not n.startswith("_")
                               and callable(getattr(self._saved, n, None)))
                raise ValueError(f"TFSMLayer '{self.name}': the SavedModel at {self.filepath!r} "
                                 f"has no endpoint {endpoint!r}; it has {found}.")
        trainable_vars, frozen_vars = tf_lib.endpoint_variables(self._saved)
        for handles, target in ((trainable_vars, self._trainable_variables),
                                (frozen_vars, self._non_trainable_variables)):
            for handle in handles:
                target.append(self._wrap(handle))
        self.built = True

    def _wrap(self, handle) -> Variable:
        """A Variable sharing the SavedModel's tf.Variable (reads/writes reach the endpoint)."""
        variable = Variable(handle.numpy(), dtype=handle.dtype.name, trainable=handle.trainable,
                            name=handle.name.split(":")[0], backend="tensorflow")
        variable._handle = handle
        return variable

    def call(self, inputs, training=False):
        name = (self.call_training_endpoint if training and self.call_training_endpoint
                else self.call_endpoint)
        endpoint = getattr(self._saved, name)
        if not (training and self.trainable_weights):
            return endpoint(inputs)
        # a training step differentiates the values it maps our variables to
        weights = self.trainable_weights
        return self._tf_lib.call_differentiable(endpoint, inputs, [w._handle for w in weights],
                                                [w.value for w in weights])

    def get_config(self) -> dict:
        return {**super().get_config(), "filepath": self.filepath,
                "call_endpoint": self.call_endpoint,
                "call_training_endpoint": self.call_training_endpoint}
