"""Benchmark mini_keras against raw PyTorch/JAX/TensorFlow/MLX/numpy loops and Keras 3; write RESULTS.md.

    python benchmarks/run.py                 # full sizes (slow on a laptop CPU)
    python benchmarks/run.py --quick         # smaller epochs, fewer repetitions (~10-15 min, 2 cores)
    python benchmarks/run.py --workloads mlp,infer --backends torch,jax --reps 5 --profile

Every (workload, backend) runs in a fresh process (``benchmarks/workloads.py``) that builds the
mini_keras model, the hand-written loop and the Keras 3 model on the same seeded data, warms each
up with one epoch, then times epochs round-robin (mk, raw, keras, mk, raw, keras, ...) so that
load on the machine hits all three alike; the tables report medians and ratios. Peak memory
(workload 5) gets one fresh process per implementation, so each number is that library's alone.
``--profile`` adds a cProfile of mini_keras's step for every target that is missed.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKER = HERE / "workloads.py"
BACKENDS = ["numpy", "torch", "jax", "tensorflow", "mlx"]
TRAINING = ["mlp", "cnn", "lstm"]
ALL_WORKLOADS = TRAINING + ["infer", "memory", "import"]
FULL = {"mlp": 24576, "cnn": 8192, "lstm": 8192, "reps": 5, "calls": 200, "import_reps": 7}
QUICK = {"mlp": 4096, "cnn": 1024, "lstm": 1024, "reps": 3, "calls": 50, "import_reps": 5}
TITLES = {"mlp": "1. MLP 784-256-256-10, Adam, batch 128",
          "cnn": "2. CNN Conv2D(32,3)-MaxPool-Conv2D(64,3)-MaxPool-Flatten-Dense(10), batch 128",
          "lstm": "3. LSTM(64) over 50 x 32 sequences + Dense(10), batch 64"}
RAW_NAME = {"numpy": "numpy, hand backprop + Adam", "torch": "torch eager + torch.optim.Adam",
            "jax": "jax.jit + optax.adam", "tensorflow": "tf.function(jit_compile=True), hand Adam",
            "mlx": "mlx.nn + mlx.optimizers.Adam, mx.compile-d step (benchmarks/raw_mlx.py)"}
RAW_LIMIT = {"numpy": 1.3, "mlx": 1.1}  # mk / raw training targets; 1.05 elsewhere


# ---------------------------------------------------------------- running workers
def worker(args: list[str], threads: int, timeout: float = 1800) -> dict:
    """Run ``workloads.py`` in a fresh process; return its RESULT json (or {"error": ...})."""
    cmd = [sys.executable, str(WORKER)] + args + (["--threads", str(threads)] if threads else [])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(HERE.parent))
    print("  $", " ".join(cmd[1:]), flush=True)
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": "worker failed: " + " | ".join(tail)}


def profile_text(args: list[str], threads: int, lines: int = 45) -> str:
    """cProfile of mini_keras alone on one workload/backend (own-time table, trimmed)."""
    cmd = [sys.executable, str(WORKER)] + args + ["--impls", "mk", "--profile", "--reps", "1"]
    cmd += ["--threads", str(threads)] if threads else []
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(HERE.parent))
    print("  $ (profile)", " ".join(cmd[1:]), flush=True)
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, cwd=HERE.parent)
    out = proc.stdout.splitlines()
    if not any("ncalls" in line for line in out):
        return "profile failed: " + " | ".join((proc.stderr or proc.stdout).splitlines()[-3:])
    start = next(i for i, line in enumerate(out) if "ncalls" in line)
    head = [line for line in out[:start] if "function calls" in line or "profile:" in line]
    return "\n".join(head + out[start:start + lines]).rstrip()


def import_time(statement: str, backend_env: dict) -> float:
    """Seconds to run ``statement`` (an import) in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(HERE.parent), **backend_env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users get: cached bytecode
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env,
                         cwd=HERE.parent)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return float("nan")


# ---------------------------------------------------------------- machine description
def machine_info(threads: int) -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 ** 2:.1f} GiB"
    except OSError:
        mem = "?"
    versions = []
    for name in ("numpy", "torch", "jax", "optax", "tensorflow", "tensorflow-cpu", "keras", "mlx"):
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    code = "import torch; print(torch.cuda.is_available())"
    gpu = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                         text=True).stdout.strip()
    return [(f"- CPU: {cpu}, {os.cpu_count()} logical cores, {mem} RAM; "
            f"GPU (torch.cuda): {gpu or 'n/a'}"),
            f"- {platform.platform()}, Python {platform.python_version()}",
            "- " + ", ".join(versions),
            f"- Threads per framework: {threads or 'framework default'}"]


# ---------------------------------------------------------------- formatting helpers
def med(values) -> float | None:
    values = [v for v in (values or []) if v is not None]
    return statistics.median(values) if values else None


def secs(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value * 1e3:.2f} ms" if value < 1 else f"{value:.2f} s"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt_ratio(r: float | None, target: float | None = None) -> str:
    if r is None:
        return "n/a"
    mark = "" if target is None else (" ✓" if r <= target else " ✗")
    return f"{r:.2f}{mark}"


class Targets:
    """Collects every target check for the summary, and the missed ones for profiling."""

    def __init__(self):
        self.rows: list[tuple[str, float | None, float, str]] = []

    def check(self, name: str, value: float | None, limit: float, profile_key: str = ""):
        self.rows.append((name, value, limit, profile_key))

    def missed(self):
        return [r for r in self.rows if r[1] is not None and r[1] > r[2]]

    def table(self) -> list[str]:
        out = ["| target | measured | limit | met |", "|---|---|---|---|"]
        for name, value, limit, _ in self.rows:
            met = "n/a" if value is None else ("yes" if value <= limit else "**no**")
            shown = "n/a" if value is None else f"{value:.2f}"
            out.append(f"| {name} | {shown} | ≤ {limit:g} | {met} |")
        return out


# ---------------------------------------------------------------- the sections
def training_section(workload, backends, sizes, args, targets) -> list[str]:
    n = sizes[workload]
    out = [f"### {TITLES[workload]}", "",
           (f"{n} samples per epoch, median of {sizes['reps']} timed epochs after one warm-up "
           "epoch, round-robin in one process. mk = mini_keras, keras = Keras 3 on the same "
           "backend. `fit` overhead = median of fit(epochs=1) wall time minus its epoch."), "",
           ("| backend | mk s/epoch | raw s/epoch | Keras 3 s/epoch | mk / raw | mk / Keras 3 "
           "| mk warm-up | mk fit overhead |"), "|---|---|---|---|---|---|---|---|"]
    for backend in backends:
        res = worker(["--workload", workload, "--backend", backend, "--samples", str(n),
                      "--reps", str(sizes["reps"])], args.threads)
        if "error" in res:
            out.append(f"| {backend} | {res['error']} | | | | | | |")
            continue
        mk, raw, ker = (res.get(k, {}) for k in ("mk", "raw", "keras"))
        t = {k: med(r.get("epoch_s")) for k, r in (("mk", mk), ("raw", raw), ("keras", ker))}
        overhead = med([w - e for w, e in zip(mk.get("wall_s", []), mk.get("epoch_s", []))])
        r_raw, r_keras = ratio(t["mk"], t["raw"]), ratio(t["mk"], t["keras"])
        raw_limit = RAW_LIMIT.get(backend, 1.05)
        keras_limit = 0.85 if backend == "torch" else 1.0
        if backend != "numpy" or workload == "mlp":
            targets.check(f"{workload} {backend}: mk / raw", r_raw, raw_limit,
                          f"{workload}:{backend}")
        targets.check(f"{workload} {backend}: mk / Keras 3", r_keras, keras_limit,
                      f"{workload}:{backend}")

        def cell(r, k, t=t):
            return secs(t[k]) if t[k] is not None else r.get("error", "n/a")
        out.append(f"| {backend} | {cell(mk, 'mk')} | {cell(raw, 'raw')} | {cell(ker, 'keras')} "
                   f"| {fmt_ratio(r_raw, raw_limit)} | {fmt_ratio(r_keras, keras_limit)} "
                   f"| {secs(mk.get('warmup_s'))} | {secs(overhead)} |")
    out += ["", "raw loops: " + "; ".join(f"{b}: {RAW_NAME[b]}" for b in backends), ""]
    return out


def infer_section(backends, sizes, args, targets) -> list[str]:
    out = [("### 4. Inference on the MLP: `predict` (numpy in, numpy out) and `model(x)` "
           "(tensor in, tensor out)"), "",
           (f"Per-call median over {sizes['reps']} blocks of {sizes['calls']} (batch 1) or "
           f"{max(sizes['calls'] // 10, 5)} (batch 1024) calls. raw predict = the framework's "
           "forward with numpy conversion on both sides (torch.no_grad, jitted jax, "
           "tf.function+XLA); raw call = the same on a tensor."), "",
           ("| backend | batch | mk predict | raw predict | Keras 3 predict | mk/raw predict "
           "| Keras 3/raw predict | mk model(x) | raw call | Keras 3 model(x) | mk/raw call |"),
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for backend in backends:
        res = worker(["--workload", "infer", "--backend", backend, "--reps", str(sizes["reps"]),
                      "--calls", str(sizes["calls"])], args.threads)
        if "error" in res:
            out.append(f"| {backend} | {res['error']} |" + " |" * 9)
            continue
        for batch in (1, 1024):
            m = {(impl, kind): med(res.get(impl, {}).get(f"{kind}_b{batch}_s"))
                 for impl in ("mk", "raw", "keras") for kind in ("predict", "call")}
            r_pred = ratio(m["mk", "predict"], m["raw", "predict"])
            if batch == 1:
                targets.check(f"predict batch 1 {backend}: mk / raw forward", r_pred, 2.0,
                              f"infer:{backend}")
            out.append(
                f"| {backend} | {batch} | {secs(m['mk', 'predict'])} | "
                f"{secs(m['raw', 'predict'])} | {secs(m['keras', 'predict'])} | "
                f"{fmt_ratio(r_pred, 2.0 if batch == 1 else None)} | "
                f"{fmt_ratio(ratio(m['keras', 'predict'], m['raw', 'predict']))} | "
                f"{secs(m['mk', 'call'])} | {secs(m['raw', 'call'])} | {secs(m['keras', 'call'])} "
                f"| {fmt_ratio(ratio(m['mk', 'call'], m['raw', 'call']))} |")
    return out + [""]


def memory_section(backends, sizes, args, targets) -> list[str]:
    n = sizes["mlp"]
    out = ["### 5a. Peak resident memory while training the MLP (workload 1)", "",
           (f"{n} samples, one warm-up + one timed epoch, one fresh process per implementation. "
           "Peak = the process's VmHWM (includes the framework itself); Δ = peak minus the "
           "resident size after imports and data creation."), "",
           ("| backend | mk peak | raw peak | Keras 3 peak | mk / raw peak | mk Δ | raw Δ | "
           "Keras 3 Δ |"), "|---|---|---|---|---|---|---|---|"]
    for backend in backends:
        peaks, deltas = {}, {}
        for impl in ("mk", "raw", "keras"):
            if impl == "keras" and backend == "numpy":
                continue
            res = worker(["--workload", "mlp", "--backend", backend, "--impls", impl,
                          "--samples", str(n), "--reps", "1"], args.threads).get(impl, {})
            if "peak_rss_mb" in res:
                peaks[impl] = res["peak_rss_mb"]
                deltas[impl] = res["peak_rss_mb"] - res["rss_before_mb"]
        r = ratio(peaks.get("mk"), peaks.get("raw"))
        targets.check(f"peak memory {backend}: mk / raw", r, 1.15)

        def mb(d, k):
            return f"{d[k]:.0f} MiB" if k in d else "n/a"
        out.append(f"| {backend} | {mb(peaks, 'mk')} | {mb(peaks, 'raw')} | "
                   f"{mb(peaks, 'keras')} | {fmt_ratio(r, 1.15)} | {mb(deltas, 'mk')} | "
                   f"{mb(deltas, 'raw')} | {mb(deltas, 'keras')} |")
    return out + [""]


def import_section(sizes, targets) -> list[str]:
    statements = {"numpy": "import numpy", "mini_keras": "import mini_keras",
                  "mk_backend": "import mini_keras; mini_keras.config.set_backend('numpy')",
                  "keras": "import keras"}
    mk_env = {"MINI_KERAS_BACKEND": "numpy"}
    envs = {"numpy": {}, "mini_keras": mk_env, "mk_backend": mk_env,
            "keras": {"KERAS_BACKEND": "numpy"}}
    import_time(statements["mk_backend"], mk_env)  # write mini_keras's __pycache__ once
    runs: dict[str, list[float]] = {k: [] for k in statements}
    for _ in range(sizes["import_reps"]):  # interleaved, each in a fresh interpreter
        for key, statement in statements.items():
            runs[key].append(import_time(statement, envs[key]))
    m = {k: med(v) for k, v in runs.items()}
    targets.check("import mini_keras (numpy backend), seconds", m["mini_keras"], 0.5)
    return ["### 5b. Import time (fresh interpreter, numpy backend)", "",
            (f"Median of {sizes['import_reps']} interleaved runs, with bytecode caching on "
            "(PYTHONDONTWRITEBYTECODE unset, one untimed import first to write __pycache__). "
            "`import mini_keras` does not import the numpy backend module itself; that happens "
            "on first use (see the memory notes)."), "",
            ("| `import numpy` | `import mini_keras` | `import mini_keras` + load the numpy "
            "backend | `import keras` (KERAS_BACKEND=numpy) |"),
            "|---|---|---|---|",
            (f"| {secs(m['numpy'])} | {secs(m['mini_keras'])} | {secs(m['mk_backend'])} "
            f"| {secs(m['keras'])} |"), ""]


# ---------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default=",".join(ALL_WORKLOADS),
                        help=f"comma-separated subset of {','.join(ALL_WORKLOADS)}")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--reps", type=int, help="timed epochs / timing blocks (default 5, 3 quick)")
    parser.add_argument("--quick", action="store_true", help="smaller epochs and fewer reps")
    parser.add_argument("--threads", type=int, default=0,
                        help="pin every framework to N threads (0 = each framework's default)")
    parser.add_argument("--profile", action="store_true",
                        help="append a cProfile of mini_keras for every missed training/infer target")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    if args.reps:
        sizes["reps"] = args.reps
    workloads = [w for w in args.workloads.split(",") if w]
    backends = [b for b in args.backends.split(",") if b]
    for name in workloads:
        if name not in ALL_WORKLOADS:
            parser.error(f"unknown workload {name!r}; expected some of {ALL_WORKLOADS}")

    started = time.time()
    load_before = os.getloadavg()
    targets, body = Targets(), []
    for workload in workloads:
        print(f"== {workload}", flush=True)
        if workload in TRAINING:
            body += training_section(workload, backends, sizes, args, targets)
        elif workload == "infer":
            body += infer_section(backends, sizes, args, targets)
        elif workload == "memory":
            body += memory_section(backends, sizes, args, targets)
        else:
            body += import_section(sizes, targets)

    profiles = []
    if args.profile:
        done = set()
        for name, _, _, key in targets.missed():
            if not key or key in done:
                continue
            done.add(key)
            workload, backend = key.split(":")
            extra = ["--samples", str(sizes[workload])] if workload in TRAINING else [
                "--calls", str(sizes["calls"])]
            text = profile_text(["--workload", workload, "--backend", backend] + extra,
                                args.threads)
            profiles += [(f"<details><summary>cProfile: mini_keras, {workload} on {backend} "
                         "(top entries by own time)</summary>"), "", "```", text, "```", "",
                         "</details>", ""]

    load_after = os.getloadavg()
    minutes = (time.time() - started) / 60
    header = [
        "# mini_keras benchmarks", "",
        (f"Generated by `python benchmarks/run.py {' '.join(argv or sys.argv[1:])}` on "
        f"{datetime.datetime.now():%Y-%m-%d %H:%M} in {minutes:.1f} min. Ratios < 1 mean "
        "mini_keras is faster. Absolute seconds depend on the machine and its load; the ratios "
        "come from implementations timed round-robin in the same process and are what the "
        "targets are checked on."), "",
        "## Machine", "", *machine_info(args.threads),
        f"- Load average (1 min) before / after: {load_before[0]:.1f} / {load_after[0]:.1f}"
        + ("  — **the machine was shared with other jobs; treat absolute times as noisy**"
           if max(load_before[0], load_after[0]) > (os.cpu_count() or 1) else ""), "",
        "## Targets", "", *targets.table(), "", "## Results", ""]
    notes = HERE / "NOTES.md"
    tail = []
    if notes.exists():
        tail += ["## Analysis of missed targets (hand-written, see benchmarks/NOTES.md)", "",
                 notes.read_text().strip(), ""]
    if profiles:
        tail += ["## Profiles (this run)", ""] + profiles
    Path(args.out).write_text("\n".join(header + body + tail).rstrip() + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
