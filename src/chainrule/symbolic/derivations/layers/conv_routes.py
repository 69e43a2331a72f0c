"""The lines of the convolution derivation's routes in index notation, "chain rule" and "full
convolution" (see :mod:`.conv`; the matrix route is :mod:`.conv_im2col`)."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import add, frac, group, mul
from chainrule.symbolic.derivations.layers.assembly import Line
from chainrule.symbolic.derivations.layers.conv_instance import (
    NOTATION,
    A_pad,
    A_prev,
    W,
    W_rot,
    Z,
    b,
    c,
    c2,
    dA_prev,
    db,
    dW,
    dZ,
    dZ_dil,
    f,
    h,
    i,
    k,
    n_H,
    n_H_prev,
    n_W,
    n_W_prev,
    p,
    r,
    s,
    t,
    u,
    v,
    w,
    x,
    y,
)

__all__ = [
    "CHAIN",
    "CHAIN_RESULT",
    "FULL",
    "FULL_RESULT",
    "INPUT_INDEX",
    "KERNEL_INDEX",
    "WINDOW",
    "at",
    "sum_over",
]

KERNEL_INDEX, INPUT_INDEX = (u, v, k, c), (i, y, x, k)


def sum_over(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    """Σ over ``letters``, each over its range in the notation (0..n-1)."""
    return sp.Sum(body, *((letter, *NOTATION.ranges[letter]) for letter in letters))


def _dilated(letter: sp.Symbol, n: sp.Symbol) -> tuple[sp.Symbol, sp.Expr, sp.Expr]:
    """The limits of a position in dZ_dil: 0..s(n - 1)."""
    return letter, sp.Integer(0), mul(s, add(n, -1))


def at(stride_index: sp.Symbol, offset: sp.Symbol) -> sp.Expr:
    return add(mul(s, stride_index), offset)


WINDOW = A_pad[i, at(h, u), at(w, v), k]
_DW = sum_over(mul(dZ[i, h, w, c], WINDOW), i, h, w)
_DB = sum_over(dZ[i, h, w, c], i, h, w)
_KERNEL_AT = W[add(p, y, mul(-1, s, h)), add(p, x, mul(-1, s, w)), k, c]
_DA = sum_over(mul(dZ[i, h, w, c], _KERNEL_AT), h, w, c)


def _positions(size: sp.Symbol, previous: sp.Symbol, axis: str) -> Line:
    formula = add(sp.floor(frac(add(previous, -f, mul(2, p)), s)), 1)
    return Line(
        size,
        formula,
        "definition",
        f"Output {axis}: a window of f fits ⌊(n_prev - f + 2p)/s⌋ + 1 times across the padded "
        f"input, at stride s (numpy: int((n_prev - f + 2*pad)/stride) + 1).",
        shapes=False,
    )


CHAIN = (
    _positions(n_H, n_H_prev, "height"),
    _positions(n_W, n_W_prev, "width"),
    Line(
        A_pad[i, add(p, y), add(p, x), k],
        A_prev[i, y, x, k],
        "definition",
        "Padding: A_prev inside a border of p zeros on each side of the two spatial axes "
        "(np.pad); A_prev[i, y, x, k] sits at (p + y, p + x).",
    ),
    Line(
        Z[i, h, w, c],
        add(sum_over(mul(WINDOW, W[u, v, k, c]), u, v, k), b[c]),
        "definition",
        "Forward (conv_single_step on every window): the f×f×n_C_prev window of A_pad at "
        "(s h, s w) times kernel c, entry by entry, summed, plus b[c]. The kernel is not "
        "flipped: a cross-correlation.",
    ),
    Line(
        dW[u, v, k, c],
        sum_over(mul(dZ[i, h, w, c2], sp.Derivative(Z[i, h, w, c2], W[u, v, k, c])), i, h, w, c2),
        "chain_rule",
        "Chain rule: W[u, v, k, c] reaches J through every entry of Z.",
    ),
    Line(
        dW[u, v, k, c],
        _DW,
        "collapse",
        "Z[i, h, w, c'] holds W[u, v, k, c] only for c' = c, in the one term "
        "A_pad[i, s h + u, s w + v, k] W[u, v, k, c]; its derivative is that A_pad entry, and "
        "the sum over c' keeps c' = c (conv_backward: dW[:,:,:,c] += a_slice * dZ[i, h, w, c]).",
    ),
    Line(
        db[c],
        sum_over(mul(dZ[i, h, w, c2], sp.Derivative(Z[i, h, w, c2], b[c])), i, h, w, c2),
        "chain_rule",
        "Chain rule: b[c] reaches J through every entry of Z.",
    ),
    Line(
        db[c],
        _DB,
        "collapse",
        "∂Z[i, h, w, c']/∂b[c] is 1 for c' = c and 0 otherwise "
        "(conv_backward: db[:,:,:,c] += dZ[i, h, w, c]).",
    ),
    Line(
        dA_prev[i, y, x, k],
        sum_over(mul(dZ[i, h, w, c], sp.Derivative(Z[i, h, w, c], A_prev[i, y, x, k])), h, w, c),
        "chain_rule",
        "Chain rule: A_prev[i, y, x, k] reaches J through the entries of Z of the same example i.",
    ),
    Line(
        dA_prev[i, y, x, k],
        _DA,
        "collapse",
        "A_prev[i, y, x, k] is A_pad[i, p + y, p + x, k], at offset (p + y - s h, p + x - s w) "
        "in window (h, w), so the derivative is the kernel entry there; W reads 0 outside its "
        "f×f window, so windows that miss the entry add nothing. Overlapping windows add up "
        "(conv_backward: da_prev_pad[window] += W[:,:,:,c] * dZ[i, h, w, c], then the "
        "padding is cut off).",
    ),
)
CHAIN_RESULT = sp.Tuple(_DW, _DB, _DA)

_FLIPPED = (add(f, -1, -u), add(f, -1, -v))
_SHIFT = group(add(f, -1, -p))
_DILATED_AT = dZ_dil[i, add(y, u, mul(-1, _SHIFT)), add(x, v, mul(-1, _SHIFT)), c]
_FULL_DA = sum_over(mul(_DILATED_AT, W_rot[u, v, c, k]), u, v, c)
_FULL_DW = sp.Sum(
    mul(A_pad[i, add(r, u), add(t, v), k], dZ_dil[i, r, t, c]),
    (i, *NOTATION.ranges[i]),
    _dilated(r, n_H),
    _dilated(t, n_W),
)

FULL = (
    Line(
        W_rot[u, v, c, k],
        W[_FLIPPED[0], _FLIPPED[1], k, c],
        "definition",
        "The kernel rotated by 180° in its two spatial axes (np.rot90(W, 2)), input and "
        "output channels swapped: it maps n_C channels back to n_C_prev.",
    ),
    Line(
        dZ_dil[i, mul(s, h), mul(s, w), c],
        dZ[i, h, w, c],
        "definition",
        "dZ dilated by the stride: s - 1 zeros between neighbouring entries (none for "
        "s = 1); dZ_dil reads 0 between and outside its entries.",
    ),
    Line(
        dA_prev[i, y, x, k],
        _DA,
        "given",
        "From the route 'chain rule': the kernel entries of every window that covers "
        "A_prev[i, y, x, k].",
    ),
    Line(
        dA_prev[i, y, x, k],
        sp.Sum(
            mul(dZ_dil[i, r, t, c], W[add(p, y, -r), add(p, x, -t), k, c]),
            _dilated(r, n_H),
            _dilated(t, n_W),
            (c, *NOTATION.ranges[c]),
        ),
        "dilate",
        "Sum over the dilated positions r = s h, t = s w instead: the entries between add 0.",
    ),
    Line(
        dA_prev[i, y, x, k],
        sum_over(mul(_DILATED_AT, W[_FLIPPED[0], _FLIPPED[1], k, c]), u, v, c),
        "substitute",
        "Substitute r = y + u - (f - 1 - p), t = x + v - (f - 1 - p): W[p + y - r, ...] "
        "becomes W[f - 1 - u, f - 1 - v, ...], non-zero exactly for u, v = 0..f - 1.",
    ),
    Line(
        dA_prev[i, y, x, k],
        _FULL_DA,
        "rotate",
        "The rotated kernel: dA_prev is dZ_dil, padded with f - 1 - p zeros, "
        "cross-correlated with W_rot at stride 1. For s = 1 that is the full convolution "
        "of dZ with the kernel.",
    ),
    Line(
        dW[u, v, k, c],
        _FULL_DW,
        "correlate",
        "dW is a cross-correlation too: of A_pad with dZ_dil as the kernel, for every pair "
        "of channels (k, c), summed over the examples.",
    ),
    Line(db[c], _DB, "sum_over_examples", "db sums dZ over the examples and positions."),
)
FULL_RESULT = sp.Tuple(_FULL_DW, _DB, _FULL_DA)
