"""Workers for the peers: PyTorch (autograd, with a hand-written SGD step or torch.optim.Adam)
and scikit-learn (MLPClassifier, solver "sgd" or "adam")."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

try:  # imported as benchmarks._peers
    from ._jobs import Job, blas_description, chainrule_layout, load_job_data, timed_chunks
except ImportError:  # run as a script
    from _jobs import Job, blas_description, chainrule_layout, load_job_data, timed_chunks


def train_with_torch(job: Job) -> dict[str, Any]:
    """Train with PyTorch autograd and a hand-written SGD step (no optimizer object), or with
    ``torch.optim.Adam`` for an Adam job (its state carries over between timed chunks)."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(job.threads)
    hidden = {
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "leaky_relu": F.leaky_relu,
        "linear": lambda z: z,
    }[job.activation]
    X_np, y_np, init = load_job_data(job)
    dtype = getattr(torch, job.dtype)
    X = torch.from_numpy(np.ascontiguousarray(X_np))  # (m, n0), rows are examples
    Y = torch.from_numpy(y_np.astype(job.dtype)).reshape(-1, 1)  # (m, 1)
    depth = len(job.layer_sizes) - 1
    layers = range(1, depth + 1)
    weights = [torch.zeros(init[f"W{layer}"].shape, dtype=dtype) for layer in layers]
    biases = [torch.zeros(init[f"b{layer}"].shape[0], dtype=dtype) for layer in layers]
    params = weights + biases
    for tensor in params:
        tensor.requires_grad_(True)
    adam: list[torch.optim.Adam] = []

    def load_initial_weights() -> None:
        with torch.no_grad():
            for layer in range(1, depth + 1):
                weights[layer - 1].copy_(torch.from_numpy(init[f"W{layer}"]))
                biases[layer - 1].copy_(torch.from_numpy(init[f"b{layer}"].ravel()))
        if job.optimizer == "adam":  # a fresh optimizer: no moments from the warm-up
            adam[:] = [torch.optim.Adam(params, lr=job.learning_rate, betas=(0.9, 0.999))]

    def logits(A: torch.Tensor) -> torch.Tensor:
        for layer in range(depth):
            Z = F.linear(A, weights[layer], biases[layer])
            A = hidden(Z) if layer < depth - 1 else Z
        return Z

    def step(X_batch: torch.Tensor, Y_batch: torch.Tensor) -> None:
        loss = F.binary_cross_entropy_with_logits(logits(X_batch), Y_batch)
        loss.backward()
        if adam:
            adam[0].step()
            adam[0].zero_grad(set_to_none=True)
            return
        with torch.no_grad():
            for tensor in params:
                tensor.sub_(tensor.grad, alpha=job.learning_rate)
                tensor.grad = None

    m = X.shape[0]
    batch = m if job.batch_size is None else job.batch_size

    generator = torch.Generator().manual_seed(0)

    def run(epochs: int) -> None:
        for _ in range(epochs):
            if batch >= m:
                step(X, Y)
                continue
            # Mini-batches from a fresh shuffle each epoch, as chainrule's training does.
            order = torch.randperm(m, generator=generator)
            X_shuffled, Y_shuffled = X[order], Y[order]
            for start in range(0, m, batch):
                step(X_shuffled[start : start + batch], Y_shuffled[start : start + batch])

    load_initial_weights()
    run(1)
    load_initial_weights()
    times = timed_chunks(lambda: run(job.chunk_epochs), job.repeats)
    with torch.no_grad():
        predicted = (logits(X) > 0).numpy().ravel()
    final = chainrule_layout(
        [w.detach().numpy() for w in weights], [b.detach().numpy() for b in biases]
    )
    kernels = blas_description() + [
        f"torch {torch.__version__}: mkl={torch.backends.mkl.is_available()} "
        f"mkldnn={torch.backends.mkldnn.is_available()} "
        f"cpu_capability={torch.backends.cpu.get_cpu_capability()} "
        f"threads={torch.get_num_threads()}"
    ]
    return {
        "times": times,
        "accuracy": float(np.mean(predicted == (y_np == 1))),
        "params": final,
        "kernels": kernels,
        "dtype_used": str(weights[0].dtype).replace("torch.", ""),
    }


SKLEARN_ACTIVATION = {"relu": "relu", "sigmoid": "logistic", "tanh": "tanh", "linear": "identity"}


def train_with_sklearn(job: Job) -> dict[str, Any]:
    """Train with scikit-learn's MLPClassifier as plain SGD (or Adam) from the shared initial
    weights.

    The model is set up by one warm-up ``fit`` with ``warm_start=True`` and ``max_iter=1``
    (which creates every fitted attribute); then its coefficients are overwritten in place
    with the initial weights and the stopping bookkeeping is reset, so that each later ``fit``
    continues from there. An Adam job shuffles the examples every epoch, as the other
    frameworks do; scikit-learn's ``fit`` starts its Adam moments afresh at each timed chunk,
    which changes the path a little and costs it no time.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y, init = load_job_data(job)
    m = X.shape[0]
    depth = len(job.layer_sizes) - 1
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(job.layer_sizes[1:-1]),
        activation=SKLEARN_ACTIVATION[job.activation],
        solver="adam" if job.optimizer == "adam" else "sgd",
        alpha=0.0,
        batch_size=m if job.batch_size is None else job.batch_size,
        learning_rate="constant",
        learning_rate_init=job.learning_rate,
        momentum=0.0,
        nesterovs_momentum=False,
        shuffle=job.optimizer == "adam",
        tol=0.0,
        n_iter_no_change=10**9,
        early_stopping=False,
        warm_start=True,
        max_iter=1,
        random_state=0,
    )

    def load_initial_weights() -> None:
        for layer in range(depth):
            clf.coefs_[layer][...] = init[f"W{layer + 1}"].T
            clf.intercepts_[layer][...] = init[f"b{layer + 1}"].ravel()
        clf.loss_curve_ = []
        clf.best_loss_ = np.inf
        clf._no_improvement_count = 0
        clf.t_ = 0

    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)

    run()
    load_initial_weights()
    clf.max_iter = job.chunk_epochs
    times = timed_chunks(run, job.repeats)
    assert len(clf.loss_curve_) == job.chunk_epochs * job.repeats, "sklearn stopped early"
    final = chainrule_layout([coef.T for coef in clf.coefs_], clf.intercepts_)
    return {
        "times": times,
        "accuracy": float(np.mean(clf.predict(X) == y)),
        "params": final,
        "kernels": blas_description(),
        "dtype_used": str(clf.coefs_[0].dtype),
    }
