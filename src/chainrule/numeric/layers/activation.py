"""An activation as a layer of its own: A = g(Z) element-wise, any shape.

The functions come from the table of :mod:`chainrule.numeric.activations` (the hidden
activations of :class:`~chainrule.numeric.network.Network`)::

    forward    A = g(Z)            backward   dZ = dA ⊙ g'(Z)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.activations import ACTIVATIONS, Activation, get_activation, make_leaky_relu
from chainrule.numeric.layers.base import Layer
from chainrule.numeric.layers.buffers import Buffers

__all__ = ["ActivationLayer"]

Array = np.ndarray


class ActivationLayer(Layer):
    """g applied to every entry: ``relu``, ``tanh``, ``sigmoid``, ``linear``, ``leaky_relu``
    (slope 0.01, or ``ActivationLayer(make_leaky_relu(0.2))``), or any
    :class:`~chainrule.numeric.activations.Activation`."""

    kind = "activation"

    def __init__(self, activation: str | Activation) -> None:
        super().__init__()
        self.activation = get_activation(activation)
        self._buffers = Buffers()
        self._Z: Array | None = None
        self._A: Array | None = None

    def config(self) -> dict[str, Any]:
        activation = self.activation
        if ACTIVATIONS.get(activation.name) == activation:
            return {"activation": activation.name}
        slope = activation.parameters.get("slope")
        if slope is not None and make_leaky_relu(slope).name == activation.name:
            return {"activation": "leaky_relu", "slope": float(slope)}
        raise InputError(
            f"cannot save a model with the custom activation {activation.name!r}: only the "
            f"built-in activations ({', '.join(sorted(ACTIVATIONS))}) can be saved in a layer"
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ActivationLayer:
        if "slope" in config:
            return cls(make_leaky_relu(config["slope"]))
        return cls(config["activation"])

    def fresh(self) -> ActivationLayer:
        return ActivationLayer(self.activation)  # any Activation, savable or not

    def forward(self, X: Array, training: bool) -> Array:
        """A = g(X), shape of X."""
        self._Z = X
        A = self._A = self._buffers.get("A", X.shape, self.dtype)
        return self.activation.forward_into(X, A)

    def backward(self, dY: Array) -> Array:
        """dX = dY ⊙ g'(X)."""
        assert self._Z is not None and self._A is not None, "backward() before forward()"
        dX = self._buffers.get("dX", dY.shape, self.dtype)
        self.activation.derivative_into(self._Z, self._A, dX)
        np.multiply(dX, dY, out=dX)
        return dX

    def describe(self) -> str:
        slope = self.activation.parameters.get("slope")
        if slope is not None and slope != 0.01:
            return f"leaky_relu:{slope:g}"
        return self.activation.name
