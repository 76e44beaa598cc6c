"""An op called on KerasTensors: one graph node, with output shape and dtype inferred.

Inference runs the op itself, eagerly, on small numpy-backend arrays that stand in for the
KerasTensors: each unknown (``None``) dimension gets the sentinel size 2 in one run and 3 in a
second, and an output dimension that differs between the two runs is unknown. So every op
declared with :mod:`mini_keras.ops.declare` has a symbolic path that can never disagree with its
eager behaviour (shape *and* dtype), and no op needs a hand-written shape rule. The probe costs
two tiny numpy evaluations per op call at graph-construction time, none at run time. Ops whose
output size depends on values (``nonzero``, ``unique``) or that answer from the static shape
(``shape``, ``dtype``) declare ``symbolic=`` instead.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np

from mini_keras.backends import backend_scope
from mini_keras.core.keras_tensor import KerasTensor, map_structure
from mini_keras.ops.declare import OpInfo, has_keras_tensor

SENTINELS = ((2, 3), (1, 1))  # sizes for None dims: two runs; (1, 1) if a broadcast needs it
_PROBES = [0]  # how many probes are running (nested graph calls probe inside a probe)


def probing() -> bool:
    """True while an op runs on stand-ins to infer its output spec: an op whose checks need
    real values (``eig``: are the eigenvalues real?) skips them then."""
    return _PROBES[0] > 0
_JSON_SCALARS = (type(None), bool, int, float, str)


def _storable(value) -> bool:
    """True for values a saved config can hold (Python scalars, strings, nested lists)."""
    if isinstance(value, _JSON_SCALARS):
        return True
    if isinstance(value, (list, tuple)):
        return all(_storable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _storable(v) for k, v in value.items())
    return False


def _same(a, b) -> bool:
    try:
        return bool(a is b or a == b)
    except Exception:  # noqa: BLE001 - arrays and the like: not a default
        return False


def symbolic_call(info: OpInfo, values):
    """``ops.<info.name>`` on arguments holding KerasTensors: the outputs of a new graph node.

    Arguments holding KerasTensors (and constants a config cannot store, such as arrays) become
    the node's call arguments; the others, when they differ from their defaults, its config.
    """
    from mini_keras.ops.declare import call_with
    if info.symbolic is not None:
        return call_with(_symbolic_info(info), values)
    from mini_keras.layers.op_layer import op_layer_class
    from mini_keras.ops.keras_config_params import CONFIG_PARAMS
    config_params = CONFIG_PARAMS.get(info.name)  # None: not a Keras op, every constant in config
    args, kwargs, trailing = [], {}, 0  # trailing: call args at their defaults, at the end
    for param, value in zip(info.params, values):
        if param.kind is param.VAR_POSITIONAL:
            args.extend(value)
            trailing = 0
        elif param.kind is param.VAR_KEYWORD:
            kwargs.update(value)
        elif has_keras_tensor(value) or not _storable(value):
            if param.kind is param.KEYWORD_ONLY:
                raise TypeError(f"ops.{info.name}: keyword-only `{param.name}` cannot be a "
                                "symbolic tensor.")
            args.append(value)
            trailing = 0
        elif (config_params is not None and param.name not in config_params
              and param.kind is not param.KEYWORD_ONLY):
            args.append(value)  # Keras 3 passes it at call time (``x * 2.0``: x2 = 2.0)
            trailing = trailing + 1 if _same(value, param.default) else 0
        elif not _same(value, param.default):
            kwargs[param.name] = value
    if trailing:
        del args[-trailing:]
    return op_layer_class(info.name)(op_kwargs=kwargs)(*args)


def _symbolic_info(info: OpInfo) -> OpInfo:
    return OpInfo(info.name, info.kind, info.family, info.keras_class, info.symbolic,
                  info.declaration, None, info.params)


def _stand_in(t, fill):
    """A numpy array standing in for KerasTensor ``t`` (``None`` dims of size ``fill``)."""
    if not isinstance(t, KerasTensor):
        return t
    shape = tuple(fill if d is None else d for d in t.shape)
    n = int(np.prod(shape))
    dtype = np.dtype(t.dtype if t.dtype != "bfloat16" else "float32")
    if dtype.kind == "b":
        return np.ones(shape, bool)
    if dtype.kind in "iu":
        return (np.arange(n) % 3 + 1).astype(dtype).reshape(shape)
    return (0.5 + (np.arange(n) % 7) / 7.0).astype(dtype).reshape(shape)


def _spec(a, b):
    """KerasTensor for the pair of probe results ``a`` (sentinel 2) and ``b`` (sentinel 3)."""
    if isinstance(a, (list, tuple)):
        return type(a)(_spec(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _spec(a[k], b[k]) for k in a}
    if a is None or isinstance(a, (str, bool)) and a == b:
        return a
    arr_a, arr_b = np.asarray(a), np.asarray(b)
    if isinstance(a, (int, float)) and not isinstance(a, bool):  # a Python number: int32/floatx
        dtype = "int32" if isinstance(a, int) else "float32"
    else:
        dtype = str(arr_a.dtype)
    if arr_a.ndim != arr_b.ndim:
        raise ValueError(f"output rank changes with the batch size ({arr_a.shape} vs "
                         f"{arr_b.shape}): declare `symbolic=` for this op.")
    shape = tuple(x if x == y else None for x, y in zip(arr_a.shape, arr_b.shape))
    return KerasTensor(shape, dtype)


def output_spec(run, args, name="op"):
    """KerasTensors for ``run(*args)``, found by running it on numpy stand-ins (see above).

    Raises:
        TypeError, ValueError: the op refuses inputs of these shapes and dtypes (the message
            names the op, the symbolic inputs and the op's own complaint).
    """
    error = None
    for first, second in SENTINELS:
        try:
            results = []
            for fill in (first, second):
                concrete = map_structure(lambda t, fill=fill: _stand_in(t, fill), list(args))
                with backend_scope("numpy"), np.errstate(all="ignore"), \
                        warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    _PROBES[0] += 1
                    try:
                        results.append(_to_numpy(run(*concrete)))
                    finally:
                        _PROBES[0] -= 1
            return _spec(*results)
        except Exception as e:  # noqa: BLE001 - retried with other sentinels, then re-raised
            error = error or e
    inputs = [f"{t.shape} {t.dtype}" for t in _keras_tensors(args)]
    kind = ValueError if isinstance(error, ValueError) else TypeError
    message = str(error) if str(error).startswith("ops.") else f"ops.{name}: {error}"
    raise kind(f"{message} (on symbolic inputs {', '.join(inputs)})") from error


def _keras_tensors(structure):
    if isinstance(structure, KerasTensor):
        return [structure]
    if isinstance(structure, (list, tuple)):
        return [t for s in structure for t in _keras_tensors(s)]
    if isinstance(structure, dict):
        return [t for s in structure.values() for t in _keras_tensors(s)]
    return []


def _to_numpy(out):
    if isinstance(out, (list, tuple)):
        return type(out)(_to_numpy(o) for o in out)
    if isinstance(out, dict):
        return {k: _to_numpy(v) for k, v in out.items()}
    if out is None or isinstance(out, (bool, int, float, str, np.ndarray, np.generic)):
        return out
    from mini_keras import ops
    return ops.convert_to_numpy(out)


def bind_call(info: OpInfo, args, op_kwargs: dict):
    """One value per declared parameter from a node's call arguments and config."""
    rest, values = list(args), []
    names = {p.name for p in info.params}
    for p in info.params:
        if p.kind is p.VAR_POSITIONAL:
            values.append(tuple(rest))
            rest = []
        elif p.kind is p.VAR_KEYWORD:
            values.append({k: v for k, v in op_kwargs.items() if k not in names})
        elif p.name in op_kwargs:
            values.append(op_kwargs[p.name])
        elif rest and p.kind is not p.KEYWORD_ONLY:
            values.append(rest.pop(0))
        elif p.default is not inspect.Parameter.empty:
            values.append(p.default)
        else:
            raise TypeError(f"ops.{info.name}: missing argument `{p.name}`.")
    if rest:
        raise TypeError(f"ops.{info.name}: {len(rest)} call arguments too many.")
    unknown = set(op_kwargs) - names
    if unknown and not any(p.kind is p.VAR_KEYWORD for p in info.params):
        raise TypeError(f"ops.{info.name}: unexpected arguments {sorted(unknown)}.")
    return values
