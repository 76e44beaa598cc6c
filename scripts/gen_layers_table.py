"""Write docs/layers_table.md: every Keras 3 ``keras.layers`` name x every backend, measured.

The rows are Keras 3's public layer names (read from the installed ``keras``, never listed
here). For each name that has an example below, the script builds the layer from the example's
arguments in Keras 3 and in ours on each backend, calls both on the same input, and puts a ✓
where our output shapes equal Keras 3's (✗ and the error otherwise). Names without an example
(base classes, helpers, framework wrappers) are marked "—" with the reason. Usage::

    python scripts/gen_layers_table.py           # (re)write docs/layers_table.md
    python scripts/gen_layers_table.py --check   # exit 1 if a name we have fails a backend
"""

from __future__ import annotations

import argparse
import inspect
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

OUTPUT = ROOT / "docs" / "layers_table.md"
YES, NO, MISSING = "✓", "✗", "missing"
RNG = np.random.default_rng(0)

# Input kinds: a shape tuple is a float32 normal sample; ("int", shape, high) integer ids;
# ("str", values) a string column; ("list", a, b) a list of float inputs; ("args", a, b) float
# inputs passed as separate call arguments.
SEQ, IMG, VOL = (2, 6, 3), (2, 8, 8, 3), (2, 4, 4, 4, 2)
PIXELS = ("pixels", (2, 8, 8, 3))  # floats in [0, 255]
EXAMPLES: dict[str, tuple[dict, object]] = {
    "Activation": ({"activation": "relu"}, SEQ),
    "ActivityRegularization": ({"l1": 0.1}, SEQ),
    "Add": ({}, ("list", SEQ, SEQ)), "Subtract": ({}, ("list", SEQ, SEQ)),
    "Multiply": ({}, ("list", SEQ, SEQ)), "Average": ({}, ("list", SEQ, SEQ)),
    "Maximum": ({}, ("list", SEQ, SEQ)), "Minimum": ({}, ("list", SEQ, SEQ)),
    "Concatenate": ({}, ("list", SEQ, SEQ)), "Dot": ({"axes": -1}, ("list", SEQ, SEQ)),
    "AdaptiveAveragePooling1D": ({"output_size": 2}, SEQ),
    "AdaptiveMaxPooling1D": ({"output_size": 2}, SEQ),
    "AdaptiveAveragePooling2D": ({"output_size": 3}, IMG),
    "AdaptiveMaxPooling2D": ({"output_size": 3}, IMG),
    "AdaptiveAveragePooling3D": ({"output_size": 2}, VOL),
    "AdaptiveMaxPooling3D": ({"output_size": 2}, VOL),
    "AdditiveAttention": ({}, ("list", SEQ, SEQ)), "Attention": ({}, ("list", SEQ, SEQ)),
    "MultiHeadAttention": ({"num_heads": 2, "key_dim": 2}, ("args", SEQ, SEQ)),
    "GroupQueryAttention": ({"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 1},
                            ("args", SEQ, SEQ)),
    "AlphaDropout": ({"rate": 0.5}, SEQ), "Dropout": ({"rate": 0.5}, SEQ),
    "GaussianDropout": ({"rate": 0.5}, SEQ), "GaussianNoise": ({"stddev": 0.1}, SEQ),
    "SpatialDropout1D": ({"rate": 0.5}, SEQ), "SpatialDropout2D": ({"rate": 0.5}, IMG),
    "SpatialDropout3D": ({"rate": 0.5}, VOL),
    "AveragePooling1D": ({"pool_size": 2}, SEQ), "MaxPooling1D": ({}, SEQ),
    "AveragePooling2D": ({"pool_size": 2}, IMG), "MaxPooling2D": ({}, IMG),
    "AveragePooling3D": ({"pool_size": 2}, VOL), "MaxPooling3D": ({}, VOL),
    "GlobalAveragePooling1D": ({}, SEQ), "GlobalMaxPooling1D": ({}, SEQ),
    "GlobalAveragePooling2D": ({}, IMG), "GlobalMaxPooling2D": ({}, IMG),
    "GlobalAveragePooling3D": ({}, VOL), "GlobalMaxPooling3D": ({}, VOL),
    "BatchNormalization": ({}, IMG), "LayerNormalization": ({}, SEQ),
    "GroupNormalization": ({"groups": 3}, IMG), "UnitNormalization": ({}, SEQ),
    "RMSNormalization": ({}, SEQ),
    "Bidirectional": ({"layer": ("LSTM", {"units": 2})}, SEQ),
    "TimeDistributed": ({"layer": ("Dense", {"units": 2})}, SEQ),
    "SpectralNormalization": ({"layer": ("Dense", {"units": 2})}, SEQ),
    "Conv1D": ({"filters": 2, "kernel_size": 2}, SEQ),
    "Conv2D": ({"filters": 2, "kernel_size": 2}, IMG),
    "Conv3D": ({"filters": 2, "kernel_size": 2}, VOL),
    "Conv1DTranspose": ({"filters": 2, "kernel_size": 2, "strides": 2}, SEQ),
    "Conv2DTranspose": ({"filters": 2, "kernel_size": 2, "strides": 2}, IMG),
    "Conv3DTranspose": ({"filters": 2, "kernel_size": 2, "strides": 2}, VOL),
    "DepthwiseConv1D": ({"kernel_size": 2}, SEQ), "DepthwiseConv2D": ({"kernel_size": 2}, IMG),
    "SeparableConv1D": ({"filters": 2, "kernel_size": 2}, SEQ),
    "SeparableConv2D": ({"filters": 2, "kernel_size": 2}, IMG),
    "ConvLSTM1D": ({"filters": 2, "kernel_size": 2}, (2, 3, 5, 2)),
    "ConvLSTM2D": ({"filters": 2, "kernel_size": 2}, (2, 3, 4, 4, 2)),
    "ConvLSTM3D": ({"filters": 2, "kernel_size": 2}, (2, 2, 3, 3, 3, 1)),
    "Cropping1D": ({"cropping": 1}, SEQ), "Cropping2D": ({"cropping": 1}, IMG),
    "Cropping3D": ({"cropping": 1}, VOL),
    "ZeroPadding1D": ({}, SEQ), "ZeroPadding2D": ({}, IMG), "ZeroPadding3D": ({}, VOL),
    "UpSampling1D": ({}, SEQ), "UpSampling2D": ({}, IMG), "UpSampling3D": ({}, VOL),
    "Dense": ({"units": 2}, SEQ), "EinsumDense": ({"equation": "abc,cd->abd",
                                                   "output_shape": (None, 2)}, SEQ),
    "ELU": ({}, SEQ), "LeakyReLU": ({}, SEQ), "PReLU": ({}, SEQ), "ReLU": ({}, SEQ),
    "Softmax": ({}, SEQ), "Flatten": ({}, SEQ), "Identity": ({}, SEQ), "Masking": ({}, SEQ),
    "Lambda": ({"function": ("abs",)}, SEQ),
    "Embedding": ({"input_dim": 10, "output_dim": 2}, ("int", (2, 5), 10)),
    "ReversibleEmbedding": ({"input_dim": 10, "output_dim": 2}, ("int", (2, 5), 10)),
    "Permute": ({"dims": (2, 1)}, SEQ), "RepeatVector": ({"n": 2}, (2, 3)),
    "Reshape": ({"target_shape": (3, 6)}, SEQ),
    "RNN": ({"cell": ("SimpleRNNCell", {"units": 2})}, SEQ),
    "SimpleRNN": ({"units": 2}, SEQ), "LSTM": ({"units": 2}, SEQ), "GRU": ({"units": 2}, SEQ),
    "CategoryEncoding": ({"num_tokens": 10, "output_mode": "multi_hot"}, ("int", (2, 3), 10)),
    "Discretization": ({"bin_boundaries": [0.0, 1.0]}, SEQ),
    "Hashing": ({"num_bins": 4}, ("str", ["a", "b", "c"])),
    "HashedCrossing": ({"num_bins": 4}, ("strpair", ["a", "b"], ["c", "d"])),
    "StringLookup": ({"vocabulary": ["a", "b"]}, ("str", ["a", "b", "z"])),
    "IntegerLookup": ({"vocabulary": [3, 5]}, ("int", (2, 3), 6)),
    "TextVectorization": ({"vocabulary": ["a", "b"]}, ("str", ["a b", "b z"])),
    "Normalization": ({"mean": 0.0, "variance": 1.0}, SEQ), "Rescaling": ({"scale": 0.5}, SEQ),
    "Resizing": ({"height": 4, "width": 4}, IMG), "CenterCrop": ({"height": 4, "width": 4}, IMG),
    "RandomCrop": ({"height": 4, "width": 4}, IMG),
    "MelSpectrogram": ({"fft_length": 16, "sequence_stride": 8, "num_mel_bins": 4},
                       (2, 64)),
    "STFTSpectrogram": ({"frame_length": 16, "frame_step": 8, "fft_length": 16}, (2, 64, 1)),
    "MaxNumBoundingBoxes": ({"max_number": 2}, IMG),
}
# Image preprocessing layers with only default arguments (or a factor) on [0, 255] pixels.
for _name, _kwargs in {
    "AugMix": {}, "AutoContrast": {}, "ContrastLimitedAdaptiveHistogramEqualization": {},
    "CutMix": {}, "Equalization": {}, "MixUp": {}, "RandAugment": {},
    "RandomBrightness": {"factor": 0.2}, "RandomColorDegeneration": {"factor": 0.5},
    "RandomColorJitter": {}, "RandomContrast": {"factor": 0.2},
    "RandomElasticTransform": {}, "RandomErasing": {}, "RandomFlip": {},
    "RandomGaussianBlur": {}, "RandomGrayscale": {}, "RandomHue": {"factor": 0.2},
    "RandomInvert": {}, "RandomPerspective": {}, "RandomPosterization": {"factor": (1, 4)},
    "RandomRotation": {"factor": 0.1}, "RandomSaturation": {"factor": 0.2},
    "RandomSharpness": {"factor": 0.2}, "RandomShear": {"x_factor": 0.1},
    "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1},
    "RandomZoom": {"height_factor": 0.1}, "Solarization": {"addition_factor": 0.1},
}.items():
    EXAMPLES[_name] = (_kwargs, PIXELS)

NOT_EXERCISED = {
    "Layer": "base class", "InputSpec": "not a layer", "Input": "a function making a tensor",
    "InputLayer": "used by every functional model", "Wrapper": "base class",
    "Pipeline": "a container of other layers", "TFSMLayer": "needs a TensorFlow SavedModel",
    "TorchModuleWrapper": "wraps a torch module (torch backend only)",
    "JaxLayer": "wraps JAX functions (JAX backend only)",
    "FlaxLayer": "wraps a Flax module (JAX backend only)",
    "GRUCell": "a cell, exercised through RNN", "LSTMCell": "a cell, exercised through RNN",
    "SimpleRNNCell": "a cell, exercised through RNN",
    "StackedRNNCells": "cells, exercised through RNN",
}


def _input(kind):
    if isinstance(kind, tuple) and kind and isinstance(kind[0], str):
        tag, *rest = kind
        if tag in ("list", "args"):
            return [_input(shape) for shape in rest]
        if tag == "int":
            return RNG.integers(0, rest[1], size=rest[0]).astype("int32")
        if tag == "str":
            return np.array(rest[0])
        if tag == "strpair":
            return (np.array(rest[0]), np.array(rest[1]))
        if tag == "pixels":
            return (RNG.uniform(size=rest[0]) * 255).astype("float32")
    return RNG.normal(size=kind).astype("float32")


def _call(layer, kind, x):
    if isinstance(kind, tuple) and kind and kind[0] == "args":
        return layer(*x)
    return layer(x)


def _build(layers, name, kwargs):
    resolved = {}
    for key, value in kwargs.items():
        if key in ("layer", "cell"):
            value = getattr(layers, value[0])(**value[1])
        elif key == "function":
            value = np.abs
        resolved[key] = value
    return getattr(layers, name)(**resolved)


def _shapes(result):
    if isinstance(result, (list, tuple)):
        return [_shapes(r) for r in result]
    if isinstance(result, dict):
        return {k: _shapes(v) for k, v in result.items()}
    return tuple(np.asarray(result).shape) if not hasattr(result, "shape") else tuple(
        int(d) for d in result.shape)


def _aliases(module, names):
    """name -> the first name bound to the same class (aliases share one row's reference)."""
    first = {}
    for name in names:
        first.setdefault(id(getattr(module, name, name)), name)
    return {name: first[id(getattr(module, name, name))] for name in names}


def build() -> tuple[str, int]:
    """Return the markdown table and the number of failures among the names we have."""
    import keras

    import mini_keras
    from mini_keras import backends

    names = sorted(n for n in dir(keras.layers) if not n.startswith("_") and
                   inspect.isclass(getattr(keras.layers, n)))
    canonical = _aliases(keras.layers, names)
    backend_names = [b for b in backends.VALID_BACKENDS]
    available = set(backends.available())
    rows, failures, counts = [], 0, {b: 0 for b in backend_names}
    for name in names:
        ours = getattr(mini_keras.layers, name, None)
        example = EXAMPLES.get(canonical[name]) or EXAMPLES.get(name)
        if ours is None:
            rows.append([f"`{name}`", MISSING, *["" for _ in backend_names]])
            continue
        if example is None:
            reason = NOT_EXERCISED.get(name, "no example")
            rows.append([f"`{name}`", "—", *[reason if i == 0 else "" for i, _ in
                                               enumerate(backend_names)]])
            continue
        kwargs, kind = example
        x = _input(kind)
        try:
            expected = _shapes(_call(_build(keras.layers, name, kwargs), kind, x))
        except Exception as error:  # noqa: BLE001 (the reference failing is reported, not raised)
            rows.append([f"`{name}`", f"Keras 3 fails: {type(error).__name__}",
                         *["" for _ in backend_names]])
            continue
        marks = []
        for backend in backend_names:
            if backend not in available:
                marks.append("not installed")
                continue
            try:
                with backends.backend_scope(backend):
                    got = _shapes(_call(_build(mini_keras.layers, name, kwargs), kind, x))
                ok = got == expected
                marks.append(YES if ok else f"{NO} {got} vs {expected}")
            except Exception as error:  # noqa: BLE001 (reported in the table)
                ok = False
                marks.append(f"{NO} {type(error).__name__}")
            failures += not ok
            counts[backend] += ok
        rows.append([f"`{name}`", str(expected), *marks])
    have = sum(getattr(mini_keras.layers, n, None) is not None for n in names)
    header = ["layer", "output shape (Keras 3)", *backend_names]
    lines = [
        "# `mini_keras.layers` x backends",
        "",
        "Generated by `python scripts/gen_layers_table.py` — do not edit by hand.",
        "",
        (f"Keras 3 has {len(names)} layer classes; we have {have}. Each one with an example is "
         f"built from the same arguments in Keras 3 and in ours, called on the same input, and "
         f"gets a {YES} on a backend when our output shapes equal Keras 3's (values are checked "
         "against Keras 3 by the test suite). Per backend: " +
         ", ".join(f"{b} {counts[b]}" for b in backend_names) + f". Failures: {failures}."),
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]
    return "\n".join(lines), failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if a layer we have fails on a backend")
    args = parser.parse_args()
    text, failures = build()
    if args.check:
        print(f"{failures} layer x backend failures")
        return int(bool(failures))
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {failures} failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
