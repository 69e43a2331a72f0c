"""The two passes of :class:`~chainrule.numeric.network.Network`, written into preallocated
buffers (``out=``): nothing here allocates an array.

Columns are examples; layers are numbered 1..L; lists are indexed by layer (index 0 is X or
unused)::

    forward    Z[l] = W[l] A[l-1] + b[l]        A[l] = g[l](Z[l])  (output layer: its own g)
               with dropout on hidden layer l:   A[l] = g(Z[l]) * D[l] / p[l]
    backward   dZ[L] = (A[L] - Y) / m
               dW[l] = dZ[l] A[l-1]ᵀ             db[l] = Σ_columns dZ[l]
               dA[l-1] = W[l]ᵀ dZ[l]             (then * D[l-1] / p[l-1] with dropout)
               dZ[l-1] = dA[l-1] * g[l-1]'(Z[l-1])

Each layer's W[l] and b[l] are one block P[l] = [W[l] | b[l]], and each A[l-1] that feeds
a layer carries a row of ones (see :mod:`chainrule.numeric.workspace`), so the first line of
each pass is one matrix product: Z[l] = P[l] [A[l-1]; 1] and [dW[l] | db[l]] = dZ[l]
[A[l-1]; 1]ᵀ. The average over the m examples is taken here, once: dZ[L] is scaled by 1/m,
so every buffer holds a derivative of the mean cost J (dZ[l] = ∂J/∂Z[l], dA[l] = ∂J/∂A[l]),
and dW[l], db[l] need no 1/m. :meth:`~chainrule.numeric.network.Network.backward` reports
dZ and dA per example, as the course does (m times these).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chainrule.numeric.activations import Activation
from chainrule.numeric.losses import Output
from chainrule.numeric.regularization import KeepProbs, apply_mask, draw_mask
from chainrule.numeric.workspace import Workspace

__all__ = ["Dropout", "backward_into", "forward_into"]

Array = np.ndarray

#: ``(keep_probs, D, G)``: per hidden layer l its keep probability ``keep_probs[l-1]``, its
#: mask ``D[l]`` and ``G[l] = g(Z[l])`` before the mask.
Dropout = tuple[tuple[float, ...], Sequence, Sequence]


def forward_into(
    P: Sequence[Array],
    hidden: Sequence[Activation | None],
    output: Output,
    rng: np.random.Generator,
    X1: Array,
    workspace: Workspace,
    keep_probs: KeepProbs = None,
) -> None:
    """Fill ``workspace.Z`` and ``workspace.A`` from ``X1`` = [X; 1] (n[0] + 1, m), with
    P[l] = [W[l] | b[l]] (n[l], n[l-1] + 1) and ``hidden[l]`` = g[l] for the hidden layers
    l = 1..L-1 (index 0 unused); with ``keep_probs``, draw fresh masks from ``rng`` into
    the workspace's dropout buffers and apply them."""
    Z, A, A_ones = workspace.Z, workspace.A, workspace.A_ones
    last = len(P) - 1
    A_prev = X1
    for layer in range(1, last):
        np.matmul(P[layer], A_prev, out=Z[layer])  # (n_l, m)
        g = hidden[layer].forward_into  # type: ignore[union-attr]
        if keep_probs is None or keep_probs[layer - 1] == 1.0:
            g(Z[layer], A[layer])
        else:
            keep = keep_probs[layer - 1]
            D, G = workspace.dropout_buffers()
            g(Z[layer], G[layer])  # g(Z[l]) before the mask, kept for g'
            draw_mask(rng, keep, D[layer])
            apply_mask(G[layer], D[layer], keep, out=A[layer])
        A_prev = A_ones[layer]
    np.matmul(P[last], A_prev, out=Z[last])
    output.forward(Z[last], out=A[last])


def backward_into(
    W: Sequence[Array],
    dP: Sequence[Array],
    hidden: Sequence[Activation | None],
    output: Output,
    targets: tuple[Array, Array],
    workspace: Workspace,
    input_gradient: bool,
    dropout: Dropout | None = None,
) -> None:
    """Write dZ[l], dA[l-1] into ``workspace`` and [dW[l] | db[l]] into ``dP[l]``
    (n[l], n[l-1] + 1), from the forward pass's Z[l], A[l] in ``workspace``.

    ``targets`` is ``(Y, X1)``: Y (n[L], m) and the forward pass's [X; 1] (n[0] + 1, m).
    ``dropout`` as the forward pass applied it (None: no dropout). Every dZ and dA is a
    derivative of J (dZ[L] = (A[L] - Y)/m); dA[0] is computed only if ``input_gradient``.
    """
    Y, X1 = targets
    Z, A, A_ones = workspace.Z, workspace.A, workspace.A_ones
    dZ, dA = workspace.dZ, workspace.dA
    last = len(W) - 1
    dZ_l = output.delta(Z[last], A[last], Y, out=dZ[last])  # (n_L, m)
    np.multiply(dZ_l, 1.0 / Y.shape[1], out=dZ_l)  # the one 1/m: from here on, dJ
    for layer in range(last, 1, -1):
        np.matmul(dZ_l, A_ones[layer - 1].T, out=dP[layer])  # (n_l, n_{l-1} + 1)
        dA_prev = transpose_times(W[layer], dZ_l, out=dA[layer - 1])  # (n_{l-1}, m)
        A_prev = A[layer - 1]
        if dropout is not None and dropout[0][layer - 2] < 1.0:
            keep_probs, D, G = dropout
            apply_mask(dA_prev, D[layer - 1], keep_probs[layer - 2], out=dA_prev)
            A_prev = G[layer - 1]  # g' needs g(Z), not the masked activation
        g_prime = hidden[layer - 1].derivative_into  # type: ignore[union-attr]
        dZ_l = g_prime(Z[layer - 1], A_prev, out=dZ[layer - 1])
        np.multiply(dZ_l, dA_prev, out=dZ_l)
    np.matmul(dZ_l, X1.T, out=dP[1])
    if input_gradient:
        transpose_times(W[1], dZ_l, out=workspace.input_gradient())


def transpose_times(W: np.ndarray, dZ: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dA_prev = Wᵀ dZ, written into ``out`` (n_{l-1}, m).

    With one unit (W is (1, n_{l-1})) the product is an outer product: np.matmul runs it as
    a slow k = 1 matrix product (four times slower here) and a broadcast multiply pays for
    every row (1.5 times slower); np.dot is the fastest, with the same numbers (one rounding
    per entry).
    """
    if W.shape[0] == 1:
        return np.dot(W.T, dZ, out=out)
    return np.matmul(W.T, dZ, out=out)
