"""Batch norm's passes as compiled loops: each reads its arrays once and writes one.

NumPy evaluates ``y = c · s + β`` or ``dx = k (dy - a c - b)`` one operation at a time, each a
full pass over the batch with the per-feature vector broadcast along it; batch norm is made of
such lines, so its time is the number of passes. Numba compiles the loops below (on first use,
cached on disk after) so that every line is one pass, written as the formula reads.

Two layouts, as :class:`.BatchNorm` views its input: *rows*, (M, C) with the feature last
(dense units, and sequences as (m·T, n)), and *channels*, (m, C, S) with S = H·W (images).
Sums run in float64 whatever the data's dtype, so a float32 batch of any size keeps float32's
precision in μ, σ² and the gradients' sums. Per-feature vectors come in as float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "affine_channels",
    "affine_rows",
    "centre_channels",
    "centre_rows",
    "combine_channels",
    "combine_rows",
    "sums_channels",
    "sums_rows",
]

Array = np.ndarray
_compiled = njit(cache=True, nogil=True)
#: A sum along a row of positions may be reassociated, so that it runs in SIMD lanes.
_compiled_sums = njit(cache=True, nogil=True, fastmath={"reassoc"})


@_compiled
def centre_rows(x: Array, centred: Array) -> tuple[Array, Array]:
    """μ and σ² (C,) of x (M, C) over its rows (two passes: the mean, then the centred
    squares), writing c = x - μ into ``centred`` (M, C)."""
    M, C = x.shape
    mean = np.zeros(C)
    for i in range(M):
        for j in range(C):
            mean[j] += x[i, j]
    mean /= M
    var = np.zeros(C)
    for i in range(M):
        for j in range(C):
            d = x[i, j] - mean[j]
            centred[i, j] = d
            var[j] += d * d
    return mean, var / M


@_compiled_sums
def centre_channels(x: Array, centred: Array) -> tuple[Array, Array]:
    """μ and σ² (C,) of x (m, C, S) over its examples and positions, writing c = x - μ."""
    m, C, S = x.shape
    mean = np.zeros(C)
    for i in range(m):
        for j in range(C):
            total = 0.0
            for k in range(S):
                total += x[i, j, k]
            mean[j] += total
    mean /= m * S
    var = np.zeros(C)
    for i in range(m):
        for j in range(C):
            mu = mean[j]
            total = 0.0
            for k in range(S):
                d = x[i, j, k] - mu
                centred[i, j, k] = d
                total += d * d
            var[j] += total
    return mean, var / (m * S)


@_compiled
def affine_rows(x: Array, scale: Array, shift: Array, y: Array) -> None:
    """y = x ⊙ scale + shift, per feature, on (M, C)."""
    M, C = x.shape
    s = scale.astype(x.dtype)
    b = shift.astype(x.dtype)
    for i in range(M):
        for j in range(C):
            y[i, j] = x[i, j] * s[j] + b[j]


@_compiled
def affine_channels(x: Array, scale: Array, shift: Array, y: Array) -> None:
    """y = x ⊙ scale + shift, per feature, on (m, C, S)."""
    m, C, S = x.shape
    s = scale.astype(x.dtype)
    b = shift.astype(x.dtype)
    for i in range(m):
        for j in range(C):
            for k in range(S):
                y[i, j, k] = x[i, j, k] * s[j] + b[j]


@_compiled
def sums_rows(dy: Array, x: Array, offset: Array) -> tuple[Array, Array]:
    """Σ dy and Σ dy ⊙ (x - offset) (C,) over the rows of (M, C), in one pass."""
    M, C = dy.shape
    total = np.zeros(C)
    product = np.zeros(C)
    for i in range(M):
        for j in range(C):
            g = dy[i, j]
            total[j] += g
            product[j] += g * (x[i, j] - offset[j])
    return total, product


@_compiled_sums
def sums_channels(dy: Array, x: Array, offset: Array) -> tuple[Array, Array]:
    """Σ dy and Σ dy ⊙ (x - offset) (C,) over the examples and positions of (m, C, S), in
    one pass."""
    m, C, S = dy.shape
    total = np.zeros(C)
    product = np.zeros(C)
    for i in range(m):
        for j in range(C):
            t = 0.0
            p = 0.0
            mu = offset[j]
            for k in range(S):
                g = dy[i, j, k]
                t += g
                p += g * (x[i, j, k] - mu)
            total[j] += t
            product[j] += p
    return total, product


@_compiled
def combine_rows(dy: Array, c: Array, k: Array, a: Array, b: Array, dx: Array) -> None:
    """dx = k ⊙ (dy - a ⊙ c - b), per feature, on (M, C)."""
    M, C = dy.shape
    kk = k.astype(dy.dtype)
    aa = a.astype(dy.dtype)
    bb = b.astype(dy.dtype)
    for i in range(M):
        for j in range(C):
            dx[i, j] = kk[j] * (dy[i, j] - aa[j] * c[i, j] - bb[j])


@_compiled
def combine_channels(dy: Array, c: Array, k: Array, a: Array, b: Array, dx: Array) -> None:
    """dx = k ⊙ (dy - a ⊙ c - b), per feature, on (m, C, S)."""
    m, C, S = dy.shape
    kk = k.astype(dy.dtype)
    aa = a.astype(dy.dtype)
    bb = b.astype(dy.dtype)
    for i in range(m):
        for j in range(C):
            for s in range(S):
                dx[i, j, s] = kk[j] * (dy[i, j, s] - aa[j] * c[i, j, s] - bb[j])
