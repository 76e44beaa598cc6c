"""Keras 3's signatures, name by name: every public class and function we share with Keras 3
takes the same named parameters with the same defaults.

A ratchet: ``KNOWN`` lists the mismatches not fixed yet. The test fails on any mismatch not
in it (a regression, or a new name added with the wrong signature) and on any entry of it
that is fixed (drop it from the list). ``keras.ops`` has its own list
(tests/ops/test_signatures_match_keras.py when present).
"""

from __future__ import annotations

import importlib
import inspect
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

NAMESPACES = ("layers", "losses", "metrics", "optimizers", "optimizers.schedules", "callbacks",
              "models", "saving", "utils", "activations", "initializers", "regularizers",
              "constraints", "config", "random", "backend", "export", "datasets",
              "mixed_precision", "dtype_policies", "tree", "applications")

# Mismatches not fixed yet: qualified name -> why. Remove an entry when it is fixed.
KNOWN = {
    "layers.Conv2D": "strides/dilation_rate default 1 where Keras writes (1, 1) (same values)",
    "layers.Convolution2D": "alias of Conv2D",
    "layers.Dense": "lora_rank/lora_alpha (LoRA) and quantization_config (out of scope) absent",
    "layers.Embedding": "weights=, lora_rank/lora_alpha and quantization_config absent",
    "layers.Bidirectional": "weights= (initial weights) absent",
    "layers.GRU": "arguments forwarded through **kwargs instead of named",
    "layers.LSTM": "arguments forwarded through **kwargs instead of named",
    "layers.SimpleRNN": "arguments forwarded through **kwargs instead of named",
    "layers.InputSpec": "max_ndim/allow_last_axis_squeeze/optional absent",
    "layers.IntegerLookup": "pad_to_max_tokens/oov_method/salt absent",
    "layers.StringLookup": "salt absent",
    "layers.Layer": "activity_regularizer handled per layer, not by the base class",
    "layers.MultiHeadAttention": "sliding_window/flash_attention/use_gate (Keras 3.15) absent",
    "callbacks.BackupAndRestore": "double_checkpoint absent",
    "models.save_model": "zipped absent",
    "saving.save_model": "zipped absent",
    "saving.save_weights": "max_shard_size absent",
}


def _parameters(obj):
    """``{name: default or "<required>"}`` of the named parameters, or None if not inspectable."""
    try:
        signature = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    except (TypeError, ValueError):
        return None
    return {p.name: "<required>" if p.default is p.empty else repr(p.default)
            for p in signature.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


def _mismatches() -> dict[str, str]:
    keras = pytest.importorskip("keras")
    out = {}
    for namespace in NAMESPACES:
        theirs = importlib.import_module(f"{keras.__name__}.{namespace}")
        try:
            ours = importlib.import_module(f"mini_keras.{namespace}")
        except ImportError:
            continue
        for name in sorted(n for n in dir(theirs) if not n.startswith("_")):
            their_obj, our_obj = getattr(theirs, name), getattr(ours, name, None)
            if our_obj is None or inspect.ismodule(their_obj):
                continue
            want, got = _parameters(their_obj), _parameters(our_obj)
            if want is None or got is None:
                continue
            missing = [k for k in want if k not in got]
            differ = [f"{k}={got[k]} (Keras: {want[k]})" for k in want
                      if k in got and got[k] != want[k]]
            if missing or differ:
                out[f"{namespace}.{name}"] = f"missing {missing}, defaults {differ}"
    return out


def test_signatures_match_keras():
    found = _mismatches()
    new = {k: v for k, v in found.items() if k not in KNOWN}
    fixed = sorted(set(KNOWN) - set(found))
    assert not new, "signatures that differ from Keras 3:\n" + "\n".join(
        f"  {k}: {v}" for k, v in sorted(new.items()))
    assert not fixed, f"fixed, drop from KNOWN: {fixed}"
