"""Gradient check: backward propagation against central differences for every activation,
output and depth; and the checker itself must fail on planted errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numeric_problems import random_problem

from chainrule.errors import InputError
from chainrule.numeric import (
    ACTIVATIONS,
    OUTPUTS,
    Activation,
    Network,
    gradient_check,
    numeric_gradient,
    relative_error,
)

INIT = {"relu": "he", "leaky_relu": "he"}


@settings(max_examples=3, deadline=None, derandomize=True)
@given(data=st.data())
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backward_passes_the_gradient_check(
    activation: str, output: str, depth: int, data: st.DataObject
) -> None:
    # Hidden layers of 3 or more units and m >= 5: a layer whose units are all off (relu) or
    # all on the 0.01 slope (leaky_relu) for every example shrinks the gradients below it
    # until rounding, not backward propagation, decides the check.
    lowest_output = OUTPUTS[output].min_units
    hidden = data.draw(st.lists(st.integers(3, 6), min_size=depth - 1, max_size=depth - 1))
    sizes = [data.draw(st.integers(1, 5)), *hidden, data.draw(st.integers(lowest_output, 4))]
    m = data.draw(st.integers(5, 10))
    seed = data.draw(st.integers(0, 2**16))
    network, X, Y = random_problem(
        sizes, activation, output, m=m, seed=seed, init=INIT.get(activation, "xavier")
    )
    # The relative error measures backward propagation only where the gradient stands clear
    # of the rounding of J (about 1e-16 / h = 1e-11): skip the rare draws where some array's
    # gradient is as small as 1e-3 per entry.
    _, caches = network.forward(X)
    grads = network.backward(Y, caches)
    assume(all(np.sqrt(np.mean(grads[f"d{name}"] ** 2)) > 1e-3 for name in network.params))
    report = gradient_check(network, X, Y)
    assert report.passed, f"{sizes}, m={m}, seed={seed}\n{report}"
    assert [row.name for row in report.rows] == list(network.params)


def test_an_independent_central_difference_oracle() -> None:
    # Not the module under test: a plain loop over a few entries, each perturbed on a copy.
    network, X, Y = random_problem([3, 4, 3, 2], "tanh", "softmax", m=6, seed=11)
    _, caches = network.forward(X)
    grads = {name: value.copy() for name, value in network.backward(Y, caches).items()}
    base = {name: value.copy() for name, value in network.params.items()}
    h = 1e-6
    for name, index in [
        ("W1", (2, 1)),
        ("b1", (3, 0)),
        ("W2", (0, 3)),
        ("W3", (1, 2)),
        ("b3", (0, 0)),
    ]:
        costs = []
        for sign in (1, -1):
            shifted = {key: value.copy() for key, value in base.items()}
            shifted[name][index] += sign * h
            network.set_params(shifted)
            costs.append(network.cost(X, Y))
        network.set_params(base)
        numeric = (costs[0] - costs[1]) / (2 * h)
        assert grads[f"d{name}"][index] == pytest.approx(numeric, rel=1e-6, abs=1e-10), name


def test_a_planted_wrong_gradient_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    network, X, Y = random_problem([4, 5, 3, 1], "relu", "sigmoid", m=8, seed=5, init="he")
    assert gradient_check(network, X, Y).passed
    honest_backward = network.backward

    def corrupted_backward(Y, caches):
        grads = honest_backward(Y, caches)
        grads["dW1"][2, 1] += 1e-4
        return grads

    monkeypatch.setattr(network, "backward", corrupted_backward)
    report = gradient_check(network, X, Y)
    assert not report.passed
    assert {row.name: row.passed for row in report.rows} == {
        "W1": False,
        "b1": True,
        "W2": True,
        "b2": True,
        "W3": True,
        "b3": True,
    }
    assert report.worst.name == "W1"
    assert report.worst.worst_index == (2, 1)
    assert report.worst.worst_analytic - report.worst.worst_numeric == pytest.approx(1e-4, rel=1e-3)
    assert "FAIL" in str(report)


def test_a_wrong_activation_derivative_fails() -> None:
    # tanh with the derivative of the sigmoid: a typical slip, caught.
    tanh = ACTIVATIONS["tanh"]
    wrong = Activation("tanh?", tanh.forward, ACTIVATIONS["sigmoid"].derivative, in_place=True)
    network, X, Y = random_problem([3, 4, 1], wrong, "sigmoid", m=6, seed=6)
    report = gradient_check(network, X, Y)
    assert not report.passed
    assert not report.rows[0].passed  # W1 sees the wrong g'
    assert report.rows[2].passed  # W2 does not


def test_a_forgotten_average_fails() -> None:
    # dW without the 1/m: every row is off by the factor m.
    network, X, Y = random_problem([3, 2, 1], "sigmoid", "sigmoid", m=4, seed=7)
    honest_backward = network.backward

    def summed_backward(Y, caches):
        grads = honest_backward(Y, caches)
        for name in ("dW1", "db1", "dW2", "db2"):
            grads[name] *= 4
        return grads

    network.backward = summed_backward  # type: ignore[method-assign]
    report = gradient_check(network, X, Y)
    assert not any(row.passed for row in report.rows)
    assert report.rows[0].relative_error == pytest.approx(3 / 5, rel=1e-6)  # |4g-g|/(4g+g)


def test_numeric_gradient_of_a_known_function_restores_the_array() -> None:
    w = np.array([[0.5, -1.25], [2.0, 0.1]])
    before = w.copy()
    gradient = numeric_gradient(lambda: float(np.sum(w**3)), w, epsilon=1e-5)
    # Truncation error h² f'''/6 = 1e-10 · 6 / 6: absolute, not relative.
    np.testing.assert_allclose(gradient, 3 * before**2, rtol=1e-9, atol=2e-10)
    np.testing.assert_array_equal(w, before)


def test_relative_error_definition() -> None:
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([3.0, 4.0]), np.zeros(2)) == 1.0
    g, h = np.array([1.0, 2.0]), np.array([1.0, 2.5])
    expected = 0.5 / (np.sqrt(5) + np.sqrt(7.25))
    assert relative_error(g, h) == pytest.approx(expected, rel=1e-15)


def test_report_shape_and_text() -> None:
    network, X, Y = random_problem([2, 3, 1], "tanh", "sigmoid", m=5, seed=8)
    report = gradient_check(network, X, Y)
    assert report.passed and report.threshold == 1e-7 and report.epsilon == 1e-5
    row = report.rows[0]
    assert (row.name, row.shape) == ("W1", (3, 2))
    assert row.worst_analytic == pytest.approx(row.worst_numeric, rel=1e-5)
    text = str(report).splitlines()
    assert text[0].split() == ["array", "shape", "relative", "error", "result"]
    assert text[1].startswith("W1     3x2") and text[1].endswith("PASS")
    assert text[-1] == "gradient check: PASS (threshold 1e-07)"


def test_a_float32_network_is_checked_in_float64_and_left_unchanged() -> None:
    network, X, Y = random_problem([3, 4, 2], "sigmoid", "softmax", m=6, seed=9)
    narrow = network.astype("float32")
    before = narrow.parameter_vector.copy()
    assert gradient_check(narrow, X, Y).passed
    np.testing.assert_array_equal(narrow.parameter_vector, before)


def test_the_check_leaves_a_float64_network_bit_identical() -> None:
    network, X, Y = random_problem([3, 4, 2], "relu", "linear", m=6, seed=10, init="he")
    before = network.parameter_vector.copy()
    gradient_check(network, X, Y)
    np.testing.assert_array_equal(network.parameter_vector, before)


@pytest.mark.parametrize("name", ["epsilon", "threshold"])
@pytest.mark.parametrize("value", [0, -1e-6, float("nan"), "small"])
def test_bad_settings(name: str, value: object) -> None:
    network = Network([2, 1], seed=0)
    with pytest.raises(InputError, match=f"'{name}' must be a positive number"):
        gradient_check(network, np.zeros((2, 3)), np.zeros((1, 3)), **{name: value})
