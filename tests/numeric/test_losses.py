"""Output layers and losses: costs against naive formulas, stability when saturated, the
output delta dZ[L] = A[L] - Y, and the table."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from chainrule.errors import InputError
from chainrule.numeric import OUTPUTS, Network, Output, get_output
from chainrule.numeric.losses import softmax


def naive_cost(name: str, Z: np.ndarray, Y: np.ndarray) -> float:
    """The textbook formulas, fine for moderate logits."""
    m = Z.shape[1]
    if name == "sigmoid":
        A = 1 / (1 + np.exp(-Z))
        return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)
    if name == "softmax":
        A = np.exp(Z) / np.exp(Z).sum(axis=0)
        return float(-np.sum(Y * np.log(A)) / m)
    return float(np.sum((Z - Y) ** 2) / (2 * m))


def targets(name: str, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    if name == "sigmoid":
        return (rng.random(shape) < 0.5).astype(float)
    if name == "softmax":
        return np.eye(shape[0])[:, rng.integers(0, shape[0], shape[1])]
    return rng.standard_normal(shape)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_cost_matches_the_naive_formula(name: str, rng: np.random.Generator) -> None:
    output = OUTPUTS[name]
    Z = rng.standard_normal((3, 7)) * 2
    Y = targets(name, Z.shape, rng)
    A = output.forward(Z)
    cost = output.cost(Z, A, Y, np.empty_like(Z))
    assert cost == pytest.approx(naive_cost(name, Z, Y), rel=1e-12)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_delta_is_a_minus_y(name: str, rng: np.random.Generator) -> None:
    output = OUTPUTS[name]
    Z = rng.standard_normal((3, 4))
    Y = targets(name, Z.shape, rng)
    A = output.forward(Z)
    out = np.empty_like(Z)
    assert output.delta(Z, A, Y, out=out) is out
    np.testing.assert_array_equal(out, A - Y)


@pytest.mark.parametrize("name", ["sigmoid", "softmax"])
def test_delta_is_the_derivative_of_the_summed_loss(name: str, rng: np.random.Generator) -> None:
    # dZ[L] (per example, no 1/m) = m dJ/dZ, by central differences of the cost.
    output = OUTPUTS[name]
    Z = rng.standard_normal((3, 4))
    Y = targets(name, Z.shape, rng)
    m, h = Z.shape[1], 1e-6
    numeric = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        for sign in (1, -1):
            shifted = Z.copy()
            shifted[index] += sign * h
            cost = output.cost(shifted, output.forward(shifted), Y, np.empty_like(Z))
            numeric[index] += sign * m * cost / (2 * h)
    np.testing.assert_allclose(output.delta(Z, output.forward(Z), Y), numeric, atol=1e-8)


@pytest.mark.parametrize("name", ["sigmoid", "softmax"])
def test_saturated_outputs_give_finite_cost_and_delta(name: str) -> None:
    Z = np.array([[1e4, -1e4, 800.0], [-1e4, 1e4, -800.0]])
    Y = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    if name == "sigmoid":
        Z, Y = Z[:1], Y[:1]
    output = OUTPUTS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = output.forward(Z)
        cost = output.cost(Z, A, Y, np.empty_like(Z))
        delta = output.delta(Z, A, Y)
    assert np.isfinite(cost) and np.all(np.isfinite(delta))
    # Only the first example is wrong, confidently: its loss is the logit gap it lost by
    # (1e4 for the sigmoid unit, 2e4 between the two softmax units), averaged over m = 3.
    expected = 1e4 / 3 if name == "sigmoid" else 2e4 / 3
    assert cost == pytest.approx(expected, rel=1e-12)


def test_softmax_columns_sum_to_one_even_for_huge_logits() -> None:
    Z = np.array([[1000.0, -5.0], [999.0, 5.0], [-1000.0, 0.0]])
    A = softmax(Z)
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-15)
    assert A[0, 0] == pytest.approx(1 / (1 + np.exp(-1)), rel=1e-12)


@pytest.mark.parametrize(
    ("name", "A", "expected"),
    [
        ("sigmoid", [[0.2, 0.5, 0.9]], [[0, 1, 1]]),
        ("softmax", [[0.2, 0.7], [0.5, 0.1], [0.3, 0.2]], [[1, 0]]),
        ("linear", [[2.5, -1.0]], [[2.5, -1.0]]),
    ],
)
def test_predict_labels(name: str, A: list, expected: list) -> None:
    np.testing.assert_array_equal(OUTPUTS[name].predict(np.array(A)), expected)


def test_loss_names() -> None:
    assert {name: output.loss for name, output in OUTPUTS.items()} == {
        "linear": "mean squared error",
        "sigmoid": "binary cross-entropy",
        "softmax": "categorical cross-entropy",
    }


def test_get_output_by_name_object_or_error() -> None:
    assert get_output("softmax") is OUTPUTS["softmax"]
    custom = Output("id", "half squared error", np.copy, OUTPUTS["linear"].cost, np.subtract)
    assert get_output(custom) is custom
    with pytest.raises(InputError, match="'output' must be one of linear, sigmoid, softmax"):
        get_output("tanh")


def test_a_custom_output_plugs_into_a_network(rng: np.random.Generator) -> None:
    linear = OUTPUTS["linear"]
    custom = Output("identity", "my squared error", linear.forward, linear.cost, linear.delta)
    network = Network([2, 3, 2], "tanh", custom, seed=1)
    twin = Network([2, 3, 2], "tanh", "linear", seed=1)
    X, Y = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    assert network.cost(X, Y) == twin.cost(X, Y)


def test_softmax_needs_two_units() -> None:
    with pytest.raises(InputError, match="output 'softmax' needs at least 2 output units"):
        Network([3, 1], output="softmax")
