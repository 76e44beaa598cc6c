"""Lambda: wrap an arbitrary function of tensors as a layer."""

from __future__ import annotations

import types

from mini_keras import backends, ops
from mini_keras.core.stateless import StatelessScope
from mini_keras.layers.layer import Layer

__all__ = ["Lambda"]


class Lambda(Layer):
    """Apply ``function(inputs, **arguments)``, written with ``mini_keras.ops``.

    Saving a Lambda stores a Python lambda's bytecode; loading such a file runs that bytecode,
    so it is refused unless ``safe_mode=False`` is passed to the loader. Prefer a named,
    registered function (``register_keras_serializable``) or a custom layer.

    Args:
        function: callable applied to the inputs.
        output_shape: output shape (tuple, without batch, or full), or a callable
            ``input_shape -> output_shape``; inferred by running the function when None.
        mask: unused (kept for Keras signature compatibility).
        arguments: dict of extra keyword arguments passed to ``function``.

    Example:
        >>> layer = Lambda(lambda x: ops.square(x))
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda '{self.name}': function must be callable, received "
                            f"{type(function).__name__}")
        self.function, self._output_shape = function, output_shape
        self.mask, self.arguments = mask, dict(arguments or {})
        self.built = True

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._probe_output_shape(tuple(input_shape))
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        shape = tuple(self._output_shape)
        return shape if len(shape) == len(input_shape) else (input_shape[0],) + shape

    def _probe_output_shape(self, input_shape):
        """Run the function on zeros twice (unknown dims as 2, then 3); dims that differ are
        unknown."""
        shapes = []
        for fill in (2, 3):
            with backends.backend_scope(self._backend_name), StatelessScope():
                zeros = ops.zeros(tuple(fill if d is None else d for d in input_shape),
                                  dtype=self.dtype)
                shapes.append(tuple(ops.shape(self.call(zeros))))
        return tuple(x if x == y else None for x, y in zip(*shapes))

    def get_config(self):
        from mini_keras.saving.serialization import func_dump, serialize_keras_object

        def fn_config(fn):
            if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
                code, defaults, closure = func_dump(fn)
                return {"class_name": "__lambda__",
                        "config": {"code": code, "defaults": defaults, "closure": closure}}
            return serialize_keras_object(fn)

        config = {**super().get_config(), "function": fn_config(self.function),
                  "arguments": serialize_keras_object(self.arguments)}
        if self._output_shape is not None:
            config["output_shape"] = (fn_config(self._output_shape)
                                      if callable(self._output_shape)
                                      else list(self._output_shape))
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from mini_keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        config["function"] = deserialize_keras_object(config["function"], custom_objects)
        if isinstance(config.get("output_shape"), dict):
            config["output_shape"] = deserialize_keras_object(config["output_shape"],
                                                              custom_objects)
        config["arguments"] = deserialize_keras_object(config.get("arguments") or {},
                                                       custom_objects)
        config.pop("mask", None)
        return super().from_config(config)
