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


def _feature_columns(X: np.ndarray) -> np.ndarray:
    """(M, C): every value of a feature in one column, for rows, sequences and images."""
    return (
        np.moveaxis(X, 1, -1).reshape(-1, X.shape[1]) if X.ndim == 4 else X.reshape(-1, X.shape[-1])
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 4), (3, 4, 5, 2), (1, 2, 1, 1), (2, 3)])
def test_batchnorm_equals_the_staged_route(shape: tuple[int, ...], dtype: str) -> None:
    rng = np.random.default_rng(sum(shape))
    layer = built(BatchNorm(), shape[1:], np.dtype(dtype))
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, layer.features)
    layer.params["beta"][...] = rng.standard_normal(layer.features)
    X = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    G = rng.standard_normal(shape).astype(dtype)
    gamma, beta = (layer.params[name].astype(float) for name in ("gamma", "beta"))
    Y = layer.forward(X, True).copy()
    x, dy = _feature_columns(X).astype(float), _feature_columns(G).astype(float)
    tolerance = {"float64": 1e-10, "float32": 1e-5}[dtype]
    expected = textbook.batchnorm_forward(x, gamma, beta, layer.epsilon)
    assert np.allclose(_feature_columns(Y), expected, atol=tolerance)
    dX, dgamma, dbeta = textbook.batchnorm_backward(dy, x, gamma, layer.epsilon)
    assert np.allclose(_feature_columns(layer.backward(G)), dX, atol=tolerance)
    assert np.allclose(layer.grads["gamma"], dgamma, atol=tolerance * len(x))
    assert np.allclose(layer.grads["beta"], dbeta, atol=tolerance * len(x))


@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5, 2)])
def test_batchnorm_inference_uses_the_running_statistics(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    layer = built(BatchNorm(), shape[1:])
    layer.running_mean[...] = rng.standard_normal(layer.features)
    layer.running_var[...] = rng.uniform(0.5, 2.0, layer.features)
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, layer.features)
    X, G = rng.standard_normal(shape), rng.standard_normal(shape)
    scale = layer.params["gamma"] / np.sqrt(layer.running_var + layer.epsilon)
    xhat = (_feature_columns(X) - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    Y = layer.forward(X, False)
    assert np.allclose(_feature_columns(Y), xhat * layer.params["gamma"] + layer.params["beta"])
    dX = layer.backward(G)
    assert np.allclose(_feature_columns(dX), _feature_columns(G) * scale)
    assert np.allclose(layer.grads["gamma"], (_feature_columns(G) * xhat).sum(axis=0))
    assert np.allclose(layer.grads["beta"], _feature_columns(G).sum(axis=0))


def test_float32_batchnorm_keeps_its_precision_on_a_large_batch_far_from_zero() -> None:
    """Sums in float64: μ and σ² of 60000 float32 values around 1000 stay float32-exact."""
    rng = np.random.default_rng(8)
    X = (1000 + rng.standard_normal((60000, 3))).astype(np.float32)
    layer = built(BatchNorm(), (3,), np.dtype(np.float32))
    gamma, beta = (layer.params[name].astype(float) for name in ("gamma", "beta"))
    Y = layer.forward(X, True)
    expected = textbook.batchnorm_forward(X.astype(float), gamma, beta, 1e-5)
    assert np.abs(Y - expected).max() < 1e-4  # float32 sums would be off by 2e-3 in μ
