"""L2 regularisation and inverted dropout.

L2: the cost term and the gradient term against their formulas, and the gradient check with
λ > 0 against central differences of the cost WITH the term, for any depth; a check whose
cost forgets the term must fail. Dropout: keep_prob = 1 is exactly no dropout; the masks have
the right statistics and come from the model's Generator; backward agrees with central
differences of an independent forward pass with the masks frozen (and disagrees when the
mask is changed); dropout is off in the cost, predictions and the gradient check.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numeric_problems import random_problem

from chainrule.errors import InputError, ShapeError
from chainrule.numeric import Network, gradient_check, numeric_gradient, relative_error, train
from chainrule.numeric.losses import OUTPUTS
from chainrule.numeric.regularization import check_keep_prob

ACTIVATION_FUNCTIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0),
}


# ----------------------------------------------------------------- L2
def test_l2_cost_term_is_lambda_over_2m_times_the_squared_weights() -> None:
    network, X, Y = random_problem([3, 4, 2, 1], "tanh", "sigmoid", m=6, seed=0)
    squares = sum(np.sum(network.params[f"W{layer}"] ** 2) for layer in (1, 2, 3))
    plain = network.cost(X, Y)
    assert network.cost(X, Y, l2=0.7) == pytest.approx(plain + 0.7 / (2 * 6) * squares, rel=1e-13)


def test_l2_gradient_term_is_lambda_over_m_times_w_and_spares_the_biases() -> None:
    network, X, Y = random_problem([3, 4, 2], "relu", "softmax", m=5, seed=1, init="he")
    _, caches = network.forward(X)
    plain = {name: value.copy() for name, value in network.backward(Y, caches).items()}
    _, caches = network.forward(X)
    regular = network.backward(Y, caches, l2=2.0)
    for layer in (1, 2):
        W = network.params[f"W{layer}"]
        np.testing.assert_allclose(
            regular[f"dW{layer}"], plain[f"dW{layer}"] + 2.0 / 5 * W, rtol=1e-13
        )
        np.testing.assert_array_equal(regular[f"db{layer}"], plain[f"db{layer}"])
        np.testing.assert_array_equal(regular[f"dZ{layer}"], plain[f"dZ{layer}"])


def test_fused_pass_with_l2_agrees_with_forward_and_backward() -> None:
    network, X, Y = random_problem([3, 5, 4, 2], "sigmoid", "softmax", m=7, seed=2)
    cost, fused = network.compute_gradients(X, Y, l2=0.3)
    _, caches = network.forward(X)
    network.backward(Y, caches, l2=0.3)
    np.testing.assert_allclose(fused, network.gradient_vector, rtol=1e-12, atol=1e-15)
    assert cost == pytest.approx(network.cost(X, Y, l2=0.3), rel=1e-13)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(data=st.data())
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_gradient_check_passes_with_l2(output: str, depth: int, data: st.DataObject) -> None:
    hidden = data.draw(st.lists(st.integers(3, 5), min_size=depth - 1, max_size=depth - 1))
    sizes = [data.draw(st.integers(1, 4)), *hidden, data.draw(st.integers(2, 3))]
    l2 = data.draw(st.sampled_from([0.01, 0.5, 3.0]))
    network, X, Y = random_problem(sizes, "tanh", output, m=6, seed=data.draw(st.integers(0, 999)))
    report = gradient_check(network, X, Y, l2=l2)
    assert report.passed, f"{sizes}, l2={l2}\n{report}"


def test_a_check_that_forgets_the_l2_cost_term_fails() -> None:
    # The planted error: backward with λ, central differences of the cost without it.
    network, X, Y = random_problem([3, 4, 1], "tanh", "sigmoid", m=6, seed=3)
    _, caches = network.forward(X)
    analytic = network.backward(Y, caches, l2=0.5)["dW1"].copy()
    numeric = numeric_gradient(lambda: network.cost(X, Y), network.params["W1"])
    assert relative_error(analytic, numeric) > 1e-3
    assert gradient_check(network, X, Y, l2=0.5).passed  # the same check, done right


def test_l2_shrinks_the_weights_in_training() -> None:
    network, X, Y = random_problem([3, 8, 1], "tanh", "sigmoid", m=40, seed=4)
    plain, regular = network.copy(), network.copy()
    train(plain, X, Y, epochs=200, learning_rate=0.5, verbose=False)
    history = train(regular, X, Y, epochs=200, learning_rate=0.5, l2=5.0, verbose=False)
    assert np.linalg.norm(regular.params["W1"]) < 0.7 * np.linalg.norm(plain.params["W1"])
    assert history.costs[-1] == pytest.approx(regular.cost(X, Y, l2=5.0), rel=0.05)


@pytest.mark.parametrize("l2", [-0.1, float("inf"), "0.1", True])
def test_bad_l2(l2: object) -> None:
    network, X, Y = random_problem([2, 1], "tanh", "sigmoid", m=3, seed=0)
    with pytest.raises(InputError, match=r"'l2' must be a number >= 0"):
        network.cost(X, Y, l2=l2)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"'l2' must be a number >= 0"):
        train(network, X, Y, epochs=1, l2=l2, verbose=False)  # type: ignore[arg-type]


# ----------------------------------------------------------------- dropout
def test_keep_prob_one_is_exactly_no_dropout() -> None:
    network, X, Y = random_problem([4, 6, 5, 2], "relu", "softmax", m=9, seed=5, init="he")
    twin = network.copy()
    AL, caches = network.forward(X, keep_prob=1.0)
    assert not any(key.startswith("D") for key in caches)
    np.testing.assert_array_equal(AL, twin.forward(X)[0])
    a = train(
        network,
        X,
        Y,
        epochs=5,
        learning_rate=0.1,
        batch_size=4,
        keep_prob=[1.0, 1.0],
        verbose=False,
    )
    b = train(twin, X, Y, epochs=5, learning_rate=0.1, batch_size=4, verbose=False)
    assert a.costs == b.costs
    assert network.parameter_vector.tobytes() == twin.parameter_vector.tobytes()


def test_masks_have_the_keep_probability_and_rescale_the_kept_units() -> None:
    network = Network([20, 300, 200, 1], "sigmoid", seed=6)
    X = np.random.default_rng(0).standard_normal((20, 400))
    plain_A1 = network.forward(X)[1]["A1"].copy()
    _, caches = network.forward(X, keep_prob=(0.8, 0.5))
    D1, D2 = caches["D1"], caches["D2"]
    assert set(np.unique(D1)) <= {0.0, 1.0}
    assert D1.mean() == pytest.approx(0.8, abs=0.01)  # 120 000 draws: sd about 0.001
    assert D2.mean() == pytest.approx(0.5, abs=0.01)
    np.testing.assert_allclose(caches["A1"], plain_A1 * D1 / 0.8, rtol=1e-14)
    assert caches["A1"].mean() == pytest.approx(plain_A1.mean(), rel=0.02)  # expectation kept
    assert abs(np.corrcoef(D1[:, 0], D1[:, 1])[0, 1]) < 0.2  # columns drawn independently


def test_masks_come_from_the_model_generator() -> None:
    X = np.random.default_rng(0).standard_normal((3, 10))
    first, second = Network([3, 8, 1], seed=7), Network([3, 8, 1], seed=7)
    mask = first.forward(X, keep_prob=0.5)[1]["D1"].copy()
    np.testing.assert_array_equal(mask, second.forward(X, keep_prob=0.5)[1]["D1"])
    assert not np.array_equal(mask, first.forward(X, keep_prob=0.5)[1]["D1"])  # fresh draws


def independent_cost(network: Network, X, Y, masks: dict, keep: dict, activation: str) -> float:
    """The forward pass and cost written out in NumPy with frozen masks (sigmoid output)."""
    g = ACTIVATION_FUNCTIONS[activation]
    A = X
    for layer in range(1, network.n_layers + 1):
        Z = network.params[f"W{layer}"] @ A + network.params[f"b{layer}"]
        if layer == network.n_layers:
            return float(np.mean(np.sum(np.logaddexp(0, Z) - Y * Z, axis=0)))
        A = g(Z)
        if layer in masks:
            A = A * masks[layer] / keep[layer]
    raise AssertionError("unreachable")


@pytest.mark.parametrize("activation", sorted(ACTIVATION_FUNCTIONS))
def test_backward_agrees_with_central_differences_for_a_frozen_mask(activation: str) -> None:
    network, X, Y = random_problem([3, 6, 5, 2], activation, "sigmoid", m=8, seed=8)
    _, caches = network.forward(X, keep_prob=(0.6, 0.75))
    masks = {1: caches["D1"].copy(), 2: caches["D2"].copy()}
    keep = {1: 0.6, 2: 0.75}
    grads = network.backward(Y, caches, keep_prob=(0.6, 0.75))
    analytic = {name: grads[f"d{name}"].copy() for name in network.params}
    for name, array in network.params.items():
        numeric = numeric_gradient(
            lambda: independent_cost(network, X, Y, masks, keep, activation), array
        )
        assert relative_error(analytic[name], numeric) < 1e-7, name


def test_a_backward_pass_with_another_mask_is_caught() -> None:
    network, X, Y = random_problem([3, 6, 2], "tanh", "sigmoid", m=8, seed=9)
    _, caches = network.forward(X, keep_prob=0.5)
    frozen = {1: caches["D1"].copy()}
    wrong = dict(caches, D1=1.0 - caches["D1"])  # the planted error: the other half of units
    analytic = network.backward(Y, wrong, keep_prob=0.5)["dW1"].copy()
    numeric = numeric_gradient(
        lambda: independent_cost(network, X, Y, frozen, {1: 0.5}, "tanh"), network.params["W1"]
    )
    assert relative_error(analytic, numeric) > 0.1


def test_fused_training_pass_with_dropout_agrees_with_forward_and_backward() -> None:
    network, X, Y = random_problem([3, 6, 5, 1], "sigmoid", "sigmoid", m=8, seed=10)
    twin = network.copy()  # same Generator state: the same masks
    _, fused = network.compute_gradients(X, Y, keep_prob=0.7, l2=0.2)
    _, caches = twin.forward(X, keep_prob=0.7)
    twin.backward(Y, caches, keep_prob=0.7, l2=0.2)
    np.testing.assert_allclose(fused, twin.gradient_vector, rtol=1e-12, atol=1e-15)


def test_dropout_is_off_in_cost_predictions_and_the_gradient_check() -> None:
    network, X, Y = random_problem([3, 6, 1], "relu", "sigmoid", m=8, seed=11, init="he")
    train(network, X, Y, epochs=3, learning_rate=0.1, keep_prob=0.5, verbose=False)
    assert network.cost(X, Y) == network.cost(X, Y)
    np.testing.assert_array_equal(network.predict_proba(X), network.predict_proba(X))
    assert gradient_check(network, X, Y).passed


def test_dropout_trains_in_float32_and_regularises() -> None:
    network, X, Y = random_problem([3, 32, 1], "relu", "sigmoid", m=30, seed=12, init="he")
    narrow = network.astype("float32")
    history = train(narrow, X, Y, epochs=50, learning_rate=0.1, keep_prob=0.8, verbose=False)
    assert narrow.parameter_vector.dtype == np.float32
    assert history.costs[-1] < history.costs[0]


@pytest.mark.parametrize(
    ("keep_prob", "message"),
    [
        (0.0, r"'keep_prob' must be a number in \(0, 1\] or one per hidden layer \(got 0.0\)"),
        (1.2, r"'keep_prob' must be a number in \(0, 1\]"),
        ("0.5", r"'keep_prob' must be a number in \(0, 1\]"),
        ([0.5], r"'keep_prob' must have one value per hidden layer \(2\) \(got 1: \[0.5\]\)"),
    ],
)
def test_bad_keep_prob(keep_prob: object, message: str) -> None:
    network = Network([3, 4, 4, 1], seed=0)
    with pytest.raises(InputError, match=message):
        network.forward(np.zeros((3, 2)), keep_prob=keep_prob)  # type: ignore[arg-type]


def test_keep_prob_must_match_between_forward_and_backward() -> None:
    network, X, Y = random_problem([3, 4, 1], "tanh", "sigmoid", m=5, seed=0)
    _, caches = network.forward(X, keep_prob=0.5)
    with pytest.raises(InputError, match="'caches' hold the dropout mask 'D1' of layer 1"):
        network.backward(Y, caches)
    _, caches = network.forward(X)
    with pytest.raises(InputError, match="'caches' lacks the dropout mask 'D1' of layer 1"):
        network.backward(Y, caches, keep_prob=0.5)
    _, caches = network.forward(X, keep_prob=0.5)
    with pytest.raises(ShapeError, match=r"cache 'D1' \(layer 1\) must be a mask of shape"):
        network.backward(Y, dict(caches, D1=np.ones((4, 2))), keep_prob=0.5)


def test_check_keep_prob_normalises() -> None:
    assert check_keep_prob(1.0, 3) is None
    assert check_keep_prob(0.5, 2) == (0.5, 0.5)
    assert check_keep_prob(np.array([0.9, 1.0]), 2) == (0.9, 1.0)
    assert check_keep_prob(0.5, 0) is None  # no hidden layer, nothing to drop


def test_gradient_check_with_l2_on_a_relu_network() -> None:
    network, X, Y = random_problem([4, 5, 3], "relu", "softmax", m=7, seed=13, init="he")
    _, caches = network.forward(X)
    assert np.all(np.abs(caches["Z1"]) > 1e-3)  # away from the kink
    assert gradient_check(network, X, Y, l2=1.0).passed
