"""Embedding lookup and its gradient, a scatter-add.

Rows are examples (batch first). A token id w selects row w of the embedding matrix
E (V, n_e): ``X[i, t] = E[ids[i, t]]``. The course writes the same lookup as a product with a
one-hot vector, e_w = E o_w with its E of shape (n_e, V), the transpose of the E here. The
gradient is therefore dE = Oᵀ dX with O the one-hot rows of all ids: row w of dE is the sum of
dX over every position holding w, so repeated ids add up (a scatter-add).

Two paths compute it: :func:`embedding_backward` scatters with ``np.add.at`` (no one-hot
matrix), :func:`embedding_backward_one_hot` is the textbook product Oᵀ dX, kept for the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.numeric.sequence.shapes import check_float_array, check_token_ids

__all__ = [
    "EmbeddingCache",
    "embedding_backward",
    "embedding_backward_one_hot",
    "embedding_forward",
    "embedding_forward_one_hot",
    "one_hot",
]

Array = np.ndarray


@dataclass(frozen=True)
class EmbeddingCache:
    """What the backward pass needs: the ids (m, T) and the matrix's shape (V, n_e) and dtype."""

    ids: Array
    shape: tuple[int, int]
    dtype: np.dtype


def embedding_forward(ids: Array, E: Array) -> tuple[Array, EmbeddingCache]:
    """X (m, T, n_e) with ``X[i, t] = E[ids[i, t]]``, from ids (m, T) ints and E (V, n_e)."""
    E = check_float_array("E", E, 2, "(V, n_e)")
    ids = check_token_ids(ids, E.shape[0])
    return E[ids], EmbeddingCache(ids, (E.shape[0], E.shape[1]), E.dtype)


def embedding_backward(dX: Array, cache: EmbeddingCache) -> Array:
    """dE (V, n_e) from dX (m, T, n_e): row w sums dX over every position whose id is w."""
    V, n_e = cache.shape
    dE = np.zeros((V, n_e), dtype=cache.dtype)
    np.add.at(dE, cache.ids.ravel(), dX.reshape(-1, n_e))
    return dE


def one_hot(ids: Array, vocabulary: int, dtype: np.dtype | type = np.float64) -> Array:
    """O (m·T, V): row k is the one-hot vector of the k-th id of ``ids`` in row-major order."""
    flat = np.asarray(ids).ravel()
    rows = np.zeros((flat.size, vocabulary), dtype=dtype)
    rows[np.arange(flat.size), flat] = 1
    return rows


def embedding_forward_one_hot(ids: Array, E: Array) -> Array:
    """The textbook lookup X = O E, reshaped to (m, T, n_e); equal to :func:`embedding_forward`."""
    m, T = ids.shape
    return (one_hot(ids, E.shape[0], E.dtype) @ E).reshape(m, T, E.shape[1])


def embedding_backward_one_hot(dX: Array, cache: EmbeddingCache) -> Array:
    """The textbook gradient dE = Oᵀ dX (V, n_e); equal to :func:`embedding_backward`."""
    V, n_e = cache.shape
    return one_hot(cache.ids, V, cache.dtype).T @ dX.reshape(-1, n_e)
