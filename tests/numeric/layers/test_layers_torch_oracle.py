"""Each layer's forward and backward against PyTorch autograd, at random shapes, strides
and paddings (conv2d, batch_norm, max_pool2d, avg_pool2d), and a planted fault caught."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from layer_checks import built

from chainrule.numeric.layers import AvgPool2D, BatchNorm, Conv2D, MaxPool2D

torch = pytest.importorskip("torch")
F = torch.nn.functional

CASES = 6


def _torch_grads(function, *arrays: np.ndarray, G: np.ndarray) -> tuple:
    tensors = [torch.tensor(array, requires_grad=True) for array in arrays]
    output = function(*tensors)
    (output * torch.tensor(G)).sum().backward()
    return output.detach().numpy(), [tensor.grad.numpy() for tensor in tensors]


def _draws(seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(CASES):
        yield rng


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv2d(dtype: str) -> None:
    for rng in _draws(10):
        m, C, filters, k = (int(v) for v in rng.integers(1, 4, 4))
        k += 1
        stride, padding = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        H, W = (int(v) for v in rng.integers(k, k + 6, 2))
        layer = Conv2D(filters, k, stride, padding)
        layer.build((C, H, W), np.dtype(dtype), rng)
        Wt = rng.standard_normal((filters, C, k, k)).astype(dtype)
        b = rng.standard_normal(filters).astype(dtype)
        layer.bind({"W": Wt.copy(), "b": b.copy()}, {"W": np.zeros_like(Wt), "b": np.zeros_like(b)})
        X = rng.standard_normal((m, C, H, W)).astype(dtype)
        Z = layer.forward(X, True).copy()
        G = rng.standard_normal(Z.shape).astype(dtype)
        dX = np.array(layer.backward(G))
        expected, (tdX, tdW, tdb) = _torch_grads(
            partial(F.conv2d, stride=stride, padding=padding), X, Wt, b, G=G
        )
        tolerance = 1e-10 if dtype == "float64" else 1e-4
        for ours, theirs in (
            (Z, expected),
            (dX, tdX),
            (layer.grads["W"], tdW),
            (layer.grads["b"], tdb),
        ):
            assert np.allclose(ours, theirs, atol=tolerance, rtol=tolerance)


@pytest.mark.parametrize("layer_class", [MaxPool2D, AvgPool2D])
def test_pooling(layer_class: type) -> None:
    function = F.max_pool2d if layer_class is MaxPool2D else F.avg_pool2d
    for rng in _draws(20):
        m, C = (int(v) for v in rng.integers(1, 4, 2))
        size, stride = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        H, W = (int(v) for v in rng.integers(size, size + 6, 2))
        layer = built(layer_class(size, stride), (C, H, W))
        X = rng.integers(-3, 4, (m, C, H, W)).astype(float)  # small integers: many ties
        Y = layer.forward(X, True).copy()
        G = rng.standard_normal(Y.shape)
        expected, (tdX,) = _torch_grads(partial(function, kernel_size=size, stride=stride), X, G=G)
        assert np.allclose(Y, expected, atol=1e-12)
        assert np.allclose(layer.backward(G), tdX, atol=1e-12)


def test_batch_norm() -> None:
    for rng in _draws(30):
        shape = [(int(rng.integers(2, 9)), int(rng.integers(1, 6)))]
        shape.append((*shape[0], int(rng.integers(1, 4)), int(rng.integers(1, 4))))
        for dims in shape:
            momentum = float(rng.uniform(0.5, 0.99))
            layer = built(BatchNorm(momentum), dims[1:])
            gamma, beta = layer.params["gamma"].copy(), layer.params["beta"].copy()
            X = rng.standard_normal(dims)
            running_mean, running_var = (
                torch.zeros(dims[1], dtype=torch.float64),
                torch.ones(dims[1], dtype=torch.float64),
            )
            Y = layer.forward(X, True).copy()
            G = rng.standard_normal(Y.shape)
            expected, (tdX, tdg, tdb) = _torch_grads(
                lambda x, g, c, mean=running_mean, var=running_var, rho=momentum: F.batch_norm(
                    x, mean, var, g, c, True, 1 - rho, 1e-5
                ),
                X, gamma, beta, G=G,
            )  # fmt: skip
            assert np.allclose(Y, expected, atol=1e-12)
            assert np.allclose(layer.backward(G), tdX, atol=1e-10)
            assert np.allclose(layer.grads["gamma"], tdg, atol=1e-10)
            assert np.allclose(layer.grads["beta"], tdb, atol=1e-10)
            assert np.allclose(layer.running_mean, running_mean.numpy(), atol=1e-12)
            assert np.allclose(layer.running_var, running_var.numpy(), atol=1e-12)
            Y_inference = layer.forward(X, False)
            with torch.no_grad():
                reference = F.batch_norm(
                    torch.tensor(X), running_mean, running_var, torch.tensor(gamma),
                    torch.tensor(beta), False, 0.0, 1e-5,
                )  # fmt: skip
            assert np.allclose(Y_inference, reference.numpy(), atol=1e-12)


class _AllMaximaPool(MaxPool2D):
    """A planted fault: the course's x == max mask, where every tied maximum gets the whole
    gradient of its window."""

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dX = np.zeros(self._x_shape)
        f, s = self.size, self.stride
        for h in range(dY.shape[2]):
            for w in range(dY.shape[3]):
                window = self._X[:, :, h * s : h * s + f, w * s : w * s + f]
                mask = window == window.max(axis=(2, 3), keepdims=True)
                dX[:, :, h * s : h * s + f, w * s : w * s + f] += (
                    mask * dY[:, :, h : h + 1, w : w + 1]
                )
        return dX

    def forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        self._X = X
        return super().forward(X, training)


def test_the_oracle_catches_a_tie_rule_other_than_the_first_maximum() -> None:
    X = np.array([[[[1.0, 1.0], [0.0, 1.0]]]])
    G = np.ones((1, 1, 1, 1))
    _, (expected,) = _torch_grads(lambda x: F.max_pool2d(x, 2), X, G=G)
    right, fault = built(MaxPool2D(2), (1, 2, 2)), built(_AllMaximaPool(2), (1, 2, 2))
    right.forward(X, True)
    fault.forward(X, True)
    assert np.array_equal(right.backward(G), expected)
    assert not np.array_equal(fault.backward(G), expected)
