"""The fully connected layer, batch-first: the dense layer equations with rows as examples.

For X of shape (m, n_in), W (n_out, n_in) and b (n_out,), with the derivations' W[l]
(there Z = W A + b with columns as examples, here its transpose)::

    forward    Z = X Wᵀ + b                      (m, n_out)
    backward   dW = dZᵀ X     (n_out, n_in)      db = Σ_rows dZ   (n_out,)
               dX = dZ W      (m, n_in)

dZ is the gradient of the mean cost, so it already carries the 1/m of dW = (1/m) dZ A[l-1]ᵀ.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.checks import by_name
from chainrule.numeric.init import INITIALIZERS
from chainrule.numeric.layers.base import NO_GRADIENT, Layer, Shape, positive_int, shape_text
from chainrule.numeric.layers.buffers import Buffers

__all__ = ["Dense"]

Array = np.ndarray


class Dense(Layer):
    """A fully connected layer of ``units`` outputs (no activation: follow it with one).

    Parameters: ``W`` (units, n_in) drawn by the model's init scheme, ``b`` (units,) zero.
    With ``bias=False`` there is no b: before a batch norm, whose mean subtraction cancels
    any b (its gradient is exactly 0), the shift β takes its place.
    """

    kind = "dense"
    decayed = ("W",)

    def __init__(self, units: int, bias: bool = True) -> None:
        super().__init__()
        self.units = positive_int("units", units)
        self.bias = bool(bias)
        self._buffers = Buffers()
        self._X: Array | None = None

    def output_shape_for(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 1:
            raise InputError(
                f"layer {self.describe()!r} takes flat inputs (n,) per example, got "
                f"{shape_text(input_shape)} (put 'flatten' before it)"
            )
        return (self.units,)

    def parameter_shapes(self) -> dict[str, Shape]:
        shapes: dict[str, Shape] = {"W": (self.units, self.input_shape[0])}
        if self.bias:
            shapes["b"] = (self.units,)
        return shapes

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        draw = by_name(init, INITIALIZERS, "init")
        self.params["W"][...] = draw(rng, self.units, self.input_shape[0])
        if self.bias:
            self.params["b"].fill(0)

    def config(self) -> dict[str, Any]:
        return {"units": self.units, "bias": self.bias}

    def forward(self, X: Array, training: bool) -> Array:
        """Z = X Wᵀ + b, X (m, n_in) -> Z (m, units)."""
        self._X = X
        Z = self._buffers.get("Z", (X.shape[0], self.units), self.dtype)
        np.matmul(X, self.params["W"].T, out=Z)
        if self.bias:
            np.add(Z, self.params["b"], out=Z)
        return Z

    def backward(self, dY: Array) -> Array:
        """dW = dZᵀ X, db = Σ_rows dZ; returns dX = dZ W (m, n_in) (empty when the model
        needs no input gradient)."""
        X = self._X
        assert X is not None, "backward() before forward()"
        np.matmul(dY.T, X, out=self.grads["W"])
        if self.bias:
            np.sum(dY, axis=0, out=self.grads["b"])
        if not self.needs_input_gradient:
            return NO_GRADIENT
        dX = self._buffers.get("dX", X.shape, self.dtype)
        np.matmul(dY, self.params["W"], out=dX)
        return dX

    def describe(self) -> str:
        return f"dense:{self.units}" + ("" if self.bias else ":nobias")
