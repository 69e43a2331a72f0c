"""What the worker processes of the training benchmark share: the job, data, timing, kernels.

A worker reads the shared data and initial weights, trains for ``chunk_epochs * repeats``
epochs in ``repeats`` timed chunks after one warm-up epoch (after which the initial weights are
restored), and returns a dict with the chunk times, the final training accuracy, the final
parameters in chainrule's layout (``W<l>``: (n_l, n_{l-1}), ``b<l>``: (n_l, 1)), the dtype it
computed in and a description of the math kernels in use.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Job:
    """What one worker process must do (sent as JSON by the parent)."""

    framework: str
    data_path: str
    layer_sizes: list[int]
    activation: str
    output: str
    dtype: str
    batch_size: int | None
    learning_rate: float
    chunk_epochs: int
    repeats: int
    measure_matmul: bool = False
    optimizer: str = "gd"  # or "adam"
    threads: int = 2


def blas_description() -> list[str]:
    """One line per thread pool of the process: API, kernel (core type) and thread count."""
    from threadpoolctl import threadpool_info

    lines = []
    for pool in threadpool_info():
        kernel = pool.get("architecture") or pool.get("corename") or "-"
        lines.append(
            f"{pool['internal_api']} ({pool['user_api']}) kernel={kernel} "
            f"threads={pool['num_threads']} [{os.path.basename(pool['filepath'])}]"
        )
    return lines


def load_job_data(job: Job) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Return X (m, n0) and y (m,) in the job's dtype and the initial parameters (float64)."""
    with np.load(job.data_path) as data:
        X = data["X"].astype(job.dtype)
        y = data["y"]
        init = {key: data[key] for key in data.files if key[0] in "Wb"}
    return X, y, init


def chainrule_layout(weights: list[np.ndarray], biases: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Parameters as chainrule names and shapes, float64: W<l> (n_l, n_{l-1}), b<l> (n_l, 1)."""
    params = {}
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        params[f"W{layer}"] = np.array(W, dtype=np.float64)
        params[f"b{layer}"] = np.array(b, dtype=np.float64).reshape(-1, 1)
    return params


def timed_chunks(train_chunk: Callable[[], object], repeats: int) -> list[float]:
    """Call ``train_chunk()`` ``repeats`` times and return the wall time of each call."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_chunk()
        times.append(time.perf_counter() - start)
    return times


def best_time(function: Callable[[], object], repeats: int = 7) -> float:
    """Best wall time of ``repeats`` calls of ``function()`` after one untimed call."""
    function()
    return min(timed_chunks(function, repeats))
