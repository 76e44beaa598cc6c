"""Model: a Layer that can be trained; ``Model(inputs, outputs)`` builds a functional model."""

from __future__ import annotations

import json

from mini_keras import backends
from mini_keras.common.tracebacks import filter_traceback
from mini_keras.layers.layer import Layer
from mini_keras.models.state_tree import StateTreeAPI
from mini_keras.trainers.trainer import Trainer
from mini_keras.utils.summary import print_summary


def functional_init_arguments(args, kwargs) -> bool:
    """True when ``Model(...)`` arguments are a functional ``(inputs, outputs)`` pair."""
    return (len(args) >= 2 or ("inputs" in kwargs and "outputs" in kwargs)
            or (len(args) == 1 and "outputs" in kwargs))


class Model(StateTreeAPI, Trainer, Layer):
    """A trainable group of layers.

    Use it three ways, as in Keras 3:
    - functional: ``Model(inputs, outputs)`` with KerasTensors from ``Input``;
    - subclassing: define layers in ``__init__`` and the forward pass in ``call``;
    - ``Sequential`` (a subclass) for a plain stack.
    """

    _string_inputs = True  # string inputs reach the text/lookup layers that take them

    def __new__(cls, *args, **kwargs):
        if functional_init_arguments(args, kwargs):
            from mini_keras.models.functional import Functional, functional_subclass
            if cls is Model:
                return object.__new__(Functional)
            if not issubclass(cls, Functional):  # Keras 3: the graph + the subclass's methods
                return object.__new__(functional_subclass(cls))
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        Layer.__init__(self, trainable=kwargs.pop("trainable", True),
                       name=kwargs.pop("name", None), dtype=kwargs.pop("dtype", None))
        self._init_trainer()
        if args or kwargs:
            raise TypeError(f"Model: unrecognized arguments {args} {sorted(kwargs)}")

    @property
    def layers(self) -> list[Layer]:
        """The model's direct sub-layers, in the order they were created or connected."""
        return list(self._layers)

    def get_layer(self, name=None, index=None) -> Layer:
        """Return a sub-layer by name or index (ValueError listing the names if not found)."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}")

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs) -> None:
        """Print a table of layers, output shapes and parameter counts."""
        print_summary(self, line_length=line_length, print_fn=print_fn)

    # ------------------------------------------------------------------ saving
    @filter_traceback
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configure the model for training (see ``Trainer.compile``); remembered for saving."""
        self._compile_args = {"optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
                              "metrics": metrics, "weighted_metrics": weighted_metrics,
                              "run_eagerly": run_eagerly,
                              "steps_per_execution": steps_per_execution,
                              "jit_compile": jit_compile}
        super().compile(optimizer=optimizer, loss=loss, loss_weights=loss_weights,
                        metrics=metrics, weighted_metrics=weighted_metrics,
                        run_eagerly=run_eagerly, steps_per_execution=steps_per_execution,
                        jit_compile=jit_compile, auto_scale_loss=auto_scale_loss)

    def get_compile_config(self) -> dict | None:
        """The ``compile()`` arguments, serialized (None if the model was never compiled)."""
        from mini_keras.saving.serialization import serialize_keras_object
        if not getattr(self, "compiled", False) or not hasattr(self, "_compile_args"):
            return None
        config = dict(self._compile_args, optimizer=self.optimizer)
        return serialize_keras_object(config)

    def compile_from_config(self, config: dict, custom_objects=None) -> None:
        """Compile from :meth:`get_compile_config`'s output and build the optimizer's state."""
        from mini_keras.saving.serialization import deserialize_keras_object
        config = deserialize_keras_object(config, custom_objects)
        if config.get("jit_compile") is False:  # Keras' False still traces a graph
            config["jit_compile"] = "auto"
        allowed = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
                   "run_eagerly", "steps_per_execution", "jit_compile")
        self.compile(**{k: v for k, v in config.items() if k in allowed})
        if self.built:
            with backends.backend_scope(self._backend_name):
                self.optimizer.build(self.trainable_variables)

    def get_build_config(self) -> dict | None:
        """``{"input_shape": ...}`` the model was built with (None if unknown)."""
        shape = getattr(self, "_build_input_shape", None) or self._build_shapes
        if not self.built:
            return None
        return {"input_shape": list(shape) if isinstance(shape, tuple) else shape}

    def build_from_config(self, config: dict) -> None:
        """Build from :meth:`get_build_config`'s output."""
        from mini_keras.saving.serialization import _to_shape
        shape = config.get("input_shape")
        if shape is not None and not self.built:
            self._maybe_build(_to_shape(shape))

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Recreate a subclassed model from its ``get_config()`` (constructor arguments); a
        subclass built functionally (its config holds the graph) is rebuilt as a graph."""
        if "layers" in config and "input_layers" in config and "output_layers" in config:
            from mini_keras.models.functional import Functional, functional_subclass
            return Functional.from_config.__func__(functional_subclass(cls), config,
                                                   custom_objects)
        return cls(**config)

    @filter_traceback
    def save(self, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
        """Save architecture, weights and optimizer state to a ``.keras`` file (Keras 3 format).

        Args:
            filepath: path ending in ``.keras``.
            overwrite: replace an existing file.
            zipped: None or True (a ``.keras`` zip); False (an unzipped folder) is not
                supported.

        Raises:
            NotImplementedError: ``zipped=False``.
            TypeError: any other keyword argument (Keras 2's ``save_format``...).
        """
        from mini_keras.saving import saving_lib
        if zipped is False:
            raise NotImplementedError("Model.save(zipped=False): only zipped `.keras` files "
                                      "are supported; pass zipped=None or True.")
        if kwargs:
            raise TypeError(f"Model.save() got unexpected keyword arguments {sorted(kwargs)}; "
                            "it takes filepath, overwrite and zipped.")
        saving_lib.save_model(self, filepath, overwrite=overwrite)

    @filter_traceback
    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights (and built optimizer state) to a ``.weights.h5`` file."""
        from mini_keras.saving import saving_lib
        saving_lib.save_weights(self, filepath, overwrite=overwrite)

    @filter_traceback
    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights from ``.weights.h5``, ``.keras`` or a legacy ``.h5`` file (same
        architecture required); ``by_name=True`` (legacy ``.h5`` only) matches layers by name."""
        from mini_keras.saving import saving_lib
        by_name = kwargs.pop("by_name", False)
        if kwargs:
            raise ValueError(f"load_weights: invalid keyword arguments: {sorted(kwargs)} "
                             "(supported: skip_mismatch, by_name).")
        saving_lib.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name)

    @filter_traceback
    def export(self, filepath, format: str = "tf_saved_model", verbose=None,
               input_signature=None, **kwargs) -> None:
        """Export for serving: ``"tf_saved_model"``, ``"onnx"`` or ``"litert"`` (Keras 3 names).

        Works from every backend: the model runs on the framework the format needs while it is
        traced (see ``mini_keras.export``); inference mode, batch dimension dynamic.

        Args:
            filepath: SavedModel directory, ``.onnx`` file or ``.tflite`` file.
            format: ``"tf_saved_model"`` (default), ``"onnx"`` or ``"litert"``.
            verbose: print what was written (None: yes).
            input_signature: one spec structure per argument (default: the model's inputs).
            **kwargs: ``options`` (tf_saved_model), ``opset_version`` (onnx).
        """
        from mini_keras.export import export_model
        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)

    def to_json(self, **kwargs) -> str:
        """The model's architecture as a JSON string (``model_from_json`` reverses it)."""
        from mini_keras.saving.serialization import serialize_keras_object
        return json.dumps(serialize_keras_object(self), **kwargs)
