"""The convolution derivation's matrix route, "im2col": the windows of A_pad as the columns
of one matrix, so that the layer is one matrix product and its gradients are the dense
layer's (dW_col = dZ_col colᵀ, dcol = W_colᵀ dZ_col), then col2im (see :mod:`.conv`)."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import add, mul
from chainrule.symbolic.derivations.layers.assembly import Line
from chainrule.symbolic.derivations.layers.conv_instance import (
    W,
    W_col,
    c,
    col,
    dA_prev,
    dcol,
    dW,
    dW_col,
    dZ_col,
    f,
    h,
    i,
    k,
    m,
    n_C,
    n_C_prev,
    n_H,
    n_W,
    p,
    u,
    v,
    w,
    x,
    y,
)
from chainrule.symbolic.derivations.layers.conv_routes import WINDOW, at, sum_over

__all__ = ["COL", "DB", "DCOL", "DW_COL", "DZ_COL", "IM2COL", "IM2COL_RESULT", "W_COL", "Z_COL"]

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
    return sum_over(
        mul(
            sp.KroneckerDelta(at(h, u), add(p, y)),
            sp.KroneckerDelta(at(w, v), add(p, x)),
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
        WINDOW,
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
    sum_over(mul(dZ_col[c, i, h, w], col[u, v, k, i, h, w]), i, h, w),
    sum_over(dZ_col[c, i, h, w], i, h, w),
    _scatter(sum_over(mul(W_col[c, u, v, k], dZ_col[c, i, h, w]), c)),
)
