"""``torch.nn.Module`` as a layer (``keras.layers.TorchModuleWrapper``): the torch side.

The layer keeps one Variable per module parameter; the parameters are then re-pointed at the
variables' storage, so an optimizer step on a variable *is* a step on the module. The forward
pass goes through ``torch.func.functional_call`` with the variables' current values, so ``fit``'s
own differentiated leaves (a ``StatelessScope``) reach the module.
"""

from __future__ import annotations

import io

import numpy as np
import torch

from mini_keras.backends.torch.core import DEVICE


def module_parameters(module) -> list:
    """``[(name, parameter, trainable)]`` of ``module`` after moving it to our device."""
    module.to(DEVICE)
    return [(name, p, bool(p.requires_grad)) for name, p in module.named_parameters()]


def module_share_parameters(module, names, handles) -> None:
    """Parameters ``names`` now view the variables' tensors (same storage)."""
    params = dict(module.named_parameters())
    with torch.no_grad():
        for name, handle in zip(names, handles):
            params[name].data = handle.detach()


def module_call(module, names, values, args, kwargs, training):
    """``module(*args, **kwargs)`` with parameters ``names`` taken from ``values``."""
    module.train(bool(training))
    return torch.func.functional_call(module, dict(zip(names, values)), tuple(args), kwargs)


def module_state(module) -> dict:
    """``state_dict()`` as numpy arrays (parameters and buffers, Keras' saved keys)."""
    return {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


def module_load_state(module, state) -> None:
    """``load_state_dict`` from arrays, in place (parameters keep sharing the variables')."""
    module.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in state.items()})


def module_to_bytes(module) -> bytes:
    """``torch.save(module)`` into bytes."""
    buffer = io.BytesIO()
    torch.save(module, buffer)
    return buffer.getvalue()


def module_from_bytes(data: bytes):
    """``torch.load`` of :func:`module_to_bytes`'s bytes (a pickle: trusted files only)."""
    return torch.load(io.BytesIO(data), weights_only=False, map_location=DEVICE)
