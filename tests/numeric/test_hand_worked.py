"""A 2-2-1 network worked by hand: sigmoid hidden units, sigmoid output, cross-entropy.

The weights are chosen so that every activation is a simple fraction, using
σ(0) = 1/2, σ(ln 3) = 1/(1 + 1/3) = 3/4 and σ(-ln 3) = 1/4. Write t = ln 3.

    W1 = [[t, 0], [0, -t]]   b1 = [[0], [0]]
    W2 = [[2t, -2t]]         b2 = [[0]]
    X  = [[1, 0],            two examples as columns: x1 = (1, 1), x2 = (0, 0)
          [1, 0]]
    Y  = [[1, 0]]            m = 2
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainrule.numeric import Network, gradient_check

t = math.log(3.0)


@pytest.fixture
def worked():
    network = Network([2, 2, 1], activation="sigmoid", output="sigmoid", seed=0)
    network.set_params(
        {
            "W1": np.array([[t, 0.0], [0.0, -t]]),
            "b1": np.zeros((2, 1)),
            "W2": np.array([[2 * t, -2 * t]]),
            "b2": np.zeros((1, 1)),
        }
    )
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    Y = np.array([[1.0, 0.0]])
    return network, X, Y


def test_forward_by_hand(worked) -> None:
    network, X, Y = worked
    AL, caches = network.forward(X)
    # Z1 = W1 X + b1: column 1 = (t·1 + 0·1, 0·1 - t·1) = (t, -t); column 2 = (0, 0).
    np.testing.assert_allclose(caches["Z1"], [[t, 0], [-t, 0]], atol=1e-15)
    # A1 = σ(Z1): σ(t) = 3/4, σ(-t) = 1/4, σ(0) = 1/2.
    np.testing.assert_allclose(caches["A1"], [[3 / 4, 1 / 2], [1 / 4, 1 / 2]], atol=1e-15)
    # Z2 = W2 A1: column 1 = 2t·3/4 - 2t·1/4 = t; column 2 = 2t·1/2 - 2t·1/2 = 0.
    np.testing.assert_allclose(caches["Z2"], [[t, 0]], atol=1e-15)
    # A2 = σ(Z2) = (3/4, 1/2).
    np.testing.assert_allclose(AL, [[3 / 4, 1 / 2]], atol=1e-15)


def test_cost_by_hand(worked) -> None:
    network, X, Y = worked
    # J = -(1/2)[1·ln(3/4) + (1 - 0)·ln(1 - 1/2)] = -(1/2)[ln 3 - ln 4 - ln 2]
    #   = (3 ln 2 - ln 3) / 2 ≈ 0.4904.
    assert network.cost(X, Y) == pytest.approx((3 * math.log(2) - t) / 2, rel=1e-14)


def test_every_gradient_by_hand(worked) -> None:
    network, X, Y = worked
    _, caches = network.forward(X)
    grads = network.backward(Y, caches)
    # dZ2 = A2 - Y = (3/4 - 1, 1/2 - 0) = (-1/4, 1/2).
    np.testing.assert_allclose(grads["dZ2"], [[-1 / 4, 1 / 2]], atol=1e-15)
    # dW2 = (1/2) dZ2 A1ᵀ = (1/2)(-1/4·3/4 + 1/2·1/2, -1/4·1/4 + 1/2·1/2)
    #     = (1/2)(1/16, 3/16) = (1/32, 3/32).
    np.testing.assert_allclose(grads["dW2"], [[1 / 32, 3 / 32]], atol=1e-15)
    # db2 = (1/2)(-1/4 + 1/2) = 1/8.
    np.testing.assert_allclose(grads["db2"], [[1 / 8]], atol=1e-15)
    # dA1 = W2ᵀ dZ2 = (2t, -2t)ᵀ (-1/4, 1/2) = [[-t/2, t], [t/2, -t]].
    np.testing.assert_allclose(grads["dA1"], [[-t / 2, t], [t / 2, -t]], atol=1e-15)
    # g'(Z1) = A1(1 - A1) = [[3/16, 1/4], [3/16, 1/4]];
    # dZ1 = dA1 * g'(Z1) = [[-3t/32, t/4], [3t/32, -t/4]].
    np.testing.assert_allclose(
        grads["dZ1"], [[-3 * t / 32, t / 4], [3 * t / 32, -t / 4]], atol=1e-15
    )
    # dW1 = (1/2) dZ1 Xᵀ with Xᵀ = [[1, 1], [0, 0]]: only example 1 (x = (1, 1)) counts,
    #     = (1/2)[[-3t/32, -3t/32], [3t/32, 3t/32]] = [[-3t/64, -3t/64], [3t/64, 3t/64]].
    np.testing.assert_allclose(
        grads["dW1"], [[-3 * t / 64, -3 * t / 64], [3 * t / 64, 3 * t / 64]], atol=1e-15
    )
    # db1 = (1/2)(-3t/32 + 8t/32, 3t/32 - 8t/32) = (5t/64, -5t/64).
    np.testing.assert_allclose(grads["db1"], [[5 * t / 64], [-5 * t / 64]], atol=1e-15)
    # dA0 = W1ᵀ dZ1 = [[t·dZ1 row 1], [-t·dZ1 row 2]] = [[-3t²/32, t²/4], [-3t²/32, t²/4]].
    np.testing.assert_allclose(
        grads["dA0"], [[-3 * t * t / 32, t * t / 4], [-3 * t * t / 32, t * t / 4]], atol=1e-15
    )


def test_the_hand_worked_gradients_pass_the_gradient_check(worked) -> None:
    network, X, Y = worked
    assert gradient_check(network, X, Y).passed


def test_predictions_by_hand(worked) -> None:
    network, X, Y = worked
    # 3/4 >= 1/2 and 1/2 >= 1/2: both predicted 1; the second is wrong.
    np.testing.assert_array_equal(network.predict(X), [[1, 1]])
    assert network.accuracy(X, Y) == 0.5
