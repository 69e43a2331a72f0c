"""Preallocated arrays: the packed parameters, and the buffers of one batch width m.

A :class:`Workspace` holds Z[l], A[l], dZ[l] and dA[l-1] for one m, so the forward and
backward passes write into existing memory (``out=``) and allocate nothing. A
:class:`WorkspaceCache` keeps the workspaces of the few widths in use (a full batch, a
mini-batch and the last, shorter mini-batch) and builds a new one only for a new m.

The bias rides along with the weights: each layer's parameters are one block [W | b] of
shape (n_l, n_{l-1} + 1), and every A[l-1] that feeds a layer is stored with a row of ones
under it, so that ``[W | b] @ [A; 1] = W A + b`` and ``dZ @ [A; 1]ᵀ = [dZ Aᵀ | Σ dZ]``: one
matrix product gives Z, and one gives dW with db.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

__all__ = [
    "Workspace",
    "WorkspaceCache",
    "append_ones_row",
    "packed_parameter_arrays",
    "with_ones_row",
]


def with_ones_row(n: int, m: int, dtype: np.dtype) -> np.ndarray:
    """An (n + 1, m) array whose last row is ones; rows 0..n-1 are left to be filled."""
    extended = np.empty((n + 1, m), dtype)
    extended[-1] = 1
    return extended


def append_ones_row(X: np.ndarray) -> np.ndarray:
    """[X; 1]: a new (n + 1, m) array, X (n, m) above a row of ones, in X's dtype."""
    extended = with_ones_row(X.shape[0], X.shape[1], X.dtype)
    extended[:-1] = X
    return extended


class Workspace:
    """Buffers for the passes over ``m`` columns.

    Attributes (index = layer number l; index 0 unused unless noted)
    ----------------------------------------------------------------
    Z : list of arrays (n[l], m) for l = 1..L
    A_ones : list of arrays (n[l] + 1, m) for l = 1..L-1: A[l] with a last row of ones
    A : list of arrays (n[l], m) for l = 1..L: views of ``A_ones`` without the ones, and
        A[L] (no ones: nothing multiplies it)
    dZ : list of arrays (n[l], m) for l = 1..L
    dA : list of arrays (n[l], m) for l = 0..L-1; dA[0] (n[0], m) is made on first use,
        because training never needs the gradient with respect to the inputs
    scratch : array (n[L], m) that the cost function may overwrite
    D, G : lists of arrays (n[l], m) for l = 1..L-1, or None before dropout is first used:
        the 0/1 dropout masks and the hidden activations g(Z[l]) before the mask
    """

    def __init__(self, layer_sizes: Sequence[int], m: int, dtype: np.dtype) -> None:
        self.m = m
        self.dtype = dtype
        self.layer_sizes = tuple(layer_sizes)
        self.Z: list = [None] + [np.empty((n, m), dtype) for n in layer_sizes[1:]]
        self.A_ones: list = [None] + [with_ones_row(n, m, dtype) for n in layer_sizes[1:-1]]
        self.A: list = [None] + [A[:-1] for A in self.A_ones[1:]]
        self.A.append(np.empty((layer_sizes[-1], m), dtype))
        self._inputs: np.ndarray | None = None
        self.dZ: list = [None] + [np.empty((n, m), dtype) for n in layer_sizes[1:]]
        self.dA: list = [None] + [np.empty((n, m), dtype) for n in layer_sizes[1:-1]]
        self.scratch = np.empty((layer_sizes[-1], m), dtype)
        self.D: list | None = None
        self.G: list | None = None

    def inputs_with_ones(self, X: np.ndarray) -> np.ndarray:
        """X (n[0], m) copied above a row of ones, (n[0] + 1, m), in a buffer made on first
        use (training passes its data with the ones already in place, and never needs it)."""
        if self._inputs is None:
            self._inputs = with_ones_row(self.layer_sizes[0], self.m, self.dtype)
        np.copyto(self._inputs[:-1], X)
        return self._inputs

    def input_gradient(self) -> np.ndarray:
        """dA[0], shape (n[0], m), allocated on first use."""
        if self.dA[0] is None:
            self.dA[0] = np.empty((self.layer_sizes[0], self.m), self.dtype)
        return self.dA[0]

    def dropout_buffers(self) -> tuple[list, list]:
        """``(D, G)``: masks and pre-dropout activations (n[l], m), l = 1..L-1 (index 0 unused),
        allocated on first use."""
        if self.D is None or self.G is None:
            hidden = self.layer_sizes[1:-1]
            self.D = [None] + [np.empty((n, self.m), self.dtype) for n in hidden]
            self.G = [None] + [np.empty((n, self.m), self.dtype) for n in hidden]
        return self.D, self.G


class WorkspaceCache:
    """The workspaces of the most recently used batch widths (at most ``capacity``)."""

    def __init__(self, layer_sizes: Sequence[int], dtype: np.dtype, capacity: int = 4) -> None:
        self._layer_sizes = tuple(layer_sizes)
        self._dtype = dtype
        self._capacity = capacity
        self._by_width: OrderedDict[int, Workspace] = OrderedDict()
        self._last: Workspace | None = None

    def get(self, m: int) -> Workspace:
        """The workspace for ``m`` columns, built if none is kept for that width."""
        last = self._last
        if last is not None and last.m == m:
            return last
        workspace = self._by_width.get(m)
        if workspace is None:
            workspace = Workspace(self._layer_sizes, m, self._dtype)
            self._by_width[m] = workspace
            if len(self._by_width) > self._capacity:
                self._by_width.popitem(last=False)
        else:
            self._by_width.move_to_end(m)
        self._last = workspace
        return workspace


def packed_parameter_arrays(
    layer_sizes: Sequence[int], dtype: np.dtype
) -> tuple[np.ndarray, list, list, list]:
    """One flat vector of zeros and, per layer l = 1..L, views of it: the block [W | b]
    (n_l, n_{l-1} + 1), W[l] (n_l, n_{l-1}) and b[l] (n_l, 1) (index 0 unused).

    The blocks follow each other in the vector, each in C order: row i of a block is row i
    of W[l], then b[l][i].
    """
    total = sum(n * (n_prev + 1) for n_prev, n in pairwise(layer_sizes))
    flat = np.zeros(total, dtype)
    blocks: list = [None]
    start = 0
    for n_prev, n in pairwise(layer_sizes):
        blocks.append(flat[start : start + n * (n_prev + 1)].reshape(n, n_prev + 1))
        start += n * (n_prev + 1)
    weights = [None] + [block[:, :-1] for block in blocks[1:]]
    biases = [None] + [block[:, -1:] for block in blocks[1:]]
    return flat, blocks, weights, biases
