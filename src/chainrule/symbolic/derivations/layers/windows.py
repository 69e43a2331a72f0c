"""What the concrete convolution and pooling layers share: arrays of variables, window
counts, padding, matrix views and the direct partial derivatives of J.

Arrays are dicts from index tuples (counting from 0, as in NumPy) to exact polynomials
(:mod:`chainrule.symbolic.proof.polynomials`); the layers built from
them are the instances the derivations are proven in (:mod:`chainrule.symbolic.proof.instances`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from chainrule.symbolic.proof.instances import Entries
from chainrule.symbolic.proof.polynomials import Polynomial, variable

__all__ = ["BY_TERMS", "as_matrix", "grid", "padded", "partials", "positions"]

#: How the derivatives of the polynomial layers are taken (the oracle's label).
BY_TERMS = "J differentiated term by term"


def grid(prefix: str, shape: Sequence[int]) -> Entries:
    """An array of distinct variables ``prefix0_1_2`` (exact polynomials) of the given shape."""
    return {
        index: variable(prefix + "_".join(map(str, index)))
        for index in itertools.product(*map(range, shape))
    }


def positions(size: int, f: int, s: int) -> int:
    """How many windows of width ``f`` at stride ``s`` fit along an axis of ``size`` entries,
    counted one by one (the derivations state the formula ⌊(size - f)/s⌋ + 1 and check it)."""
    count = 0
    while count * s + f <= size:
        count += 1
    return count


def padded(entries: Entries, shape: Sequence[int], p: int) -> Entries:
    """A (m, height, width, channels) array inside a border of ``p`` zeros (np.pad)."""
    m, height, width, channels = shape
    spans = (range(m), range(height + 2 * p), range(width + 2 * p), range(channels))
    zero = Polynomial.constant(0)
    out: Entries = {index: zero for index in itertools.product(*spans)}
    for (i, y, x, k), value in entries.items():
        out[i, y + p, x + p, k] = value
    return out


def as_matrix(entries: Entries, shape: Sequence[int], split: int) -> list[list[Any]]:
    """The array as a matrix (a list of rows), its first ``split`` axes making the rows and
    the others the columns, both in C order (numpy's reshape)."""
    rows, cols = _count(shape[:split]), _count(shape[split:])
    matrix: list[list[Any]] = [[Polynomial.constant(0)] * cols for _ in range(rows)]
    for index, value in entries.items():
        matrix[_ravel(index[:split], shape[:split])][_ravel(index[split:], shape[split:])] = value
    return matrix


def _count(shape: Sequence[int]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def _ravel(index: Sequence[int], shape: Sequence[int]) -> int:
    flat = 0
    for i, n in zip(index, shape, strict=True):
        flat = flat * n + i
    return flat


def partials(cost: Polynomial, variables: Mapping[tuple[int, ...], Polynomial]) -> Entries:
    """∂cost/∂v for every variable v of ``variables``, taken directly: the cost is
    differentiated term by term, each variable in the terms that hold it (the others have
    derivative 0), so a cost of thousands of terms costs little per variable."""
    holding: dict[str, dict] = defaultdict(dict)
    for monomial, coefficient in cost.terms.items():
        for held, _ in monomial:
            holding[held][monomial] = coefficient
    derivatives: Entries = {}
    for index, v in variables.items():
        name = v.name()
        assert name is not None, "a variable of the layer"
        derivatives[index] = Polynomial(holding.get(name, {})).diff(name)
    return derivatives
