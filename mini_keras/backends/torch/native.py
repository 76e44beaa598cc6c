"""Torch's own autodiff on mini_keras variables (Keras 3's torch patterns).

Trainable float variables are tensors with ``requires_grad=True`` (like ``nn.Parameter``), so
``loss.backward()`` fills ``variable.value.grad`` and ``torch.optim`` can update them. The
default ``fit`` path is not slowed: its forward pass reads detached leaves
(``value_and_grad``), and the rest of the step runs under ``torch.no_grad`` (:func:`no_grad_step`).
"""

from __future__ import annotations

import functools

import torch


def no_grad_step(fn):
    """``fn`` run under ``torch.no_grad()`` (no graph is recorded; ``value_and_grad`` still
    differentiates, as it enables gradients itself)."""
    @functools.wraps(fn)
    def step(*args, **kwargs):
        with torch.no_grad():
            return fn(*args, **kwargs)
    return step


def parameters(handles) -> list:
    """The variables' tensors themselves, for ``torch.optim`` (they share the variables'
    storage, so an optimizer step updates the variables)."""
    return list(handles)


def zero_grad(handles, set_to_none: bool = True) -> None:
    """Clear the ``.grad`` that ``backward()`` accumulated on each tensor."""
    for tensor in handles:
        if tensor.grad is None:
            continue
        if set_to_none:
            tensor.grad = None
        else:
            tensor.grad.detach_()
            tensor.grad.zero_()
