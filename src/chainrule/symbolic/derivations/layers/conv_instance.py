"""The notation of the convolution derivation, and the concrete layers it is proven in.

Shapes are the course's (course 4, ``conv_forward`` / ``conv_backward``): A_prev
(m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C), b one number per output channel
(stored (1, 1, 1, n_C) there, b[c] here), Z and dZ (m, n_H, n_W, n_C). Indices count from 0,
as in NumPy: i an example, (h, w) an output position, c an output channel, (u, v) a position
in the kernel, k an input channel, (y, x) a position in A_prev.

A layer of :class:`ConvSizes` has a variable for every entry of A_prev, W, b and of the
upstream gradient G (J = Σ G ⊙ Z, so dZ = G), and is computed in exact polynomials
(:mod:`chainrule.symbolic.proof.polynomials`). Every gradient is the partial derivative of J
taken directly, term by term; the im2col matrices are the same entries reshaped, and dcol is
∂J/∂col with col free.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from chainrule.symbolic.core.trees import add
from chainrule.symbolic.derivations.layers.windows import (
    BY_TERMS,
    as_matrix,
    grid,
    padded,
    partials,
    positions,
)
from chainrule.symbolic.proof.algebras import POLYNOMIALS
from chainrule.symbolic.proof.instances import Entries, Instance
from chainrule.symbolic.proof.polynomials import Polynomial
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = ["NOTATION", "SIZES", "ConvSizes", "instance"]

m, n_C, f, s, p = (sp.Symbol(n) for n in ("m", "n_C", "f", "s", "p"))
n_H_prev, n_W_prev, n_C_prev = (sp.Symbol(n) for n in ("n_H_prev", "n_W_prev", "n_C_prev"))
n_H, n_W = sp.Symbol("n_H"), sp.Symbol("n_W")
i, h, w, c, u, v, k, y, x = (sp.Symbol(n) for n in "ihwcuvkyx")
c2, r, t = sp.Symbol("c'"), sp.Symbol("r"), sp.Symbol("t")

_PADDED = (m, n_H_prev + 2 * p, n_W_prev + 2 * p, n_C_prev)
_OUTPUT = (m, n_H, n_W, n_C)
_KERNEL = (f, f, n_C_prev, n_C)
_WINDOWS = (f, f, n_C_prev, m, n_H, n_W)
_DILATED = (m, s * (n_H - 1) + 1, s * (n_W - 1) + 1, n_C)

_TENSORS = (
    Tensor("A_prev", (m, n_H_prev, n_W_prev, n_C_prev), "the input"),
    Tensor("A_pad", _PADDED),
    Tensor("W", _KERNEL, zero_outside=True),
    Tensor("b", (n_C,)),
    Tensor("Z", _OUTPUT),
    Tensor("dZ", _OUTPUT, "∂J/∂Z"),
    Tensor("dW", _KERNEL, "∂J/∂W"),
    Tensor("db", (n_C,), "∂J/∂b"),
    Tensor("dA_prev", (m, n_H_prev, n_W_prev, n_C_prev), "∂J/∂A_prev"),
    Tensor("col", _WINDOWS),
    Tensor("W_col", (n_C, f, f, n_C_prev)),
    Tensor("Z_col", (n_C, m, n_H, n_W)),
    Tensor("dZ_col", (n_C, m, n_H, n_W), "∂J/∂Z_col"),
    Tensor("dW_col", (n_C, f, f, n_C_prev), "∂J/∂W_col"),
    Tensor("dcol", _WINDOWS, "∂J/∂col (col free)"),
    Tensor("W_rot", (f, f, n_C, n_C_prev)),
    Tensor("dZ_dil", _DILATED, "dZ dilated", zero_outside=True),
)
A_prev, A_pad, W, b, Z, dZ, dW, db, dA_prev = (t_.base for t_ in _TENSORS[:9])
col, W_col, Z_col, dZ_col, dW_col, dcol, W_rot, dZ_dil = (t_.base for t_ in _TENSORS[9:])


def _span(n: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    return sp.Integer(0), add(n, -1)


_COUNTED = "the number of window positions, counted"

NOTATION = Notation(
    _TENSORS,
    {
        i: _span(m),
        h: _span(n_H),
        w: _span(n_W),
        c: _span(n_C),
        c2: _span(n_C),
        u: _span(f),
        v: _span(f),
        k: _span(n_C_prev),
        y: _span(n_H_prev),
        x: _span(n_W_prev),
    },
    {n_H: _COUNTED, n_W: _COUNTED},
)


@dataclass(frozen=True)
class ConvSizes:
    """One concrete layer: m examples of n_H_prev × n_W_prev × n_C_prev, n_C kernels f × f,
    stride s, padding p."""

    m: int
    n_H_prev: int
    n_W_prev: int
    n_C_prev: int
    f: int
    n_C: int
    s: int
    p: int

    def describe(self) -> str:
        return (
            f"m = {self.m}, A_prev {self.n_H_prev}×{self.n_W_prev}×{self.n_C_prev}, "
            f"{self.n_C} kernels {self.f}×{self.f}, stride {self.s}, padding {self.p}"
        )


#: The layers every line is proven in: stride 1 and 2, padding 1, a 3×3 kernel.
SIZES = (ConvSizes(1, 4, 4, 2, 3, 3, 1, 1), ConvSizes(2, 5, 4, 2, 3, 2, 2, 1))


def instance(size: ConvSizes) -> Instance:
    """The layer ``size`` with symbolic entries (see the module docstring)."""
    ms, fs, ss, ps, channels = size.m, size.f, size.s, size.p, size.n_C
    heights = positions(size.n_H_prev + 2 * ps, fs, ss)
    widths = positions(size.n_W_prev + 2 * ps, fs, ss)
    inputs = grid("a", (ms, size.n_H_prev, size.n_W_prev, size.n_C_prev))
    pad = padded(inputs, (ms, size.n_H_prev, size.n_W_prev, size.n_C_prev), ps)
    kernel = grid("w", (fs, fs, size.n_C_prev, channels))
    bias = grid("b", (channels,))
    upstream = grid("g", (ms, heights, widths, channels))
    windows = list(itertools.product(range(fs), range(fs), range(size.n_C_prev)))
    outputs = list(itertools.product(range(ms), range(heights), range(widths)))

    def window(i_: int, h_: int, w_: int) -> list[Polynomial]:
        return [pad[i_, ss * h_ + u_, ss * w_ + v_, k_] for u_, v_, k_ in windows]

    forward: Entries = {
        out + (c_,): Polynomial.total(
            [a * kernel[o + (c_,)] for a, o in zip(window(*out), windows, strict=True)]
            + [bias[(c_,)]]
        )
        for out in outputs
        for c_ in range(channels)
    }
    cost = Polynomial.total(upstream[index] * value for index, value in forward.items())

    columns: Entries = {
        o + out: a for out in outputs for o, a in zip(windows, window(*out), strict=True)
    }
    free_columns = grid("q", (len(windows), len(outputs)))
    column_cost = Polynomial.total(
        upstream[out + (c_,)] * kernel[o + (c_,)] * free_columns[row, j]
        for j, out in enumerate(outputs)
        for c_ in range(channels)
        for row, o in enumerate(windows)
    )
    column_gradient = partials(column_cost, free_columns)
    dcol: Entries = {
        o + out: column_gradient[row, j]
        for row, o in enumerate(windows)
        for j, out in enumerate(outputs)
    }

    free_outputs = grid("z", (ms, heights, widths, channels))
    output_cost = Polynomial.total(upstream[ix] * free_outputs[ix] for ix in upstream)
    gradients = {
        "dZ": partials(output_cost, free_outputs),
        "dW": partials(cost, kernel),
        "db": partials(cost, bias),
        "dA_prev": partials(cost, inputs),
    }
    arrays: dict[str, Entries] = {
        "A_prev": inputs,
        "A_pad": pad,
        "W": kernel,
        "b": bias,
        "Z": forward,
        **gradients,
        "col": columns,
        "W_col": _channels_first(kernel),
        "Z_col": _output_first(forward),
        "dZ_col": _output_first(gradients["dZ"]),
        "dW_col": _channels_first(gradients["dW"]),
        "dcol": dcol,
        "W_rot": {
            (u_, v_, c_, k_): kernel[fs - 1 - u_, fs - 1 - v_, k_, c_] for u_, v_, k_, c_ in kernel
        },
        "dZ_dil": _dilated(gradients["dZ"], (ms, heights, widths, channels), ss),
    }
    kernel_rows = (channels, fs, fs, size.n_C_prev)
    window_columns = (fs, fs, size.n_C_prev, ms, heights, widths)
    output_rows = (channels, ms, heights, widths)
    matrices = {
        "W_col": as_matrix(arrays["W_col"], kernel_rows, 1),
        "col": as_matrix(columns, window_columns, 3),
        "Z_col": as_matrix(arrays["Z_col"], output_rows, 1),
        "dZ_col": as_matrix(arrays["dZ_col"], output_rows, 1),
        "dW_col": as_matrix(arrays["dW_col"], kernel_rows, 1),
        "dcol": as_matrix(dcol, window_columns, 3),
        "b": [[bias[(c_,)]] for c_ in range(channels)],
        "db": [[gradients["db"][(c_,)]] for c_ in range(channels)],
    }
    sizes = {
        m: ms,
        n_H_prev: size.n_H_prev,
        n_W_prev: size.n_W_prev,
        n_C_prev: size.n_C_prev,
        f: fs,
        n_C: channels,
        s: ss,
        p: ps,
        n_H: heights,
        n_W: widths,
    }
    return Instance(size.describe(), sizes, arrays, matrices, algebra=POLYNOMIALS, by=BY_TERMS)


def _channels_first(kernel: Entries) -> Entries:
    """W (f, f, n_C_prev, n_C) as W_col (n_C, f, f, n_C_prev): W.reshape(-1, n_C).T."""
    return {(c_, u_, v_, k_): value for (u_, v_, k_, c_), value in kernel.items()}


def _output_first(array: Entries) -> Entries:
    """(m, n_H, n_W, n_C) as (n_C, m, n_H, n_W): one row per channel."""
    return {(c_, i_, h_, w_): value for (i_, h_, w_, c_), value in array.items()}


def _dilated(array: Entries, shape: tuple[int, ...], stride: int) -> Entries:
    """dZ with stride - 1 zeros between neighbouring entries along both spatial axes."""
    ms, heights, widths, channels = shape
    spans = (
        range(ms),
        range(stride * (heights - 1) + 1),
        range(stride * (widths - 1) + 1),
        range(channels),
    )
    out: Entries = {index: Polynomial.constant(0) for index in itertools.product(*spans)}
    for (i_, h_, w_, c_), value in array.items():
        out[i_, stride * h_, stride * w_, c_] = value
    return out
