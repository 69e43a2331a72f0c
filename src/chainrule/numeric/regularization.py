"""L2 regularisation and inverted dropout: the cost term, the gradient term and the masks.

L2 (weight decay) with strength λ >= 0 over a batch of m examples; the biases are not
penalised::

    J_reg = J + (λ / 2m) Σ_l ||W[l]||²_F          dW[l] ← dW[l] + (λ / m) W[l]

Inverted dropout with keep probability p[l] on hidden layer l (never on the input or the
output layer), with the same mask D[l] in both passes::

    D[l] = (U < p[l])  with U uniform on [0, 1)    (n[l], m), from the model's Generator
    A[l] = g(Z[l]) * D[l] / p[l]                   forward
    dA[l] = dA[l] * D[l] / p[l]                    backward

Dividing by p[l] keeps the expected activation unchanged, so prediction (where dropout is off)
needs no rescaling. Every function writes into buffers it is given and allocates nothing.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from chainrule.errors import InputError, ShapeError

__all__ = [
    "add_l2_gradient",
    "apply_mask",
    "check_keep_prob",
    "check_l2",
    "draw_mask",
    "l2_penalty",
    "masks_from_caches",
]

Array = np.ndarray

#: Keep probabilities per hidden layer 1..L-1, or None for no dropout at all.
KeepProbs = tuple[float, ...] | None


def check_l2(l2: object) -> float:
    """λ as a finite float >= 0."""
    valid = isinstance(l2, numbers.Real) and not isinstance(l2, bool)
    if not valid or not math.isfinite(float(l2)) or float(l2) < 0:  # type: ignore[arg-type]
        raise InputError(f"'l2' must be a number >= 0 (got {l2!r})")
    return float(l2)  # type: ignore[arg-type]


def check_keep_prob(keep_prob: object, n_hidden: int) -> KeepProbs:
    """Keep probabilities for the ``n_hidden`` hidden layers, each in (0, 1].

    ``keep_prob`` is one number for every hidden layer or a sequence of one per hidden layer.
    Returns None when every probability is 1 (dropout off), else a tuple of length n_hidden.
    """
    if isinstance(keep_prob, Sequence) and not isinstance(keep_prob, (str, bytes)):
        values = list(keep_prob)
        if len(values) != n_hidden:
            raise InputError(
                f"'keep_prob' must have one value per hidden layer ({n_hidden}) "
                f"(got {len(values)}: {values!r})"
            )
    elif isinstance(keep_prob, np.ndarray) and keep_prob.ndim == 1:
        return check_keep_prob(keep_prob.tolist(), n_hidden)
    else:
        values = [keep_prob] * n_hidden
    for value in values:
        number = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not number or not 0.0 < float(value) <= 1.0:  # type: ignore[arg-type]
            raise InputError(
                f"'keep_prob' must be a number in (0, 1] or one per hidden layer "
                f"(got {keep_prob!r})"
            )
    probabilities = tuple(float(value) for value in values)  # type: ignore[arg-type]
    return None if all(p == 1.0 for p in probabilities) else probabilities


def l2_penalty(W: Sequence, l2: float, m: int) -> float:
    """(λ / 2m) Σ_l ||W[l]||²_F for the weight arrays ``W[1..L]`` (index 0 unused)."""
    if l2 == 0.0:
        return 0.0
    squares = sum(float(np.vdot(W_l, W_l)) for W_l in W[1:])
    return 0.5 * l2 * squares / m


def add_l2_gradient(W: Sequence, dW: Sequence, scratch: Sequence, l2: float, m: int) -> None:
    """dW[l] ← dW[l] + (λ / m) W[l] for l = 1..L, through ``scratch[l]`` (shape of W[l])."""
    if l2 == 0.0:
        return
    factor = l2 / m
    for W_l, dW_l, work in zip(W[1:], dW[1:], scratch[1:], strict=True):
        np.multiply(W_l, factor, out=work)
        np.add(dW_l, work, out=dW_l)


def draw_mask(rng: np.random.Generator, keep_prob: float, out: Array) -> Array:
    """Fill ``out`` (n[l], m) with a 0/1 mask, each entry 1 with probability ``keep_prob``."""
    rng.random(out=out, dtype=out.dtype)
    np.less(out, keep_prob, out=out)
    return out


def apply_mask(values: Array, D: Array, keep_prob: float, out: Array) -> Array:
    """``out = values * D / keep_prob`` (all of one shape); ``out`` may be ``values``."""
    np.multiply(values, D, out=out)
    np.multiply(out, 1.0 / keep_prob, out=out)
    return out


def masks_from_caches(
    caches: Mapping[str, Array], keep_probs: KeepProbs, layer_sizes: Sequence[int], dtype: np.dtype
) -> list:
    """``[None, D1, ..., D{L-1}]``: the mask of each hidden layer that drops units (else None).

    The caches must hold a mask ``D{l}`` (n[l], m) exactly for the layers whose keep
    probability is below 1, as :meth:`Network.forward` left them with that ``keep_prob``.
    """
    m = caches["A0"].shape[1]
    masks: list = [None] * (len(layer_sizes) - 1)
    for layer in range(1, len(layer_sizes) - 1):
        dropped = keep_probs is not None and keep_probs[layer - 1] < 1.0
        key = f"D{layer}"
        if dropped and key not in caches:
            raise InputError(
                f"'caches' lacks the dropout mask {key!r} of layer {layer}: pass the caches "
                f"of forward() with the same keep_prob"
            )
        if not dropped and key in caches:
            raise InputError(
                f"'caches' hold the dropout mask {key!r} of layer {layer}: pass backward() "
                f"the keep_prob given to forward()"
            )
        if dropped:
            mask = caches[key]
            shape = (layer_sizes[layer], m)
            if getattr(mask, "shape", None) != shape:
                raise ShapeError(
                    f"cache {key!r} (layer {layer}) must be a mask of shape (n[{layer}], m) = "
                    f"{shape} (got {getattr(mask, 'shape', None)})"
                )
            masks[layer] = np.asarray(mask, dtype=dtype)
    return masks
