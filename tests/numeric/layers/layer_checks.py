"""Helpers for the layer tests: a layer built alone with random parameters, and the
gradients of J = Σ G ⊙ forward(X) by central differences (the derivations' cost)."""

from __future__ import annotations

import numpy as np

from chainrule.numeric.gradcheck import numeric_gradient, relative_error
from chainrule.numeric.layers import Layer


def built(
    layer: Layer, input_shape: tuple[int, ...], dtype: np.dtype | None = None, seed: int = 0
) -> Layer:
    """``layer`` built for ``input_shape`` in ``dtype`` (float64 by default), with random
    parameters of its own."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(np.float64) if dtype is None else dtype
    layer.build(input_shape, dtype, rng)
    shapes = layer.parameter_shapes()
    params = {name: rng.standard_normal(shape).astype(dtype) for name, shape in shapes.items()}
    grads = {name: np.zeros(shape, dtype) for name, shape in shapes.items()}
    layer.bind(params, grads)
    return layer


def analytic(layer: Layer, X: np.ndarray, G: np.ndarray, training: bool = True) -> dict:
    """dX and every parameter's gradient from the layer's backward pass, copied."""
    layer.forward(X, training)
    dX = np.array(layer.backward(G))
    return {"X": dX, **{name: grad.copy() for name, grad in layer.grads.items()}}


def numeric(layer: Layer, X: np.ndarray, G: np.ndarray, training: bool = True) -> dict:
    """The same by central differences of J = Σ G ⊙ Y."""

    def cost() -> float:
        return float(np.sum(G * layer.forward(X, training)))

    gradients = {"X": numeric_gradient(cost, X)}
    for name, value in layer.params.items():
        gradients[name] = numeric_gradient(cost, value)
    return gradients


def worst_error(layer: Layer, X: np.ndarray, seed: int = 1, training: bool = True) -> float:
    """The largest relative error over dX and the parameters' gradients."""
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((X.shape[0], *layer.output_shape))
    exact = analytic(layer, X, G, training)
    approximate = numeric(layer, X, G, training)
    return max(relative_error(exact[name], approximate[name]) for name in exact)
