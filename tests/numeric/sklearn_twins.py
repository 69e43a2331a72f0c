"""A chainrule estimator and its scikit-learn twin, started from the same weights."""

from __future__ import annotations

import numpy as np


def start_alike(ours, theirs, X, y) -> None:
    """Fit both once (one epoch, with ``warm_start=True``), then give scikit-learn's our
    weights and our first epoch's loss, so that later warm fits run from the same state."""
    ours.fit(X, y)
    theirs.fit(X, y)
    for mine, other in zip(weights(ours), weights(theirs), strict=True):
        other[...] = mine
    theirs.best_loss_ = ours.best_loss_  # its first epoch ran on its own initial weights
    theirs.loss_curve_ = list(ours.loss_curve_)


def weights(model) -> list[np.ndarray]:
    """Every weight and bias array, in scikit-learn's layout."""
    return model.coefs_ + model.intercepts_


def assert_same_weights(ours, theirs, rtol: float) -> None:
    for mine, other in zip(weights(ours), weights(theirs), strict=True):
        np.testing.assert_allclose(mine, other, rtol=rtol, atol=1e-12)
