"""MLPRegressor: scikit-learn's own estimator checks with nothing marked as an expected
failure, the same updates as scikit-learn's MLPRegressor from the same weights, several
outputs, and any derived loss (by name or formula) checked against central differences and
against the loss written out in NumPy."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks
from sklearn_twins import train_alike

import chainrule
from chainrule.errors import InputError
from chainrule.numeric import gradient_check
from chainrule.numeric.estimator import ParameterError
from chainrule.numeric.regressor import MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

#: ``{check_name: reason}`` for the checks this estimator is known to fail: none.
EXPECTED_FAILED_CHECKS: dict[str, str] = {}
HUBER = "min(abs(a - y), 1)**2/2 + abs(a - y) - min(abs(a - y), 1)"


def small_model() -> MLPRegressor:
    return MLPRegressor(hidden_layer_sizes=(10,), learning_rate_init=0.01, max_iter=100)


@parametrize_with_checks(
    [small_model()], expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS
)
def test_scikit_learn_estimator_checks(estimator, check) -> None:
    check(estimator)


def test_scikit_learn_parameter_validation() -> None:
    check_param_validation("MLPRegressor", small_model())


def regression(m: int = 80, n_outputs: int = 1, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 4))
    W = rng.standard_normal((4, n_outputs))
    Y = np.tanh(X @ W) + 0.05 * rng.standard_normal((m, n_outputs))
    return X, (Y[:, 0] if n_outputs == 1 else Y)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_same_weights_same_updates_as_scikit_learn(solver: str) -> None:
    X, y = regression()
    ours, theirs, rtol = train_alike(MLPRegressor, SklearnMLPRegressor, X, y, solver)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=rtol)


def test_several_outputs_and_the_attributes() -> None:
    X, Y = regression(n_outputs=3)
    model = MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.02, max_iter=150)
    model.set_params(random_state=0).fit(X, Y)
    assert model.predict(X).shape == (80, 3) and model.n_outputs_ == 3
    assert model.out_activation_ == "identity" and model.network_.output.name == "linear"
    assert model.score(X, Y) > 0.8
    assert model.best_loss_ == min(model.loss_curve_)
    single = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X, Y[:, :1])
    assert single.predict(X).shape == (80,)
    assert chainrule.MLPRegressor is MLPRegressor


@pytest.mark.parametrize("loss", ["mae", "log_cosh", HUBER, "(a - y)**4"])
def test_a_derived_loss_trains_and_its_gradients_check(loss: str) -> None:
    X, y = regression(m=40, seed=1)
    model = MLPRegressor(loss, hidden_layer_sizes=(6,), activation="swish", max_iter=40)
    model.set_params(learning_rate_init=0.01, random_state=0).fit(X, y)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.network_.output.name == "linear"
    report = gradient_check(model.network_, X[:8].T, y[:8][np.newaxis, :] + 0.3)
    assert report.passed, report
    twin = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(twin.predict(X), model.predict(X))


def test_the_huber_formula_is_the_huber_loss() -> None:
    model = MLPRegressor(HUBER, hidden_layer_sizes=(3,), max_iter=1, random_state=0)
    X, y = regression(m=20)
    model.fit(X, y)
    output = model.network_.output
    rng = np.random.default_rng(2)
    A, Y = rng.standard_normal((2, 50)) * 2, rng.standard_normal((2, 50))
    r = np.abs(A - Y)
    huber = np.where(r <= 1, r**2 / 2, r - 0.5)  # written out, δ = 1
    cost = output.cost(A, A, Y, np.empty_like(A))
    assert cost == pytest.approx(huber.sum() / 50, rel=1e-12)
    delta = output.delta(A, A, Y, out=np.empty_like(A))
    np.testing.assert_allclose(delta, np.clip(A - Y, -1, 1), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("loss", "message"),
    [
        ("bce", r"'loss' 'binary_cross_entropy' does not fit the linear output"),
        ("huberish", r"'loss' must be one of binary_cross_entropy, .* \(got 'huberish'\)"),
        (3, r"The 'loss' parameter of MLPRegressor must be an instance of 'str'"),
    ],
)
def test_bad_losses_say_what_arrived(loss, message: str) -> None:
    X, y = regression(m=10)
    with pytest.raises(ParameterError, match=message) as error:
        MLPRegressor(loss, max_iter=1).fit(X, y)
    assert isinstance(error.value, InputError)


def test_one_activation_per_layer_and_partial_fit() -> None:
    X, y = regression(m=30)
    model = MLPRegressor(hidden_layer_sizes=(5, 4), activation=["relu", "gelu"], random_state=0)
    for _ in range(3):
        model.partial_fit(X, y)
    assert model.network_.activation_name == "relu,gelu" and model.n_iter_ == 3
    with pytest.raises(InputError, match=r"'y' must have the 1 output column\(s\)"):
        model.partial_fit(X, np.stack([y, y], axis=1))
