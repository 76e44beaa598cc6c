"""PyTorch's export writer: ONNX through ``torch.onnx.export``.

``mini_keras.export`` runs the model on this backend while :func:`write_onnx` traces it; this
module only speaks PyTorch. Inputs are framework-free specs (``shape``/``dtype``/``name``).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

_EXAMPLE_SIZE = 2  # stands in for each None dimension while tracing (1 would be specialised)


class _Wrapped(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *flat):
        return self.fn(*flat)


def write_onnx(filepath: str, fn, flat_specs: list, input_names: list[str],
               output_names: list[str], opset_version: int | None = None,
               variables: list = ()) -> None:
    """Trace ``fn(*flat_inputs) -> tuple of tensors`` and write it as ONNX.

    Every None dimension of a spec is a dynamic ONNX axis (named ``<input>_dim<i>``).

    Args:
        filepath: the ``.onnx`` file to write.
        fn: callable taking the flat input tensors, returning a tuple of output tensors.
        flat_specs: specs (``shape`` with None, ``dtype``) of the flat inputs.
        input_names / output_names: the ONNX graph's input and output names.
        opset_version: ONNX opset (None: the exporter's default).
        variables: the tensors of the variables ``fn`` reads. Trainable ones require grad
            (like ``nn.Parameter``), which the tracer refuses to freeze into the graph, so
            the flag is off while tracing and restored afterwards.
    """
    examples = tuple(
        torch.from_numpy(np.zeros([_EXAMPLE_SIZE if d is None else d for d in spec.shape],
                                  dtype=spec.dtype)) for spec in flat_specs)
    dynamic_axes = {name: {i: f"{name}_dim{i}" for i, d in enumerate(spec.shape) if d is None}
                    for name, spec in zip(input_names, flat_specs)}
    for name in output_names:
        dynamic_axes[name] = {0: f"{name}_dim0"}
    frozen = [t for t in variables if t.requires_grad]
    try:
        for tensor in frozen:
            tensor.requires_grad_(False)
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Wrapped(fn), examples, filepath, input_names=input_names,
                              output_names=output_names, dynamic_axes=dynamic_axes,
                              opset_version=opset_version, dynamo=False)
    finally:
        for tensor in frozen:
            tensor.requires_grad_(True)
