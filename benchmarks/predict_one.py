"""``predict`` on one sample vs the raw framework's forward call, per backend (issue 12, item 6).

    python benchmarks/predict_one.py                       # every installed backend
    python benchmarks/predict_one.py --backends numpy,torch --calls 300 --reps 7
    python benchmarks/predict_one.py --profile --backends numpy

The model is workload 4 of ``benchmarks/run.py`` (MLP 784-256-256-10). ``mk`` is
``model.predict(x, batch_size=1, verbose=0)`` on a ``(1, 784)`` numpy array; ``raw`` is the same
forward written in the framework (torch.no_grad, jitted jax, tf.function + XLA, numpy matmuls)
with numpy conversion on both sides. Each backend runs in a fresh process pinned to one thread;
the two are timed in interleaved blocks so load on the machine hits both alike. Each time is the
best block (as ``timeit`` reports: on a shared machine the other blocks measure the neighbours);
the ratio is mk's best over raw's best, the target 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BACKENDS = ("numpy", "torch", "jax", "tensorflow")
TARGET = 2.0


def measure(backend: str, calls: int, reps: int, profile: bool) -> dict:
    """In this process: seconds per call of mk and raw predict, and their median ratio."""
    sys.path.insert(0, str(HERE))
    import numpy as np
    import workloads

    workloads.limit_threads(1)
    workloads.import_framework(backend)
    workloads.apply_thread_limit(backend, 1)
    workloads.keras_module("mk", backend)
    x = np.random.default_rng(0).random((1, 784), dtype=np.float32)
    fns = {impl: workloads.infer_fns(impl, backend, x)["predict"] for impl in ("mk", "raw")}
    if profile:
        workloads.per_call(fns["mk"], 3, 1)
        print(workloads.run_profiled(lambda: [fns["mk"]() for _ in range(calls)]))
        return {}
    for fn in fns.values():
        workloads.per_call(fn, 10, 1)
    times: dict = {"mk": [], "raw": []}
    for _ in range(reps):
        for impl, fn in fns.items():
            times[impl].append(workloads.per_call(fn, calls, 1))
    best = {impl: min(values) for impl, values in times.items()}
    return {"mk_s": best["mk"], "raw_s": best["raw"], "ratio": best["mk"] / best["raw"],
            "median_ratio": statistics.median(m / r for m, r in zip(times["mk"], times["raw"]))}


def installed(backend: str) -> bool:
    """True if the backend's framework can be imported (numpy always can)."""
    import importlib.util
    module = {"numpy": "numpy", "torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}
    return importlib.util.find_spec(module[backend]) is not None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--calls", type=int, default=20, help="predict calls per timing block")
    parser.add_argument("--reps", type=int, default=30, help="timing blocks per implementation")
    parser.add_argument("--profile", action="store_true", help="cProfile mk's predict instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        result = measure(args.worker, args.calls, args.reps, args.profile)
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(HERE.parent))
    print(f"{'backend':<11} {'mk predict':>11} {'raw forward':>12} {'ratio':>6} {'median':>6}"
          f"  (target <= {TARGET:g})")
    missed = 0
    for backend in [b for b in args.backends.split(",") if b]:
        if not installed(backend):
            print(f"{backend:<11} not installed")
            continue
        cmd = [sys.executable, __file__, "--worker", backend, "--calls", str(args.calls),
               "--reps", str(args.reps)] + (["--profile"] if args.profile else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if args.profile:
            print(f"== {backend}\n{proc.stdout}{proc.stderr[-2000:]}")
            continue
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if not lines:
            print(f"{backend:<11} failed: {proc.stderr.strip().splitlines()[-1:]}")
            missed += 1
            continue
        r = json.loads(lines[-1][len("RESULT "):])
        ok = r["ratio"] <= TARGET
        missed += not ok
        print(f"{backend:<11} {r['mk_s'] * 1e6:9.1f} µs {r['raw_s'] * 1e6:10.1f} µs "
              f"{r['ratio']:6.2f} {r['median_ratio']:6.2f}  {'ok' if ok else 'MISSED'}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
