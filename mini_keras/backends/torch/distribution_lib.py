"""PyTorch backend distribution hooks: data parallelism with ``torch.distributed`` and DDP.

One process per device, as PyTorch does it: start N processes with
``torchrun --nproc_per_node=N script.py`` (or set ``RANK``/``WORLD_SIZE``/``MASTER_ADDR``/
``MASTER_PORT`` yourself), call ``mini_keras.distribution.initialize()`` in each, then build and
fit the model under ``DataParallel()``. Each process holds a full replica of the variables
(broadcast from rank 0 when created), takes its contiguous slice of every global batch, and the
train step's gradients are averaged over the processes by ``DistributedDataParallel``'s reducer
(bucketed all-reduce, gloo on CPU, nccl on GPU). Only replicated layouts are supported: sharding
variables (``ModelParallel``) needs the jax backend.

How DDP meets our functional autograd: the shared ``train_step`` asks the backend's
``value_and_grad`` for the gradients with respect to the trainable variables' values. Inside a
distributed train step a context variable routes that call to :class:`_DDPGradEngine`, which
wraps those very tensors in ``nn.Parameter``s (sharing their storage) of a small ``nn.Module``
whose ``forward`` runs the loss function, and wraps that module in DDP; ``loss.backward()`` then
lets DDP's reducer all-reduce and average the gradients while the backward pass runs.
"""

from __future__ import annotations

import atexit
import contextlib
import os

import torch
import torch.distributed as torch_dist
from torch.nn.parallel import DistributedDataParallel

from mini_keras.backends.torch import core
from mini_keras.common.distribution import DataParallel
from mini_keras.common.nest import map_structure
from mini_keras.common.stateless import StatelessScope

_ENV_VARS = ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE")


def _initialized() -> bool:
    return torch_dist.is_available() and torch_dist.is_initialized()


def _device_type() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


# ---------------------------------------------------------------------------- processes & devices

def list_devices(device_type=None) -> list[str]:
    """Device names: one per process once :func:`initialize` ran, else this host's devices.

    After ``initialize`` the list has ``world_size`` names (``"cpu:0", "cpu:1"`` or
    ``"cuda:0" ... "cuda:7"``), index = process rank, since each process drives one device.

    Args:
        device_type: "cpu", "gpu"/"cuda", or None (the accelerators if any, else the CPU).
    """
    kind = {None: None, "cpu": "cpu", "gpu": "cuda", "cuda": "cuda"}.get(
        device_type.lower() if isinstance(device_type, str) else device_type, "?")
    if kind == "?":
        raise ValueError(f"torch list_devices: device_type must be 'cpu', 'gpu'/'cuda' or None, "
                         f"received {device_type!r}.")
    if _initialized():
        if kind not in (None, _device_type()):
            raise ValueError(f"torch list_devices: this process group runs on "
                             f"{_device_type()!r} devices, not {device_type!r}.")
        return [f"{_device_type()}:{rank}" for rank in range(torch_dist.get_world_size())]
    if kind == "cuda" or (kind is None and torch.cuda.is_available()):
        count = torch.cuda.device_count()
        if count == 0:
            raise ValueError("torch list_devices: no CUDA device is available; use "
                             "device_type='cpu'.")
        return [f"cuda:{i}" for i in range(count)]
    return ["cpu:0"]


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Join the process group (``torch.distributed.init_process_group``), once per process.

    Backend nccl when CUDA is available (each process then uses GPU ``LOCAL_RANK``), else gloo.
    Arguments left as None are read from the environment that ``torchrun`` sets (``RANK``,
    ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``, ``LOCAL_RANK``). Calling it again in an
    initialized process does nothing.

    Args:
        job_addresses: comma-separated ``host:port`` list; the first is the rendezvous address.
        num_processes: the world size.
        process_id: this process's rank in ``[0, num_processes)``.

    Raises:
        ValueError: missing or inconsistent arguments/environment variables.
    """
    if _initialized():
        return
    if not torch_dist.is_available():
        raise RuntimeError("torch was built without torch.distributed; cannot initialize.")
    env = os.environ
    if job_addresses:
        address = str(job_addresses).split(",")[0].strip()
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"initialize: job_addresses must look like 'host:port[,host:port]', "
                             f"received {job_addresses!r}.")
    elif "MASTER_ADDR" in env and "MASTER_PORT" in env:
        host, port = env["MASTER_ADDR"], env["MASTER_PORT"]
    else:
        raise ValueError("initialize: pass job_addresses='host:port' or launch with torchrun "
                         f"(which sets {', '.join(_ENV_VARS)}); none was found.")
    world = num_processes if num_processes is not None else env.get("WORLD_SIZE")
    rank = process_id if process_id is not None else env.get("RANK")
    if world is None or rank is None:
        raise ValueError("initialize: num_processes and process_id are needed (or the "
                         "WORLD_SIZE and RANK environment variables that torchrun sets).")
    world, rank = int(world), int(rank)
    if world < 1 or not 0 <= rank < world:
        raise ValueError(f"initialize: process_id must be in [0, num_processes); received "
                         f"process_id={rank}, num_processes={world}.")
    if torch.cuda.is_available():
        local_rank = int(env.get("LOCAL_RANK", rank % torch.cuda.device_count()))
        torch.cuda.set_device(local_rank)  # core.DEVICE is "cuda": the current device
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    torch_dist.init_process_group(backend, init_method=f"tcp://{host}:{port}",
                                  world_size=world, rank=rank)
    # Tear the group down before interpreter exit: a gloo group still alive while Python
    # finalizes can abort the process ("terminate called without an active exception").
    atexit.register(_destroy_process_group)


def _destroy_process_group() -> None:
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def num_processes() -> int:
    """The world size (1 before :func:`initialize`)."""
    return torch_dist.get_world_size() if _initialized() else 1


def process_id() -> int:
    """This process's rank (0 before :func:`initialize`)."""
    return torch_dist.get_rank() if _initialized() else 0


def _check_replicas(distribution) -> None:
    """Each process is one replica: the batch axis must have world-size devices."""

    if not isinstance(distribution, DataParallel):
        raise NotImplementedError(
            f"{type(distribution).__name__}: ModelParallel needs the jax backend; torch "
            "supports DataParallel (one replica per process).")
    world = num_processes()
    launched = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if not _initialized() and launched > 1:
        raise ValueError(f"torch DataParallel: this process was launched as one of {launched} "
                         "(WORLD_SIZE) but mini_keras.distribution.initialize() was not called; "
                         "call it before building the model.")
    if distribution.num_replicas != world:
        hint = ("call mini_keras.distribution.initialize() first (launch with torchrun "
                "--nproc_per_node=N)" if not _initialized() else
                "build DataParallel() after initialize() so it uses list_devices()")
        raise ValueError(f"torch DataParallel runs one replica per process: the mesh has "
                         f"{distribution.num_replicas} devices but there are {world} "
                         f"processes; {hint}.")


# ---------------------------------------------------------------------------- variables & data

def _broadcast_from_rank0(tensor: torch.Tensor) -> None:
    """Overwrite ``tensor`` in place with rank 0's value (any dtype: sent as raw bytes)."""
    if tensor.numel():
        torch_dist.broadcast(tensor.reshape(-1).view(torch.uint8), src=0)


def distribute_variable(value, dtype, trainable, variable, distribution):
    """A normal torch handle holding rank 0's value, so every replica starts identical.

    Raises:
        NotImplementedError: the layout shards the variable (ModelParallel needs jax).
    """
    layout = distribution.get_variable_layout(variable)
    if any(axis is not None for axis in layout.axes):
        raise NotImplementedError(
            f"variable '{variable.path}' has the sharded layout {layout.axes}: ModelParallel "
            "needs the jax backend; torch supports DataParallel (replicated variables).")
    handle = core.variable_create(value, dtype, trainable)
    if _initialized() and torch_dist.get_world_size() > 1:
        _broadcast_from_rank0(handle)
    return handle


def distribute_data(batch, distribution):
    """This rank's contiguous slice of a global host batch, as tensors on this rank's device.

    Rank ``r`` of ``n`` gets rows ``[r*b/n, (r+1)*b/n)``; None leaves stay None.

    Raises:
        ValueError: the global batch size is not divisible by the number of processes.
    """
    _check_replicas(distribution)
    replicas, rank = distribution.num_replicas, process_id()

    def local_slice(array):
        if array is None:
            return None
        rows = len(array)
        if rows % replicas:
            raise ValueError(f"torch DataParallel: a global batch of {rows} rows cannot be "
                             f"split evenly over {replicas} processes; use a batch size that "
                             f"is a multiple of {replicas}.")
        size = rows // replicas
        return core.convert_to_tensor(array[rank * size:(rank + 1) * size])

    return map_structure(local_slice, batch)


# ---------------------------------------------------------------------------- gradients with DDP

class _ParameterModule(torch.nn.Module):
    """The smallest Module DDP can wrap: the values being differentiated as Parameters that
    share their storage, and a ``forward`` that runs a given loss function on them."""

    def __init__(self, values):
        super().__init__()
        self.values = torch.nn.ParameterList(
            [torch.nn.Parameter(v.detach(), requires_grad=True) for v in values])

    def forward(self, fn):
        return fn(list(self.values))


class _DDPGradEngine:
    """``value_and_grad`` through DistributedDataParallel, for the values of one train step.

    The DDP wrapper is built on the first step and reused while the step differentiates the
    same tensors (the variables' handles, updated in place by the optimizer); its Parameters
    alias those handles, so DDP's initial broadcast and every gradient refer to the variables.
    """

    def __init__(self):
        self._values: list = []  # held, so that an identity match cannot be a recycled id
        self._module: _ParameterModule | None = None
        self.ddp: DistributedDataParallel | None = None

    def _wrap(self, values) -> None:
        if len(values) == len(self._values) and all(
                a is b for a, b in zip(values, self._values)):
            return
        for v in values:
            if not isinstance(v, torch.Tensor) or not v.is_floating_point():
                raise TypeError("torch DataParallel: can only differentiate float tensors, "
                                f"received {type(v).__name__} {getattr(v, 'dtype', '')}.")
        self._module = _ParameterModule(values)
        # static_graph: a train step uses the same variables every time, so DDP can learn on
        # the first step which ones never reach the loss (they get zero gradients instead of
        # stalling the reducer) without find_unused_parameters' graph walk on every step.
        self.ddp = DistributedDataParallel(self._module, static_graph=True)
        self._values = list(values)

    def value_and_grad(self, fn, values, has_aux):
        values = [core.convert_to_tensor(v) for v in values]
        if not values:  # nothing to differentiate (no trainable variable): nothing to reduce
            out = fn([])
            loss, aux = out if has_aux else (out, None)
            loss = core.convert_to_tensor(loss).detach()
            return ((loss, core._detach_nest(aux)) if has_aux else loss), []
        self._wrap(values)
        params = list(self._module.values)
        for param in params:
            param.grad = None
        with torch.enable_grad():
            out = self.ddp(fn)
            loss, aux = out if has_aux else (out, None)
            loss = core.convert_to_tensor(loss)
            if loss.dim() != 0:
                raise ValueError(f"value_and_grad: fn must return a scalar, received shape "
                                 f"{tuple(loss.shape)}.")
            if not loss.requires_grad:
                raise ValueError("torch DataParallel: the loss does not depend on any trainable "
                                 "variable, so there is nothing to train.")
            loss.backward()  # DDP's hooks all-reduce (average) the gradient buckets here
        grads = []
        for param in params:
            grads.append(torch.zeros_like(param) if param.grad is None else param.grad)
            param.grad = None  # the caller owns the gradient; DDP allocates a new one next step
        if has_aux:
            return (loss.detach(), core._detach_nest(aux)), grads
        return loss.detach(), grads


# ---------------------------------------------------------------------------- steps & metrics

def _all_reduce_by_dtype(tensors: list, op) -> list:
    """All-reduce a list of tensors with one collective per dtype; returns new tensors."""
    out: list = [None] * len(tensors)
    groups: dict = {}
    for i, t in enumerate(tensors):
        groups.setdefault(t.dtype, []).append(i)
    for dtype, indices in groups.items():
        wire = torch.uint8 if dtype == torch.bool else dtype
        flat = torch.cat([tensors[i].reshape(-1).to(wire) for i in indices])
        torch_dist.all_reduce(flat, op=op)
        offset = 0
        for i in indices:
            n = tensors[i].numel()
            out[i] = flat[offset:offset + n].reshape(tensors[i].shape).to(dtype)
            offset += n
    return out


def _all_gather_batch(tensor):
    """Concatenate every rank's (equal-shape) local batch along axis 0, in rank order."""
    if not isinstance(tensor, torch.Tensor):
        return tensor
    wire = tensor.to(torch.uint8) if tensor.dtype == torch.bool else tensor.contiguous()
    parts = [torch.empty_like(wire) for _ in range(torch_dist.get_world_size())]
    torch_dist.all_gather(parts, wire)
    return torch.cat(parts).to(tensor.dtype)


def compile(fn, state_variables, distribution, jit_compile=None, kind="train"):
    """Return the data-parallel version of a train/test/predict step (eager torch).

    - "train": gradients are averaged over the processes by DistributedDataParallel; variables
      with ``aggregation="mean"`` (non-trainable state) are averaged after the step.
    - "test": runs on the local batch without gradients (metric state is summed over the
      processes when read, see :func:`metric_scope`).
    - "predict": the local outputs are all-gathered back into the global batch, in order.

    ``jit_compile`` is ignored: the distributed step runs eagerly.
    """
    if kind not in ("train", "test", "predict"):
        raise ValueError(f"torch distribution compile: kind must be 'train', 'test' or "
                         f"'predict', received {kind!r}.")
    _check_replicas(distribution)
    if not _initialized():  # a single process: nothing to synchronize
        return fn
    if kind == "train":
        engine = _DDPGradEngine()
        averaged = [v for v in state_variables
                    if v.aggregation == "mean" and not v.trainable]

        def train_step(*args):
            token = core.distributed_grad_engine.set(engine)
            try:
                logs = fn(*args)
            finally:
                core.distributed_grad_engine.reset(token)
            if averaged:
                summed = _all_reduce_by_dtype([v.value for v in averaged], torch_dist.ReduceOp.SUM)
                for v, total in zip(averaged, summed):
                    v.assign(total / torch_dist.get_world_size())
            return logs

        train_step.grad_engine = engine  # lets tests check that DDP did the reduction
        return train_step

    if kind == "test":
        def test_step(*args):
            with torch.no_grad():
                return fn(*args)

        return test_step

    def predict_step(*args):
        with torch.no_grad():
            return map_structure(_all_gather_batch, fn(*args))

    return predict_step


def metric_scope(variables):
    """A context in which variables with ``aggregation="sum"`` read as their sum over ranks.

    Every process must enter it at the same point (it runs one all-reduce per dtype).
    """
    summed = [v for v in variables if v.aggregation == "sum"]
    if not summed or not _initialized() or torch_dist.get_world_size() == 1:
        return contextlib.nullcontext()
    totals = _all_reduce_by_dtype([core.convert_to_tensor(v.value) for v in summed],
                                  torch_dist.ReduceOp.SUM)
    return StatelessScope(zip(summed, totals))
