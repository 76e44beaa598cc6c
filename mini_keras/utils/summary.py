"""``model.summary()``: a table of layers, output shapes and parameter counts."""

from __future__ import annotations

import math


def _output_shape(layer):
    if layer._inbound_nodes:
        outputs = layer._inbound_nodes[-1].outputs
        if isinstance(outputs, (list, tuple)):
            return [t.shape for t in outputs]
        return outputs.shape
    if hasattr(layer, "batch_shape"):
        return layer.batch_shape
    return "?"


def _params(layer) -> int:
    return int(sum(math.prod(v.shape) for v in layer.weights))


def print_summary(model, line_length=None, print_fn=None) -> None:
    """Print (or pass to ``print_fn``) the summary table of ``model``."""
    print_fn = print_fn or print
    width = line_length or 72
    cols = (int(width * 0.45), int(width * 0.33))
    lines = [f'Model: "{model.name}"', "━" * width,
             f"{'Layer (type)':<{cols[0]}}{'Output Shape':<{cols[1]}}{'Param #':>{width - sum(cols)}}",
             "━" * width]
    for layer in model.layers:
        name = f"{layer.name} ({type(layer).__name__})"
        lines.append(f"{name:<{cols[0]}}{_output_shape(layer)!s:<{cols[1]}}"
                     f"{_params(layer):>{width - sum(cols)},}")
    lines.append("━" * width)
    trainable = sum(math.prod(v.shape) for v in model.trainable_weights)
    total = _params(model)
    lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    if not model.built:
        lines.append("(the model is not built yet: call it on data to see all shapes)")
    for line in lines:
        print_fn(line)
