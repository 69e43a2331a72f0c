"""What max and average pooling share: the lines of the derivation (see
:mod:`.pooling_instance` for the notation and the layers the lines are proven in)."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import add, frac, mul
from chainrule.symbolic.derivations.layers.assembly import Line
from chainrule.symbolic.derivations.layers.pooling_instance import (
    NOTATION,
    SIZES,
    A,
    A_prev,
    c,
    dA,
    dA_prev,
    f,
    h,
    i,
    n_H,
    n_H_prev,
    n_W,
    n_W_prev,
    s,
    u,
    v,
    w,
    x,
    y,
)

__all__ = ["SHAPES_NOTE", "at", "backward_lines", "forward_lines", "proof_note", "sum_over"]


def at(index: sp.Symbol, offset: sp.Symbol) -> sp.Expr:
    """``s index + offset``: a position in the window of output ``index``."""
    return add(mul(s, index), offset)


_ENTRY = A_prev[i, at(h, u), at(w, v), c]


def sum_over(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    """Σ over ``letters``, each over its range in the notation (0..n-1)."""
    return sp.Sum(body, *((letter, *NOTATION.ranges[letter]) for letter in letters))


SHAPES_NOTE = (
    "Shapes as in the course (pool_forward, pool_backward): A_prev (m, n_H_prev, n_W_prev, "
    "n_C), A and dA (m, n_H, n_W, n_C), windows f×f at stride s, no padding; the mask M has "
    "one f×f window per output entry. Indices count from 0, as in numpy: i an example, "
    "(h, w) an output position, c a channel, (u, v) a position in the window, (y, x) a "
    "position in A_prev. dA is the upstream gradient ∂J/∂A, dA_prev = ∂J/∂A_prev."
)


def proof_note(entries: str) -> str:
    """The proof note, with what the entries of A_prev are."""
    return (
        "Proof: every line is checked in the layers "
        + "; ".join(size.describe() for size in SIZES)
        + f", with {entries} and a symbolic upstream gradient G (J = Σ G ⊙ A, so dA = G): "
        "each entry is compared with the derivative of J taken directly; indices and "
        "shapes are checked symbolically and every compound index in every instance."
    )


def _positions(size: sp.Symbol, previous: sp.Symbol, axis: str) -> Line:
    return Line(
        size,
        add(sp.floor(frac(add(previous, -f), s)), 1),
        "definition",
        f"Output {axis}: a window of f fits ⌊(n_prev - f)/s⌋ + 1 times at stride s, no "
        "padding (pool_forward: int(1 + (n_prev - f)/stride)).",
        shapes=False,
    )


def forward_lines(window: sp.Expr, text: str) -> tuple[Line, ...]:
    """n_H, n_W and the forward pass A[i, h, w, c] = ``window``."""
    return (
        _positions(n_H, n_H_prev, "height"),
        _positions(n_W, n_W_prev, "width"),
        Line(A[i, h, w, c], window, "definition", text),
    )


def backward_lines(slope: sp.Expr, slope_text: str, scatter_text: str) -> tuple[Line, ...]:
    """The chain rule, the derivative of an output by an entry of its window (``slope``),
    and dA_prev gathered from every window that holds the entry."""
    return (
        Line(
            dA_prev[i, y, x, c],
            sum_over(mul(dA[i, h, w, c], sp.Derivative(A[i, h, w, c], A_prev[i, y, x, c])), h, w),
            "chain_rule",
            "Chain rule: A_prev[i, y, x, c] reaches J through the outputs of the same example "
            "and channel.",
        ),
        Line(sp.Derivative(A[i, h, w, c], _ENTRY), slope, "differentiate", slope_text),
        Line(
            dA_prev[i, y, x, c],
            sum_over(
                mul(
                    sp.KroneckerDelta(at(h, u), y),
                    sp.KroneckerDelta(at(w, v), x),
                    slope,
                    dA[i, h, w, c],
                ),
                h,
                w,
                u,
                v,
            ),
            "scatter",
            scatter_text,
        ),
    )
