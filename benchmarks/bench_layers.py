"""The layers against PyTorch CPU, and a CNN trained on digits by ``chainrule train``.

(a) ``chainrule train --data digits --arch ... --input-shape 1x8x8``: the test accuracy
    (target >= 0.98) and the training time, as the command prints them.
(b) Conv2D forward + backward (dX, dW, db) on 64 single-channel 28×28 images, 16 kernels
    3×3, stride 1, padding 1, against ``torch.nn.functional.conv2d`` with autograd; with the
    share of chainrule's time spent in its matrix products (target: ratio <= 1.5).
(c) BatchNorm forward + backward (training mode) on (256, 512) against
    ``torch.nn.functional.batch_norm`` (target: ratio <= 1.0).

Each framework runs in its own process (this script again, with ``--worker``), one fresh
process per round, the frameworks taking turns; each keeps its best call over every round.
Ratios are chainrule's time over PyTorch's: below 1 is faster. The thread settings
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and torch's thread count) are printed with the
figures; set them in the environment (``OMP_NUM_THREADS=1 python benchmarks/bench_layers.py``).

    python benchmarks/bench_layers.py [--cases a,b,c] [--rounds 3] [--repeats 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

try:  # imported as benchmarks.bench_layers
    from ._machine import ForeignLoad, cpu_name, version
except ImportError:  # run as a script: this folder is on sys.path
    from _machine import ForeignLoad, cpu_name, version

FRAMEWORKS = ("chainrule", "torch")
DTYPES = ("float32", "float64")
CONV = {"m": 64, "C": 1, "H": 28, "W": 28, "F": 16, "k": 3, "stride": 1, "padding": 1}
BATCHNORM = (256, 512)
CNN_ARCH = "conv:32:3:pad1:nobias,batchnorm,relu,maxpool:2,flatten,dense:64,relu,dropout:0.7"
CNN_OPTIONS = ["--optimizer", "adam", "--lr", "0.003", "--lr-decay", "0.1", "--batch-size", "32",
               "--epochs", "30", "--seed", "0", "--quiet"]  # fmt: skip
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
WORKER_TIMEOUT_S = 600


def best_time(function: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``repeats`` calls after two untimed ones."""
    function()
    function()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


# ----------------------------------------------------------------------------- workers
def chainrule_conv(dtype: str, repeats: int) -> dict[str, float]:
    """Conv2D forward + backward, and the three matrix products alone at the same shapes."""
    import numpy as np

    from chainrule.numeric.layers import Conv2D

    c = CONV
    rng = np.random.default_rng(0)
    layer = Conv2D(c["F"], c["k"], c["stride"], c["padding"])
    out = layer.build((c["C"], c["H"], c["W"]), np.dtype(dtype), rng)
    shapes = layer.parameter_shapes()
    layer.bind(
        {name: rng.standard_normal(shape).astype(dtype) for name, shape in shapes.items()},
        {name: np.zeros(shape, dtype) for name, shape in shapes.items()},
    )
    X = rng.standard_normal((c["m"], c["C"], c["H"], c["W"])).astype(dtype)
    G = rng.standard_normal((c["m"], *out)).astype(dtype)

    def step() -> None:
        layer.forward(X, True)
        layer.backward(G)

    kk = c["C"] * c["k"] ** 2
    P = out[1] * out[2]
    W_col = rng.standard_normal((c["F"], kk)).astype(dtype)
    cols = rng.standard_normal((c["m"], kk, P)).astype(dtype)
    dZ = rng.standard_normal((c["m"], c["F"], P)).astype(dtype)
    Z, dW, dcols = np.empty_like(dZ), np.empty((c["m"], c["F"], kk), dtype), np.empty_like(cols)

    def products() -> None:
        np.matmul(W_col, cols, out=Z)
        np.matmul(dZ, cols.transpose(0, 2, 1), out=dW)
        np.matmul(W_col.T, dZ, out=dcols)

    return {"seconds": best_time(step, repeats), "matmul": best_time(products, repeats)}


def chainrule_batchnorm(dtype: str, repeats: int) -> dict[str, float]:
    import numpy as np

    from chainrule.numeric.layers import BatchNorm

    rng = np.random.default_rng(0)
    layer = BatchNorm()
    layer.build(BATCHNORM[1:], np.dtype(dtype), rng)
    n = BATCHNORM[1]
    layer.bind(
        {"gamma": np.ones(n, dtype), "beta": np.zeros(n, dtype)},
        {"gamma": np.zeros(n, dtype), "beta": np.zeros(n, dtype)},
    )
    X = rng.standard_normal(BATCHNORM).astype(dtype)
    G = rng.standard_normal(BATCHNORM).astype(dtype)

    def step() -> None:
        layer.forward(X, True)
        layer.backward(G)

    return {"seconds": best_time(step, repeats)}


def torch_conv(dtype: str, repeats: int) -> dict[str, float]:
    import torch

    c = CONV
    kind = getattr(torch, dtype)
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(c["m"], c["C"], c["H"], c["W"], generator=generator, dtype=kind)
    X.requires_grad_()
    W = torch.randn(c["F"], c["C"], c["k"], c["k"], generator=generator, dtype=kind)
    b = torch.zeros(c["F"], dtype=kind)
    W.requires_grad_()
    b.requires_grad_()
    out = torch.nn.functional.conv2d(X, W, b, stride=c["stride"], padding=c["padding"])
    G = torch.randn(out.shape, generator=generator, dtype=kind)

    def step() -> None:
        X.grad = W.grad = b.grad = None
        Z = torch.nn.functional.conv2d(X, W, b, stride=c["stride"], padding=c["padding"])
        Z.backward(G)

    return {"seconds": best_time(step, repeats)}


def torch_batchnorm(dtype: str, repeats: int) -> dict[str, float]:
    import torch

    kind = getattr(torch, dtype)
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(BATCHNORM, generator=generator, dtype=kind).requires_grad_()
    G = torch.randn(BATCHNORM, generator=generator, dtype=kind)
    gamma = torch.ones(BATCHNORM[1], dtype=kind, requires_grad=True)
    beta = torch.zeros(BATCHNORM[1], dtype=kind, requires_grad=True)
    running_mean = torch.zeros(BATCHNORM[1], dtype=kind)
    running_var = torch.ones(BATCHNORM[1], dtype=kind)
    norm = torch.nn.functional.batch_norm

    def step() -> None:
        X.grad = gamma.grad = beta.grad = None
        Y = norm(X, running_mean, running_var, gamma, beta, True, 0.1, 1e-5)
        Y.backward(G)

    return {"seconds": best_time(step, repeats)}


WORKERS = {
    ("chainrule", "b"): chainrule_conv,
    ("chainrule", "c"): chainrule_batchnorm,
    ("torch", "b"): torch_conv,
    ("torch", "c"): torch_batchnorm,
}


def worker(framework: str, case: str, repeats: int) -> dict[str, Any]:
    """Every dtype of one case in this process: {dtype: {"seconds": ..., ...}, "threads": ...}."""
    result: dict[str, Any] = {}
    if framework == "torch":
        import torch

        result["threads"] = torch.get_num_threads()
    for dtype in DTYPES:
        result[dtype] = WORKERS[(framework, case)](dtype, repeats)
    return result


def run_worker(framework: str, case: str, repeats: int) -> dict[str, Any]:
    command = [sys.executable, os.path.abspath(__file__), "--worker", framework,
               "--cases", case, "--repeats", str(repeats)]  # fmt: skip
    with ForeignLoad() as load:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S)
    if done.returncode != 0:
        raise SystemExit(f"the {framework} worker failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    result["busy"] = load.cores
    return result


# ----------------------------------------------------------------------------- cases
def cnn_case() -> list[str]:
    """(a): ``chainrule train`` on digits as 1x8x8 images, its lines as printed."""
    command = [sys.executable, "-m", "chainrule", "train", "--data", "digits", "--arch",
               CNN_ARCH, "--input-shape", "1x8x8", *CNN_OPTIONS]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S)
    if done.returncode != 0:
        raise SystemExit(f"chainrule train failed:\n{done.stderr}")
    lines = done.stdout.splitlines()
    accuracy = float(next(line for line in lines if line.startswith("test accuracy")).split()[-1])
    shown = [line for line in lines if line.startswith(("model:", "training:", "test accuracy"))]
    verdict = "PASS" if accuracy >= 0.98 else "MISS"
    return [
        f"(a) chainrule train --data digits --arch {CNN_ARCH} --input-shape 1x8x8 "
        + " ".join(CNN_OPTIONS),
        *(f"    {line}" for line in shown),
        f"    target test accuracy >= 0.98: {verdict}",
    ]


def timed_case(case: str, rounds: int, repeats: int) -> tuple[list[str], dict[str, Any]]:
    """(b) or (c): both frameworks, ``rounds`` fresh processes each, taking turns."""
    results: dict[str, list[dict[str, Any]]] = {framework: [] for framework in FRAMEWORKS}
    for turn in range(rounds):
        order = FRAMEWORKS if turn % 2 == 0 else FRAMEWORKS[::-1]
        for framework in order:
            results[framework].append(run_worker(framework, case, repeats))
    target = 1.5 if case == "b" else 1.0
    if case == "b":
        c = CONV
        title = (f"(b) Conv2D forward + backward, {c['m']}x{c['C']}x{c['H']}x{c['W']}, "
                 f"{c['F']} kernels {c['k']}x{c['k']}, stride {c['stride']}, padding "
                 f"{c['padding']}")  # fmt: skip
    else:
        title = f"(c) BatchNorm forward + backward (training), {BATCHNORM[0]}x{BATCHNORM[1]}"
    lines = [title]
    for dtype in DTYPES:
        ours = min(r[dtype]["seconds"] for r in results["chainrule"])
        theirs = min(r[dtype]["seconds"] for r in results["torch"])
        ratio = ours / theirs
        verdict = "PASS" if ratio <= target else "MISS"
        line = (f"    {dtype}: chainrule {ours * 1e3:.3f} ms, torch {theirs * 1e3:.3f} ms, "
                f"ratio {ratio:.2f} (target <= {target:g}: {verdict})")  # fmt: skip
        if case == "b":
            matmul = min(r[dtype]["matmul"] for r in results["chainrule"])
            line += f"; matmul {matmul * 1e3:.3f} ms = {matmul / ours:.0%} of chainrule's time"
        lines.append(line)
    busy = max(r["busy"] for framework in FRAMEWORKS for r in results[framework])
    lines.append(f"    other programs used up to {busy:.2f} cores while a worker ran")
    return lines, results["torch"][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="a,b,c", help="comma-separated: a, b, c")
    parser.add_argument("--rounds", type=int, default=3, help="worker processes per framework")
    parser.add_argument("--repeats", type=int, default=20, help="timed calls per worker")
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    cases = [case.strip() for case in args.cases.split(",")]
    if not cases or any(case not in ("a", "b", "c") for case in cases):
        parser.error(f"--cases must name a, b or c (got {args.cases!r})")
    if args.rounds < 1 or args.repeats < 1:
        parser.error("--rounds and --repeats must be positive integers")
    if args.worker:
        print(json.dumps(worker(args.worker, cases[0], args.repeats)))
        return 0
    settings = ", ".join(f"{name}={os.environ.get(name, 'unset')}" for name in THREAD_VARIABLES)
    print(f"chainrule layers benchmark: numpy {version('numpy')}, torch {version('torch')}, "
          f"{cpu_name()}, {os.cpu_count()} logical cores, {settings}")  # fmt: skip
    torch_threads = None
    for case in cases:
        if case == "a":
            lines = cnn_case()
        else:
            lines, torch_result = timed_case(case, args.rounds, args.repeats)
            torch_threads = torch_result.get("threads")
        print("\n".join(lines), flush=True)
    if torch_threads is not None:
        print(f"torch threads {torch_threads}; best of {args.rounds} rounds x {args.repeats} calls")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
