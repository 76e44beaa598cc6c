"""ExportArchive: assemble a SavedModel from tracked layers, endpoints and variable collections."""

from __future__ import annotations

import importlib
import importlib.util
import os

from mini_keras.export import files, rebind, signature

SAVED_MODEL_BACKEND = "tensorflow"
EXPORT_EXTRA = 'pip install "mini_keras[export]"'


def writer(backend: str, module: str, what: str):
    """The framework-side writer module ``mini_keras.backends.<backend>.<module>``.

    Raises:
        ImportError: the framework is missing (names the pip extra).
    """
    if importlib.util.find_spec(backend) is None:
        raise ImportError(f"{what} needs the '{backend}' package, which is not installed: "
                          f"{EXPORT_EXTRA}.")
    return importlib.import_module(f"mini_keras.backends.{backend}.{module}")


def _is_layer(obj) -> bool:
    return hasattr(obj, "_layers") and hasattr(obj, "_backend_name")


class ExportArchive:
    """Write a TensorFlow SavedModel with chosen endpoints, from a model of any backend.

    As in Keras 3: :meth:`track` the layers/models the endpoints use, :meth:`add_endpoint`
    each function with its input signature, optionally :meth:`add_variable_collection`, then
    :meth:`write_out`. Layers built on another backend run on TensorFlow while the endpoints
    are traced (their weights are copied into ``tf.Variable``s for the file; the layers
    themselves are left unchanged).

    Example:
        >>> archive = ExportArchive()
        >>> archive.track(model)
        >>> archive.add_endpoint("serve", lambda x: model(x, training=False),
        ...                      input_signature=[keras.Input((8,))])
        >>> archive.write_out("path/to/dir")
    """

    def __init__(self):
        self._tracked: list = []
        self._endpoints: dict[str, tuple] = {}
        self._collections: dict[str, list] = {}
        self._layer_overrides: dict = {}

    def track(self, resource):
        """Track a layer or model so that the endpoints may use its variables.

        Raises:
            TypeError: ``resource`` is not a layer/model.
            ValueError: it is not built (its variables do not exist yet).
        """
        if not _is_layer(resource):
            raise TypeError("ExportArchive.track: expected a mini_keras Layer or Model, "
                            f"received {type(resource).__name__}.")
        if not resource.built:
            raise ValueError(f"ExportArchive.track: '{resource.name}' is not built; call it on "
                             "data or build() it first.")
        if resource not in self._tracked:
            self._tracked.append(resource)
        return resource

    def add_endpoint(self, name: str, fn=None, input_signature=None, **kwargs) -> None:
        """Add an endpoint ``name`` computing ``fn(*args)`` for inputs of ``input_signature``.

        Args:
            name: attribute name on the loaded SavedModel (a Python identifier).
            fn: callable using only tracked layers/models and ``mini_keras.ops``.
            input_signature: list with one spec (or list/dict of specs) per argument of
                ``fn``; specs are ``keras.Input`` tensors, ``tf.TensorSpec`` or
                :class:`mini_keras.export.TensorSpec`, None for a dynamic dimension.

        Raises:
            ValueError: bad or duplicate name, missing signature.
            TypeError: fn is not callable.
            TypeError: unknown keyword argument.
        """
        if kwargs:
            raise TypeError(f"ExportArchive.add_endpoint: unrecognized arguments {sorted(kwargs)}.")
        self._check_name(name, "add_endpoint")
        if not callable(fn):
            raise TypeError(f"ExportArchive.add_endpoint('{name}'): fn must be a callable, "
                             f"received {fn!r}.")
        if input_signature is None:
            raise ValueError(f"ExportArchive.add_endpoint('{name}'): pass input_signature= "
                             "(a list with one spec per argument of fn).")
        self._endpoints[name] = (fn, signature.normalize(input_signature))

    def track_and_add_endpoint(self, name: str, resource, input_signature=None, **kwargs) -> None:
        """Track ``resource`` and add endpoint ``name`` calling it with ``training=False``."""
        self.track(resource)
        if input_signature is None:
            input_signature = signature.model_signature(resource)
        self.add_endpoint(name, lambda *args: resource(*args, training=False),
                          input_signature, **kwargs)

    def add_variable_collection(self, name: str, variables) -> None:
        """Save ``variables`` (a list of Variables) as the list attribute ``name``."""
        self._check_name(name, "add_variable_collection")
        variables = list(variables)
        if not all(hasattr(v, "numpy") and hasattr(v, "_handle") for v in variables):
            raise TypeError(f"ExportArchive.add_variable_collection('{name}'): expected a list "
                            "of mini_keras Variables.")
        self._collections[name] = variables

    def _check_name(self, name, where):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"ExportArchive.{where}: name must be a Python identifier, "
                             f"received {name!r}.")
        if name in self._endpoints or name in self._collections:
            raise ValueError(f"ExportArchive.{where}: name '{name}' is already used.")

    def write_out(self, filepath, options=None, verbose=None) -> None:
        """Write the SavedModel directory ``filepath`` (``tf.saved_model.SaveOptions``).

        Every endpoint with flat tensor inputs is also a signature, and the first endpoint is
        also ``serving_default`` (TF Serving's), as in Keras 3. The directory appears only
        once complete; an earlier export there is replaced.

        Raises:
            ValueError: no endpoint was added.
            FileExistsError: ``filepath`` is an existing file.
        """
        if not self._endpoints:
            raise ValueError("ExportArchive.write_out: no endpoint; call add_endpoint() first.")
        filepath = os.fspath(filepath)
        files.check_target(filepath, directory=True, what="ExportArchive.write_out")
        tf_writer = writer(SAVED_MODEL_BACKEND, "export_saved_model", "SavedModel export")
        extra = [v for vs in self._collections.values() for v in vs]
        moved = rebind.foreign(self._tracked, SAVED_MODEL_BACKEND)
        if verbose is not False and moved:
            print(f"Exporting through TensorFlow: the {', '.join(moved)} layers run on the "
                  "tensorflow backend for this export (weights copied into tf.Variables).")
        with rebind.running_on(self._tracked, SAVED_MODEL_BACKEND, variables=extra,
                               layer_overrides=self._layer_overrides) as variables:
            functions = {name: tf_writer.trace(fn, sig)[0]
                         for name, (fn, sig) in self._endpoints.items()}
            collections = {name: [v._handle for v in vs]
                           for name, vs in self._collections.items()}
            with files.atomic_write(filepath, directory=True) as tmp:
                tf_writer.write_saved_model(tmp, functions, collections,
                                            [v._handle for v in variables], options=options)
        if verbose is not False:
            lines = [f"* Endpoint '{name}': inputs {sig}" for name, (_, sig) in
                     self._endpoints.items()]
            print(f"Saved artifact at '{filepath}'. The following endpoints are available:\n"
                  + "\n".join(lines))
