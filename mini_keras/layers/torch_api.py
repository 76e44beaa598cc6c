"""``Layer.parameters()`` / ``zero_grad()``: the torch backend's ``nn.Module`` surface of a layer,
so ``torch.optim.Adam(model.parameters())`` and ``loss.backward()`` loops work as in Keras 3.

The tensors come from the backend (``backends/torch/native.py``); other backends raise.
"""

from __future__ import annotations

from mini_keras import backends


def _torch_hook(layer, name: str):
    with backends.backend_scope(layer._backend_name):
        hook = backends.optional_hook(name)
    if hook is None:
        raise AttributeError(f"Layer '{layer.name}'.{name}() is the torch backend's nn.Module "
                             f"API; this layer runs on the '{layer._backend_name}' backend.")
    return hook


class TorchModuleAPI:
    """Mixin for ``Layer``: ``parameters``, ``named_parameters`` and ``zero_grad``."""

    def parameters(self, recurse: bool = True) -> list:
        """The tensors of ``self.variables`` (trainable ones require gradients), for
        ``torch.optim``; updating them updates the variables."""
        variables = self.variables if recurse else (self._trainable_variables
                                                    + self._non_trainable_variables)
        return _torch_hook(self, "parameters")([v.value for v in variables])

    def named_parameters(self, recurse: bool = True) -> list:
        """``(variable.path, tensor)`` pairs, as ``nn.Module.named_parameters``."""
        variables = self.variables if recurse else (self._trainable_variables
                                                    + self._non_trainable_variables)
        tensors = _torch_hook(self, "parameters")([v.value for v in variables])
        return [(v.path, t) for v, t in zip(variables, tensors)]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients ``loss.backward()`` accumulated on the layer's variables."""
        _torch_hook(self, "zero_grad")([v.value for v in self.variables], set_to_none)
