"""TensorFlow backend distribution hooks, on ``tf.distribute``.

A :class:`~mini_keras.distribution.DataParallel` mesh becomes a ``tf.distribute.MirroredStrategy``
over its devices (one per mesh, cached); after :func:`initialize` set up several workers, a
``MultiWorkerMirroredStrategy`` over every worker's local devices. Variables created under a
distribution are ``MirroredVariable`` s (weights, optimizer state) or ``SyncOnReadVariable`` s
(metric state, summed over replicas when read outside the step). A step runs as
``tf.function(strategy.run(fn))``; :func:`mini_keras.backends.tensorflow.core.value_and_grad`
averages the gradients over the replicas, so each replica applies the global-batch gradient.

Sharding variables (``ModelParallel``) is not supported: TensorFlow's DTensor is not used here.
"""

from __future__ import annotations

import contextlib
import json
import os

import tensorflow as tf

from mini_keras.backends.tensorflow import core
from mini_keras.common.distribution import DataParallel
from mini_keras.common.nest import map_structure

_strategies: dict[tuple[str, ...], tf.distribute.Strategy] = {}
_multi_worker_strategy: tf.distribute.Strategy | None = None


# ---------------------------------------------------------------------------- devices, processes

def _short_name(logical_device) -> str:
    """``/device:CPU:1`` -> ``"cpu:1"``; a multi-worker cluster's devices keep their full name
    (``/job:worker/replica:0/task:1/device:CPU:0``), which is unique across workers."""
    if "/task:" in logical_device.name:
        return logical_device.name
    kind, index = logical_device.name.split(":")[-2:]
    return f"{kind.lower()}:{index}"


def list_devices(device_type=None) -> list[str]:
    """Logical devices as ``["cpu:0", "cpu:1"]`` or ``["gpu:0", ...]``.

    Several CPU devices exist when the program split the CPU with
    ``tf.config.set_logical_device_configuration`` before TensorFlow initialized. After
    :func:`initialize` with several workers, every worker's devices are listed (full names), so a
    ``DataParallel()`` mesh has one entry per replica of the ``MultiWorkerMirroredStrategy``.

    Args:
        device_type: "cpu", "gpu" (or "cuda") or "tpu"; default: the GPUs if any, else CPUs.
    """
    if device_type is None:
        gpus = tf.config.list_logical_devices("GPU")
        return [_short_name(d) for d in gpus or tf.config.list_logical_devices("CPU")]
    kind = {"cuda": "GPU"}.get(str(device_type).lower(), str(device_type).upper())
    if kind not in ("CPU", "GPU", "TPU"):
        raise ValueError(f"list_devices: device_type must be 'cpu', 'gpu' or 'tpu', received "
                         f"{device_type!r}.")
    return [_short_name(d) for d in tf.config.list_logical_devices(kind)]


def _tf_config() -> dict:
    raw = os.environ.get("TF_CONFIG")
    return json.loads(raw) if raw else {}


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Set ``TF_CONFIG`` for a multi-worker run and create its ``MultiWorkerMirroredStrategy``.

    Call it at program start in every worker, before TensorFlow runs anything (collective ops
    are configured once). With all arguments None, an existing ``TF_CONFIG`` is used as is.

    Args:
        job_addresses: comma-separated ``host:port`` of every worker (index = process id).
        num_processes: number of workers (must match the number of addresses).
        process_id: this worker's index.
    """
    global _multi_worker_strategy
    if job_addresses is not None:
        addresses = [a.strip() for a in str(job_addresses).split(",") if a.strip()]
        if num_processes is not None and int(num_processes) != len(addresses):
            raise ValueError(f"initialize: num_processes={num_processes} but job_addresses lists "
                             f"{len(addresses)} workers: {addresses}.")
        if process_id is None or not 0 <= int(process_id) < len(addresses):
            raise ValueError(f"initialize: process_id must be in [0, {len(addresses)}), "
                             f"received {process_id!r}.")
        os.environ["TF_CONFIG"] = json.dumps({
            "cluster": {"worker": addresses},
            "task": {"type": "worker", "index": int(process_id)}})
    elif num_processes is not None or process_id is not None:
        raise ValueError("initialize: the tensorflow backend needs job_addresses (the "
                         "'host:port' of every worker) to build TF_CONFIG.")
    elif not _tf_config():
        raise ValueError("initialize: pass job_addresses/num_processes/process_id, or set "
                         "TF_CONFIG, to start multi-worker training.")
    if _multi_worker_strategy is None:
        _multi_worker_strategy = tf.distribute.MultiWorkerMirroredStrategy()


def num_processes() -> int:
    """Number of workers in ``TF_CONFIG`` (1 without it)."""
    return max(len(_tf_config().get("cluster", {}).get("worker", [])), 1)


def process_id() -> int:
    """This worker's index in ``TF_CONFIG`` (0 without it)."""
    return int(_tf_config().get("task", {}).get("index", 0))


# ---------------------------------------------------------------------------- strategies

def _tf_device(name: str) -> str:
    """``"cpu:1"`` -> ``"/cpu:1"`` (TensorFlow device strings are accepted as they are)."""
    return name if name.startswith("/") else f"/{name}"


def _strategy(distribution) -> tf.distribute.Strategy:
    """The (cached) strategy running ``distribution``: Mirrored, or MultiWorkerMirrored."""
    if not isinstance(distribution, DataParallel):  # a valid value this backend cannot run
        raise ValueError(  # noqa: TRY004
            f"{type(distribution).__name__} needs the jax backend; tensorflow supports "
            "DataParallel (replicated variables, split batches).")
    if _multi_worker_strategy is not None:
        replicas = _multi_worker_strategy.num_replicas_in_sync
        if distribution.num_replicas != replicas:
            raise ValueError(f"DataParallel over {distribution.num_replicas} devices, but the "
                             f"multi-worker cluster runs {replicas} replicas (every worker's "
                             "devices); use DataParallel() over list_devices().")
        return _multi_worker_strategy
    devices = tuple(distribution.device_mesh.devices)
    if devices not in _strategies:
        _strategies[devices] = tf.distribute.MirroredStrategy(
            devices=[_tf_device(d) for d in devices])
    return _strategies[devices]


def _strategy_scope(strategy):
    """``strategy.scope()``, unless already inside it (e.g. a variable created in a step)."""
    if tf.distribute.has_strategy() and tf.distribute.get_strategy() is strategy:
        return contextlib.nullcontext()
    return strategy.scope()


# ---------------------------------------------------------------------------- variables

def _sync_and_aggregation(variable, dtype):
    """``(synchronization, aggregation)`` for a mini_keras Variable.

    Metric state ("sum") lives per replica and is summed when read outside the step. Everything
    else is mirrored: its updates are identical on every replica (gradients are all-reduced
    first), and an aggregation other than NONE makes ``assign`` inside a replica legal: MEAN for
    floats (BatchNorm statistics computed per replica are averaged), the first replica's value
    for integers (counters) where a mean would not be exact.
    """
    sync, agg = tf.VariableSynchronization, tf.VariableAggregation
    aggregation = getattr(variable, "aggregation", "none")
    if aggregation == "sum":
        return sync.ON_READ, agg.SUM
    if aggregation == "mean":
        return sync.ON_WRITE, agg.MEAN
    if aggregation == "only_first_replica" or not tf.as_dtype(dtype).is_floating:
        return sync.ON_WRITE, agg.ONLY_FIRST_REPLICA
    return sync.ON_WRITE, agg.MEAN


def distribute_variable(value, dtype, trainable, variable, distribution):
    """Create ``variable`` 's handle as a distributed ``tf.Variable`` on the strategy's devices.

    Returns a ``MirroredVariable`` (one copy per replica, kept equal) or, for metric state
    (``variable.aggregation == "sum"``), a ``SyncOnReadVariable`` whose cross-replica read is the
    sum of the replicas' values.

    Raises:
        ValueError: for a distribution other than DataParallel.
    """
    strategy = _strategy(distribution)
    synchronization, aggregation = _sync_and_aggregation(variable, dtype)
    with tf.init_scope(), _strategy_scope(strategy):
        return tf.Variable(core.convert_to_tensor(value, dtype), trainable=trainable,
                           synchronization=synchronization, aggregation=aggregation)


# ---------------------------------------------------------------------------- data

def _leaves(structure) -> list:
    leaves: list = []
    map_structure(leaves.append, structure)
    return leaves


def _replace_leaves(structure, new_leaves):
    it = iter(new_leaves)
    return map_structure(lambda _: next(it), structure)


def distribute_data(batch, distribution):
    """Split one global host batch (a nest of arrays; None stays None) into per-replica values.

    Replica ``i`` of ``n`` gets rows ``[i * b/n, (i + 1) * b/n)`` of every array, in order, so the
    replicas' outputs concatenated in replica order are the global batch's.

    Raises:
        ValueError: when an array's batch size does not split evenly over the replicas.
    """
    strategy = _strategy(distribution)
    n = strategy.num_replicas_in_sync
    leaves = _leaves(batch)
    arrays = [a for a in leaves if a is not None]
    if not arrays:
        return batch
    for a in arrays:
        rows = core.shape(a)[0] if core.shape(a) else None
        if rows is None or rows % n:
            raise ValueError(f"distribute_data: a batch of shape {tuple(core.shape(a))} cannot "
                             f"be split over the {n} replicas of {type(distribution).__name__}; "
                             f"the batch size must be a multiple of {n}.")
    devices = strategy.extended.worker_devices

    def replica_values(context):
        i = context.replica_id_in_sync_group
        with tf.device(devices[i % len(devices)]):
            return [core.convert_to_tensor(a[i * (len(a) // n):(i + 1) * (len(a) // n)])
                    for a in arrays]

    per_replica = iter(strategy.experimental_distribute_values_from_function(replica_values))
    return _replace_leaves(batch, [None if a is None else next(per_replica) for a in leaves])


# ---------------------------------------------------------------------------- steps, metrics

def _check_distributed(state_variables, strategy) -> None:
    for v in state_variables:
        handle = getattr(v, "_handle", None)
        if not isinstance(handle, tf.distribute.DistributedValues) or \
                handle.distribute_strategy is not strategy:
            raise ValueError(f"Variable '{v.path}' was not created under this distribution; "
                             "build the model, optimizer and metrics inside "
                             "`distribution.scope()` (or after set_distribution()).")


def compile(fn, state_variables, distribution, jit_compile=None, kind="train"):
    """Return ``tf.function`` running ``fn`` on every replica of the distribution's strategy.

    Arguments are per-replica values from :func:`distribute_data`. "train"/"test" steps return
    replica 0's logs (metric state is read in full through the variables); "predict" returns the
    outputs gathered in replica order, i.e. the global batch.

    Raises:
        ValueError: for a distribution other than DataParallel, a state variable that was
            created outside the distribution, or ``jit_compile=True`` (XLA cannot compile a
            replica's step: its variables live on other devices and its updates cross replicas).
    """
    strategy = _strategy(distribution)
    if jit_compile:
        raise ValueError(f"jit_compile=True is not supported with {type(distribution).__name__} "
                         "on the tensorflow backend (XLA cannot compile a step whose mirrored "
                         "variables and cross-replica updates span several devices); compile the "
                         "model with jit_compile=False or 'auto'.")
    _check_distributed(state_variables, strategy)
    if kind == "predict":
        def collect(out):
            return None if out is None else strategy.gather(out, axis=0)
    else:
        def collect(out):
            return None if out is None else strategy.experimental_local_results(out)[0]

    def step(*args):
        return map_structure(collect, strategy.run(fn, args=args))

    return tf.function(step, autograph=False)


def metric_scope(variables):
    """A null context: metric state is ``SyncOnReadVariable`` (SUM), and reading it outside a
    replica (the trainer does) already gives the sum over every replica."""
    return contextlib.nullcontext()
