"""One head of scaled dot-product attention, forward and backward, with an optional causal mask.

For one example (the kernels run over a batch of m), queries Q (T_q, d), keys K (T_k, d) and
values V (T_k, d_v)::

    S = Q Kᵀ / √d          (T_q, T_k), with S_ij = -∞ where j > i if causal
    P = softmax(S)         row by row
    O = P V                (T_q, d_v)

Backward from dO, with the softmax Jacobian of each row, ∂p_j/∂s_k = p_j (δ_jk - p_k)::

    dV = Pᵀ dO     dP = dO Vᵀ     dS_i = (diag(p_i) - p_i p_iᵀ) dP_i = p_i ⊙ (dP_i - p_i·dP_i)
    dQ = dS K / √d     dK = dSᵀ Q / √d

The causal mask is aligned at the top left (row i sees keys 0..i), as PyTorch's ``is_causal``;
masked entries get P = 0 and so dS = 0. Two paths: :func:`attention_backward_jacobian` builds
every row's Jacobian (the textbook form, kept for the tests); :func:`attention_backward` uses
p_i·dP_i = dO_i·O_i (because O_i = Σ_j p_ij V_j), one product of (T_q, d_v) arrays in place of
one of (T_q, T_k) arrays, and never forms a Jacobian. The (m, T_q, T_k) arrays S (then P, in
the cache) and dS come from
:data:`~chainrule.numeric.sequence.buffer_pool.SEQUENCE_POOL`, reused once nothing refers to
them; what the functions return is freshly allocated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.numeric.sequence.blas import prime_blas
from chainrule.numeric.sequence.buffer_pool import SEQUENCE_POOL
from chainrule.numeric.sequence.shapes import check_float_array, check_like

__all__ = [
    "AttentionCache",
    "attention_backward",
    "attention_backward_jacobian",
    "attention_forward",
    "causal_mask",
]

Array = np.ndarray


@dataclass(frozen=True)
class AttentionCache:
    """What the backward pass needs: Q, K, V, the weights P (m, T_q, T_k), the output O
    (``out``) and the scale 1/√d."""

    Q: Array
    K: Array
    V: Array
    P: Array
    out: Array
    scale: float


def causal_mask(T_q: int, T_k: int) -> Array:
    """Boolean (T_q, T_k), True where key j comes after query i (j > i): the masked entries."""
    return np.triu(np.ones((T_q, T_k), dtype=bool), k=1)


def _check(Q: Array, K: Array, V: Array) -> None:
    Q = check_float_array("Q", Q, 3, "(m, T_q, d)")
    m, _, d = Q.shape
    K = check_float_array("K", K, 3, "(m, T_k, d)")
    check_like("K", K, (m, K.shape[1], d), Q.dtype, "(batch and d of Q)")
    check_like("V", V, (m, K.shape[1], V.shape[-1] if V.ndim == 3 else 0), Q.dtype,
               "(batch and length of K)")  # fmt: skip


def attention_forward(
    Q: Array, K: Array, V: Array, causal: bool = False
) -> tuple[Array, AttentionCache]:
    """O (m, T_q, d_v) = softmax(Q Kᵀ/√d) V from Q (m, T_q, d), K (m, T_k, d), V (m, T_k, d_v)."""
    _check(Q, K, V)
    prime_blas()
    scale = 1.0 / float(np.sqrt(Q.shape[-1]))
    S = SEQUENCE_POOL.take((Q.shape[0], Q.shape[1], K.shape[1]), Q.dtype)
    np.matmul(Q, K.transpose(0, 2, 1), out=S)
    S *= scale
    if causal:
        S[:, causal_mask(Q.shape[1], K.shape[1])] = -np.inf
    S -= S.max(axis=-1, keepdims=True)
    P = np.exp(S, out=S)
    P /= P.sum(axis=-1, keepdims=True)
    out = np.matmul(P, V)
    return out, AttentionCache(Q, K, V, P, out, scale)


def attention_backward(dO: Array, cache: AttentionCache) -> tuple[Array, Array, Array]:
    """dQ, dK, dV (shapes of Q, K, V) from dO (m, T_q, d_v)."""
    Q, K, V, P, out, scale = cache.Q, cache.K, cache.V, cache.P, cache.out, cache.scale
    check_like("dO", dO, out.shape, out.dtype, "(those of the forward output)")
    dV = np.matmul(P.transpose(0, 2, 1), dO)
    dS = SEQUENCE_POOL.take(P.shape, P.dtype)
    np.matmul(dO, V.transpose(0, 2, 1), out=dS)  # dP, turned into dS in place
    dS -= np.einsum("bqv,bqv->bq", dO, out)[..., None]
    dS *= P
    dS *= scale
    dQ = np.matmul(dS, K)
    dK = np.matmul(dS.transpose(0, 2, 1), Q)
    return dQ, dK, dV


def attention_backward_jacobian(dO: Array, cache: AttentionCache) -> tuple[Array, Array, Array]:
    """The textbook backward: dS_i = J_i dP_i with J_i = diag(p_i) - p_i p_iᵀ, row by row.

    Builds an (m, T_q, T_k, T_k) array of Jacobians: for tests and small sizes only.
    """
    Q, K, V, P, scale = cache.Q, cache.K, cache.V, cache.P, cache.scale
    dV = np.swapaxes(P, 1, 2) @ dO
    dP = dO @ np.swapaxes(V, 1, 2)
    eye = np.eye(P.shape[-1], dtype=P.dtype)
    jacobians = P[..., :, None] * eye - P[..., :, None] * P[..., None, :]
    dS = np.einsum("bqjk,bqk->bqj", jacobians, dP)
    return scale * dS @ K, scale * np.swapaxes(dS, 1, 2) @ Q, dV
