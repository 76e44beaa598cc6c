"""Distribution descriptors: device meshes, tensor layouts, DataParallel and ModelParallel.

These are plain descriptions (no framework), so they sit on the ground floor where the backends'
``distribution_lib`` modules can check them. The default device list comes from the backend,
which ``mini_keras.distribution.api`` registers with :func:`set_device_lister`.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
from collections.abc import Callable

__all__ = ["DataParallel", "DeviceMesh", "Distribution", "LayoutMap", "ModelParallel",
           "TensorLayout", "distribution", "set_device_lister", "set_distribution"]

_device_lister: Callable[[], list[str]] | None = None


def set_device_lister(fn: Callable[[], list[str]]) -> None:
    """Register the function that lists the current backend's devices (the mesh default)."""
    global _device_lister
    _device_lister = fn


def list_devices() -> list[str]:
    """The current backend's devices, through the registered lister."""
    if _device_lister is None:
        raise RuntimeError("No device lister registered: import mini_keras.distribution first.")
    return _device_lister()


_global_distribution = None
_scoped_distribution: contextvars.ContextVar = contextvars.ContextVar(
    "mini_keras_distribution", default=None)


class DeviceMesh:
    """A named n-dimensional grid of devices.

    Args:
        shape: the grid's shape, e.g. ``(2, 4)``.
        axis_names: one name per axis, e.g. ``("batch", "model")``.
        devices: device names (default: :func:`list_devices`); ``prod(shape)`` of them are used.
    """

    def __init__(self, shape, axis_names, devices=None):
        shape, axis_names = tuple(int(s) for s in shape), tuple(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: shape {shape} has {len(shape)} axes but axis_names "
                             f"{axis_names} has {len(axis_names)}.")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"DeviceMesh: axis_names must be unique, received {axis_names}.")
        available = list(devices) if devices is not None else list_devices()
        needed = math.prod(shape)
        if needed > len(available):
            raise ValueError(f"DeviceMesh of shape {shape} needs {needed} devices but only "
                             f"{len(available)} are available: {available}.")
        if devices is not None and needed != len(available):
            raise ValueError(f"DeviceMesh of shape {shape} needs exactly {needed} devices, "
                             f"received {len(available)}: {available}.")
        self.shape, self.axis_names = shape, axis_names
        self.devices = available[:needed]

    def axis_size(self, name: str) -> int:
        """Number of devices along the axis ``name``."""
        return self.shape[self.axis_names.index(name)]

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How a tensor is laid out on a mesh: one mesh axis name (sharded) or None (replicated)
    per tensor dimension.

    Args:
        axes: e.g. ``(None, "model")`` shards a kernel's columns over the "model" axis.
        device_mesh: the mesh (set later by :class:`LayoutMap` when omitted).
    """

    def __init__(self, axes, device_mesh=None):
        self.axes = tuple(axes)
        self.device_mesh = None
        if device_mesh is not None:
            self._bind(device_mesh)

    def _bind(self, mesh: DeviceMesh) -> TensorLayout:
        for axis in self.axes:
            if axis is not None and axis not in mesh.axis_names:
                raise ValueError(f"TensorLayout {self.axes}: axis {axis!r} is not in the mesh's "
                                 f"axis names {mesh.axis_names}.")
        self.device_mesh = mesh
        return self

    def check_shape(self, shape, what: str) -> None:
        """Raise ValueError if ``shape`` cannot be split as this layout asks."""
        if len(self.axes) != len(shape):
            raise ValueError(f"{what}: layout {self.axes} has {len(self.axes)} axes but the "
                             f"tensor has shape {tuple(shape)}.")
        for dim, axis in zip(shape, self.axes):
            if axis is not None and dim % self.device_mesh.axis_size(axis):
                raise ValueError(f"{what}: dimension of size {dim} is not divisible by the "
                                 f"{self.device_mesh.axis_size(axis)} devices of mesh axis "
                                 f"{axis!r} (layout {self.axes}, shape {tuple(shape)}).")

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self.axes}>"


class LayoutMap:
    """Maps variable paths (regular expressions, matched with ``re.search``) to layouts.

    ``layout_map["dense.*kernel"] = (None, "model")`` shards every Dense kernel's columns.
    A path matching several keys is an error; a path matching none is replicated.
    """

    def __init__(self, device_mesh: DeviceMesh):
        self.device_mesh = device_mesh
        self._layouts: dict[str, TensorLayout] = {}
        self._used: set[str] = set()

    def __setitem__(self, key: str, layout) -> None:
        if not isinstance(layout, TensorLayout):
            layout = TensorLayout(layout)
        self._layouts[key] = layout._bind(self.device_mesh)

    def __getitem__(self, path: str):
        if path in self._layouts:
            self._used.add(path)
            return self._layouts[path]
        matches = [k for k in self._layouts if re.search(k, path)]
        if len(matches) > 1:
            raise ValueError(f"LayoutMap: variable path {path!r} matches several keys "
                             f"{matches}; make the patterns exclusive.")
        if matches:
            self._used.add(matches[0])
            return self._layouts[matches[0]]
        return None

    def __contains__(self, key) -> bool:
        return key in self._layouts

    def __len__(self) -> int:
        return len(self._layouts)

    def keys(self):
        """The patterns, in insertion order."""
        return self._layouts.keys()

    def check_all_used(self, paths) -> None:
        """Raise ValueError naming every key that matches none of ``paths``."""
        paths = list(paths)
        unused = [k for k in self._layouts if not any(k == p or re.search(k, p) for p in paths)]
        if unused:
            raise ValueError(f"LayoutMap keys {unused} match no variable of the model. "
                             f"Variable paths are: {paths}.")


class Distribution:
    """Base class: a device mesh plus where data and variables go on it.

    Use as the global distribution (:func:`set_distribution`) or in a ``with dist.scope():``
    block around model creation and ``fit``.
    """

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str):
        if batch_dim_name not in device_mesh.axis_names:
            raise ValueError(f"{type(self).__name__}: batch_dim_name {batch_dim_name!r} is not "
                             f"an axis of the mesh {device_mesh.axis_names}.")
        self.device_mesh, self.batch_dim_name = device_mesh, batch_dim_name

    @property
    def num_replicas(self) -> int:
        """How many ways the batch is split (the size of the batch axis)."""
        return self.device_mesh.axis_size(self.batch_dim_name)

    def get_data_layout(self, data_shape) -> TensorLayout:
        """Layout of an input batch: the first dimension split over the batch axis."""
        axes = (self.batch_dim_name,) + (None,) * (len(data_shape) - 1)
        return TensorLayout(axes, self.device_mesh)

    def get_variable_layout(self, variable) -> TensorLayout:
        """Layout of a variable (replicated unless a subclass says otherwise)."""
        return TensorLayout((None,) * len(variable.shape), self.device_mesh)

    def check_batch(self, batch_size: int, num_samples: int, method: str) -> None:
        """Raise ValueError unless every batch of ``method`` splits evenly over the replicas."""
        n = self.num_replicas
        last = num_samples % batch_size
        if batch_size % n or last % n:
            detail = (f"batch_size={batch_size}" if batch_size % n
                      else f"the last batch ({num_samples} samples % batch_size {batch_size} "
                           f"= {last})")
            raise ValueError(f"{method}: {detail} is not divisible by the {n} devices of "
                             f"{type(self).__name__}; use a global batch size that is a multiple "
                             f"of {n} and a sample count that splits evenly.")

    @contextlib.contextmanager
    def scope(self):
        """Context manager making this the active distribution."""
        token = _scoped_distribution.set(self)
        try:
            yield self
        finally:
            _scoped_distribution.reset(token)


class DataParallel(Distribution):
    """Replicate the variables on every device and split each batch over them.

    Args:
        device_mesh: a 1-D mesh (default: one over ``devices``).
        devices: device names (default: :func:`list_devices`).
        auto_shard_dataset: accepted for Keras compatibility (arrays are always split).
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is None:
            devices = list(devices) if devices is not None else list_devices()
            device_mesh = DeviceMesh((len(devices),), ("batch",), devices)
        if len(device_mesh.shape) != 1:
            raise ValueError(f"DataParallel needs a 1-D DeviceMesh, received shape "
                             f"{device_mesh.shape}; use ModelParallel for 2-D meshes.")
        super().__init__(device_mesh, device_mesh.axis_names[0])
        self.auto_shard_dataset = auto_shard_dataset


class ModelParallel(Distribution):
    """Shard variables per a :class:`LayoutMap`; split batches over ``batch_dim_name``.

    Args:
        layout_map: variable path patterns -> layouts; its mesh is the distribution's mesh.
        batch_dim_name: the mesh axis the batch is split over (default: the mesh's first axis).
        device_mesh: accepted for older Keras code; must be the layout map's mesh.
    """

    def __init__(self, device_mesh=None, layout_map=None, batch_dim_name=None, **kwargs):
        if kwargs:
            raise TypeError(f"ModelParallel: unrecognized arguments {sorted(kwargs)}")
        if layout_map is None:
            raise ValueError("ModelParallel needs a layout_map (a LayoutMap of variable path "
                             "patterns to layouts).")
        mesh = layout_map.device_mesh
        if device_mesh is not None and device_mesh is not mesh:
            raise ValueError("ModelParallel: device_mesh differs from layout_map.device_mesh.")
        super().__init__(mesh, batch_dim_name or mesh.axis_names[0])
        self.layout_map = layout_map

    def get_variable_layout(self, variable) -> TensorLayout:
        layout = self.layout_map[variable.path]
        if layout is None:
            return super().get_variable_layout(variable)
        layout.check_shape(variable.shape, f"variable '{variable.path}'")
        return layout


def set_distribution(value) -> None:
    """Set the global distribution (None turns distribution off)."""
    global _global_distribution
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(f"set_distribution expects a Distribution (DataParallel, "
                        f"ModelParallel) or None, received {type(value).__name__}.")
    _global_distribution = value


def distribution():
    """The active distribution: the innermost ``scope()``, else the global one, else None."""
    scoped = _scoped_distribution.get()
    return scoped if scoped is not None else _global_distribution
