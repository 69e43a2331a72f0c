"""Network: construction, parameters, shapes and their errors, dtypes, buffers, predictions
and the fused training pass."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from numeric_problems import random_problem

from chainrule.errors import InputError, ShapeError
from chainrule.numeric import Network


# ----------------------------------------------------------------- construction
def test_agreed_constructor_and_attributes() -> None:
    network = Network(
        layer_sizes=[30, 16, 1],
        activation="relu",
        output="sigmoid",
        init="he",
        dtype="float64",
        seed=0,
    )
    assert network.layer_sizes == [30, 16, 1]
    assert network.dtype == np.dtype("float64")
    assert isinstance(network.rng, np.random.Generator)
    assert network.n_layers == 2
    assert repr(network) == (
        "Network(layer_sizes=[30, 16, 1], activation='relu', output='sigmoid', init='he', "
        "dtype='float64')"
    )


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([3, 0, 1], r"'layer_sizes' must be positive integers \(got \[3, 0, 1\]\)"),
        ([3], r"needs at least an input and an output size"),
        ([3, 2.5, 1], r"'layer_sizes' must be positive integers"),
        ([3, True, 1], r"'layer_sizes' must be positive integers"),
        ("3,1", r"'layer_sizes' must be a list of positive integers"),
    ],
)
def test_bad_layer_sizes(sizes: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Network(sizes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dtype": "float16"}, r"'dtype' must be float64 or float32 \(got 'float16'\)"),
        ({"dtype": "int"}, r"'dtype' must be float64 or float32"),
        ({"seed": -1}, r"'seed' must be an integer >= 0"),
        ({"seed": 1.5}, r"'seed' must be an integer >= 0 or a numpy Generator"),
        ({"activation": "swoosh"}, r"'activation' must be one of sigmoid, .* or math in z"),
        (
            {"activation": ["relu", "tanh"]},
            r"'activation' must be one activation or a list of one per",
        ),
        ({"activation": 3}, r"'activation' must be a name, math in z or an Activation"),
        ({"output": "hinge"}, r"'output' must be auto or one of linear, sigmoid, softmax"),
    ],
)
def test_bad_options(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Network([3, 2, 1], **kwargs)


# ----------------------------------------------------------------- parameters
def test_params_are_live_views_of_one_vector() -> None:
    network = Network([3, 4, 2], "tanh", "softmax", seed=0)
    params = network.params
    assert list(params) == ["W1", "b1", "W2", "b2"]
    assert {name: value.shape for name, value in params.items()} == {
        "W1": (4, 3),
        "b1": (4, 1),
        "W2": (2, 4),
        "b2": (2, 1),
    }
    assert network.parameter_vector.size == 4 * 3 + 4 + 2 * 4 + 2
    params["W1"][0, 0] = 7.0
    assert network.parameter_vector[0] == 7.0
    network.parameter_vector[3] = -3.0  # the block [W1 | b1] in C order: b1[0] follows W1[0]
    assert network.params["b1"][0, 0] == -3.0
    network.parameter_vector[4 * 4 + 2 * 4 + 1] = 5.0  # b2[1], the last entry
    assert network.params["b2"][1, 0] == 5.0


def test_set_params_copies_values_in() -> None:
    network = Network([2, 3, 1], seed=0)
    new = {name: np.full(value.shape, 0.25) for name, value in network.params.items()}
    network.set_params(new)
    assert np.all(network.parameter_vector == 0.25)
    new["W1"][0, 0] = 9.0  # the network holds a copy
    assert network.params["W1"][0, 0] == 0.25


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda p: p.pop("b2"), InputError, r"missing parameter 'b2' \(expected W1, b1, W2, b2\)"),
        (lambda p: p.update(W3=np.zeros((1, 1))), InputError, r"unknown parameter 'W3'"),
        (
            lambda p: p.update(W1=np.zeros((2, 3))),
            ShapeError,
            r"'W1' \(layer 1\) must have shape \(n\[1\], n\[0\]\) = \(3, 2\) \(got \(2, 3\)\)",
        ),
        (
            lambda p: p.update(b2=np.zeros(1)),
            ShapeError,
            r"'b2' \(layer 2\) must have shape \(n\[2\], 1\) = \(1, 1\) \(got \(1,\)\)",
        ),
        (lambda p: p.update(W2=np.full((1, 3), np.nan)), InputError, r"'W2' must be finite"),
    ],
)
def test_set_params_validates(change, error: type, message: str) -> None:
    network = Network([2, 3, 1], seed=0)
    params = {name: value.copy() for name, value in network.params.items()}
    change(params)
    before = network.parameter_vector.copy()
    with pytest.raises(error, match=message):
        network.set_params(params)
    np.testing.assert_array_equal(network.parameter_vector, before)


# ----------------------------------------------------------------- shapes
def test_forward_shapes_and_caches() -> None:
    network = Network([4, 5, 3, 2], "relu", "softmax", seed=0)
    X = np.random.default_rng(0).standard_normal((4, 7))
    AL, caches = network.forward(X)
    assert AL.shape == (2, 7)
    assert list(caches) == ["A0", "Z1", "A1", "Z2", "A2", "Z3", "A3"]
    assert caches["A0"] is X
    assert caches["Z2"].shape == (3, 7)
    assert AL is caches["A3"]


def test_input_shape_error_names_layer_expected_and_given() -> None:
    network = Network([30, 16, 1], seed=0)
    with pytest.raises(ShapeError) as error:
        network.forward(np.zeros((569, 30)))
    assert str(error.value) == (
        "X (the input, layer 0) must have shape (n[0], m) = (30, m) with m >= 1, one example "
        "per column (got (569, 30))"
    )
    with pytest.raises(ShapeError, match=r"\(got \(30,\)\)"):
        network.forward(np.zeros(30))


def test_target_shape_error_names_layer_expected_and_given() -> None:
    network = Network([3, 4, 2], "tanh", "softmax", seed=0)
    X = np.zeros((3, 5))
    _, caches = network.forward(X)
    with pytest.raises(ShapeError) as error:
        network.backward(np.zeros(5), caches)
    assert str(error.value) == (
        "Y (the targets of output layer 2) must have shape (n[2], m) = (2, 5), one example "
        "per column (got (5,))"
    )
    with pytest.raises(ShapeError, match=r"= \(2, 5\)"):
        network.cost(X, np.zeros((5, 2)))


def test_backward_refuses_foreign_caches() -> None:
    network = Network([3, 4, 1], seed=0)
    _, caches = network.forward(np.zeros((3, 5)))
    broken = dict(caches, Z1=np.zeros((4, 6)))
    with pytest.raises(ShapeError, match=r"cache 'Z1' \(layer 1\) must be a float64 array"):
        network.backward(np.zeros((1, 5)), broken)
    with pytest.raises(InputError, match="'caches' lacks 'A1'"):
        network.backward(np.zeros((1, 5)), {"A0": caches["A0"], "Z1": caches["Z1"]})
    with pytest.raises(InputError, match="'caches' must be the dict returned by forward"):
        network.backward(np.zeros((1, 5)), [])  # type: ignore[arg-type]


def test_non_numeric_input() -> None:
    with pytest.raises(InputError, match="'X' must be an array of numbers"):
        Network([1, 1], seed=0).forward([["a"]])


# ----------------------------------------------------------------- dtypes and buffers
def test_float32_everywhere() -> None:
    network, X, Y = random_problem([4, 5, 3], "sigmoid", "softmax", m=6, seed=1)
    narrow = network.astype("float32")
    assert narrow.dtype == np.float32
    assert all(value.dtype == np.float32 for value in narrow.params.values())
    AL, caches = narrow.forward(X)  # float64 X is cast once at the boundary
    assert all(value.dtype == np.float32 for value in caches.values())
    grads = narrow.backward(Y, caches)
    assert all(value.dtype == np.float32 for value in grads.values())
    assert isinstance(narrow.cost(X, Y), float)
    np.testing.assert_allclose(AL, network.forward(X)[0], rtol=1e-5)


def test_returned_arrays_belong_to_the_caller() -> None:
    network, X, Y = random_problem([3, 4, 2], "tanh", "softmax", m=5, seed=0)
    AL, caches = network.forward(X)
    grads = network.backward(Y, caches, l2=0.1)
    cost, gradient = network.compute_gradients(X, Y)
    kept = [AL.copy(), {k: v.copy() for k, v in caches.items()}]
    kept += [{k: v.copy() for k, v in grads.items()}, gradient.copy()]
    other_X = np.random.default_rng(1).standard_normal(X.shape)  # same m: the same buffers
    again_AL, again = network.forward(other_X)
    network.backward(Y, again)
    network.compute_gradients(other_X, Y, l2=0.5)
    network.train_step(other_X, Y, 0.1)
    network.predict(other_X)
    np.testing.assert_array_equal(AL, kept[0])
    for name, value in kept[1].items():
        np.testing.assert_array_equal(caches[name], value, err_msg=name)
    for name, value in kept[2].items():
        np.testing.assert_array_equal(grads[name], value, err_msg=name)
    np.testing.assert_array_equal(gradient, kept[3])
    again_AL[...] = 7.0  # writing into a result leaves the network and its next pass alone
    again["A1"][...] = 7.0
    np.testing.assert_array_equal(network.forward(other_X)[0], network.predict_proba(other_X))


def test_compute_gradients_writes_into_out() -> None:
    network, X, Y = random_problem([3, 4, 1], "relu", "sigmoid", m=6, seed=1)
    out = np.empty_like(network.parameter_vector)
    cost, gradient = network.compute_gradients(X, Y, out=out)
    assert gradient is out and not np.shares_memory(out, network.gradient_vector)
    np.testing.assert_array_equal(out, network.compute_gradients(X, Y)[1])
    with pytest.raises(InputError, match=r"'out' must be a float64 array of shape \(21,\)"):
        network.compute_gradients(X, Y, out=np.empty(3))


def test_copy_and_astype_are_independent() -> None:
    network = Network([3, 2, 1], seed=0)
    twin = network.copy()
    np.testing.assert_array_equal(twin.parameter_vector, network.parameter_vector)
    twin.parameter_vector[:] = 0
    assert network.parameter_vector.any()
    assert twin.rng is not network.rng
    assert twin.rng.random() == network.rng.random()


def test_pickle_round_trip_keeps_every_parameter_and_the_views() -> None:
    network = Network([3, 4, 2], "tanh", "softmax", seed=1)
    twin = pickle.loads(pickle.dumps(network))
    for name, value in network.params.items():
        np.testing.assert_array_equal(twin.params[name], value)
    assert np.shares_memory(twin.params["b2"], twin.parameter_vector)
    assert twin.rng.random() == network.rng.random()


def test_predict_proba_predict_and_accuracy() -> None:
    network = Network([2, 1], "linear", "sigmoid", seed=0)
    network.set_params({"W1": np.array([[1.0, -1.0]]), "b1": np.zeros((1, 1))})
    X = np.array([[2.0, 0.0, 1.0, -3.0], [0.0, 2.0, 1.0, 0.0]])
    proba = network.predict_proba(X)
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-np.array([[2.0, -2.0, 0.0, -3.0]]))))
    np.testing.assert_array_equal(network.predict(X), [[1, 0, 1, 0]])
    assert network.accuracy(X, np.array([[1, 0, 0, 0]])) == 0.75
    network.forward(X + 1)  # proba is a copy, not a view of the buffers
    assert proba[0, 2] == 0.5


def test_softmax_predicts_class_indices() -> None:
    network = Network([2, 3], "linear", "softmax", seed=0)
    network.set_params(
        {"W1": np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]), "b1": np.zeros((3, 1))}
    )
    X = np.array([[3.0, 0.0, -2.0], [0.0, 3.0, -2.0]])
    np.testing.assert_array_equal(network.predict(X), [[0, 1, 2]])
    Y = np.eye(3)[:, [0, 2, 2]]
    assert network.accuracy(X, Y) == pytest.approx(2 / 3)


# ----------------------------------------------------------------- the fused pass
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_compute_gradients_agrees_with_forward_and_backward(output: str, dtype: str) -> None:
    network, X, Y = random_problem([4, 6, 5, 3], "tanh", output, m=9, seed=2)
    network = network.astype(dtype)
    _, caches = network.forward(X)
    grads = network.backward(Y, caches)
    expected = np.concatenate(  # the blocks [dW | db], as the parameter vector lays them out
        [np.hstack([grads[f"dW{layer}"], grads[f"db{layer}"]]).ravel() for layer in (1, 2, 3)]
    )
    expected_cost = network.cost(X, Y)
    cost, gradient = network.compute_gradients(X, Y)
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    assert cost == pytest.approx(expected_cost, rel=tolerance)
    np.testing.assert_allclose(gradient, expected, rtol=tolerance, atol=tolerance)
    np.testing.assert_array_equal(network.gradient_vector, gradient)  # the live buffer


def test_train_step_is_one_gradient_descent_step() -> None:
    network, X, Y = random_problem([3, 4, 1], "relu", "sigmoid", m=10, seed=3)
    before = network.parameter_vector.copy()
    cost, gradient = network.compute_gradients(X, Y)
    assert network.train_step(X, Y, 0.3) == cost
    np.testing.assert_allclose(network.parameter_vector, before - 0.3 * gradient, rtol=1e-15)
    assert network.cost(X, Y) < cost


def test_backward_returns_every_named_gradient() -> None:
    network, X, Y = random_problem([3, 4, 2, 1], "sigmoid", "sigmoid", m=5, seed=4)
    _, caches = network.forward(X)
    grads = network.backward(Y, caches)
    assert sorted(grads) == sorted(
        ["dZ1", "dZ2", "dZ3", "dW1", "dW2", "dW3", "db1", "db2", "db3", "dA0", "dA1", "dA2"]
    )
    assert grads["dA0"].shape == (3, 5) and grads["db2"].shape == (2, 1)
    # The course's relations between them hold exactly as computed:
    np.testing.assert_allclose(grads["dZ3"], caches["A3"] - Y)
    np.testing.assert_allclose(grads["dW3"], grads["dZ3"] @ caches["A2"].T / 5)
    np.testing.assert_allclose(grads["db3"], grads["dZ3"].sum(axis=1, keepdims=True) / 5)
    np.testing.assert_allclose(grads["dA2"], network.params["W3"].T @ grads["dZ3"])
    A2 = caches["A2"]
    np.testing.assert_allclose(grads["dZ2"], grads["dA2"] * A2 * (1 - A2))
