"""Max and average pooling over f×f windows with stride s, from ``chainrule derive
maxpool`` and ``chainrule derive avgpool``; X (m, C, H, W) -> (m, C, H_out, W_out) with
H_out = ⌊(H - f)/s⌋ + 1::

    max:      Y[n,c,h,w] = max_{i,j} X[n, c, s·h + i, s·w + j]
              dX[n, c, s·h + i, s·w + j] += dY[n,c,h,w] at the window's maximum only
    average:  Y[n,c,h,w] = (1/f²) Σ_{i,j} X[n, c, s·h + i, s·w + j]
              dX[n, c, s·h + i, s·w + j] += dY[n,c,h,w] / f² for every entry of the window

At a tie the whole gradient goes to the first maximal entry in row-major order of the
window (``np.argmax``, as the derivation states and PyTorch does). Where windows overlap
(s < f) an entry collects the gradient of every window it is the maximum of (or part of).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.layers.base import Layer, Shape, positive_int
from chainrule.numeric.layers.buffers import Buffers
from chainrule.numeric.layers.windows import add_windows, output_size, windows

__all__ = ["AvgPool2D", "MaxPool2D"]

Array = np.ndarray


class _Pool2D(Layer):
    """What both poolings share: the window, the stride, the shapes."""

    def __init__(self, size: int, stride: int | None = None) -> None:
        super().__init__()
        self.size = positive_int("size", size)
        self.stride = self.size if stride is None else positive_int("stride", stride)
        self._buffers = Buffers()
        self._x_shape: tuple[int, ...] = ()

    def output_shape_for(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise InputError(
                f"layer {self.describe()!r} takes images (C, H, W) per example (got {input_shape})"
            )
        C, H, W = input_shape
        f, s, name = self.size, self.stride, self.describe()
        return (C, output_size(H, f, s, 0, name), output_size(W, f, s, 0, name))

    def config(self) -> dict[str, Any]:
        return {"size": self.size, "stride": self.stride}

    def _windows(self, X: Array) -> Array:
        _, out_h, out_w = self.output_shape
        return windows(X, self.size, self.stride, out_h, out_w)

    def describe(self) -> str:
        text = f"{self.kind}:{self.size}"
        return text if self.stride == self.size else f"{text}:s{self.stride}"


class MaxPool2D(_Pool2D):
    """The maximum of every f×f window (ties: the first, as ``np.argmax``)."""

    kind = "maxpool"

    def __init__(self, size: int, stride: int | None = None) -> None:
        super().__init__(size, stride)
        self._argmax = np.zeros(0, np.intp)  # (m, C, H_out, W_out): each window's first max

    def forward(self, X: Array, training: bool) -> Array:
        m, C = X.shape[:2]
        _, out_h, out_w = self.output_shape
        f2 = self.size * self.size
        # (m, C, H_out, W_out, f²): each window's entries in row-major order, one copy
        flat = self._buffers.get("flat", (m, C, out_h, out_w, f2), self.dtype)
        flat.reshape(m, C, out_h, out_w, self.size, self.size)[...] = self._windows(X).transpose(
            0, 1, 4, 5, 2, 3
        )
        self._argmax = np.argmax(flat, axis=-1)
        self._x_shape = X.shape
        Y = self._buffers.get("Y", (m, C, out_h, out_w), self.dtype)
        Y[...] = np.take_along_axis(flat, self._argmax[..., np.newaxis], axis=-1)[..., 0]
        return Y

    def backward(self, dY: Array) -> Array:
        """dY to each window's first maximum, added up where windows overlap."""
        f = self.size
        dX = self._buffers.get("dX", self._x_shape, self.dtype, zero=True)
        d_windows = self._buffers.get("dwin", (*dY.shape[:2], f, f, *dY.shape[2:]), self.dtype)
        for q in range(f * f):
            np.multiply(dY, self._argmax == q, out=d_windows[:, :, q // f, q % f])
        return add_windows(dX, d_windows, self.stride)


class AvgPool2D(_Pool2D):
    """The mean of every f×f window."""

    kind = "avgpool"

    def forward(self, X: Array, training: bool) -> Array:
        m, C = X.shape[:2]
        _, out_h, out_w = self.output_shape
        self._x_shape = X.shape
        Y = self._buffers.get("Y", (m, C, out_h, out_w), self.dtype)
        np.einsum("ncijhw->nchw", self._windows(X), out=Y)
        np.multiply(Y, 1.0 / (self.size * self.size), out=Y)
        return Y

    def backward(self, dY: Array) -> Array:
        """dY / f² to every entry of its window, added up where windows overlap."""
        f = self.size
        dX = self._buffers.get("dX", self._x_shape, self.dtype, zero=True)
        share = np.multiply(dY, 1.0 / (f * f))
        d_windows = np.broadcast_to(
            share[:, :, np.newaxis, np.newaxis], (*dY.shape[:2], f, f, *dY.shape[2:])
        )
        return add_windows(dX, d_windows, self.stride)
