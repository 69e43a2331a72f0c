"""The 2-D convolution layer (cross-correlation, as the frameworks compute it), from the
equations of ``chainrule derive conv``, batch-first and channels-first.

X (m, C, H, W), kernels W (F, C, k, k), biases b (F,), stride s, zero padding p; X_p is X
padded by p on each side of H and W::

    Z[n, f, h, w] = b[f] + Σ_{c,i,j} W[f, c, i, j] X_p[n, c, s·h + i, s·w + j]
                                                  (m, F, H_out, W_out), H_out = ⌊(H + 2p - k)/s⌋ + 1

The im2col route of the derivation runs it: col[n] (C·k·k, H_out·W_out) holds every window
of example n as a column, W_col (F, C·k·k) is W flattened, and::

    Z_col[n] = W_col col[n] + b        dW_col = Σ_n dZ_col[n] col[n]ᵀ      db = Σ dZ
    dcol[n] = W_colᵀ dZ_col[n]         dX_p = col2im(dcol)   (each window entry added back)

dX is the interior of dX_p. The derivation's layout (course 4) is W (k, k, C, F) and
A_prev (m, H, W, C); here W[f, c, i, j] is its W[i, j, c, f] and X[n, c, h, w] its
A_prev[n, h, w, c] (PyTorch's layout). col is one copy of the strided windows view
(:mod:`.windows`); the products are batched matrix products; col2im is k² strided adds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.checks import by_name
from chainrule.numeric.init import INITIALIZERS
from chainrule.numeric.layers.base import NO_GRADIENT, Layer, Shape, positive_int
from chainrule.numeric.layers.buffers import Buffers
from chainrule.numeric.layers.windows import add_windows, output_size, windows

__all__ = ["Conv2D"]

Array = np.ndarray


class Conv2D(Layer):
    """``filters`` kernels of ``size``×``size`` over C channels, with stride and padding;
    ``bias=False`` leaves b out (before a batch norm, which cancels it)."""

    kind = "conv"
    decayed = ("W",)

    def __init__(
        self, filters: int, size: int, stride: int = 1, padding: int = 0, bias: bool = True
    ) -> None:
        super().__init__()
        self.bias = bool(bias)
        self.filters = positive_int("filters", filters)
        self.size = positive_int("size", size)
        self.stride = positive_int("stride", stride)
        if not isinstance(padding, (int, np.integer)) or isinstance(padding, bool) or padding < 0:
            raise InputError(f"'padding' must be an integer >= 0 (got {padding!r})")
        self.padding = int(padding)
        self._buffers = Buffers()
        self._cols: Array | None = None
        self._x_shape: tuple[int, ...] = ()

    def output_shape_for(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise InputError(
                f"layer {self.describe()!r} takes images (C, H, W) per example (got "
                f"{input_shape}; give --input-shape such as 1x8x8)"
            )
        _, H, W = input_shape
        k, s, p = self.size, self.stride, self.padding
        name = self.describe()
        return (self.filters, output_size(H, k, s, p, name), output_size(W, k, s, p, name))

    def parameter_shapes(self) -> dict[str, Shape]:
        C = self.input_shape[0]
        shapes: dict[str, Shape] = {"W": (self.filters, C, self.size, self.size)}
        if self.bias:
            shapes["b"] = (self.filters,)
        return shapes

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        draw = by_name(init, INITIALIZERS, "init")
        fan_in = self.input_shape[0] * self.size * self.size
        self.params["W"][...] = draw(rng, self.filters, fan_in).reshape(self.params["W"].shape)
        if self.bias:
            self.params["b"].fill(0)

    def config(self) -> dict[str, Any]:
        return {
            "filters": self.filters, "size": self.size,
            "stride": self.stride, "padding": self.padding, "bias": self.bias,
        }  # fmt: skip

    def _padded(self, X: Array) -> Array:
        """X padded with p zeros on each side of H and W, in a reused buffer (X itself for
        p = 0)."""
        p = self.padding
        if p == 0:
            return X
        m, C, H, W = X.shape
        Xp = self._buffers.get("Xp", (m, C, H + 2 * p, W + 2 * p), self.dtype)
        Xp[:, :, :p].fill(0)
        Xp[:, :, H + p :].fill(0)
        Xp[:, :, p : H + p, :p].fill(0)
        Xp[:, :, p : H + p, W + p :].fill(0)
        Xp[:, :, p : H + p, p : W + p] = X
        return Xp

    def forward(self, X: Array, training: bool) -> Array:
        """Z (m, F, H_out, W_out) for X (m, C, H, W): im2col, then one batched product."""
        m = X.shape[0]
        F, out_h, out_w = self.output_shape
        C, k = self.input_shape[0], self.size
        cols = self._buffers.get("col", (m, C, k, k, out_h, out_w), self.dtype)
        np.copyto(cols, windows(self._padded(X), k, self.stride, out_h, out_w))
        self._cols, self._x_shape = cols, X.shape
        Z = self._buffers.get("Z", (m, F, out_h, out_w), self.dtype)
        W_col = self.params["W"].reshape(F, C * k * k)
        np.matmul(W_col, cols.reshape(m, C * k * k, out_h * out_w), out=Z.reshape(m, F, -1))
        if self.bias:
            np.add(Z, self.params["b"][:, np.newaxis, np.newaxis], out=Z)
        return Z

    def backward(self, dY: Array) -> Array:
        """dW = Σ_n dZ_col[n] col[n]ᵀ, db = Σ dZ, dX = col2im(W_colᵀ dZ_col)."""
        cols = self._cols
        assert cols is not None, "backward() before forward()"
        m = dY.shape[0]
        F, out_h, out_w = self.output_shape
        C, k = self.input_shape[0], self.size
        dZ = np.ascontiguousarray(dY).reshape(m, F, out_h * out_w)
        cols3 = cols.reshape(m, C * k * k, out_h * out_w)
        if self.bias:
            np.einsum("nfp->f", dZ, out=self.grads["b"])
        per_example = self._buffers.get("dW_n", (m, F, C * k * k), self.dtype)
        np.matmul(dZ, cols3.transpose(0, 2, 1), out=per_example)
        np.sum(per_example, axis=0, out=self.grads["W"].reshape(F, C * k * k))
        if not self.needs_input_gradient:
            return NO_GRADIENT
        d_cols = self._buffers.get("dcol", cols.shape, self.dtype)
        W_col = self.params["W"].reshape(F, C * k * k)
        np.matmul(W_col.T, dZ, out=d_cols.reshape(m, C * k * k, -1))
        p = self.padding
        _, _, H, W = self._x_shape
        dXp = self._buffers.get("dXp", (m, C, H + 2 * p, W + 2 * p), self.dtype, zero=True)
        add_windows(dXp, d_cols, self.stride)
        return dXp if p == 0 else dXp[:, :, p : H + p, p : W + p]

    def describe(self) -> str:
        text = f"conv:{self.filters}:{self.size}"
        if self.stride != 1:
            text += f":s{self.stride}"
        if self.padding:
            text += f":pad{self.padding}"
        return text if self.bias else f"{text}:nobias"
