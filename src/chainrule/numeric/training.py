"""Training loops: full-batch or mini-batch gradient descent with a cost history.

One epoch is one pass over the m columns of X: a single step on the whole batch, or
``ceil(m / batch_size)`` steps on mini-batches drawn from a fresh shuffle of the columns (from
the network's own random generator, so the same seed trains the same weights, bit for bit).

Extension points, so later features plug in without a rewrite:

- ``optimizer``: any object with ``update(params, grads)`` (see
  :mod:`chainrule.numeric.optimizers`); momentum and Adam are such objects.
- ``callbacks``: called after every epoch as ``callback(epoch, cost, network)``; returning
  True stops training (early stopping, logging, checkpoints).
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

from chainrule.errors import InputError, TrainingError
from chainrule.numeric.checks import check_input, check_target
from chainrule.numeric.network import Network
from chainrule.numeric.optimizers import GradientDescent, Optimizer
from chainrule.numeric.progress import EpochProgress

__all__ = ["Callback", "TrainingHistory", "train"]

#: ``callback(epoch, cost, network)``; a True result stops training after that epoch.
Callback = Callable[[int, float, Network], "bool | None"]

DEFAULT_LEARNING_RATE = 0.01


@dataclass
class TrainingHistory:
    """What a call to :func:`train` did.

    Attributes
    ----------
    costs : list of float
        Cost of every epoch: the full-batch cost before that epoch's step, or the mean of the
        mini-batch costs over the epoch.
    epochs : int
        Epochs run (fewer than asked when a callback stopped training).
    stopped_early : bool
        Whether a callback stopped training.
    seconds : float
        Wall-clock time of the loop.
    """

    costs: list[float] = field(default_factory=list)
    epochs: int = 0
    stopped_early: bool = False
    seconds: float = 0.0


def train(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epochs: int = 1000,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    optimizer: Optimizer | None = None,
    callbacks: Sequence[Callback] = (),
    verbose: bool = True,
    stream: TextIO | None = None,
) -> TrainingHistory:
    """Train ``network`` in place on X (n[0], m) and Y (n[L], m).

    Parameters
    ----------
    network : Network
    X : array (n[0], m)
        Inputs, one example per column.
    Y : array (n[L], m)
        Targets: 0/1 (sigmoid output), one-hot columns (softmax) or values (linear).
    epochs : int
        Passes over the data.
    learning_rate : float, optional
        Step size of the default :class:`GradientDescent` (0.01); give either this or
        ``optimizer``.
    batch_size : int, optional
        Columns per mini-batch; None (or >= m) trains on the full batch.
    optimizer : Optimizer, optional
        Updates the parameters from the gradients each step.
    callbacks : sequence of callables
        ``callback(epoch, cost, network)`` after every epoch; True stops training.
    verbose : bool
        Show a progress bar (only when ``stream`` is a terminal).
    stream : file, optional
        Where the progress bar goes (standard output by default).

    Returns
    -------
    TrainingHistory

    Raises
    ------
    TrainingError
        When the cost or a parameter becomes nan or infinite, naming the epoch.
    """
    _check_count("epochs", epochs)
    if batch_size is not None:
        _check_count("batch_size", batch_size)
    optimizer = _resolve_optimizer(learning_rate, optimizer)
    X, Y = _check_data(network, X, Y)
    params = {"theta": network.parameter_vector}
    grads = {"theta": network.gradient_vector}
    run_epoch = _full_batch_epoch
    m = X.shape[1]
    if batch_size is not None and batch_size < m:
        run_epoch = _mini_batch_epoch(m, batch_size, network)

    history = TrainingHistory()
    start = time.perf_counter()
    # Overflow on the way to nan or inf is reported once, as a TrainingError, not as warnings.
    with (
        EpochProgress(epochs, verbose, stream) as progress,
        np.errstate(over="ignore", invalid="ignore"),
    ):
        for epoch in range(1, epochs + 1):
            cost = run_epoch(network, X, Y, optimizer, params, grads)
            _check_finite(network, epoch, cost)
            history.costs.append(cost)
            history.epochs = epoch
            progress.update(epoch, cost)
            if any([callback(epoch, cost, network) for callback in callbacks]):
                history.stopped_early = epoch < epochs
                break
    history.seconds = time.perf_counter() - start
    return history


def _full_batch_epoch(network, X, Y, optimizer, params, grads) -> float:
    cost = network.compute_gradients(X, Y, checked=False)
    optimizer.update(params, grads)
    return cost


def _mini_batch_epoch(m: int, batch_size: int, network: Network):
    """An epoch function that reshuffles the columns into reused buffers, then steps once per
    slice of ``batch_size`` columns (the last slice may be shorter)."""
    buffers: dict[str, np.ndarray] = {}
    bounds = [(start, min(start + batch_size, m)) for start in range(0, m, batch_size)]

    def epoch(network, X, Y, optimizer, params, grads) -> float:
        if not buffers:
            buffers["X"], buffers["Y"] = np.empty_like(X), np.empty_like(Y)
        order = network.rng.permutation(m)
        X_shuffled = np.take(X, order, axis=1, out=buffers["X"], mode="clip")
        Y_shuffled = np.take(Y, order, axis=1, out=buffers["Y"], mode="clip")
        total = 0.0
        for start, stop in bounds:
            batch_cost = network.compute_gradients(
                X_shuffled[:, start:stop], Y_shuffled[:, start:stop], checked=False
            )
            optimizer.update(params, grads)
            total += batch_cost * (stop - start)
        return total / m

    return epoch


def _check_finite(network: Network, epoch: int, cost: float) -> None:
    if not math.isfinite(cost):
        raise TrainingError(
            f"training diverged at epoch {epoch}: the cost became {cost} "
            f"(try a smaller learning rate)"
        )
    if math.isfinite(float(network.parameter_vector.sum())):
        return
    for name, value in network.params.items():
        if not np.isfinite(value).all():
            raise TrainingError(
                f"training diverged at epoch {epoch}: parameter {name} became nan or infinite "
                f"(try a smaller learning rate)"
            )


def _check_data(network: Network, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.ascontiguousarray(check_input(X, network.layer_sizes[0], network.dtype))
    Y = check_target(Y, network.layer_sizes[-1], X.shape[1], network.n_layers, network.dtype)
    Y = np.ascontiguousarray(Y)
    if not np.isfinite(X).all():
        raise InputError("'X' must be finite (got nan or inf)")
    if not np.isfinite(Y).all():
        raise InputError("'Y' must be finite (got nan or inf)")
    if network.output.name in ("sigmoid", "softmax") and (Y.min() < 0 or Y.max() > 1):
        raise InputError(
            f"'Y' must hold targets in [0, 1] for a {network.output.name} output "
            f"(got values from {Y.min():g} to {Y.max():g})"
        )
    if network.output.name == "softmax" and not np.allclose(Y.sum(axis=0), 1.0):
        raise InputError("'Y' must have one-hot columns (each summing to 1) for a softmax output")
    return X, Y


def _resolve_optimizer(learning_rate: float | None, optimizer: Optimizer | None) -> Optimizer:
    if optimizer is None:
        rate = DEFAULT_LEARNING_RATE if learning_rate is None else learning_rate
        return GradientDescent(rate)
    if learning_rate is not None:
        raise InputError("give either 'learning_rate' or 'optimizer', not both")
    if not callable(getattr(optimizer, "update", None)):
        raise InputError(
            f"'optimizer' must have an update(params, grads) method (got {optimizer!r})"
        )
    return optimizer


def _check_count(name: str, value: object) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise InputError(f"{name!r} must be a positive integer (got {value!r})")
