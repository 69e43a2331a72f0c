"""Training loops: full-batch or mini-batch gradient descent with a cost history.

One epoch is one pass over the m columns of X: a single step on the whole batch, or
``ceil(m / batch_size)`` steps on mini-batches drawn from a fresh shuffle of the columns (from
the network's own random generator, so the same seed trains the same weights, bit for bit).

Extension points, so later features plug in without a rewrite:

- ``optimizer``: any object with ``update(params, grads)`` (see
  :mod:`chainrule.numeric.optimizers`): :class:`GradientDescent`, :class:`Momentum`,
  :class:`Adam`. An optimizer that also has ``end_epoch()`` is told when each epoch ends
  (learning-rate decay).
- ``l2`` and ``keep_prob``: L2 regularisation and inverted dropout
  (:mod:`chainrule.numeric.regularization`).
- ``validation_data`` or ``validation_fraction``: a validation cost every epoch, and
  ``early_stopping`` (:class:`~chainrule.numeric.early_stopping.EarlyStopping`) on it.
- ``callbacks``: called after every epoch as ``callback(epoch, cost, network)``; returning
  True stops training. A callback with a ``validation_cost`` parameter also gets that
  epoch's validation cost by keyword (None without validation data).
"""

from __future__ import annotations

import inspect
import math
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from chainrule.errors import InputError, TrainingError
from chainrule.numeric.checks import check_input, check_target, check_target_values
from chainrule.numeric.early_stopping import EarlyStopping, class_labels, split_validation
from chainrule.numeric.network import Network
from chainrule.numeric.optimizers import GradientDescent, Optimizer
from chainrule.numeric.progress import EpochProgress
from chainrule.numeric.regularization import KeepProbs, check_keep_prob, check_l2
from chainrule.numeric.trainable import Trainable
from chainrule.numeric.workspace import append_ones_row

__all__ = ["Callback", "TrainingHistory", "train"]

#: ``callback(epoch, cost, network)``, the network or model being trained; a True result
#: stops training after that epoch.
Callback = Callable[[int, float, Any], "bool | None"]
Step = Callable[[np.ndarray, np.ndarray], float]

DEFAULT_LEARNING_RATE = 0.01


@dataclass
class TrainingHistory:
    """What a call to :func:`train` did.

    Attributes
    ----------
    costs : list of float
        Cost of every epoch: the full-batch cost before that epoch's step, or the mean of the
        mini-batch costs over the epoch (with the L2 term when ``l2`` > 0).
    validation_costs : list of float
        Cost on the validation data after every epoch (no L2 term, no dropout); empty
        without validation data.
    epochs : int
        Epochs run (fewer than asked when a callback or early stopping stopped training).
    stopped_early : bool
        Whether a callback or early stopping stopped training.
    best_epoch : int or None
        With early stopping, the epoch whose parameters the network ends with.
    seconds : float
        Wall-clock time of the loop.
    """

    costs: list[float] = field(default_factory=list)
    validation_costs: list[float] = field(default_factory=list)
    epochs: int = 0
    stopped_early: bool = False
    best_epoch: int | None = None
    seconds: float = 0.0


def train(
    network: Network | Trainable,
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
    l2: float = 0.0,
    keep_prob: float | Sequence[float] | None = None,
    shuffle: bool = True,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    validation_fraction: float | None = None,
    early_stopping: EarlyStopping | None = None,
) -> TrainingHistory:
    """Train ``network`` in place on X (n[0], m) and Y (n[L], m).

    A :class:`~chainrule.numeric.layers.Model` (or any
    :class:`~chainrule.numeric.trainable.Trainable`) trains the same way on batch-first
    data, X (m, ...) and Y (m, K); its dropout is in its layers, so ``keep_prob`` is
    refused there.

    Parameters
    ----------
    network : Network or Trainable
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
    l2 : float
        L2 strength λ >= 0.
    keep_prob : float or sequence of float, optional
        Inverted dropout: probability of keeping a hidden unit (one value, or one per hidden
        layer). None or 1 turns dropout off.
    shuffle : bool
        Draw the mini-batches from a fresh shuffle each epoch (else in column order).
    validation_data : (X_val, Y_val), optional
        Data for the validation cost, shaped like X and Y.
    validation_fraction : float, optional
        Instead of ``validation_data``: hold out this share of the columns (stratified by
        class for sigmoid and softmax outputs), drawn from the network's Generator.
    early_stopping : EarlyStopping, optional
        Stops training and restores the best parameters (see its documentation).

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
    l2 = check_l2(l2)
    if isinstance(network, Network):
        X, Y, validation, run_epoch = _network_feed(
            network, X, Y, optimizer, l2, keep_prob, batch_size, shuffle,
            validation_data, validation_fraction,
        )  # fmt: skip
    else:
        X, Y, validation, run_epoch = _batch_first_feed(
            _check_trainable(network, keep_prob), X, Y, optimizer, l2, batch_size, shuffle,
            validation_data, validation_fraction,
        )  # fmt: skip
    _check_early_stopping(early_stopping, validation)
    end_epoch = getattr(optimizer, "end_epoch", None)
    if not callable(end_epoch):
        end_epoch = _nothing
    notify = _Callbacks(callbacks)
    if early_stopping is not None:
        early_stopping.reset()

    history = TrainingHistory()
    start = time.perf_counter()
    # Overflow on the way to nan or inf is reported once, as a TrainingError, not as warnings.
    with (
        EpochProgress(epochs, verbose, stream, validation=validation is not None) as progress,
        np.errstate(over="ignore", invalid="ignore"),
    ):
        for epoch in range(1, epochs + 1):
            cost = run_epoch()
            _check_finite(network, epoch, cost)
            end_epoch()
            validation_cost = None
            if validation is not None:
                validation_cost = network.cost(*validation)
                history.validation_costs.append(validation_cost)
            history.costs.append(cost)
            history.epochs = epoch
            progress.update(epoch, cost, validation_cost)
            stop = notify(epoch, cost, network, validation_cost)
            if early_stopping is not None:
                watched = cost if early_stopping.monitor == "cost" else validation_cost
                stop = early_stopping.update(epoch, float(watched), network) or stop  # type: ignore[arg-type]
            if stop:
                history.stopped_early = epoch < epochs
                break
    if early_stopping is not None:
        history.best_epoch = early_stopping.best_epoch
        early_stopping.restore(network)
    history.seconds = time.perf_counter() - start
    return history


def _network_feed(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    optimizer: Optimizer,
    l2: float,
    keep_prob: float | Sequence[float] | None,
    batch_size: int | None,
    shuffle: bool,
    validation_data: tuple[np.ndarray, np.ndarray] | None,
    validation_fraction: float | None,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None, Callable[[], float]]:
    """The checked data, the validation pair and the epoch function of a Network (examples
    as columns, the bias riding along as a row of ones)."""
    keep_probs = None if keep_prob is None else check_keep_prob(keep_prob, network.n_layers - 1)
    X, Y = _check_data(network, X, Y)
    X, Y, validation = _validation(network, X, Y, validation_data, validation_fraction)
    step = _step_function(network, optimizer, l2, keep_probs)
    if batch_size is not None and batch_size < X.shape[1]:
        return X, Y, validation, _mini_batch_epoch(step, network.rng, X, Y, batch_size, shuffle)
    return X, Y, validation, _full_batch_epoch(step, X, Y)


def _batch_first_feed(
    model: Trainable,
    X: np.ndarray,
    Y: np.ndarray,
    optimizer: Optimizer,
    l2: float,
    batch_size: int | None,
    shuffle: bool,
    validation_data: tuple[np.ndarray, np.ndarray] | None,
    validation_fraction: float | None,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None, Callable[[], float]]:
    """What :func:`_network_feed` gives, for a model whose examples lie along axis 0."""
    X, Y = model.check_data(X, Y)
    X, Y = np.ascontiguousarray(X), np.ascontiguousarray(Y)
    if validation_data is not None and validation_fraction is not None:
        raise InputError("give either 'validation_data' or 'validation_fraction', not both")
    validation = None
    if validation_fraction is not None:
        labels = class_labels(Y.T) if model.is_classifier else None
        X, Y, X_val, Y_val = split_validation(X, Y, validation_fraction, model.rng, labels, axis=0)
        validation = (X_val, Y_val)
    elif validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise InputError("'validation_data' must be a pair (X_val, Y_val)")
        validation = model.check_data(*validation_data)
    gradients = model.gradients_unchecked
    update = optimizer.update
    params = {"theta": model.parameter_vector}
    grads = {"theta": model.gradient_vector}

    def step(X_batch: np.ndarray, Y_batch: np.ndarray) -> float:
        cost = gradients(X_batch, Y_batch, l2)
        update(params, grads)
        return cost

    if batch_size is not None and batch_size < X.shape[0]:
        return X, Y, validation, _row_batch_epoch(step, model.rng, X, Y, batch_size, shuffle)
    return X, Y, validation, lambda: step(X, Y)


def _row_batch_epoch(
    step: Step,
    rng: np.random.Generator,
    X: np.ndarray,
    Y: np.ndarray,
    batch_size: int,
    shuffle: bool,
) -> Callable[[], float]:
    """An epoch function over mini-batches of ``batch_size`` rows (examples along axis 0)
    of a fresh shuffle (unless ``shuffle`` is False); the last batch may be shorter."""
    m = X.shape[0]
    bounds = [(start, min(start + batch_size, m)) for start in range(0, m, batch_size)]
    shuffled_X, shuffled_Y = (np.empty_like(X), np.empty_like(Y)) if shuffle else (X, Y)

    def epoch() -> float:
        if shuffle:
            order = rng.permutation(m)
            np.take(X, order, axis=0, out=shuffled_X, mode="clip")
            np.take(Y, order, axis=0, out=shuffled_Y, mode="clip")
        total = 0.0
        for start, stop in bounds:
            total += step(shuffled_X[start:stop], shuffled_Y[start:stop]) * (stop - start)
        return total / m

    return epoch


def _check_trainable(model: object, keep_prob: object) -> Trainable:
    if not isinstance(model, Trainable):
        raise InputError(
            f"'network' must be a Network or a trainable model such as Model "
            f"(got {type(model).__name__})"
        )
    if keep_prob is not None:
        raise InputError(
            "'keep_prob' is for a Network; a Model drops units in its Dropout layers "
            "(dropout:P in an architecture)"
        )
    return model


def _step_function(
    network: Network, optimizer: Optimizer, l2: float, keep_probs: KeepProbs
) -> Step:
    """``step(X1, Y) -> cost``: one optimisation step on a batch [X; 1] (n[0] + 1, m) and
    Y (n[L], m), gradients (with the regularisation) then update; the cost before it."""
    gradients = network._gradients_with_ones
    update = optimizer.update
    params = {"theta": network.parameter_vector}
    grads = {"theta": network.gradient_vector}

    def step(X1: np.ndarray, Y: np.ndarray) -> float:
        cost = gradients(X1, Y, l2, keep_probs)
        update(params, grads)
        return cost

    return step


def _full_batch_epoch(
    step: Callable[[np.ndarray, np.ndarray], float], X: np.ndarray, Y: np.ndarray
) -> Callable[[], float]:
    """An epoch function that steps once on all of [X; 1] (n[0] + 1, m) and Y (n[L], m)."""
    X1 = append_ones_row(X)  # the bias rides along with the weights

    def epoch() -> float:
        return step(X1, Y)

    return epoch


def _mini_batch_epoch(
    step: Callable[[np.ndarray, np.ndarray], float],
    rng: np.random.Generator,
    X: np.ndarray,
    Y: np.ndarray,
    batch_size: int,
    shuffle: bool,
) -> Callable[[], float]:
    """An epoch function that reshuffles the examples (unless ``shuffle`` is False), then
    steps once per slice of ``batch_size`` columns of [X; 1] (the last may be shorter).

    The shuffle gathers the examples as rows, (m, n[0] + 1) with the ones in the last
    column, one contiguous block each, which is several times faster than gathering the
    columns of (n[0] + 1, m); the batches are then transposed views, (n[0] + 1, batch) in
    Fortran order, which matmul takes as they are. Two copies of X are kept: the rows and
    the shuffled rows.
    """
    m = X.shape[1]
    bounds = [(start, min(start + batch_size, m)) for start in range(0, m, batch_size)]
    if shuffle:
        rows = np.empty((m, X.shape[0] + 1), X.dtype)  # [X; 1]ᵀ, one example a row
        rows[:, :-1] = X.T
        rows[:, -1] = 1
        shuffled_rows, shuffled_Y = np.empty_like(rows), np.empty_like(Y)
    else:
        X1 = append_ones_row(X)

    def epoch() -> float:
        if shuffle:
            order = rng.permutation(m)
            batches = np.take(rows, order, axis=0, out=shuffled_rows, mode="clip").T
            targets = np.take(Y, order, axis=1, out=shuffled_Y, mode="clip")
        else:
            batches, targets = X1, Y
        total = 0.0
        for start, stop in bounds:
            total += step(batches[:, start:stop], targets[:, start:stop]) * (stop - start)
        return total / m

    return epoch


def _nothing() -> None:
    """What ends an epoch for an optimizer without ``end_epoch``."""


class _Callbacks:
    """Calls every callback each epoch; those with a ``validation_cost`` parameter get it."""

    def __init__(self, callbacks: Sequence[Callback]) -> None:
        self._calls = [(callback, _takes_validation_cost(callback)) for callback in callbacks]

    def __call__(
        self, epoch: int, cost: float, network: Network | Trainable, validation_cost: float | None
    ) -> bool:
        if not self._calls:
            return False
        results = [
            callback(epoch, cost, network, validation_cost=validation_cost)  # type: ignore[call-arg]
            if takes
            else callback(epoch, cost, network)
            for callback, takes in self._calls
        ]
        return any(results)


def _takes_validation_cost(callback: Callable) -> bool:
    try:
        parameters = inspect.signature(callback).parameters
    except (TypeError, ValueError):  # some builtins have no signature
        return False
    return "validation_cost" in parameters


def _validation(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    validation_data: tuple[np.ndarray, np.ndarray] | None,
    validation_fraction: float | None,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The training data and the (X_val, Y_val) pair, given or split off; None if neither."""
    if validation_data is not None and validation_fraction is not None:
        raise InputError("give either 'validation_data' or 'validation_fraction', not both")
    if validation_fraction is not None:
        classifier = network.output.name == "softmax" or (
            network.output.name == "sigmoid" and network.layer_sizes[-1] == 1
        )
        labels = class_labels(Y) if classifier else None
        X, Y, X_val, Y_val = split_validation(X, Y, validation_fraction, network.rng, labels)
        return X, Y, (X_val, Y_val)
    if validation_data is None:
        return X, Y, None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise InputError("'validation_data' must be a pair (X_val, Y_val)")
    return X, Y, _check_data(network, *validation_data)


def _check_early_stopping(early_stopping: object, validation: object) -> None:
    if early_stopping is None:
        return
    if not isinstance(early_stopping, EarlyStopping):
        raise InputError(f"'early_stopping' must be an EarlyStopping (got {early_stopping!r})")
    if early_stopping.monitor == "validation_cost" and validation is None:
        raise InputError(
            "early stopping on the validation cost needs 'validation_data' or 'validation_fraction'"
        )


def _check_finite(network: Network | Trainable, epoch: int, cost: float) -> None:
    if not math.isfinite(cost):
        raise TrainingError(
            f"training diverged at epoch {epoch}: the cost became {cost} "
            f"(try a smaller learning rate)"
        )
    theta = network.parameter_vector
    if math.isfinite(float(np.dot(theta, theta))):  # a cheap test; past 1e154 it overflows,
        return  # and the exact test below finds every parameter finite
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
    check_target_values(X, Y, network.output.name, example_axis=1)
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
