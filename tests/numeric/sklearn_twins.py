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


def train_alike(ours_class, theirs_class, X, y, solver: str, epochs: int = 4):
    """Train a chainrule estimator and its scikit-learn twin for ``epochs`` epochs from the
    same weights, with plain SGD (no momentum) or Adam, L2 and mini-batches in order, and
    check that the weights and losses agree; returns both and the tolerance they agree to."""
    shared = dict(
        hidden_layer_sizes=(6, 5),
        activation="tanh",
        solver=solver,
        alpha=0.3,
        batch_size=16,
        learning_rate_init=0.05,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=1000,
        warm_start=True,
        max_iter=1,
        epsilon=1e-12,
        random_state=0,
    )
    extra = {"momentum": 0.0, "nesterovs_momentum": False} if solver == "sgd" else {}
    ours, theirs = ours_class(**shared), theirs_class(**shared, **extra)
    start_alike(ours, theirs, X, y)
    for model in (ours, theirs):  # warm start: same weights, fresh optimizers
        model.set_params(max_iter=epochs).fit(X, y)
    # Adam divides by √v: entries with tiny gradients turn rounding differences of the two
    # backward passes into relative differences of about 1e-8 in the step.
    rtol = 1e-9 if solver == "sgd" else 1e-6
    assert_same_weights(ours, theirs, rtol)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    return ours, theirs, rtol
