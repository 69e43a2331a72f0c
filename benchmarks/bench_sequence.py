"""Sequence kernels of chainrule against PyTorch CPU: LSTM and attention, forward + backward.

Two cases, each in float32 and float64:

- ``lstm``: hidden 64, input 64, sequence 32, batch 64, every hidden state returned, the
  gradient by all of them given; chainrule's fused ``lstm_forward``/``lstm_backward``
  against ``torch.nn.LSTM(batch_first=True)`` with autograd (dx and every weight's gradient
  on both sides). Target: chainrule / torch ≤ 1.0.
- ``attention``: one head on (batch 32, length 64, d 64), causal and not; chainrule's
  ``attention_forward``/``attention_backward`` against
  ``torch.nn.functional.scaled_dot_product_attention`` with autograd (dQ, dK, dV).
  Target: ≤ 1.5.

Each framework runs in its own process (this script again, with ``--worker``), the two in
turns for ``--rounds`` rounds; each keeps its best call, by wall time and by the process's
CPU time (``time.process_time``; with one thread, the CPU time leaves out the moments the
process waited for a core that other programs held, which a shared machine adds to the wall
time). The first lines print the thread
settings: OMP_NUM_THREADS and OPENBLAS_NUM_THREADS as the workers see them, torch's thread
count and NumPy's BLAS threads (threadpoolctl).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_sequence.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

try:  # imported as benchmarks.bench_sequence
    from ._machine import cpu_name, run_json_worker, version, wait_until_quiet
except ImportError:  # run as a script: this folder is on sys.path
    from _machine import cpu_name, run_json_worker, version, wait_until_quiet

CASES = {
    "lstm": {"m": 64, "T": 32, "n_x": 64, "n_a": 64, "target": 1.0},
    "attention": {"m": 32, "T": 64, "d": 64, "target": 1.5},
    "attention causal": {"m": 32, "T": 64, "d": 64, "target": 1.5},
}
DTYPES = ("float32", "float64")
FRAMEWORKS = ("chainrule", "torch")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
WORKER_TIMEOUT_S = 600


def chainrule_call(case: str, dtype: str) -> Any:
    """A function running chainrule's forward + backward once on the case's arrays."""
    import numpy as np

    from chainrule.numeric.sequence.attention import attention_backward, attention_forward
    from chainrule.numeric.sequence.lstm import lstm_parameter_shapes
    from chainrule.numeric.sequence.lstm_fused import lstm_backward, lstm_forward

    rng = np.random.default_rng(0)
    size = CASES[case]
    if case == "lstm":
        shapes = lstm_parameter_shapes(size["n_x"], size["n_a"])
        params = {k: (rng.standard_normal(s) * 0.1).astype(dtype) for k, s in shapes.items()}
        x = rng.standard_normal((size["m"], size["T"], size["n_x"])).astype(dtype)
        grad = rng.standard_normal((size["m"], size["T"], size["n_a"])).astype(dtype)

        def run_lstm() -> None:
            _, cache = lstm_forward(x, None, params)
            lstm_backward(grad, cache)

        return run_lstm
    Q, K, V, dO = (rng.standard_normal((size["m"], size["T"], size["d"])).astype(dtype)
                   for _ in range(4))  # fmt: skip
    causal = case.endswith("causal")

    def run_attention() -> None:
        _, cache = attention_forward(Q, K, V, causal)
        attention_backward(dO, cache)

    return run_attention


def torch_call(case: str, dtype: str) -> Any:
    """A function running torch's forward + backward (autograd) once on the case's tensors."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    kind = getattr(torch, dtype)
    size = CASES[case]
    if case == "lstm":
        lstm = torch.nn.LSTM(size["n_x"], size["n_a"], batch_first=True).to(kind)
        x = torch.randn(size["m"], size["T"], size["n_x"], dtype=kind, requires_grad=True)
        grad = torch.randn(size["m"], size["T"], size["n_a"], dtype=kind)

        def run_lstm() -> None:
            out, _ = lstm(x)
            out.backward(grad)

        return run_lstm
    shape = (size["m"], size["T"], size["d"])
    Q, K, V = (torch.randn(shape, dtype=kind, requires_grad=True) for _ in range(3))
    dO = torch.randn(shape, dtype=kind)
    causal = case.endswith("causal")

    def run_attention() -> None:
        F.scaled_dot_product_attention(Q, K, V, is_causal=causal).backward(dO)

    return run_attention


def thread_settings(framework: str) -> dict[str, Any]:
    """The thread counts this worker runs with (torch is imported only in its own worker)."""
    settings: dict[str, Any] = {name: os.environ.get(name, "<unset>") for name in THREAD_VARIABLES}
    if framework == "torch":
        import torch

        settings["torch threads"] = torch.get_num_threads()
    try:
        from threadpoolctl import threadpool_info

        blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        settings["numpy BLAS threads"] = blas[0] if blas else "?"
    except ImportError:
        settings["numpy BLAS threads"] = "threadpoolctl absent"
    return settings


def worker(framework: str, repeats: int) -> dict[str, Any]:
    """Best and all times of every case and dtype for one framework."""
    make = chainrule_call if framework == "chainrule" else torch_call
    if framework == "torch":
        import torch

        threads = os.environ.get("OMP_NUM_THREADS")
        if threads and threads.isdigit():
            torch.set_num_threads(int(threads))
    if framework == "chainrule":
        import numpy  # noqa: F401  (loads the BLAS that thread_settings reports)
    results: dict[str, Any] = {"threads": thread_settings(framework)}
    for case in CASES:
        for dtype in DTYPES:
            call = make(case, dtype)
            call()  # warm-up
            seconds, cpu_seconds = [], []
            for _ in range(repeats):
                start, cpu_start = time.perf_counter(), time.process_time()
                call()
                seconds.append(time.perf_counter() - start)
                cpu_seconds.append(time.process_time() - cpu_start)
            results[f"{case} {dtype}"] = seconds
            results[f"{case} {dtype} cpu"] = cpu_seconds
    return results


def run_worker(framework: str, repeats: int) -> dict[str, Any]:
    """One worker process for ``framework``; its result with the other programs' load."""
    command = [sys.executable, os.path.abspath(__file__), "--worker", framework,
               "--repeats", str(repeats)]  # fmt: skip
    return run_json_worker(command, WORKER_TIMEOUT_S)


def report(rounds: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> str:
    """The header with thread settings and one line per case and dtype."""
    lines = [
        f"chainrule sequence benchmark: numpy {version('numpy')}, torch {version('torch')}, "
        f"{cpu_name()}, {os.cpu_count()} logical cores",
    ]
    for framework in FRAMEWORKS:
        shown = ", ".join(f"{k}={v}" for k, v in rounds[framework][0]["threads"].items())
        lines.append(f"{framework} worker: {shown}")
    lines += [
        f"forward + backward, best of {args.rounds} rounds x {args.repeats} calls, each "
        "framework in its own process",
        f"{'case':<28}{'chainrule ms':>13}{'torch ms':>10}{'ratio':>7}{'cpu ms: chainrule':>19}"
        f"{'torch':>7}{'ratio':>7}  target (on the wall-time ratio)",
    ]
    for case, size in CASES.items():
        shape = ", ".join(f"{k} {v}" for k, v in size.items() if k != "target")
        for dtype in DTYPES:
            key = f"{case} {dtype}"
            ours, theirs = (min(min(r[key]) for r in rounds[f]) for f in FRAMEWORKS)
            cpu_ours, cpu_theirs = (
                min(min(r[f"{key} cpu"]) for r in rounds[f]) for f in FRAMEWORKS
            )
            ratio = ours / theirs
            verdict = "PASS" if ratio <= size["target"] else "MISS"
            lines.append(
                f"{key:<28}{ours * 1e3:>13.2f}{theirs * 1e3:>10.2f}{ratio:>7.2f}"
                f"{cpu_ours * 1e3:>19.2f}{cpu_theirs * 1e3:>7.2f}{cpu_ours / cpu_theirs:>7.2f}  "
                f"<= {size['target']:.1f} {verdict}   ({shape})"
            )
    busy = max(r["busy"] for runs in rounds.values() for r in runs)
    lines.append(f"other programs used up to {busy:.2f} cores while a worker ran")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="worker processes per framework")
    parser.add_argument("--repeats", type=int, default=10, help="timed calls per case and worker")
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before each worker, wait up to SECONDS for idle CPUs")  # fmt: skip
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for option in ("rounds", "repeats"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be a positive integer (got {getattr(args, option)})")
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeats)))
        return 0
    rounds: dict[str, list[dict[str, Any]]] = {framework: [] for framework in FRAMEWORKS}
    for _ in range(args.rounds):
        for framework in FRAMEWORKS:
            if args.wait_idle:
                wait_until_quiet(args.wait_idle)
            rounds[framework].append(run_worker(framework, args.repeats))
    print(report(rounds, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
