"""Initialisation schemes: shapes, scales, zero biases, seeding and the symmetry problem."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.errors import InputError
from chainrule.numeric import INITIALIZERS, Network, initialize_parameters, train


@pytest.mark.parametrize("method", sorted(INITIALIZERS))
def test_shapes_and_zero_biases(method: str) -> None:
    params = initialize_parameters([5, 4, 3, 2], method, np.random.default_rng(0))
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert params["W1"].shape == (4, 5) and params["b1"].shape == (4, 1)
    assert params["W3"].shape == (2, 3) and params["b3"].shape == (2, 1)
    assert all(not value.any() for name, value in params.items() if name.startswith("b"))


@pytest.mark.parametrize(
    ("method", "expected_std"),
    [("random", 0.01), ("xavier", np.sqrt(2 / (400 + 300))), ("he", np.sqrt(2 / 400))],
)
def test_scales(method: str, expected_std: float) -> None:
    W = initialize_parameters([400, 300], method, np.random.default_rng(1))["W1"]
    # 120000 draws: the sample standard deviation is within 1% with overwhelming probability.
    assert W.std() == pytest.approx(expected_std, rel=0.01)
    assert abs(W.mean()) < 0.01 * expected_std * 10


def test_zeros_are_zeros() -> None:
    network = Network([3, 4, 1], init="zeros", seed=0)
    assert not network.parameter_vector.any()


def test_same_seed_same_weights_and_a_generator_is_used_as_given() -> None:
    first = Network([6, 5, 1], init="he", seed=42)
    second = Network([6, 5, 1], init="he", seed=42)
    np.testing.assert_array_equal(first.parameter_vector, second.parameter_vector)
    other = Network([6, 5, 1], init="he", seed=43)
    assert not np.array_equal(first.parameter_vector, other.parameter_vector)
    rng = np.random.default_rng(42)
    shared = Network([6, 5, 1], init="he", seed=rng)
    assert shared.rng is rng
    np.testing.assert_array_equal(shared.parameter_vector, first.parameter_vector)


def test_float32_starts_from_the_float64_weights_rounded() -> None:
    wide = Network([6, 5, 2], "tanh", "softmax", "xavier", "float64", seed=3)
    narrow = Network([6, 5, 2], "tanh", "softmax", "xavier", "float32", seed=3)
    np.testing.assert_array_equal(narrow.parameter_vector, wide.parameter_vector.astype("f4"))


def test_unknown_method() -> None:
    with pytest.raises(InputError, match="'init' must be one of he, random, xavier, zeros"):
        Network([2, 1], init="orthogonal")


def test_zero_init_keeps_hidden_units_identical() -> None:
    # The symmetry problem: with equal weights every hidden unit gets the same gradient.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 40))
    Y = (X[:1] + X[1:2] > 0).astype(float)
    network = Network([3, 4, 1], "tanh", "sigmoid", "zeros", seed=0)
    network.params["W2"][...] = 0.5  # break nothing but the output layer's zeros
    train(network, X, Y, epochs=50, learning_rate=0.5, verbose=False)
    W1 = network.params["W1"]
    assert W1.any()
    np.testing.assert_array_equal(W1, np.repeat(W1[:1], 4, axis=0))
