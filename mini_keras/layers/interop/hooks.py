"""The framework hooks an interop layer needs, asked of the layer's backend by capability."""

from __future__ import annotations

from mini_keras import backends


def framework_hooks(layer_class: str, backend: str, names: tuple, frameworks: str):
    """``{name: hook}`` of ``backend``'s optional hooks ``names``; a clear error when the backend
    lacks any (the layer runs only where its framework is the backend)."""
    with backends.backend_scope(backend):
        hooks = {name: backends.optional_hook(name) for name in names}
    if any(hook is None for hook in hooks.values()):
        raise ValueError(f"{layer_class} is only supported with the {frameworks} backend; "
                         f"the current backend is '{backend}'. Select it first, e.g. "
                         f"keras.config.set_backend(...) or MINI_KERAS_BACKEND.")
    return hooks
