"""``Model.export``: one model, three serving formats, whatever backend it was built on.

| format           | traced on  | written by                       | served with               |
|------------------|------------|----------------------------------|---------------------------|
| "tf_saved_model" | tensorflow | ``tf.saved_model.save``          | ``tf.saved_model.load``   |
| "litert"         | tensorflow | ``tf.lite.TFLiteConverter``      | ``ai_edge_litert``        |
| "onnx"           | torch      | ``torch.onnx.export`` (TorchScript exporter) | ``onnxruntime`` |
"""

from __future__ import annotations

import importlib.util
import os
import time

import numpy as np

from mini_keras.export import blame, files, rebind, signature
from mini_keras.export.export_archive import EXPORT_EXTRA, ExportArchive, writer

ONNX_BACKEND = "torch"


def _saved_model(model, filepath, sig, verbose, options=None):
    archive = ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda *args: model(*args, training=False), sig)
    archive.write_out(filepath, options=options, verbose=verbose)


def _write_litert(model, filepath, sig, converter_options=None):
    tf_writer = writer("tensorflow", "export_saved_model", "LiteRT export")
    # unroll=True: recurrent layers become a static Python loop (built-in ops only), as the
    # while loop of the generic path needs LiteRT's Flex (select TF) ops.
    with rebind.running_on([model], "tensorflow", layer_overrides={"unroll": True}) as vs:
        function, _ = tf_writer.trace(lambda *args: model(*args, training=False), sig)
        tf_writer.write_litert(filepath, function, [v._handle for v in vs],
                               converter_options or {})


def _litert(model, filepath, sig, verbose, **converter_options):
    if not filepath.endswith(".tflite"):
        raise ValueError(f"export(format='litert'): filepath must end with '.tflite', "
                         f"received {filepath!r}.")
    moved = rebind.foreign([model], "tensorflow")
    if verbose and moved:
        print(f"Exporting through TensorFlow: the {', '.join(moved)} layers run on the "
              "tensorflow backend for this export (weights copied into tf.Variables).")
    _convert(model, filepath, sig, "litert",
             lambda m, path, s: _write_litert(m, path, s, converter_options))
    if verbose:
        print(f"Saved LiteRT model at '{filepath}' (built-in ops only; batch dimension "
              "dynamic: resize_tensor_input before allocate_tensors).")


def _write_onnx(model, filepath, sig, opset_version=None):
    torch_writer = writer(ONNX_BACKEND, "export_onnx", "ONNX export")
    if importlib.util.find_spec("onnx") is None:
        raise ImportError(f"ONNX export needs the 'onnx' package: {EXPORT_EXTRA}.")
    flat = signature.flatten_specs(sig[0])
    names = signature.unique_names(flat)
    with rebind.running_on([model], ONNX_BACKEND):
        structure = sig[0]
        probe = model(signature.pack(structure, _zeros(flat)), training=False)
        outputs = [f"output_{i}" for i in range(len(signature.flatten_outputs(probe)))]

        def fn(*tensors):
            result = model(signature.pack(structure, list(tensors)), training=False)
            return tuple(signature.flatten_outputs(result))

        torch_writer.write_onnx(filepath, fn, flat, names, outputs, opset_version)
    return names, outputs


def _onnx(model, filepath, sig, verbose, opset_version=None):
    if len(sig) != 1:
        raise ValueError("export(format='onnx'): the model takes one argument; input_signature "
                         f"has {len(sig)} entries.")
    moved = rebind.foreign([model], ONNX_BACKEND)
    if verbose and moved:
        print(f"Exporting through PyTorch: the {', '.join(moved)} layers run on the torch "
              "backend for this export (weights copied into torch tensors).")
    names, outputs = _convert(model, filepath, sig, "onnx",
                              lambda m, path, s: _write_onnx(m, path, s, opset_version))
    if verbose:
        print(f"Saved ONNX model at '{filepath}'. Inputs {names}, outputs {outputs}; "
              "None dimensions are dynamic axes.")


def _convert(model, filepath, sig, fmt, convert):
    """``convert(model, path, sig)`` into a temporary file moved to ``filepath`` on success.

    A converter failure becomes a ValueError naming the op and the layer that uses it.
    """
    with files.atomic_write(filepath, directory=False) as tmp:
        try:
            return convert(model, tmp, sig)
        except (ImportError, TypeError):
            raise
        except Exception as e:
            raise blame.unsupported_op_error(fmt, model, sig, e, convert) from e


def _zeros(flat):
    return [np.zeros([1 if d is None else d for d in s.shape], s.dtype) for s in flat]


# format -> (writer, keyword arguments it accepts; None: any, checked by the writer)
_FORMATS = {
    "tf_saved_model": (_saved_model, ("options",)),
    "onnx": (_onnx, ("opset_version",)),
    "litert": (_litert, None),
}
FORMATS = tuple(_FORMATS)


def export_model(model, filepath, format: str = "tf_saved_model", verbose=None,
                 input_signature=None, **kwargs) -> None:
    """Export ``model`` for serving (the body of :meth:`Model.export`).

    Args:
        model: a built model of any backend.
        filepath: SavedModel directory, ``.onnx`` file or ``.tflite`` file.
        format: one of :data:`FORMATS`.
        verbose: print what was done (None: yes, as Keras 3).
        input_signature: list with one spec structure per model argument (default: the
            model's inputs with a None batch dimension).
        **kwargs: format options: ``options`` (tf_saved_model), ``opset_version`` (onnx),
            ``tf.lite.TFLiteConverter`` attributes such as ``optimizations`` (litert).

    Raises:
        ValueError: unknown format, unbuilt model, an op the format cannot express.
        TypeError: a keyword argument the format does not take.
        ImportError: a converter package is missing (names the pip extra).
        FileExistsError, IsADirectoryError, FileNotFoundError: ``filepath`` cannot hold
            the format's output (a file where a directory goes, or the reverse, or no parent).
    """
    if format not in _FORMATS:
        raise ValueError(f"Model.export: unrecognized format={format!r}. Supported formats: "
                         f"{', '.join(repr(f) for f in FORMATS)}.")
    write, allowed = _FORMATS[format]
    unknown = sorted(set(kwargs) - set(allowed)) if allowed is not None else []
    if unknown:
        raise TypeError(f"Model.export(format={format!r}): unrecognized arguments {unknown}; "
                        f"this format accepts {list(allowed) or 'none'}.")
    if not getattr(model, "built", False):
        raise ValueError(f"Model.export: model '{model.name}' is not built; call it on data or "
                         "build() it first.")
    sig = (signature.model_signature(model) if input_signature is None
           else signature.normalize(input_signature))
    verbose = True if verbose is None else bool(verbose)
    filepath = os.fspath(filepath)
    files.check_target(filepath, directory=format == "tf_saved_model",
                       what=f"Model.export(format={format!r})")
    start = time.perf_counter()
    write(model, filepath, sig, verbose, **kwargs)
    if verbose:
        print(f"Export to {format} took {time.perf_counter() - start:.2f} s.")
