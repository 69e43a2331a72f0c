"""The lines of the convolution derivation's three routes (see :mod:`.conv`)."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import add, frac, group, mul
from chainrule.symbolic.derivations.layers.assembly import Line
from chainrule.symbolic.derivations.layers.conv_instance import (
    NOTATION,
    A_pad,
    A_prev,
    W,
    W_col,
    W_rot,
    Z,
    b,
    c,
    c2,
    col,
    dA_prev,
    db,
    dcol,
    dW,
    dW_col,
    dZ,
    dZ_col,
    dZ_dil,
    f,
    h,
    i,
    k,
    m,
    n_C,
    n_C_prev,
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
    "IM2COL",
    "IM2COL_RESULT",
    "INPUT_INDEX",
    "KERNEL_INDEX",
]

KERNEL_INDEX, INPUT_INDEX = (u, v, k, c), (i, y, x, k)


def _sum(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    """Σ over ``letters``, each over its range in the notation (0..n-1)."""
    return sp.Sum(body, *((letter, *NOTATION.ranges[letter]) for letter in letters))


def _dilated(letter: sp.Symbol, n: sp.Symbol) -> tuple[sp.Symbol, sp.Expr, sp.Expr]:
    """The limits of a position in dZ_dil: 0..s(n - 1)."""
    return letter, sp.Integer(0), mul(s, add(n, -1))


def _at(stride_index: sp.Symbol, offset: sp.Symbol) -> sp.Expr:
    return add(mul(s, stride_index), offset)


_WINDOW = A_pad[i, _at(h, u), _at(w, v), k]
_DW = _sum(mul(dZ[i, h, w, c], _WINDOW), i, h, w)
_DB = _sum(dZ[i, h, w, c], i, h, w)
_KERNEL_AT = W[add(p, y, mul(-1, s, h)), add(p, x, mul(-1, s, w)), k, c]
_DA = _sum(mul(dZ[i, h, w, c], _KERNEL_AT), h, w, c)


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
        add(_sum(mul(_WINDOW, W[u, v, k, c]), u, v, k), b[c]),
        "definition",
        "Forward (conv_single_step on every window): the f×f×n_C_prev window of A_pad at "
        "(s h, s w) times kernel c, entry by entry, summed, plus b[c]. The kernel is not "
        "flipped: a cross-correlation.",
    ),
    Line(
        dW[u, v, k, c],
        _sum(mul(dZ[i, h, w, c2], sp.Derivative(Z[i, h, w, c2], W[u, v, k, c])), i, h, w, c2),
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
        _sum(mul(dZ[i, h, w, c2], sp.Derivative(Z[i, h, w, c2], b[c])), i, h, w, c2),
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
        _sum(mul(dZ[i, h, w, c], sp.Derivative(Z[i, h, w, c], A_prev[i, y, x, k])), h, w, c),
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

_WINDOW_ROWS, _WINDOW_COLUMNS = f * f * n_C_prev, m * n_H * n_W
COL = sp.MatrixSymbol("col", _WINDOW_ROWS, _WINDOW_COLUMNS)
DCOL = sp.MatrixSymbol("dcol", _WINDOW_ROWS, _WINDOW_COLUMNS)
W_COL = sp.MatrixSymbol("W_col", n_C, _WINDOW_ROWS)
DW_COL = sp.MatrixSymbol("dW_col", n_C, _WINDOW_ROWS)
Z_COL = sp.MatrixSymbol("Z_col", n_C, _WINDOW_COLUMNS)
DZ_COL = sp.MatrixSymbol("dZ_col", n_C, _WINDOW_COLUMNS)
B, DB = sp.MatrixSymbol("b", n_C, 1), sp.MatrixSymbol("db", n_C, 1)


def _scatter(body: sp.Expr) -> sp.Expr:
    """col2im: Σ over the windows (h, w) and kernel positions (u, v) that land on
    A_pad[i, p + y, p + x, k]."""
    return _sum(
        mul(
            sp.KroneckerDelta(_at(h, u), add(p, y)),
            sp.KroneckerDelta(_at(w, v), add(p, x)),
            body,
        ),
        h,
        w,
        u,
        v,
    )


IM2COL = (
    Line(
        col[u, v, k, i, h, w],
        _WINDOW,
        "definition",
        "im2col: window (i, h, w) of A_pad, its f·f·n_C_prev entries, is one column of the "
        "matrix col, row (u, v, k) and column (i, h, w) in numpy's C order.",
    ),
    Line(
        W_col[c, u, v, k],
        W[u, v, k, c],
        "definition",
        "The kernels as rows: W_col = W.reshape(f·f·n_C_prev, n_C).T, one row per output channel.",
    ),
    Line(
        Z_COL,
        add(mul(W_COL, COL), B),
        "definition",
        "Forward as one matrix product: Z_col[c, (i, h, w)] = Z[i, h, w, c]; the column b is "
        "added to every column (numpy broadcasting).",
        matrix=True,
        broadcast=True,
    ),
    Line(
        DW_COL,
        mul(DZ_COL, COL.T),
        "average_over_examples",
        "As for a dense layer (dW = dZ A_prevᵀ), with the columns of col as the inputs: every "
        "window, of every example, adds its outer product with its dZ column.",
        matrix=True,
    ),
    Line(
        DB,
        mul(DZ_COL, sp.OneMatrix(_WINDOW_COLUMNS, 1)),
        "sum_over_examples",
        "db sums dZ over every column: every example and every output position.",
        matrix=True,
    ),
    Line(
        DCOL,
        mul(W_COL.T, DZ_COL),
        "chain_rule",
        "As dA[l-1] = W[l]ᵀ dZ[l]: the gradient of every window, with col free.",
        matrix=True,
    ),
    Line(
        dA_prev[i, y, x, k],
        _scatter(dcol[u, v, k, i, h, w]),
        "col2im",
        "col2im: every entry of dcol goes back to the place in A_pad it was read from, "
        "δ(a, b) being 1 for a = b and 0 otherwise; where windows overlap the entries add up; "
        "the border p is dropped.",
    ),
    Line(
        dW[u, v, k, c],
        dW_col[c, u, v, k],
        "reshape",
        "Back to the course's shape: dW = dW_col.T.reshape(f, f, n_C_prev, n_C).",
    ),
)
IM2COL_RESULT = sp.Tuple(
    _sum(mul(dZ_col[c, i, h, w], col[u, v, k, i, h, w]), i, h, w),
    _sum(dZ_col[c, i, h, w], i, h, w),
    _scatter(_sum(mul(W_col[c, u, v, k], dZ_col[c, i, h, w]), c)),
)

_FLIPPED = (add(f, -1, -u), add(f, -1, -v))
_SHIFT = group(add(f, -1, -p))
_DILATED_AT = dZ_dil[i, add(y, u, mul(-1, _SHIFT)), add(x, v, mul(-1, _SHIFT)), c]
_FULL_DA = _sum(mul(_DILATED_AT, W_rot[u, v, c, k]), u, v, c)
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
        _sum(mul(_DILATED_AT, W[_FLIPPED[0], _FLIPPED[1], k, c]), u, v, c),
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
