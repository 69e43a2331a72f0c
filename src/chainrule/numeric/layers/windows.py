"""Sliding windows over images as strided views, and their gradients added back.

For an image batch X (m, C, H, W), a k×k window moved by stride s::

    windows(X)[n, c, i, j, h, w] = X[n, c, s·h + i, s·w + j]      (m, C, k, k, H_out, W_out)

with H_out = ⌊(H - k)/s⌋ + 1; a view (``numpy.lib.stride_tricks.as_strided``), no copy.
:func:`add_windows` is its adjoint: it adds a gradient of the windows' shape back into the
image, one strided slice per kernel offset (k² array operations, no loop over pixels).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from chainrule.errors import InputError

__all__ = ["add_windows", "output_size", "windows"]

Array = np.ndarray


def output_size(size: int, window: int, stride: int, padding: int, layer: str) -> int:
    """⌊(size + 2p - k)/s⌋ + 1, or an InputError when the window does not fit."""
    if size + 2 * padding < window:
        raise InputError(
            f"layer {layer!r}: a window of {window} does not fit an input of {size} "
            f"with padding {padding}"
        )
    return (size + 2 * padding - window) // stride + 1


def windows(X: Array, window: int, stride: int, out_h: int, out_w: int) -> Array:
    """The read-only view (m, C, k, k, H_out, W_out) of every window of X (m, C, H, W)."""
    sm, sc, sh, sw = X.strides
    m, C = X.shape[:2]
    return as_strided(
        X,
        shape=(m, C, window, window, out_h, out_w),
        strides=(sm, sc, sh, sw, sh * stride, sw * stride),
        writeable=False,
    )


def add_windows(dX: Array, d_windows: Array, stride: int) -> Array:
    """dX[n, c, s·h + i, s·w + j] += d_windows[n, c, i, j, h, w] for every window entry;
    dX (m, C, H, W), d_windows (m, C, k, k, H_out, W_out). Returns dX."""
    k, out_h, out_w = d_windows.shape[2], d_windows.shape[4], d_windows.shape[5]
    for i in range(k):
        rows = slice(i, i + stride * (out_h - 1) + 1, stride)
        for j in range(k):
            cols = slice(j, j + stride * (out_w - 1) + 1, stride)
            dX[:, :, rows, cols] += d_windows[:, :, i, j]
    return dX
