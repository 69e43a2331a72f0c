"""Activations: values against textbook formulas, derivatives against central differences,
in-place buffers, no overflow warnings, and custom Activation objects."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from chainrule.errors import InputError
from chainrule.numeric import ACTIVATIONS, Activation, Network, get_activation, make_leaky_relu
from chainrule.numeric.activations import sigmoid, sigmoid_derivative

REFERENCE = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
}


def points() -> np.ndarray:
    # (3, 4) away from the kink at 0, where relu has no derivative.
    return np.array([[-3.0, -0.7, 0.3, 2.5], [-1.2, 0.05, 1.1, -0.2], [4.0, -4.0, 0.6, -0.9]])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_forward_matches_the_textbook_formula(name: str) -> None:
    Z = points()
    np.testing.assert_allclose(ACTIVATIONS[name].forward(Z), REFERENCE[name](Z), rtol=1e-14)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_central_differences(name: str) -> None:
    activation = ACTIVATIONS[name]
    Z, h = points(), 1e-6
    numeric = (REFERENCE[name](Z + h) - REFERENCE[name](Z - h)) / (2 * h)
    analytic = activation.derivative(Z, activation.forward(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_out_buffers_are_filled_in_place(name: str, dtype: type) -> None:
    activation = ACTIVATIONS[name]
    Z = points().astype(dtype)
    A, D = np.empty_like(Z), np.empty_like(Z)
    assert activation.forward_into(Z, A) is A
    assert activation.derivative_into(Z, A, D) is D
    assert A.dtype == dtype and D.dtype == dtype
    np.testing.assert_allclose(A, activation.forward(Z), rtol=1e-6)
    np.testing.assert_allclose(D, activation.derivative(Z, A), rtol=1e-6)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("z", [1e4, -1e4, 710.0, -710.0, 1e300, -1e300])
def test_sigmoid_never_warns_and_saturates_cleanly(z: float) -> None:
    Z = np.array([[z]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = sigmoid(Z)
        D = sigmoid_derivative(Z, A)
    assert A[0, 0] == (1.0 if z > 0 else 0.0)
    assert D[0, 0] == 0.0


def test_sigmoid_tanh_form_is_accurate_to_rounding_of_one_half() -> None:
    # 0.5 tanh(z/2) + 0.5 is accurate to about one rounding of 0.5 (1e-16) everywhere; far
    # left, where sigma(z) < 1e-8, that absolute accuracy is all it has.
    Z = np.linspace(-40, 40, 81)
    np.testing.assert_allclose(sigmoid(Z), 1.0 / (1.0 + np.exp(-Z)), rtol=1e-14, atol=2e-16)


def test_relu_derivative_is_zero_at_the_kink() -> None:
    Z = np.zeros((1, 1))
    assert ACTIVATIONS["relu"].derivative(Z, Z)[0, 0] == 0.0


def test_leaky_relu_slope_is_a_parameter() -> None:
    steep = make_leaky_relu(0.2)
    Z = np.array([[-2.0, 3.0]])
    np.testing.assert_array_equal(steep.forward(Z), [[-0.4, 3.0]])
    np.testing.assert_array_equal(steep.derivative(Z, steep.forward(Z)), [[0.2, 1.0]])
    assert steep.name == "leaky_relu(0.2)"
    assert ACTIVATIONS["leaky_relu"].name == "leaky_relu"


@pytest.mark.parametrize("slope", [-0.1, 1.0, float("nan"), "steep"])
def test_leaky_relu_refuses_a_bad_slope(slope: object) -> None:
    with pytest.raises(InputError, match="'slope' must be a number in \\[0, 1\\)"):
        make_leaky_relu(slope)  # type: ignore[arg-type]


def test_a_custom_activation_from_two_plain_callables_runs_in_a_network() -> None:
    softsign = Activation(
        "softsign",
        forward=lambda Z: Z / (1.0 + np.abs(Z)),
        derivative=lambda Z, A: 1.0 / (1.0 + np.abs(Z)) ** 2,
    )
    assert not softsign.in_place
    Z = points()
    out = np.empty_like(Z)
    assert softsign.forward_into(Z, out) is out
    np.testing.assert_allclose(out, Z / (1 + np.abs(Z)))
    network = Network([3, 4, 1], activation=softsign, output="sigmoid", seed=0)
    assert network.activation is softsign
    X = np.random.default_rng(0).standard_normal((3, 5))
    AL, caches = network.forward(X)
    np.testing.assert_allclose(caches["A1"], caches["Z1"] / (1 + np.abs(caches["Z1"])))


def test_activation_validates_its_fields() -> None:
    with pytest.raises(InputError, match="'forward' must be callable"):
        Activation("bad", forward=3, derivative=np.tanh)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="'name' must be a non-empty string"):
        Activation("", forward=np.tanh, derivative=np.tanh)


def test_get_activation_by_name_object_or_error() -> None:
    assert get_activation("tanh") is ACTIVATIONS["tanh"]
    custom = make_leaky_relu(0.3)
    assert get_activation(custom) is custom
    with pytest.raises(InputError, match="'activation' must be one of leaky_relu, linear, relu"):
        get_activation("swish")


def test_the_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        ACTIVATIONS["swish"] = ACTIVATIONS["relu"]  # type: ignore[index]
