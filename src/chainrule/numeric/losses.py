"""Output layers paired with their losses, as a table of :class:`Output` objects.

Each pairing is chosen so that the output delta is the same simple expression
(result [3] of the derivations, generalised)::

    dZ[L] = A[L] - Y

=========  ==============================  ===========================================
output     loss                            cost J over m examples (columns)
=========  ==============================  ===========================================
sigmoid    binary cross-entropy            (1/m) Σ -(y ln a + (1-y) ln(1-a))
softmax    categorical cross-entropy       (1/m) Σ -Σ_k y_k ln a_k   (Y one-hot)
linear     mean squared error              (1/m) Σ ½ ||a - y||²
=========  ==============================  ===========================================

Both cross-entropies are computed from the logits Z[L], never from ln A[L], so a saturated
unit (A[L] rounded to exactly 0 or 1) still gives a finite cost; the gradients are finite
because A[L] - Y is. A custom loss plugs in as another ``Output``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from chainrule.numeric.activations import sigmoid
from chainrule.numeric.checks import by_name

__all__ = [
    "OUTPUTS",
    "Output",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "argmax_labels",
    "difference_delta",
    "get_output",
    "mean_squared_error",
    "softmax",
    "threshold_labels",
]

Array = np.ndarray


def threshold_labels(A: Array) -> Array:
    """0/1 labels: 1 where a >= 0.5; shape of ``A``."""
    return (A >= 0.5).astype(np.int64)


@dataclass(frozen=True)
class Output:
    """An output activation with its loss.

    Parameters
    ----------
    name : str
        Name of the output activation (``"sigmoid"``, ``"softmax"``, ``"linear"``).
    loss : str
        Name of the loss it is paired with.
    forward : callable
        ``forward(Z, out=A)``: the output activation, Z and A of shape ``(n_L, m)``.
    cost : callable
        ``cost(Z, A, Y, work) -> float``: the mean cost J over the m columns; ``work`` is a
        scratch array of shape ``(n_L, m)`` it may overwrite.
    delta : callable
        ``delta(Z, A, Y, out=dZ)``: dJ/dZ[L] per example (without the 1/m), shape ``(n_L, m)``.
    min_units : int
        Fewest output units the pairing makes sense with.
    predict : callable
        ``predict(A) -> labels``: class labels ``(n_L, m)`` of 0/1 (sigmoid), class indices
        ``(1, m)`` (softmax), or the values themselves (linear).
    output_expression, loss_expression : str or None
        For an output generated from math (:mod:`chainrule.codegen`): its activation and its
        loss as ``--output`` and ``--loss`` take them (catalogue names, ``"softmax"``, or math
        in z and in a, y), which rebuild it; None for hand-written code.
    """

    name: str
    loss: str
    forward: Callable[..., Array]
    cost: Callable[[Array, Array, Array, Array], float]
    delta: Callable[..., Array]
    min_units: int = 1
    predict: Callable[[Array], Array] = threshold_labels
    output_expression: str | None = None
    loss_expression: str | None = None


def difference_delta(Z: Array, A: Array, Y: Array, out: Array | None = None) -> Array:
    """dZ[L] = A[L] - Y, shared by all three built-in pairings."""
    return np.subtract(A, Y, out=out)


def binary_cross_entropy(Z: Array, A: Array, Y: Array, work: Array) -> float:
    """Mean binary cross-entropy of sigmoid units, from the logits Z (stable).

    -(y ln σ(z) + (1-y) ln(1-σ(z))) = ln(1 + e^z) - y z, and ln(1 + e^z) =
    max(z, 0) + ln(1 + e^(-|z|)), finite for every finite z; Σ max(z, 0) = (Σz + Σ|z|)/2, so
    ``work`` is the only buffer needed. Summed over units, averaged over the
    ``m = Z.shape[1]`` columns.
    """
    np.abs(Z, out=work)
    total_abs = _total(work)
    np.negative(work, out=work)
    np.exp(work, out=work)
    np.log1p(work, out=work)
    positive_part = (_total(Z) + total_abs) / 2
    return (_total(work) + positive_part - float(np.vdot(Y, Z))) / Z.shape[1]


def _total(values: Array) -> float:
    """Σ values. For the few hundred numbers of an output layer a dot product with a vector
    of ones is the cheapest reduction NumPy has (half the time of ``sum``); larger arrays
    use ``sum``, so that no large vector of ones is kept."""
    if values.size > _SMALL:
        return float(values.sum())
    return float(np.dot(values.ravel(), _ones(values.size, values.dtype)))


_SMALL = 4096


@lru_cache(maxsize=8)
def _ones(size: int, dtype: np.dtype) -> Array:
    """A read-only vector of ``size`` ones (``size`` <= 4096)."""
    ones = np.ones(size, dtype)
    ones.flags.writeable = False
    return ones


def softmax(Z: Array, out: Array | None = None) -> Array:
    """Column-wise softmax: a_k = e^{z_k} / Σ_j e^{z_j}, shifted by the column maximum."""
    out = np.subtract(Z, Z.max(axis=0, keepdims=True), out=out)
    np.exp(out, out=out)
    np.divide(out, out.sum(axis=0, keepdims=True), out=out)
    return out


def categorical_cross_entropy(Z: Array, A: Array, Y: Array, work: Array) -> float:
    """Mean categorical cross-entropy of a softmax layer, from the logits Z (stable).

    -Σ_k y_k ln a_k = logsumexp(z) - Σ_k y_k z_k when the targets of each column sum to 1
    (one-hot Y, shape ``(n_L, m)``).
    """
    top = Z.max(axis=0, keepdims=True)  # (1, m)
    np.subtract(Z, top, out=work)
    np.exp(work, out=work)
    log_sum = np.log(work.sum(axis=0)) + top[0]  # (m,)
    return (float(log_sum.sum()) - float(np.vdot(Y, Z))) / Z.shape[1]


def mean_squared_error(Z: Array, A: Array, Y: Array, work: Array) -> float:
    """Half the mean squared error: (1/m) Σ ½ ||a - y||², so that dZ[L] = A - Y."""
    np.subtract(A, Y, out=work)
    return 0.5 * float(np.vdot(work, work)) / Z.shape[1]


def argmax_labels(A: Array) -> Array:
    """Class index of the largest unit in each column, shape ``(1, m)``."""
    return A.argmax(axis=0)[np.newaxis, :]


def _identity(Z: Array, out: Array | None = None) -> Array:
    if out is None:
        return Z.copy()
    np.copyto(out, Z)
    return out


#: Built-in output layers by name.
OUTPUTS: Mapping[str, Output] = MappingProxyType(
    {
        "linear": Output(
            "linear",
            "mean squared error",
            _identity,
            mean_squared_error,
            difference_delta,
            predict=np.copy,
        ),
        "sigmoid": Output(
            "sigmoid", "binary cross-entropy", sigmoid, binary_cross_entropy, difference_delta
        ),
        "softmax": Output(
            "softmax",
            "categorical cross-entropy",
            softmax,
            categorical_cross_entropy,
            difference_delta,
            min_units=2,
            predict=argmax_labels,
        ),
    }
)


def get_output(output: str | Output) -> Output:
    """Return the :class:`Output` named ``output`` (or ``output`` itself)."""
    return by_name(output, OUTPUTS, "output", Output)
