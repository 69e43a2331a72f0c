"""The layers' passes written as the derivations write them, one entry at a time.

Plain loops over examples, channels and output positions, as course 4's ``conv_forward``,
``conv_backward``, ``pool_forward`` and ``pool_backward`` run them, and batch norm through
its staged graph (dx̂, dσ², dμ, then dx). Slow and readable: the tests hold the vectorised
layers (:mod:`.conv`, :mod:`.pooling`, :mod:`.batchnorm`) equal to these. Shapes are the
layers' own: X (m, C, H, W), W (F, C, k, k), b (F,).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "batchnorm_backward",
    "batchnorm_forward",
    "conv_backward",
    "conv_forward",
    "pool_backward",
    "pool_forward",
]

Array = np.ndarray


def _pad(X: Array, p: int) -> Array:
    return np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


def conv_forward(X: Array, W: Array, b: Array, stride: int, padding: int) -> Array:
    """Z[n, f, h, w] = b[f] + Σ_{c,i,j} W[f, c, i, j] X_p[n, c, s·h + i, s·w + j]."""
    m, _, H, Wd = X.shape
    F, _, k, _ = W.shape
    Xp = _pad(X, padding)
    out_h = (H + 2 * padding - k) // stride + 1
    out_w = (Wd + 2 * padding - k) // stride + 1
    Z = np.zeros((m, F, out_h, out_w))
    for n in range(m):
        for f in range(F):
            for h in range(out_h):
                for w in range(out_w):
                    window = Xp[n, :, h * stride : h * stride + k, w * stride : w * stride + k]
                    Z[n, f, h, w] = np.sum(window * W[f]) + b[f]
    return Z


def conv_backward(
    dZ: Array, X: Array, W: Array, stride: int, padding: int
) -> tuple[Array, Array, Array]:
    """(dX, dW, db): every window's gradient dZ[n, f, h, w] goes to W[f] (times the window)
    and to the window (times W[f])."""
    k = W.shape[2]
    Xp = _pad(X, padding)
    dXp = np.zeros_like(Xp)
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[0])
    m, F, out_h, out_w = dZ.shape
    for n in range(m):
        for f in range(F):
            for h in range(out_h):
                for w in range(out_w):
                    rows = slice(h * stride, h * stride + k)
                    cols = slice(w * stride, w * stride + k)
                    dXp[n, :, rows, cols] += W[f] * dZ[n, f, h, w]
                    dW[f] += Xp[n, :, rows, cols] * dZ[n, f, h, w]
                    db[f] += dZ[n, f, h, w]
    H, Wd = X.shape[2:]
    return dXp[:, :, padding : padding + H, padding : padding + Wd], dW, db


def pool_forward(X: Array, size: int, stride: int, mode: str) -> Array:
    """The max (``mode="max"``) or the mean (``"average"``) of every size×size window."""
    m, C, H, W = X.shape
    out_h, out_w = (H - size) // stride + 1, (W - size) // stride + 1
    Y = np.zeros((m, C, out_h, out_w))
    for n in range(m):
        for c in range(C):
            for h in range(out_h):
                for w in range(out_w):
                    window = X[n, c, h * stride : h * stride + size, w * stride : w * stride + size]
                    Y[n, c, h, w] = window.max() if mode == "max" else window.mean()
    return Y


def pool_backward(dY: Array, X: Array, size: int, stride: int, mode: str) -> Array:
    """dX: each window's gradient to its first maximum (the mask of np.argmax), or shared
    evenly, 1/size², among its entries."""
    dX = np.zeros_like(X)
    m, C, out_h, out_w = dY.shape
    for n in range(m):
        for c in range(C):
            for h in range(out_h):
                for w in range(out_w):
                    rows = slice(h * stride, h * stride + size)
                    cols = slice(w * stride, w * stride + size)
                    if mode == "max":
                        window = X[n, c, rows, cols]
                        mask = np.zeros(window.size)
                        mask[np.argmax(window)] = 1.0
                        dX[n, c, rows, cols] += mask.reshape(window.shape) * dY[n, c, h, w]
                    else:
                        dX[n, c, rows, cols] += dY[n, c, h, w] / (size * size)
    return dX


def batchnorm_forward(x: Array, gamma: Array, beta: Array, epsilon: float) -> Array:
    """y = γ x̂ + β for x (M, C), each column normalised by its mean and 1/M variance."""
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + epsilon) + beta


def batchnorm_backward(
    dy: Array, x: Array, gamma: Array, epsilon: float
) -> tuple[Array, Array, Array]:
    """(dx, dγ, dβ) by the staged route: dx̂ = γ dy; dσ² and dμ summed over the batch; then
    dx = dx̂/√(σ² + ε) + dσ² · 2(x - μ)/M + dμ/M."""
    M = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    xhat = (x - mu) / np.sqrt(var + epsilon)
    dbeta = dy.sum(axis=0)
    dgamma = (dy * xhat).sum(axis=0)
    dxhat = gamma * dy
    dvar = (dxhat * (x - mu) * -0.5 * (var + epsilon) ** -1.5).sum(axis=0)
    dmu = (dxhat * -1.0 / np.sqrt(var + epsilon)).sum(axis=0)
    dx = dxhat / np.sqrt(var + epsilon) + dvar * 2 * (x - mu) / M + dmu / M
    return dx, dgamma, dbeta
