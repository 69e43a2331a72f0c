"""Worker for chainrule: its NumPy network, its training loop, and the bare matmul rate."""

from __future__ import annotations

from typing import Any

import numpy as np

try:  # imported as benchmarks._chainrule_worker
    from ._jobs import Job, best_time, blas_description, load_job_data, timed_chunks
except ImportError:  # run as a script
    from _jobs import Job, best_time, blas_description, load_job_data, timed_chunks


def train_with_chainrule(job: Job) -> dict[str, Any]:
    """Train with chainrule's NumPy network, its fused training step and its optimizer (plain
    gradient descent, or Adam whose state carries over from one timed chunk to the next)."""
    from chainrule.numeric import Network
    from chainrule.numeric.optimizers import Adam, GradientDescent
    from chainrule.numeric.training import train

    X, y, init = load_job_data(job)
    X_cols = np.ascontiguousarray(X.T)  # (n0, m), columns are examples
    Y = y.reshape(1, -1).astype(job.dtype)  # (1, m)
    net = Network(
        layer_sizes=job.layer_sizes,
        activation=job.activation,
        output=job.output,
        dtype=job.dtype,
        seed=0,
    )

    optimizer = (Adam if job.optimizer == "adam" else GradientDescent)(job.learning_rate)

    def load_initial_weights() -> None:
        net.set_params({key: value.astype(job.dtype) for key, value in init.items()})
        optimizer.reset()

    def run(epochs: int) -> None:
        train(
            net,
            X_cols,
            Y,
            optimizer=optimizer,
            epochs=epochs,
            batch_size=job.batch_size,
            verbose=False,
        )

    load_initial_weights()
    run(1)
    load_initial_weights()
    times = timed_chunks(lambda: run(job.chunk_epochs), job.repeats)
    AL, _ = net.forward(X_cols)
    result: dict[str, Any] = {
        "times": times,
        "accuracy": float(np.mean((AL[0] > 0.5) == (y == 1))),
        "params": {key: np.asarray(value, dtype=np.float64) for key, value in net.params.items()},
        "kernels": blas_description(),
        "dtype_used": str(net.params["W1"].dtype),
    }
    if job.measure_matmul:
        result["matmul"] = measure_matmul_rates(job.layer_sizes, X.shape[0], job)
    return result


def measure_matmul_rates(layer_sizes: list[int], m: int, job: Job) -> dict[str, float]:
    """Time bare ``np.matmul`` calls to get this machine's matmul rate for the job's dtype.

    Returns ``epoch_matmul_seconds``: the time one epoch's matmuls take alone (best of several
    runs of each matmul shape the network uses: Z = W A, dW = dZ A^T, dA = W^T dZ, at the job's
    batch size, times the number of batches), and ``square_2048_flops``: the flop rate of a
    2048 x 2048 by 2048 x 2048 matmul.
    """
    rng = np.random.default_rng(1)
    batch = m if job.batch_size is None else job.batch_size
    batch_sizes = [batch] * (m // batch) + ([m % batch] if m % batch else [])

    def rand(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(job.dtype)

    epoch_seconds = 0.0
    for size in sorted(set(batch_sizes)):
        seconds = 0.0
        for index, (n_prev, n_out) in enumerate(
            zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
        ):
            W, A_prev, dZ = rand(n_out, n_prev), rand(n_prev, size), rand(n_out, size)
            seconds += best_time(lambda W=W, A_prev=A_prev: W @ A_prev)
            seconds += best_time(lambda dZ=dZ, A_prev=A_prev: dZ @ A_prev.T)
            if index > 0:
                seconds += best_time(lambda W=W, dZ=dZ: W.T @ dZ)
        epoch_seconds += seconds * batch_sizes.count(size)
    square = rand(2048, 2048)
    square_seconds = best_time(lambda: square @ square, repeats=5)
    return {
        "m": m,
        "epoch_matmul_seconds": epoch_seconds,
        "square_2048_flops": 2.0 * 2048**3 / square_seconds,
    }
