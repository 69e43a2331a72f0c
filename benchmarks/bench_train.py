"""Training speed of chainrule against PyTorch and scikit-learn, measured in the same run.

Every framework trains the same architecture on the same data, from the same initial weights,
with the same step (plain gradient descent; Adam in case d), for the same number of epochs.
Each framework runs in its own process (this script again, with ``--worker``), so that one
library's idle threads cannot take the cores from another. The parent prints, per case, seconds
per epoch (best of several timed chunks after a warm-up epoch), the ratio chainrule / peer, the
final training accuracy, the largest difference of the final weights from chainrule's, and the
targets, PASS or MISS.

Usage::

    python benchmarks/bench_train.py                   # cases a, b, c, d
    python benchmarks/bench_train.py --quick           # smoke run, few epochs
    python benchmarks/bench_train.py --cases a,b --epochs 500 --repeats 5
    python benchmarks/bench_train.py --also-unset-openblas
    python benchmarks/bench_train.py --wait-idle 30 --rounds 5   # on a shared machine

Every worker's row shows how many cores other programs used meanwhile ("busy"); a row marked
with "!" was measured on a busy machine and should be rerun.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

try:  # imported as benchmarks.bench_train
    from . import _cases, _chainrule_worker, _jobs, _peers, _report
    from ._machine import ForeignLoad, wait_until_quiet
except ImportError:  # run as a script: this folder is on sys.path
    import _cases
    import _chainrule_worker
    import _jobs
    import _peers
    import _report
    from _machine import ForeignLoad, wait_until_quiet

OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
TRAINERS = {
    "chainrule": _chainrule_worker.train_with_chainrule,
    "sklearn": _peers.train_with_sklearn,
    "torch": _peers.train_with_torch,
}
WORKER_TIMEOUT_S = 900


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options of the benchmark (and of its worker mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", default=",".join(_cases.CASES), help="comma-separated subset of a,b,c,d"
    )
    parser.add_argument("--epochs", type=int, help="epochs per run (default: per case)")
    parser.add_argument("--repeats", type=int, help="timed chunks per run (default 5, quick 2)")
    parser.add_argument(
        "--rounds", type=int, help="fresh worker processes per framework, best counts (default 3)"
    )
    parser.add_argument("--quick", action="store_true", help="few epochs, one round: a smoke run")
    parser.add_argument(
        "--also-unset-openblas",
        action="store_true",
        help="also run every case with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from "
        "the environment of the worker processes",
    )
    parser.add_argument(
        "--skip-sklearn-c", action="store_true", help="leave scikit-learn out of case c"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each worker, wait up to SECONDS for other programs to leave the CPUs idle "
        "(for shared machines; default 0: do not wait)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="threads of every framework (default 2: torch.set_num_threads(2), the BLAS and "
        "OpenMP defaults); when given, the workers also get OPENBLAS_NUM_THREADS, "
        "OMP_NUM_THREADS and MKL_NUM_THREADS set to it",
    )
    parser.add_argument("--worker", choices=sorted(TRAINERS), help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.cases.split(",")) - set(_cases.CASES))
    if unknown and not args.worker:
        parser.error(f"--cases must be a subset of {','.join(_cases.CASES)} (got {args.cases!r})")
    for name in ("epochs", "repeats", "rounds", "threads"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be a positive integer (got {value})")
    return args


# --------------------------------------------------------------------------- worker side


def worker_main(framework: str, job_path: str) -> int:
    """Run one framework's job (JSON at ``job_path``) and write ``<job_path>.npz``."""
    job = _jobs.Job(**json.loads(Path(job_path).read_text()))
    result = TRAINERS[framework](job)
    params = result.pop("params")
    np.savez(job_path + ".npz", meta=np.array(json.dumps(result)), **params)
    return 0


# --------------------------------------------------------------------------- parent side


def initial_weights(case: _cases.Case) -> dict[str, np.ndarray]:
    """Initial weights in chainrule's layout, float64, from chainrule's own initialiser."""
    from chainrule.numeric import Network

    net = Network(
        layer_sizes=case.layer_sizes,
        activation=case.activation,
        output=case.output,
        dtype="float64",
        seed=0,
    )
    return {key: np.array(value, dtype=np.float64) for key, value in net.params.items()}


def write_case_data(case: _cases.Case, folder: str) -> str:
    """Write the case's data and initial weights to one ``.npz``; return its path."""
    X, y = _cases.load_dataset(case.dataset)
    path = os.path.join(folder, f"case_{case.key}.npz")
    np.savez(path, X=X, y=y, **initial_weights(case))
    return path


def run_worker(
    job: _jobs.Job, env: dict[str, str], folder: str, wait_idle: float = 0.0
) -> dict[str, Any]:
    """Run ``job`` in a fresh process with environment ``env``; return its result.

    The result holds ``params`` (final weights) and ``meta`` (times, accuracy, kernels), or
    ``error`` (the last lines of the worker's output) if the worker failed.
    """
    job_path = os.path.join(folder, f"job_{job.framework}_{time.monotonic_ns()}.json")
    Path(job_path).write_text(json.dumps(dataclasses.asdict(job)))
    command = [sys.executable, os.path.abspath(__file__), "--worker", job.framework]
    if wait_idle > 0:
        wait_until_quiet(wait_idle)
    with ForeignLoad() as foreign:
        completed = subprocess.run(
            [*command, "--job", job_path],
            env=env,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_S,
            check=False,
        )
    if completed.returncode != 0:
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-6:]
        return {"error": "\n".join(tail)}
    with np.load(job_path + ".npz", allow_pickle=False) as saved:
        meta = json.loads(str(saved["meta"]))
        meta["params"] = {key: saved[key] for key in saved.files if key != "meta"}
    meta["foreign_cores"] = foreign.cores
    return meta


def worker_env(unset_openblas: bool, threads: int | None = None) -> dict[str, str]:
    """The environment of the worker processes: ours, less the OpenBLAS variables if asked,
    with the thread counts of the math libraries set if ``threads`` is given."""
    env = dict(os.environ)
    if unset_openblas:
        for name in OPENBLAS_VARIABLES:
            env.pop(name, None)
    if threads is not None:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    return env


def epochs_and_repeats(case: _cases.Case, args: argparse.Namespace) -> tuple[int, int]:
    """Epochs per timed chunk and number of chunks for ``case``."""
    repeats = args.repeats or (2 if args.quick else 5)
    epochs = args.epochs or (case.quick_epochs if args.quick else case.epochs)
    return max(1, round(epochs / repeats)), repeats


def bench_case(
    case: _cases.Case, args: argparse.Namespace, env: dict[str, str], folder: str
) -> list[str]:
    """Run every framework on every run of ``case``; print the tables; return kernel lines.

    Each framework runs ``rounds`` times, in turns (chainrule, torch, sklearn, chainrule, ...),
    each time in a fresh process; the round with the fastest chunk counts. On a shared machine
    this gives every framework several chances at a quiet moment.
    """
    data_path = write_case_data(case, folder)
    chunk_epochs, repeats = epochs_and_repeats(case, args)
    frameworks = [
        name
        for name in case.frameworks
        if not (case.key == "c" and name == "sklearn" and args.skip_sklearn_c)
    ]
    kernels: list[str] = []
    for run in case.runs:
        results: dict[str, dict[str, Any]] = {}
        for _ in range(rounds_of(args)):
            for framework in frameworks:
                job = _jobs.Job(
                    framework=framework,
                    data_path=data_path,
                    layer_sizes=case.layer_sizes,
                    activation=case.activation,
                    output=case.output,
                    dtype=run.dtype,
                    batch_size=run.batch_size,
                    learning_rate=case.learning_rate,
                    chunk_epochs=chunk_epochs,
                    repeats=repeats,
                    measure_matmul=framework == "chainrule" and bool(case.matmul_targets),
                    optimizer=case.optimizer,
                    threads=args.threads or 2,
                )
                result = run_worker(job, env, folder, args.wait_idle)
                results[framework] = better_round(results.get(framework), result)
                kernels += [f"{framework}: {line}" for line in result.get("kernels", [])]
        print(_report.case_table(case, run, chunk_epochs, repeats, results), flush=True)
        if args.skip_sklearn_c and case.key == "c":
            print("  (scikit-learn left out of case c: --skip-sklearn-c)", flush=True)
    return kernels


def rounds_of(args: argparse.Namespace) -> int:
    """Rounds per framework: --rounds, else 1 for --quick and 3 otherwise."""
    return args.rounds or (1 if args.quick else 3)


def better_round(kept: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """The round with the fastest chunk (a failed round loses); the bare matmul times of
    chainrule's rounds are merged to the best seen, so its matmul fraction stays honest."""
    if kept is None or "times" not in kept:
        return new
    if "times" not in new:
        return kept
    best, other = (new, kept) if min(new["times"]) < min(kept["times"]) else (kept, new)
    if "matmul" in best and "matmul" in other:
        best["matmul"]["epoch_matmul_seconds"] = min(
            best["matmul"]["epoch_matmul_seconds"], other["matmul"]["epoch_matmul_seconds"]
        )
        best["matmul"]["square_2048_flops"] = max(
            best["matmul"]["square_2048_flops"], other["matmul"]["square_2048_flops"]
        )
    best["rounds"] = kept.get("rounds", 1) + 1
    return best


def main(argv: list[str] | None = None) -> int:
    """Entry point: the benchmark, or one worker when ``--worker`` is given."""
    args = parse_args(argv)
    if args.worker:
        return worker_main(args.worker, args.job)
    started = time.perf_counter()
    print(_report.machine_header(), flush=True)
    environments = [False, True] if args.also_unset_openblas else [False]
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as folder:
        for unset in environments:
            env = worker_env(unset, args.threads)
            shown = OPENBLAS_VARIABLES + (THREAD_VARIABLES if args.threads else ())
            print(_report.env_header(env, shown, unset), flush=True)
            kernels: list[str] = []
            for key in args.cases.split(","):
                kernels += bench_case(_cases.CASES[key], args, env, folder)
            print(_report.kernel_summary(kernels), flush=True)
    print(f"\ntotal wall time {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
