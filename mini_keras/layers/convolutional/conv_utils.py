"""Argument helpers shared by the convolution, pooling and reshaping layers."""

from __future__ import annotations

from mini_keras import config, regularizers


def standardize_tuple(value, n: int, name: str, layer: str, allow_zero: bool = False) -> tuple:
    """An int or ``n`` ints as a tuple of ``n`` positive (or non-negative) ints.

    Raises:
        ValueError: naming ``layer`` and ``name`` when the value has the wrong length or sign.
    """
    values = (value,) * n if isinstance(value, int) else tuple(value)
    smallest = 0 if allow_zero else 1
    if len(values) != n or not all(isinstance(v, int) and v >= smallest for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{layer}: `{name}` must be a {kind} int or a tuple of {n} {kind} ints, "
                         f"received {name}={value!r}")
    return values


def layer_label(layer) -> str:
    """``"ClassName 'layer name'"``: how error messages name a layer."""
    return f"{type(layer).__name__} '{layer.name}'"


def standardize_pairs(value, n: int, name: str, layer: str) -> tuple:
    """Keras' n-D padding/cropping argument as ``n`` ``(before, after)`` pairs.

    Accepts an int, ``n`` ints (symmetric per axis) or ``n`` pairs (mixing ints and pairs).

    Raises:
        ValueError: naming ``layer`` and ``name`` for any other value or a negative entry.
    """
    if isinstance(value, int):
        value = (value,) * n
    if not hasattr(value, "__len__") or len(value) != n:
        raise ValueError(f"{layer}: `{name}` must be an int, a tuple of {n} ints or a tuple of "
                         f"{n} pairs of ints, received {name}={value!r}")
    return tuple(standardize_tuple(v, 2, name, layer, allow_zero=True) for v in value)


def standardize_data_format(data_format, layer: str) -> str:
    """``None`` -> ``config.image_data_format()``; otherwise channels_last / channels_first."""
    data_format = config.image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    return data_format


def standardize_padding(padding, layer: str, allow_causal: bool = False) -> str:
    """Lower-cased padding, checked to be "valid", "same" (or "causal" when allowed)."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = str(padding).lower()
    if padding not in allowed:
        raise ValueError(f"{layer}: padding must be one of {allowed}, received {padding!r}")
    return padding


def conv_output_length(length, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Output length of a sliding window (None stays None); "causal" behaves like "same"."""
    if length is None:
        return None
    if padding == "valid":
        return (length - (kernel - 1) * dilation - 1) // stride + 1
    return (length - 1) // stride + 1


def channel_axis(data_format: str) -> int:
    """Axis of the channels: -1 for channels_last, 1 for channels_first."""
    return -1 if data_format == "channels_last" else 1


def spatial_dims(shape, data_format: str) -> tuple:
    """The spatial part of a batched shape."""
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def with_channels(batch, spatial, channels, data_format: str) -> tuple:
    """Assemble a batched shape from batch size, spatial dims and channel count."""
    if data_format == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def get_regularizer(identifier):
    """A regularizer from None, a name, a callable or a ``{"class_name", "config"}`` dict."""
    if isinstance(identifier, dict):
        return getattr(regularizers, identifier["class_name"])(**identifier.get("config", {}))
    return regularizers.get(identifier)


def serialize_object(obj):
    """``{"class_name", "config"}`` for objects with ``get_config`` (regularizers); else None."""
    if obj is None or not hasattr(obj, "get_config"):
        return None
    return {"class_name": type(obj).__name__, "config": obj.get_config()}
