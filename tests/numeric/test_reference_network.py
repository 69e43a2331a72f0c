"""The plain reference network is the oracle of the fast one: on random networks of several
depths, activations and outputs, with L2 and with dropout sharing one mask, forward, cost and
backward agree array by array. The reference itself is checked against central differences,
and it imports without SymPy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from numeric_problems import random_problem

from chainrule.numeric import ACTIVATIONS, OUTPUTS, reference
from chainrule.numeric.gradcheck import numeric_gradient, relative_error

CASES = [
    ([3, 1], "relu", "sigmoid", 5),  # logistic regression: no hidden layer
    ([4, 5, 1], "tanh", "sigmoid", 7),
    ([4, 6, 3], "relu", "softmax", 8),
    ([3, 5, 4, 2], "sigmoid", "linear", 6),
    ([5, 4, 4, 3, 3], "leaky_relu", "softmax", 9),
]


def plain_problem(sizes, activation, output, m, seed):
    network, X, Y = random_problem(sizes, activation, output, m, seed)
    hidden = [ACTIVATIONS[activation]] * (len(sizes) - 2)
    params = {name: value.copy() for name, value in network.params.items()}
    return network, X, Y, params, hidden, OUTPUTS[output]


def assert_same(fast: dict, plain: dict, names) -> None:
    for name in names:
        np.testing.assert_allclose(fast[name], plain[name], rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize(("sizes", "activation", "output", "m"), CASES)
@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_the_fast_network_computes_what_the_reference_writes(sizes, activation, output, m, l2):
    network, X, Y, params, hidden, out = plain_problem(sizes, activation, output, m, seed=m)
    AL, caches = network.forward(X)
    plain_AL, plain_caches = reference.forward(X, params, hidden, out)
    assert_same(caches, plain_caches, plain_caches)
    np.testing.assert_allclose(AL, plain_AL, rtol=1e-12)
    expected_cost = reference.cost(plain_caches, Y, params, out, l2=l2)
    assert network.cost(X, Y, l2=l2) == pytest.approx(expected_cost, rel=1e-12)
    grads = network.backward(Y, caches, l2=l2)
    plain = reference.backward(plain_caches, Y, params, hidden, out, l2=l2)
    assert sorted(grads) == sorted(plain)
    assert_same(grads, plain, plain)


@pytest.mark.parametrize(("sizes", "activation", "output", "m"), CASES[1:])
def test_dropout_with_the_same_masks_gives_the_same_gradients(sizes, activation, output, m):
    network, X, Y, params, hidden, out = plain_problem(sizes, activation, output, m, seed=3)
    keep = tuple(0.5 + 0.1 * k for k in range(len(hidden)))
    _, caches = network.forward(X, keep_prob=keep)
    masks = {name: value for name, value in caches.items() if name.startswith("D")}
    assert len(masks) == len(hidden)
    _, plain_caches = reference.forward(X, params, hidden, out, keep_prob=keep, masks=masks)
    assert_same(caches, plain_caches, plain_caches)
    grads = network.backward(Y, caches, l2=0.2, keep_prob=keep)
    plain = reference.backward(plain_caches, Y, params, hidden, out, l2=0.2, keep_prob=keep)
    assert_same(grads, plain, plain)


@pytest.mark.parametrize(("sizes", "activation", "output", "m"), CASES)
def test_the_reference_itself_agrees_with_central_differences(sizes, activation, output, m):
    _, X, Y, params, hidden, out = plain_problem(sizes, activation, output, m, seed=11)
    _, caches = reference.forward(X, params, hidden, out)
    grads = reference.backward(caches, Y, params, hidden, out, l2=0.3)

    def J() -> float:
        return reference.cost(reference.forward(X, params, hidden, out)[1], Y, params, out, l2=0.3)

    for name, array in params.items():
        assert relative_error(grads[f"d{name}"], numeric_gradient(J, array, 1e-6)) < 1e-7, name


def test_a_planted_fault_in_the_fast_backward_is_caught() -> None:
    network, X, Y, params, hidden, out = plain_problem([4, 5, 3, 1], "tanh", "sigmoid", 6, 0)
    _, caches = network.forward(X)
    grads = network.backward(Y, caches)
    grads["dW2"] = grads["dW2"] * (1 + 1e-6)  # a gradient off by one part in a million
    plain = reference.backward(reference.forward(X, params, hidden, out)[1], Y, params, hidden, out)
    with pytest.raises(AssertionError, match="dW2"):
        assert_same(grads, plain, plain)


def test_the_reference_imports_without_sympy() -> None:
    code = "import chainrule.numeric.reference, sys; assert 'sympy' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
