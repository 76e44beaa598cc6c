"""``TorchModuleWrapper``: a ``torch.nn.Module`` as a Keras layer (torch backend)."""

from __future__ import annotations

import base64

from mini_keras import backends
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.variable import Variable
from mini_keras.layers.interop.hooks import framework_hooks
from mini_keras.layers.layer import Layer

__all__ = ["TorchModuleWrapper"]

_HOOKS = ("module_parameters", "module_share_parameters", "module_call", "module_state",
          "module_load_state", "module_to_bytes", "module_from_bytes")


class TorchModuleWrapper(Layer):
    """Wrap a ``torch.nn.Module`` so its parameters are the layer's weights (Keras 3's class).

    Each module parameter becomes one Variable (trainable when the parameter requires grad), in
    ``named_parameters()`` order; the module's parameters then share the variables' storage, so
    ``fit``, ``optimizer.apply`` and ``torch.optim`` over ``model.parameters()`` all train the
    module. Calls go through ``torch.func.functional_call``, in ``module.train()`` mode unless
    ``training=False``. Saving writes the module's ``state_dict`` (Keras 3's keys); the config
    holds the pickled module, which loading accepts only with ``safe_mode=False``.

    Args:
        module: a ``torch.nn.Module``; a lazy module must be initialised (called once) first.
        name: the layer name.
        output_shape: the output shape for the functional API (else inferred by running the
            module on small inputs).

    Example:
        >>> import torch
        >>> layer = TorchModuleWrapper(torch.nn.Linear(4, 2))   # torch backend
        >>> [tuple(w.shape) for w in layer.weights]
        [(2, 4), (2,)]
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._hooks = framework_hooks("TorchModuleWrapper", self._backend_name, _HOOKS, "torch")
        has_uninitialized = getattr(module, "has_uninitialized_params", None)
        if callable(has_uninitialized) and has_uninitialized():
            raise ValueError("TorchModuleWrapper: LazyModules are not supported unless they are "
                             f"already initialized (call the module once). Received: {module}")
        self.module = module
        self.output_shape = None if output_shape is None else tuple(output_shape)
        self._parameter_names = []
        with backends.backend_scope(self._backend_name):
            for name_, parameter, trainable in self._hooks["module_parameters"](module):
                variable = Variable(parameter, trainable=trainable, backend=self._backend_name,
                                    name=name_.replace(".", "_"), path=f"{self.name}/{name_}")
                (self._trainable_variables if trainable
                 else self._non_trainable_variables).append(variable)
                self._parameter_names.append(name_)
        self._hooks["module_share_parameters"](
            module, self._parameter_names, [v._handle for v in self._module_variables()])
        self.built = True

    def _module_variables(self) -> list:
        by_path = {v.path: v for v in self._trainable_variables + self._non_trainable_variables}
        return [by_path[f"{self.name}/{n}"] for n in self._parameter_names]

    def parameters(self, recurse=True):
        """The module's parameters (they share the variables' storage)."""
        return self.module.parameters(recurse=recurse)

    def call(self, *args, training=None, **kwargs):
        values = [v.value for v in self._module_variables()]
        return self._hooks["module_call"](self.module, self._parameter_names, values, args,
                                          kwargs, training is not False)

    def compute_output_spec(self, *args, **kwargs):
        if self.output_shape is None:  # run the module on small stand-ins
            return super().compute_output_spec(*args, **kwargs)
        return KerasTensor(self.output_shape, self.compute_dtype)

    def save_own_variables(self, store) -> None:
        """The module's ``state_dict`` (parameters and buffers), under its own keys."""
        for key, value in self._hooks["module_state"](self.module).items():
            store[key] = value

    def load_own_variables(self, store) -> None:
        """Load a ``state_dict`` saved by :meth:`save_own_variables` (Keras 3's layout)."""
        state = {(k.decode() if isinstance(k, bytes) else k): store[k][()] for k in store}
        self._hooks["module_load_state"](self.module, state)

    def get_config(self) -> dict:
        data = self._hooks["module_to_bytes"](self.module)
        return {**super().get_config(), "module": base64.b64encode(data).decode("ascii"),
                "output_shape": self.output_shape}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from mini_keras.saving.serialization import in_safe_mode
        config = dict(config)
        if isinstance(config.get("module"), str):
            safe = in_safe_mode() if safe_mode is None else safe_mode
            if safe:
                raise ValueError(
                    "Requested the deserialization of a `torch.nn.Module` object via "
                    "`torch.load()`, which can run arbitrary code; it is disallowed by default. "
                    "If you trust the file, pass `safe_mode=False` to the loading function or "
                    "call `keras.config.enable_unsafe_deserialization()`.")
            hooks = framework_hooks("TorchModuleWrapper", backends.current_name(), _HOOKS,
                                    "torch")
            config["module"] = hooks["module_from_bytes"](
                base64.b64decode(config["module"].encode("ascii")))
        return super().from_config(config)
