"""The base class every layer derives from: shapes, parameter slots and the two passes.

A layer declares its parameters by name and shape (:meth:`Layer.parameter_shapes`) when it
is built; the :class:`~chainrule.numeric.layers.model.Model` then hands it views into one
flat parameter vector and one flat gradient vector (:meth:`Layer.bind`), so that an
optimizer moves every parameter of the model with one update of one array.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.errors import InputError

__all__ = ["NO_GRADIENT", "Layer", "Shape", "positive_int", "shape_text"]

Array = np.ndarray
#: The shape of one example, without the batch axis: ``(n,)``, ``(C, H, W)``, ``(T, n)``.
Shape = tuple[int, ...]

#: What :meth:`Layer.backward` returns when the model needs no input gradient (first layer).
NO_GRADIENT = np.empty(0)


class Layer:
    """A layer of a :class:`~chainrule.numeric.layers.model.Model`; see the package
    docstring of :mod:`chainrule.numeric.layers` for the contract.

    Attributes
    ----------
    kind : str
        The layer's name in an architecture string (``"dense"``, ``"conv"``, ...).
    decayed : tuple of str
        The parameters L2 regularisation applies to (weights, never biases or scales).
    integer_input : bool
        Whether the layer, first in a model, takes integer inputs such as token ids.
    params, grads : dict of str to array
        The live parameter arrays and their gradients, views of the model's two vectors
        (empty until the model binds them).
    input_shape, output_shape : tuple of int
        Set by :meth:`build`.
    """

    kind = "layer"
    decayed: tuple[str, ...] = ()
    #: True for a layer that reads integers (token ids) as the model's first layer: the
    #: model then checks X as an integer array and passes it on unconverted.
    integer_input = False

    def __init__(self) -> None:
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.input_shape: Shape = ()
        self.output_shape: Shape = ()
        self.dtype = np.dtype(np.float64)
        #: False when nothing needs dX (the model's first layer in training): skip it.
        self.needs_input_gradient = True

    # --------------------------------------------------------------- building
    def build(self, input_shape: Shape, dtype: np.dtype, rng: np.random.Generator) -> Shape:
        """Fix the shapes for inputs of one example's shape ``input_shape`` and return the
        output's; ``rng`` is the model's Generator (kept by layers that draw, as dropout)."""
        self.input_shape = tuple(input_shape)
        self.dtype = np.dtype(dtype)
        self.output_shape = self.output_shape_for(self.input_shape)
        return self.output_shape

    def output_shape_for(self, input_shape: Shape) -> Shape:
        """The output shape for ``input_shape`` (the identity unless a layer says otherwise);
        raises InputError when the layer cannot take that input."""
        return input_shape

    def parameter_shapes(self) -> dict[str, Shape]:
        """``{name: shape}`` of the trainable parameters (after :meth:`build`)."""
        return {}

    def bind(self, params: Mapping[str, Array], grads: Mapping[str, Array]) -> None:
        """Take the views the model gives for every name of :meth:`parameter_shapes`."""
        self.params, self.grads = dict(params), dict(grads)

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        """Fill :attr:`params` with fresh values (``init`` names the weight scheme)."""

    def state(self) -> dict[str, Array]:
        """Arrays that are not trained but are saved with the model (running statistics)."""
        return {}

    def config(self) -> dict[str, Any]:
        """The layer's settings as JSON data; ``kind`` plus these rebuild it."""
        return {}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Layer:
        """A new, unbuilt layer from what :meth:`config` returned."""
        return cls(**config)

    def fresh(self) -> Layer:
        """A new, unbuilt layer with the same settings (for copies of a model)."""
        return type(self).from_config(self.config())

    # --------------------------------------------------------------- passes
    def forward(self, X: Array, training: bool) -> Array:
        """Y for a batch X of shape ``(m, *input_shape)``; keeps what :meth:`backward`
        needs. ``training`` selects batch statistics and dropout."""
        raise NotImplementedError

    def backward(self, dY: Array) -> Array:
        """dX for dY = ∂J/∂Y of shape ``(m, *output_shape)`` from the last forward pass;
        writes ∂J/∂θ into :attr:`grads`. J is the MEAN cost, so dY already carries 1/m."""
        raise NotImplementedError

    def describe(self) -> str:
        """The layer as the architecture grammar writes it (``conv:8:3:pad1``)."""
        return self.kind

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r})"


def positive_int(name: str, value: object) -> int:
    """``value`` as an int >= 1, or an InputError naming ``name``."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise InputError(f"{name!r} must be a positive integer (got {value!r})")
    return int(value)


def shape_text(shape: Shape) -> str:
    """``(8,)``, ``(1, 8, 8)``: a shape as Python writes a tuple."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
