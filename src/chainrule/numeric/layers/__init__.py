"""Layers that stack into a :class:`Model`: dense, activations, batch norm, convolution,
pooling, flatten, dropout. Batch-first, NumPy only.

Shapes: the batch axis comes first everywhere. Dense data is ``(m, n)``, images
``(m, C, H, W)``, sequences ``(m, T, n)``, token ids ``(m, T)`` (integers). A layer speaks of
one example's shape, without the batch axis: ``input_shape`` ``(C, H, W)``, say.

The contract of a layer (subclass :class:`Layer`; the model calls these in this order):

``build(input_shape, dtype, rng) -> output_shape``
    Fix the shapes for examples of ``input_shape`` and return one output example's shape.
    Refuse an input it cannot take with an :class:`~chainrule.errors.InputError` naming the
    layer and the shape (override ``output_shape_for`` for the shape rule alone). ``rng`` is
    the model's Generator: keep it if the layer draws at run time (dropout does).
``parameter_shapes() -> {name: shape}``
    The trainable arrays (``{"W": (F, C, k, k), "b": (F,)}``); list in ``decayed`` the names
    L2 regularisation applies to (weights; never biases, scales or shifts).
``bind(params, grads)``
    The model hands over one view per name into its flat parameter vector and its flat
    gradient vector. Keep them and write into them in place (``out=``, ``[...] =``), never
    rebind: the optimizers update the vector, and the layer must see it.
``initialize(init, rng)``
    Fill ``self.params`` (``init`` names a scheme of
    :data:`~chainrule.numeric.init.INITIALIZERS`, drawn as ``draw(rng, fan_out, fan_in)``).
``forward(X, training) -> Y``
    X is ``(m, *input_shape)`` in the model's dtype (an integer array for a first layer
    with ``integer_input = True``, such as an embedding of token ids); keep what the
    backward pass needs. ``training`` is True in a
    training pass (batch statistics, dropout) and False for prediction and validation.
    Write Y into a buffer the layer keeps (:class:`~.buffers.Buffers`): the model treats
    every output as overwritten by the next pass.
``backward(dY) -> dX``
    dY = ∂J/∂Y ``(m, *output_shape)`` for the last forward pass, where J is the MEAN cost
    over the batch (dY already carries the 1/m). Write ∂J/∂θ into ``self.grads`` (overwrite,
    do not accumulate) and return ∂J/∂X. When ``needs_input_gradient`` is False (the first
    layer of a training pass) skip dX and return :data:`~.base.NO_GRADIENT`.
``state() -> {name: array}``, ``config() -> dict``, ``from_config(config)``, ``fresh()``,
``describe()``
    Untrained arrays saved with the model (running statistics), the JSON settings that
    rebuild the layer (for saved files), an unbuilt twin (for copies of a model), and the
    layer as the architecture grammar writes it.

A layer's ``kind`` names it in an architecture string (:mod:`.spec`) and in saved files; a
new kind is registered in :data:`.spec.LAYER_KINDS`. Every layer is tested against central
differences (:func:`chainrule.numeric.gradient_check` on a model holding it) and, where
PyTorch has the same layer, against its autograd.

:class:`Model` stacks built layers, ends with an output of :mod:`chainrule.numeric.losses`
and trains with :func:`chainrule.numeric.train` (optimizers, L2, dropout layers, early
stopping) like a :class:`~chainrule.numeric.network.Network`.
"""

from chainrule.numeric.layers.activation import ActivationLayer
from chainrule.numeric.layers.base import NO_GRADIENT, Layer, Shape
from chainrule.numeric.layers.batchnorm import BatchNorm
from chainrule.numeric.layers.conv import Conv2D
from chainrule.numeric.layers.dense import Dense
from chainrule.numeric.layers.dropout import Dropout
from chainrule.numeric.layers.model import Model
from chainrule.numeric.layers.pooling import AvgPool2D, MaxPool2D
from chainrule.numeric.layers.reshape import Flatten
from chainrule.numeric.layers.spec import LAYER_KINDS, parse_architecture

__all__ = [
    "LAYER_KINDS",
    "NO_GRADIENT",
    "ActivationLayer",
    "AvgPool2D",
    "BatchNorm",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "Layer",
    "MaxPool2D",
    "Model",
    "Shape",
    "parse_architecture",
]
