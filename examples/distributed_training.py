"""Data-parallel training: the same model, the same global batch, split over several devices.

What it teaches: under ``DataParallel`` every device holds a full copy of the weights and gets
its own slice of each batch; the gradients are averaged over the devices, so one step over N
devices equals one step over the whole batch on one device, only faster on real hardware. The
model code does not change: build and fit inside ``distribution.scope()``. Each backend hands
the work to its framework's own engine (``jax.sharding``, ``tf.distribute``, PyTorch DDP).

    python examples/distributed_training.py                       # one device, any backend
    MINI_KERAS_BACKEND=jax python examples/distributed_training.py --devices 4
    MINI_KERAS_BACKEND=tensorflow python examples/distributed_training.py --devices 2
    MINI_KERAS_BACKEND=torch torchrun --nproc_per_node=2 examples/distributed_training.py
    ... --mixed-precision                                         # compute in 16-bit floats

On a CPU-only machine JAX and TensorFlow pretend to have N devices by splitting the CPU, which
shows the mechanics (not a speed-up). PyTorch runs one process per device, started by torchrun.
"""

import argparse
import contextlib
import os
import sys

import numpy as np

import mini_keras as keras  # imports no framework yet: backends load on first use
from mini_keras import distribution


def simulate_cpu_devices(backend: str, count: int) -> None:
    """Make ``count`` CPU devices visible to JAX/TensorFlow (must run before they start)."""
    if backend == "jax":
        if "jax" in sys.modules:
            print("warning: jax was already imported; --devices may not take effect.")
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                                   + f" --xla_force_host_platform_device_count={count}")
    elif backend == "tensorflow":
        import tensorflow as tf  # an example may configure its framework directly

        if not tf.config.list_physical_devices("GPU"):
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * count)


def load_data(batch_size: int):
    """Digits as flat 64-pixel vectors in [0, 1] (random "images" without scikit-learn).

    The sets are trimmed to a multiple of the batch size so that every batch splits evenly.
    """
    try:
        from mini_keras.datasets import digits

        (x_train, y_train), (x_test, y_test) = digits.load_data()
    except ImportError:
        rng = np.random.default_rng(0)
        x_train, x_test = rng.integers(0, 17, (1408, 8, 8)), rng.integers(0, 17, (320, 8, 8))
        y_train, y_test = x_train.sum((1, 2)) % 10, x_test.sum((1, 2)) % 10  # learnable labels
    prepare = lambda x, y: (x.reshape(len(x), -1).astype("float32") / 16.0, y.astype("int32"))
    (x_train, y_train), (x_test, y_test) = prepare(x_train, y_train), prepare(x_test, y_test)
    n_train, n_test = (len(x_train) // batch_size) * batch_size, (len(x_test) // batch_size) * batch_size
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])


def main(devices: int = 1, epochs: int = 5, batch_size: int = 64,
         mixed_precision: bool = False) -> float:
    """Train an MLP data-parallel over ``devices`` devices; print and return test accuracy."""
    backend = keras.config.backend()
    under_torchrun = "WORLD_SIZE" in os.environ
    if devices > 1 and backend == "torch" and not under_torchrun:
        sys.exit("PyTorch runs one process per device: launch with\n  MINI_KERAS_BACKEND=torch "
                 f"torchrun --nproc_per_node={devices} examples/distributed_training.py")
    if devices > 1 and backend in ("jax", "tensorflow"):
        simulate_cpu_devices(backend, devices)

    if under_torchrun:  # torchrun set RANK/WORLD_SIZE/MASTER_ADDR: join the process group
        distribution.initialize()
    is_chief = os.environ.get("RANK", "0") == "0"  # print from one process only

    dist = None
    if devices > 1 or under_torchrun:
        all_devices = distribution.list_devices()
        used = all_devices if under_torchrun else all_devices[:devices]
        dist = distribution.DataParallel(devices=used)
        if is_chief:
            print(f"DataParallel over {len(used)} devices: {used}")

    if mixed_precision:  # float16 on GPUs; bfloat16 on CPUs (numpy: float16 only)
        on_gpu = distribution.list_devices()[0].startswith(("cuda", "gpu"))
        half = "mixed_float16" if on_gpu or backend == "numpy" else "mixed_bfloat16"
        keras.mixed_precision.set_dtype_policy(half)

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_data(batch_size)
    with dist.scope() if dist is not None else contextlib.nullcontext():
        model = keras.Sequential([
            keras.Input((64,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax", dtype="float32"),  # float32 softmax
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        # Print once per epoch from one process. (The epoch's loss and accuracy are summed
        # over all the devices, so every process must compute them: silence the others' output
        # with verbose=0 rather than giving them different callbacks.)
        report = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
            f"epoch {epoch + 1}/{epochs}: loss {logs['loss']:.4f}, "
            f"accuracy {logs['accuracy']:.3f}", flush=True))
        # batch_size is the GLOBAL batch: each of the N devices computes on batch_size / N rows.
        model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                  callbacks=[report] if is_chief else [])
        accuracy = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0,
                                  return_dict=True)["accuracy"]
    if is_chief:
        print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1, help="number of devices (replicas)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64, help="the global batch size")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="compute in float16 (GPU) / bfloat16 (CPU), keep float32 weights")
    args = parser.parse_args()
    main(args.devices, args.epochs, args.batch_size, args.mixed_precision)
