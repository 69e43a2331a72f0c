"""Flatten: one example's array (C, H, W), or any shape, becomes a vector (C·H·W,).

Row-major order, as ``numpy.reshape`` and ``torch.flatten`` take it; the backward pass
reshapes the gradient back. Both are views when the input is contiguous.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.numeric.layers.base import Layer, Shape

__all__ = ["Flatten"]

Array = np.ndarray


class Flatten(Layer):
    """(m, d1, d2, ...) -> (m, d1·d2·...)."""

    kind = "flatten"

    def output_shape_for(self, input_shape: Shape) -> Shape:
        return (math.prod(input_shape),)

    def forward(self, X: Array, training: bool) -> Array:
        return X.reshape(X.shape[0], -1)

    def backward(self, dY: Array) -> Array:
        return dY.reshape(dY.shape[0], *self.input_shape)
