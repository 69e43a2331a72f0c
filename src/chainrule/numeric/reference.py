"""The course's network written plainly: forward and backward, one line per equation.

Read this first. It is the network of the Coursera course's wrap-up with nothing folded or
preallocated: parameters in a dict ``{"W1": (n1, n0), "b1": (n1, 1), ...}``, columns are
examples, layers 1..L, and every equation of the derivations is one line of NumPy::

    forward   Z[l] = W[l] A[l-1] + b[l]            A[l] = g[l](Z[l])
              dropout on hidden layer l:           A[l] = A[l] * D[l] / p[l]
    cost      J = (1/m) Σ L(A[L], Y) + (λ/2m) Σ_l ||W[l]||²
    backward  dZ[L] = A[L] - Y
              dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l]
              db[l] = (1/m) Σ_columns dZ[l]
              dA[l-1] = W[l]ᵀ dZ[l]
              dropout on hidden layer l-1:         dA[l-1] = dA[l-1] * D[l-1] / p[l-1]
              dZ[l-1] = dA[l-1] ⊙ g'[l-1](Z[l-1])

As in the course, dZ[l] and dA[l] are per example (column j is the derivative of that
example's loss L), and dW[l], db[l] are derivatives of the mean cost J: that is where the
1/m comes in. :class:`~chainrule.numeric.network.Network` computes the same numbers fast
(:mod:`~chainrule.numeric.passes`: the bias folded into the weights, buffers written in
place) and returns them in the same convention; the tests hold the two equal on random
networks.

dZ[L] = A[L] - Y holds for the three built-in pairings (sigmoid with binary cross-entropy,
softmax with categorical cross-entropy, linear with half the squared error); an output
generated from another loss brings its own dZ[L] (``output.delta``) and its own cost.

NumPy only: importing this module never imports SymPy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from chainrule.numeric.activations import Activation
from chainrule.numeric.losses import OUTPUTS, Output, difference_delta

__all__ = ["backward", "cost", "forward"]

Array = np.ndarray


def forward(
    X: Array,
    parameters: Mapping[str, Array],
    hidden: Sequence[Activation],
    output: Output,
    *,
    keep_prob: Sequence[float] | None = None,
    masks: Mapping[str, Array] | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[Array, dict[str, Array]]:
    """Forward propagation, layer by layer.

    Parameters
    ----------
    X : array (n[0], m)
    parameters : dict
        ``W1`` (n1, n0), ``b1`` (n1, 1), ..., ``WL``, ``bL``.
    hidden : sequence of Activation
        g[l] of each hidden layer l = 1..L-1.
    output : Output
        The output layer's activation (and loss).
    keep_prob : sequence of float, optional
        Keep probability p[l] of each hidden layer (None: no dropout).
    masks : dict, optional
        With ``keep_prob``: the 0/1 masks ``D1`` (n1, m), ... of the layers that drop units
        (the tests pass the fast network's). Without them, masks are drawn from ``rng``.
    rng : numpy.random.Generator, optional
        Where fresh masks come from (a new unseeded Generator if None).

    Returns
    -------
    AL : array (n[L], m)
    caches : dict
        ``A0``, ``Z1``, ``A1``, ..., ``ZL``, ``AL`` (and ``D1``, ... with dropout).
    """
    L = len(hidden) + 1
    caches: dict[str, Array] = {"A0": X}
    A = X
    for layer in range(1, L + 1):
        Z = parameters[f"W{layer}"] @ A + parameters[f"b{layer}"]
        if layer == L:
            A = output.forward(Z, out=np.empty_like(Z))
        else:
            A = _g(hidden[layer - 1], Z)
        if layer < L and keep_prob is not None and keep_prob[layer - 1] < 1:
            p = keep_prob[layer - 1]
            D = masks[f"D{layer}"] if masks is not None else _draw_mask(rng, A.shape, p)
            A = A * D / p
            caches[f"D{layer}"] = D
        caches[f"Z{layer}"], caches[f"A{layer}"] = Z, A
    return A, caches


def cost(
    caches: Mapping[str, Array],
    Y: Array,
    parameters: Mapping[str, Array],
    output: Output,
    *,
    l2: float = 0.0,
) -> float:
    """J = (1/m) Σ L(A[L], Y) + (λ/2m) Σ ||W[l]||², from the caches of :func:`forward`
    and the targets Y (n[L], m)."""
    L = len(parameters) // 2
    A, Z = caches[f"A{L}"], caches[f"Z{L}"]
    m = Y.shape[1]
    if output == OUTPUTS["sigmoid"]:
        J = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    elif output == OUTPUTS["softmax"]:
        J = -np.sum(Y * np.log(A)) / m
    elif output == OUTPUTS["linear"]:
        J = np.sum((A - Y) ** 2) / (2 * m)
    else:  # an output generated from math brings its own cost
        J = output.cost(Z, A, Y, np.empty_like(A))
    squares = sum(np.sum(parameters[f"W{layer}"] ** 2) for layer in range(1, L + 1))
    return float(J + l2 / (2 * m) * squares)


def backward(
    caches: Mapping[str, Array],
    Y: Array,
    parameters: Mapping[str, Array],
    hidden: Sequence[Activation],
    output: Output,
    *,
    l2: float = 0.0,
    keep_prob: Sequence[float] | None = None,
) -> dict[str, Array]:
    """Backward propagation from the caches of :func:`forward` and the targets Y (n[L], m).

    Returns
    -------
    dict
        ``dZ1`` .. ``dZL`` (n[l], m) and ``dA0`` .. ``dA{L-1}`` (n[l], m), per example;
        ``dW1`` .. (n[l], n[l-1]) and ``db1`` .. (n[l], 1), derivatives of J.
    """
    L = len(hidden) + 1
    m = Y.shape[1]
    grads: dict[str, Array] = {}
    A, Z = caches[f"A{L}"], caches[f"Z{L}"]
    dZ = A - Y if output.delta is difference_delta else output.delta(Z, A, Y)
    for layer in range(L, 0, -1):
        A_prev, W = caches[f"A{layer - 1}"], parameters[f"W{layer}"]
        grads[f"dZ{layer}"] = dZ
        grads[f"dW{layer}"] = dZ @ A_prev.T / m + l2 / m * W
        grads[f"db{layer}"] = np.sum(dZ, axis=1, keepdims=True) / m
        dA_prev = W.T @ dZ
        if layer > 1 and keep_prob is not None and keep_prob[layer - 2] < 1:
            dA_prev = dA_prev * caches[f"D{layer - 1}"] / keep_prob[layer - 2]
        grads[f"dA{layer - 1}"] = dA_prev
        if layer > 1:
            dZ = dA_prev * _g_prime(hidden[layer - 2], caches[f"Z{layer - 1}"])
    return grads


def _g(g: Activation, Z: Array) -> Array:
    """g(Z), a new array."""
    return g.forward_into(Z, np.empty_like(Z))


def _g_prime(g: Activation, Z: Array) -> Array:
    """g'(Z), a new array (every activation takes Z and g(Z))."""
    return g.derivative_into(Z, _g(g, Z), np.empty_like(Z))


def _draw_mask(rng: np.random.Generator | None, shape: tuple, p: float) -> Array:
    """D = (U < p), U uniform on [0, 1): a 0/1 mask of ``shape``."""
    generator = np.random.default_rng() if rng is None else rng
    return (generator.random(shape) < p).astype(float)
