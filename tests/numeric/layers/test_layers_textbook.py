"""The vectorised layers equal the textbook loops of :mod:`chainrule.numeric.layers.textbook`."""

from __future__ import annotations

import numpy as np
import pytest
from layer_checks import built

from chainrule.numeric.layers import AvgPool2D, BatchNorm, Conv2D, MaxPool2D, textbook


@pytest.mark.parametrize(("k", "stride", "padding"), [(3, 1, 1), (3, 2, 1), (2, 2, 0), (3, 3, 2)])
def test_conv_equals_the_loops(k: int, stride: int, padding: int) -> None:
    rng = np.random.default_rng(k * 10 + stride + padding)
    layer = built(Conv2D(3, k, stride, padding), (2, 7, 6))
    X = rng.standard_normal((2, 2, 7, 6))
    Z = layer.forward(X, True).copy()
    W, b = layer.params["W"], layer.params["b"]
    assert np.allclose(Z, textbook.conv_forward(X, W, b, stride, padding), atol=1e-12)
    G = rng.standard_normal(Z.shape)
    dX, dW, db = textbook.conv_backward(G, X, W, stride, padding)
    assert np.allclose(layer.backward(G), dX, atol=1e-12)
    assert np.allclose(layer.grads["W"], dW, atol=1e-12)
    assert np.allclose(layer.grads["b"], db, atol=1e-12)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_pooling_equals_the_loops(mode: str, size: int, stride: int) -> None:
    rng = np.random.default_rng(size + stride)
    layer = built((MaxPool2D if mode == "max" else AvgPool2D)(size, stride), (2, 7, 6))
    X = rng.integers(-2, 3, (2, 2, 7, 6)).astype(float)  # ties on purpose
    Y = layer.forward(X, True).copy()
    assert np.allclose(Y, textbook.pool_forward(X, size, stride, mode))
    G = rng.standard_normal(Y.shape)
    assert np.allclose(layer.backward(G), textbook.pool_backward(G, X, size, stride, mode))


def test_batchnorm_equals_the_staged_route() -> None:
    rng = np.random.default_rng(5)
    layer = built(BatchNorm(), (4,))
    X = rng.standard_normal((6, 4))
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    Y = layer.forward(X, True).copy()
    assert np.allclose(Y, textbook.batchnorm_forward(X, gamma, beta, layer.epsilon))
    G = rng.standard_normal(Y.shape)
    dX, dgamma, dbeta = textbook.batchnorm_backward(G, X, gamma, layer.epsilon)
    assert np.allclose(layer.backward(G), dX)
    assert np.allclose(layer.grads["gamma"], dgamma)
    assert np.allclose(layer.grads["beta"], dbeta)
