"""scikit-learn's rule for when its stochastic MLP solvers stop, one epoch at a time.

The estimators (:class:`~chainrule.numeric.estimator.MLPClassifier`, ``MLPRegressor``) stop
exactly when scikit-learn's MLPs would on the same numbers (its
``_update_no_improvement_count``). Without early stopping the rule watches the training
loss, with it the validation score (accuracy, or R² for regression)::

    loss     count = count + 1 if loss > best - tol else 0       best = min(best, loss)
    score    count = count + 1 if score < best + tol else 0      best = max(best, score)
    stop once count > n_iter_no_change

``best`` is the running minimum (maximum) of everything seen, not the value of the last epoch
that counted as an improvement: a loss that falls by less than ``tol`` every epoch is
counted every epoch, and stops training after n_iter_no_change + 1 epochs (at epoch 12 for
scikit-learn's default of 10).
"""

from __future__ import annotations

import math

__all__ = ["NoImprovementCount"]


class NoImprovementCount:
    """Counts the epochs in a row that failed to improve on the best by more than ``tol``.

    Parameters
    ----------
    tol : float
        The improvement that counts, >= 0.
    n_iter_no_change : int or float
        Epochs in a row without one that may pass; ``math.inf`` never stops.
    watch : {"loss", "score"}
        A loss (lower is better) or a score (higher is better).

    Attributes
    ----------
    best : float
        The lowest loss (or highest score) seen; inf (or -inf) before the first epoch.
    count : int
        scikit-learn's ``_no_improvement_count``.
    """

    def __init__(self, tol: float, n_iter_no_change: float, watch: str = "loss") -> None:
        if watch not in ("loss", "score"):
            raise ValueError(f"'watch' must be 'loss' or 'score' (got {watch!r})")
        self.tol = float(tol)
        self.n_iter_no_change = n_iter_no_change
        self.watch = watch
        self.best = math.inf if watch == "loss" else -math.inf
        self.count = 0

    def update(self, value: float) -> bool:
        """Count the epoch whose loss or score is ``value``; True when it is a new best
        (strictly better than every earlier one, whatever ``tol``)."""
        if self.watch == "loss":
            failed, better = value > self.best - self.tol, value < self.best
        else:
            failed, better = value < self.best + self.tol, value > self.best
        self.count = self.count + 1 if failed else 0
        if better:
            self.best = value
        return better

    @property
    def exhausted(self) -> bool:
        """Whether training should stop: more than ``n_iter_no_change`` epochs in a row
        without an improvement by more than ``tol``."""
        return self.count > self.n_iter_no_change

    def __repr__(self) -> str:
        return (
            f"NoImprovementCount(tol={self.tol!r}, n_iter_no_change={self.n_iter_no_change!r}, "
            f"watch={self.watch!r}, best={self.best!r}, count={self.count!r})"
        )
