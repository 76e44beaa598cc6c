"""Keras 3's ``Model.get_state_tree()`` / ``set_state_tree()``: every variable of a model as
nested dicts keyed by the parts of its path."""

from __future__ import annotations

_GROUPS = ("trainable_variables", "non_trainable_variables", "optimizer_variables",
           "metrics_variables")


def _nested(variables, value_format: str) -> dict:
    flat = {}
    for v in variables:
        if v.path in flat:
            raise ValueError(f"The following variable path is found twice in the model: "
                             f"'{v.path}'. `get_state_tree()` can only be called when all "
                             "variable paths are unique. Make sure to give unique names to your "
                             "layers (and other objects).")
        if value_format == "backend_tensor":
            flat[v.path] = v.value
        elif value_format == "numpy_array":
            flat[v.path] = v.numpy()
        else:
            raise ValueError("Invalid `value_format` argument. Expected one of "
                             f"{{'numpy_array', 'backend_tensor'}}. Received: "
                             f"value_format={value_format}")
    nested: dict = {}
    for path, value in flat.items():
        parts = path.split("/")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested


def _flatten(tree: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in tree.items():
        path = f"{prefix}/{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


class StateTreeAPI:
    """Mixin for ``Model``."""

    def _state_groups(self) -> dict:
        optimizer = getattr(self, "optimizer", None)
        return {"trainable_variables": self.trainable_variables,
                "non_trainable_variables": self.non_trainable_variables,
                "optimizer_variables": optimizer.variables if optimizer is not None else [],
                "metrics_variables": self.metrics_variables}

    def get_state_tree(self, value_format: str = "backend_tensor") -> dict:
        """``{"trainable_variables": {...}, "non_trainable_variables", "optimizer_variables",
        "metrics_variables"}``, each a nested dict of values keyed by path parts.

        Args:
            value_format: "backend_tensor" or "numpy_array" leaves.
        """
        return {name: _nested(variables, value_format)
                for name, variables in self._state_groups().items()}

    def set_state_tree(self, state_tree: dict) -> None:
        """Assign the values of a :meth:`get_state_tree`-shaped dict to the variables.

        Raises:
            ValueError: an unknown group name.
        """
        groups = self._state_groups()
        for name, tree in state_tree.items():
            if name not in _GROUPS:
                raise ValueError(f"Unknown variable name: {name}")
            by_path = {v.path: v for v in groups[name]}
            for path, value in _flatten(tree).items():
                if path in by_path:
                    by_path[path].assign(value)
