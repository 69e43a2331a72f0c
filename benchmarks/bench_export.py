"""The PyTorch export against the same formula in plain torch with autograd: memory saved for
backward and time of forward + backward, for every catalogue activation.

Three variants of each activation run on the same (4096, 4096) float32 tensor:

- ``chainrule``: the exported ``torch.autograd.Function`` (``chainrule.codegen.torch_function``),
  whose backward is the proven derivative and which saves only what it needs;
- ``plain``: the same formula as plain torch operations (the export's own ``<g>_value``), with
  autograd deriving the backward and keeping what its operations keep;
- ``builtin``: torch's own function where it has one (``torch.sigmoid``, ``F.silu``,
  ``F.gelu(approximate="tanh")``, ...), for reference only.

Saved memory is the sum of the distinct tensors that autograd keeps for backward, seen by
``torch.autograd.graph.saved_tensors_hooks`` (a tensor saved twice counts once); time is the
best wall time of ``out = f(z); out.backward(grad)``. All three are torch, so they share a
worker process (this script again, with ``--worker``; one fresh process per round) and take
turns call by call, each seeing the machine's load of the moment; each keeps its best call
over every round. Target: chainrule's memory and time at most the plain version's.

    python benchmarks/bench_export.py [--rounds 3] [--repeats 5] [--threads 2] [--wait-idle 30]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

try:  # imported as benchmarks.bench_export
    from ._machine import ForeignLoad, cpu_name, version, wait_until_quiet
except ImportError:  # run as a script: this folder is on sys.path
    from _machine import ForeignLoad, cpu_name, version, wait_until_quiet

ACTIVATIONS = (
    "sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus", "swish", "elu", "gelu", "mish",
)  # fmt: skip
VARIANTS = ("chainrule", "plain", "builtin")
SHAPE = (4096, 4096)
WORKER_TIMEOUT_S = 900


def builtin(name: str) -> Any:
    """torch's own version of a catalogue activation."""
    import torch
    import torch.nn.functional as F

    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": F.leaky_relu,
        "linear": lambda z: z.view_as(z),
        "softplus": F.softplus,
        "swish": F.silu,
        "elu": F.elu,
        "gelu": lambda z: F.gelu(z, approximate="tanh"),
        "mish": F.mish,
    }[name]


def variant_function(name: str, variant: str) -> Any:
    """The function ``variant`` times for the activation ``name``."""
    from chainrule.codegen import torch_function, torch_source
    from chainrule.codegen.backward import activation_backward
    from chainrule.codegen.torch_export import torch_module

    if variant == "chainrule":
        return torch_function(name).apply
    if variant == "plain":
        module = torch_module(torch_source(name))
        return getattr(module, f"{activation_backward(name).identifier}_value")
    return builtin(name)


def saved_bytes(function: Any, z: Any) -> int:
    """Bytes of the distinct tensors autograd keeps for the backward of ``function(z)``."""
    import torch

    kept: dict[tuple[int, int], int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        kept[(storage.data_ptr(), storage.nbytes())] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = function(z)
    del out
    return sum(kept.values())


def worker(repeats: int, threads: int) -> dict[str, Any]:
    """Time every activation's variants, taking turns call by call so that each sees the same
    load: {variant: {name: {"seconds": [...], "saved": bytes}}}."""
    import torch

    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(0)
    z = (torch.randn(SHAPE, generator=generator) * 3).requires_grad_()
    grad = torch.randn(SHAPE, generator=generator)
    results: dict[str, Any] = {"threads": torch.get_num_threads()}
    results.update({variant: {} for variant in VARIANTS})
    for name in ACTIVATIONS:
        functions = {variant: variant_function(name, variant) for variant in VARIANTS}
        seconds: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
        for turn in range(repeats + 1):  # the first turn warms up
            order = VARIANTS if turn % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                z.grad = None
                start = time.perf_counter()
                functions[variant](z).backward(grad)
                seconds[variant].append(time.perf_counter() - start)
        for variant, function in functions.items():
            saved = saved_bytes(function, z)
            results[variant][name] = {"seconds": seconds[variant][len(VARIANTS) :], "saved": saved}
    return results


def run_worker(args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, os.path.abspath(__file__), "--worker",
               "--repeats", str(args.repeats), "--threads", str(args.threads)]  # fmt: skip
    with ForeignLoad() as load:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S)
    if done.returncode != 0:
        raise SystemExit(f"the worker failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    result["busy"] = load.cores
    return result


def best_of(rounds: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per activation: the best time over every round and the memory saved."""
    return {
        name: {
            "seconds": min(min(r[name]["seconds"]) for r in rounds),
            "saved": rounds[0][name]["saved"],
        }
        for name in ACTIVATIONS
    }


def report(best: dict[str, dict[str, dict[str, float]]], threads: int, args) -> str:
    mib, ms = 2.0**20, 1e3
    lines = [
        f"chainrule export benchmark: torch {version('torch')}, torch threads {threads}, "
        f"{cpu_name()}, {os.cpu_count()} logical cores",
        f"{SHAPE[0]}x{SHAPE[1]} float32, forward + backward, best of {args.rounds} rounds x "
        f"{args.repeats}; saved = distinct tensors kept for backward",
        f"{'activation':<11}{'saved MiB: chainrule':>21}{'plain':>7}{'builtin':>8}"
        f"{'time ms: chainrule':>20}{'plain':>8}{'builtin':>8}{'ratio':>7}  target",
    ]
    for name in ACTIVATIONS:
        ours, plain, torch_own = (best[v][name] for v in VARIANTS)
        ratio = ours["seconds"] / plain["seconds"]
        passed = ours["saved"] <= plain["saved"] and ratio <= 1.0
        lines.append(
            f"{name:<11}{ours['saved'] / mib:>21.0f}{plain['saved'] / mib:>7.0f}"
            f"{torch_own['saved'] / mib:>8.0f}{ours['seconds'] * ms:>20.1f}"
            f"{plain['seconds'] * ms:>8.1f}{torch_own['seconds'] * ms:>8.1f}{ratio:>7.2f}  "
            f"{'PASS' if passed else 'MISS'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="worker processes per variant")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per worker")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before each worker, wait up to SECONDS for idle CPUs")  # fmt: skip
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for option in ("rounds", "repeats", "threads"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be a positive integer (got {getattr(args, option)})")
    if args.worker:
        print(json.dumps(worker(args.repeats, args.threads)))
        return 0
    rounds = []
    for _ in range(args.rounds):
        if args.wait_idle:
            wait_until_quiet(args.wait_idle)
        rounds.append(run_worker(args))
    best = {variant: best_of([result[variant] for result in rounds]) for variant in VARIANTS}
    print(report(best, rounds[0]["threads"], args))
    busy = max(result["busy"] for result in rounds)
    print(f"other programs used up to {busy:.2f} cores while a worker ran")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
