"""Early stopping, and the validation split it watches.

:class:`EarlyStopping` looks at one number after every epoch, the validation cost by default
(or the training cost), keeps a copy of the parameters where that number was best, and says
"stop" once ``patience`` epochs in a row have not improved on the best by more than
``min_delta``. At the end of training the best parameters are put back.

:func:`split_validation` holds out a share of the columns of X and Y for that validation cost,
stratified by class for classification targets, drawn from the model's own Generator.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from chainrule.errors import DataError, InputError
from chainrule.numeric.trainable import HasParameters

__all__ = ["MONITORS", "EarlyStopping", "class_labels", "split_validation"]

#: What :class:`EarlyStopping` can watch.
MONITORS = ("validation_cost", "cost")


class EarlyStopping:
    """Stop when the watched cost has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int
        Epochs without improvement (by more than ``min_delta``) to wait before stopping.
    min_delta : float
        Smallest decrease of the cost that counts as an improvement (>= 0).
    restore_best : bool
        Put the parameters of the best epoch back when training ends.
    monitor : str
        ``"validation_cost"`` (needs validation data) or ``"cost"`` (the training cost).

    Attributes
    ----------
    best : float
        Lowest cost seen that counted as an improvement (inf before the first epoch).
    best_epoch : int or None
        Epoch (1-based) of ``best``.
    wait : int
        Epochs since the last improvement.
    stopped_epoch : int or None
        Epoch at which :meth:`update` said stop.
    """

    def __init__(
        self,
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best: bool = True,
        monitor: str = "validation_cost",
    ) -> None:
        if not isinstance(patience, numbers.Integral) or isinstance(patience, bool):
            raise InputError(f"'patience' must be a positive integer (got {patience!r})")
        if patience < 1:
            raise InputError(f"'patience' must be a positive integer (got {patience!r})")
        valid = isinstance(min_delta, numbers.Real) and not isinstance(min_delta, bool)
        if not valid or not math.isfinite(min_delta) or min_delta < 0:
            raise InputError(f"'min_delta' must be a number >= 0 (got {min_delta!r})")
        if monitor not in MONITORS:
            raise InputError(f"'monitor' must be one of {', '.join(MONITORS)} (got {monitor!r})")
        self.patience: int = int(patience)
        self.min_delta: float = float(min_delta)
        self.restore_best: bool = bool(restore_best)
        self.monitor: str = monitor
        self._best_parameters: np.ndarray | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the best cost and the count (a fresh start)."""
        self.best = math.inf
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None

    def update(self, epoch: int, cost: float, network: HasParameters) -> bool:
        """Record ``cost`` of ``epoch``; return True when training should stop."""
        if cost < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = cost, epoch, 0
            if self.restore_best:
                self._keep(network.parameter_vector)
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, network: HasParameters) -> bool:
        """Copy the best parameters back into ``network``; False if there is nothing to do."""
        saved = self._best_parameters
        if not self.restore_best or saved is None or self.best_epoch is None:
            return False
        if saved.shape != network.parameter_vector.shape:
            raise InputError("EarlyStopping.restore: the network is not the one it watched")
        np.copyto(network.parameter_vector, saved)
        return True

    def _keep(self, parameters: np.ndarray) -> None:
        saved = self._best_parameters
        if saved is None or saved.shape != parameters.shape or saved.dtype != parameters.dtype:
            self._best_parameters = parameters.copy()
        else:
            np.copyto(saved, parameters)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience!r}, min_delta={self.min_delta!r}, "
            f"restore_best={self.restore_best!r}, monitor={self.monitor!r})"
        )


def class_labels(Y: np.ndarray) -> np.ndarray:
    """Integer class of each column of classification targets Y (n[L], m): the arg-max row
    of one-hot columns, or the 0/1 target itself for one row."""
    if Y.shape[0] == 1:
        return (Y[0] >= 0.5).astype(np.int64)
    return Y.argmax(axis=0)


def split_validation(
    X: np.ndarray,
    Y: np.ndarray,
    fraction: float,
    rng: np.random.Generator,
    labels: np.ndarray | None = None,
    axis: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out about ``fraction`` of the m columns of X (n[0], m) and Y (n[L], m) (of the
    m rows, for batch-first X (m, ...) and Y (m, K), with ``axis`` = 0).

    With ``labels`` (m,) each class gives ``round(fraction * count)`` columns (so the classes
    keep their shares); otherwise ``round(fraction * m)`` columns are drawn at random. At least
    one column is held out, and at least one must remain for training.

    Returns
    -------
    X_train, Y_train, X_val, Y_val : arrays, examples along ``axis``, C-contiguous
    """
    valid = isinstance(fraction, numbers.Real) and not isinstance(fraction, bool)
    if not valid or not 0.0 < float(fraction) < 1.0:
        raise InputError(f"'validation_fraction' must be a number in (0, 1) (got {fraction!r})")
    m = X.shape[axis]
    if m < 2:
        raise DataError(f"a validation split needs at least 2 examples (got {m})")
    if labels is None:
        order = rng.permutation(m)
        n_val = min(max(round(fraction * m), 1), m - 1)
        held = np.sort(order[:n_val])
    else:
        held = _stratified(labels, float(fraction), rng)
        if held.size == m:
            raise DataError(
                f"'validation_fraction' = {fraction!r} of {m} examples leaves none to train on"
            )
    keep = np.ones(m, dtype=bool)
    keep[held] = False
    kept = np.flatnonzero(keep)
    return (
        np.ascontiguousarray(np.take(X, kept, axis=axis)),
        np.ascontiguousarray(np.take(Y, kept, axis=axis)),
        np.ascontiguousarray(np.take(X, held, axis=axis)),
        np.ascontiguousarray(np.take(Y, held, axis=axis)),
    )


def _stratified(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    held = []
    for label in np.unique(labels):
        columns = rng.permutation(np.flatnonzero(labels == label))
        held.append(columns[: int(round(fraction * columns.size))])
    chosen = np.concatenate(held)
    if chosen.size == 0:  # tiny classes all rounded to 0: hold out one column anyway
        chosen = rng.permutation(labels.size)[:1]
    return np.sort(chosen)
