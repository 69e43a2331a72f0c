"""The notation of the pooling derivations, and the concrete layers they are proven in.

Shapes are the course's (course 4, ``pool_forward`` / ``pool_backward``): A_prev
(m, n_H_prev, n_W_prev, n_C), A and dA (m, n_H, n_W, n_C), an f×f window at stride s, no
padding; every channel is pooled on its own. Indices count from 0: i an example, (h, w) an
output position, c a channel, (u, v) a position in the window, (y, x) a position in A_prev.

Each layer has a symbolic upstream gradient G (J = Σ G ⊙ A, so dA = G) and dA_prev is the
partial derivative of J taken directly. For average pooling the inputs are variables and the
layer is exact polynomials. Max has no derivative where a window's maximum is not unique, so
the max-pooling layer is a point: its inputs are distinct integers (a shuffled 1..N). Near
it max is linear (moving one entry by less than 1/2 keeps every window's order), so J is
differentiated from the definition: the exact difference quotient with step 1/4, both
one-sided quotients computed and required to agree. Only G stays symbolic.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.core.trees import add
from chainrule.symbolic.derivations.layers.windows import BY_TERMS, grid, partials, positions
from chainrule.symbolic.proof.algebras import POLYNOMIALS
from chainrule.symbolic.proof.instances import Entries, Instance
from chainrule.symbolic.proof.polynomials import Polynomial
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = [
    "NOTATION",
    "SIZES",
    "STEP",
    "PoolSizes",
    "average_layer",
    "instance",
    "max_layer",
]

m, n_C, f, s = (sp.Symbol(n) for n in ("m", "n_C", "f", "s"))
n_H_prev, n_W_prev, n_H, n_W = (sp.Symbol(n) for n in ("n_H_prev", "n_W_prev", "n_H", "n_W"))
i, h, w, c, u, v, y, x = (sp.Symbol(n) for n in "ihwcuvyx")

_INPUT, _OUTPUT = (m, n_H_prev, n_W_prev, n_C), (m, n_H, n_W, n_C)
_TENSORS = (
    Tensor("A_prev", _INPUT, "the input"),
    Tensor("A", _OUTPUT),
    Tensor("dA", _OUTPUT, "∂J/∂A"),
    Tensor("dA_prev", _INPUT, "∂J/∂A_prev"),
    Tensor("M", (m, n_H, n_W, n_C, f, f)),
)
A_prev, A, dA, dA_prev, M = (t.base for t in _TENSORS)


def _span(n: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    return sp.Integer(0), add(n, -1)


_COUNTED = "the number of window positions, counted"

NOTATION = Notation(
    _TENSORS,
    {i: _span(m), h: _span(n_H), w: _span(n_W), c: _span(n_C), u: _span(f), v: _span(f)}
    | {y: _span(n_H_prev), x: _span(n_W_prev)},
    {n_H: _COUNTED, n_W: _COUNTED},
)


@dataclass(frozen=True)
class PoolSizes:
    """One concrete layer: m examples of n_H_prev × n_W_prev × n_C, windows f × f, stride s."""

    m: int
    n_H_prev: int
    n_W_prev: int
    n_C: int
    f: int
    s: int

    def describe(self) -> str:
        return (
            f"m = {self.m}, A_prev {self.n_H_prev}×{self.n_W_prev}×{self.n_C}, "
            f"window {self.f}×{self.f}, stride {self.s}"
        )


#: Overlapping windows (stride 1 and 2 under a wider window) and the classic 2×2 at stride 2.
SIZES = (PoolSizes(1, 4, 4, 2, 2, 1), PoolSizes(2, 5, 4, 2, 3, 2), PoolSizes(1, 4, 4, 1, 2, 2))


@dataclass(frozen=True)
class _Windows:
    """The windows of a layer: output positions, offsets, and the entries each one reads."""

    size: PoolSizes

    @property
    def heights(self) -> int:
        return positions(self.size.n_H_prev, self.size.f, self.size.s)

    @property
    def widths(self) -> int:
        return positions(self.size.n_W_prev, self.size.f, self.size.s)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (self.size.m, self.size.n_H_prev, self.size.n_W_prev, self.size.n_C)

    @property
    def outputs(self) -> list[tuple[int, ...]]:
        spans = (range(self.size.m), range(self.heights), range(self.widths))
        return list(itertools.product(*spans, range(self.size.n_C)))

    @property
    def offsets(self) -> list[tuple[int, int]]:
        return list(itertools.product(range(self.size.f), range(self.size.f)))

    def window(self, out: tuple[int, ...]) -> list[tuple[int, ...]]:
        i_, h_, w_, c_ = out
        stride = self.size.s
        return [(i_, stride * h_ + u_, stride * w_ + v_, c_) for u_, v_ in self.offsets]

    def sizes(self) -> dict[sp.Symbol, int]:
        size = self.size
        found = {m: size.m, n_H_prev: size.n_H_prev, n_W_prev: size.n_W_prev, n_C: size.n_C}
        return found | {f: size.f, s: size.s, n_H: self.heights, n_W: self.widths}


def instance(size: PoolSizes, mode: str) -> Instance:
    """The layer ``size`` for ``mode`` "max" or "average" (see the module docstring)."""
    if mode == "max":
        return max_layer(size)
    if mode == "average":
        return average_layer(size)
    raise ValueError(f"no pooling mode {mode!r}")


def average_layer(size: PoolSizes) -> Instance:
    """The average-pooling layer ``size``, its inputs and upstream gradient variables."""
    layout = _Windows(size)
    outputs, sizes = layout.outputs, layout.sizes()
    inputs = grid("a", layout.shape)
    upstream = grid("g", (size.m, layout.heights, layout.widths, size.n_C))
    share = Fraction(1, size.f * size.f)
    forward: Entries = {
        out: Polynomial.total(inputs[ix] for ix in layout.window(out)) * share for out in outputs
    }
    cost = Polynomial.total(upstream[out] * forward[out] for out in outputs)
    free = grid("z", (size.m, layout.heights, layout.widths, size.n_C))
    arrays: dict[str, Entries] = {
        "A_prev": inputs,
        "A": forward,
        "dA": partials(Polynomial.total(upstream[o] * free[o] for o in outputs), free),
        "dA_prev": partials(cost, inputs),
    }
    return Instance(size.describe(), sizes, arrays, algebra=POLYNOMIALS, by=BY_TERMS)


#: The step of the exact difference quotients of max pooling: the entries are integers, so
#: moving one by less than 1/2 keeps every window's order, and max is linear there, unless
#: two entries tie (then the one-sided quotients differ, and that is reported).
STEP = Fraction(1, 4)


def max_layer(size: PoolSizes, point: Mapping[tuple[int, ...], int] | None = None) -> Instance:
    """The max-pooling layer ``size`` at ``point`` (its A_prev entries, integers), by default
    distinct integers, a shuffled 1..N, so that every window's maximum is unique. The mask M
    marks each window's first maximal entry in row-major order. A derivative at an entry
    where max is not differentiable (a tie) raises ProofError."""
    layout = _Windows(size)
    outputs, sizes = layout.outputs, layout.sizes()
    cells = list(itertools.product(*map(range, layout.shape)))
    if point is None:
        values = random.Random(12).sample(range(1, len(cells) + 1), len(cells))
        point = dict(zip(cells, values, strict=True))
    upstream = grid("g", (size.m, sizes[n_H], sizes[n_W], size.n_C))
    windows = {out: layout.window(out) for out in outputs}

    def pooled(at: Mapping, out: tuple[int, ...]) -> Fraction:
        return max(Fraction(at[ix]) for ix in windows[out])

    def cost(at: Mapping) -> Polynomial:
        return Polynomial.total(upstream[out] * pooled(at, out) for out in outputs)

    def slope(function, cell: tuple[int, ...]):
        """The derivative of ``function`` by the entry ``cell`` at the point, as the exact
        difference quotient; both one-sided quotients must agree."""
        up: dict[tuple[int, ...], Fraction] = {ix: Fraction(n) for ix, n in point.items()}
        down = dict(up)
        up[cell] += STEP
        down[cell] -= STEP
        centre, above, below = function(point), function(up), function(down)
        if (above - centre) != (centre - below):
            raise ProofError(f"max pooling is not differentiable at A_prev{list(cell)}")
        return (above - below) * (1 / (2 * STEP))

    def derivative(of: tuple[str, tuple[int, ...]], by: tuple[str, tuple[int, ...]]):
        if of[0] != "A" or by[0] != "A_prev":
            raise ProofError(f"the max-pool layer has no derivative of {of[0]} by {by[0]}")
        return Polynomial.constant(slope(lambda at: pooled(at, of[1]), by[1]))

    mask = {}
    for out in outputs:
        first = max(range(len(layout.offsets)), key=lambda k: (point[windows[out][k]], -k))
        for k, (u_, v_) in enumerate(layout.offsets):
            mask[out + (u_, v_)] = Polynomial.constant(int(k == first))
    free = grid("z", (size.m, sizes[n_H], sizes[n_W], size.n_C))
    arrays: dict[str, Entries] = {
        "A_prev": {ix: Polynomial.constant(value) for ix, value in point.items()},
        "A": {out: Polynomial.constant(pooled(point, out)) for out in outputs},
        "dA": partials(Polynomial.total(upstream[o] * free[o] for o in outputs), free),
        "dA_prev": {cell: slope(cost, cell) for cell in cells},
        "M": mask,
    }
    return Instance(
        size.describe() + ", distinct entries" * (len(set(point.values())) == len(point)),
        sizes,
        arrays,
        algebra=POLYNOMIALS,
        derivative=derivative,
        by="exact difference quotients of J",
    )
