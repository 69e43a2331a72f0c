"""The estimators stop where scikit-learn's MLPs stop: the same sequence of losses (or
validation scores) fed to scikit-learn's own ``_update_no_improvement_count`` and to
:class:`NoImprovementCount` stops at the same epoch, and the estimators, trained from the
same weights as scikit-learn's, stop at the same epoch as it does."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn_twins import start_alike

from chainrule.numeric.estimator import MLPClassifier
from chainrule.numeric.stopping import NoImprovementCount

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def sklearn_stop(values, tol: float, n_iter_no_change: float, early: bool) -> int | None:
    """The epoch (1-based) at which scikit-learn's rule stops on ``values``, or None."""
    model = SklearnMLP(tol=tol, n_iter_no_change=n_iter_no_change)
    model._no_improvement_count = 0
    model.coefs_, model.intercepts_ = [], []
    if early:
        model.validation_scores_, model.best_validation_score_ = [], -np.inf
        upcoming = iter(values)
        model._score = lambda X, y, sample_weight=None: next(upcoming)
    else:
        model.loss_curve_, model.best_loss_ = [], np.inf
    for epoch, value in enumerate(values, 1):
        if not early:
            model.loss_curve_.append(value)
        model._update_no_improvement_count(early, None, None, None)
        if model._no_improvement_count > model.n_iter_no_change:
            return epoch
    return None


def our_stop(values, tol: float, n_iter_no_change: float, early: bool) -> int | None:
    counter = NoImprovementCount(tol, n_iter_no_change, "score" if early else "loss")
    for epoch, value in enumerate(values, 1):
        counter.update(value)
        if counter.exhausted:
            return epoch
    return None


def test_a_loss_falling_by_less_than_tol_stops_at_epoch_12() -> None:
    losses = [1.0 - 0.5e-4 * k for k in range(40)]  # tol = 1e-4: half of it per epoch
    assert sklearn_stop(losses, 1e-4, 10, early=False) == 12
    assert our_stop(losses, 1e-4, 10, early=False) == 12


def test_the_running_minimum_is_compared_not_the_last_counted_improvement() -> None:
    # Falls by 0.6 tol per epoch: against the best counted improvement, every second epoch
    # would count as one (1.2 tol below it) and training would never stop.
    losses = [1.0 - 0.6 * k for k in range(30)]
    assert our_stop(losses, 1.0, 3, early=False) == sklearn_stop(losses, 1.0, 3, False) == 5


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(st.floats(-1.0, 1.0), min_size=1, max_size=40),
    tol=st.sampled_from([0.0, 0.05, 0.2, 1.0]),
    patience=st.sampled_from([1, 2, 5, math.inf]),
    early=st.booleans(),
)
def test_any_curve_stops_where_scikit_learn_stops(steps, tol, patience, early) -> None:
    values = list(np.cumsum(steps))  # a random walk of losses (or scores)
    assert our_stop(values, tol, patience, early) == sklearn_stop(values, tol, patience, early)


def test_the_best_is_the_running_extreme_whatever_tol() -> None:
    counter = NoImprovementCount(tol=1.0, n_iter_no_change=2, watch="score")
    assert [counter.update(v) for v in (0.5, 0.9, 0.8, 1.2)] == [True, True, False, True]
    assert counter.best == 1.2 and counter.count == 3  # none beat the best by more than 1
    assert counter.exhausted


@pytest.mark.parametrize("n_iter_no_change", [2, 5])
def test_the_classifier_stops_at_scikit_learns_epoch_from_the_same_weights(n_iter_no_change):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    shared = dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        solver="sgd",
        batch_size=20,
        learning_rate_init=0.05,
        shuffle=False,
        warm_start=True,
        max_iter=1,
        random_state=0,
    )
    ours = MLPClassifier(**shared)
    theirs = SklearnMLP(**shared, momentum=0.0, nesterovs_momentum=False)
    start_alike(ours, theirs, X, y)
    drops = -np.diff(MLPClassifier(**{**shared, "max_iter": 60}).fit(X, y).loss_curve_)
    middle = np.sort(drops)[len(drops) // 2 : len(drops) // 2 + 2]
    tol = float(middle.mean())  # some epochs beat the best by more than tol, some not; no ties
    for model in (ours, theirs):
        model.set_params(max_iter=500, tol=tol, n_iter_no_change=n_iter_no_change).fit(X, y)
    assert ours.n_iter_ < 500
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-9)
