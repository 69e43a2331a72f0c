"""Claims in index notation, proven entry by entry in small concrete layers.

A claim ``lhs = rhs`` of a layer derivation (see :mod:`chainrule.symbolic.proof.tensors`)
holds for every size. It is proven in :class:`Instance` s: layers of a few entries per axis
(a 4×4 input with 2 channels, a 3×3 kernel, stride 1 and 2, ...) whose entries are symbols. An
instance gives every array its *meaning* there: the forward pass for ``Z`` or ``A``, the
parameters' symbols for ``W``, and for every gradient the partial derivative of the scalar
cost J = Σ G ⊙ output (G symbolic, so dOutput = G is any upstream gradient) taken directly,
by differentiating J. For every value of the free indices both sides are evaluated
(:mod:`chainrule.symbolic.proof.evaluation`: sums written out term by term) and their
difference must be 0 exactly: SymPy's ``expand`` reduces it to 0, or the exact polynomials
of the layer cancel term by term.

An index that leaves its array's shape is an error, unless the array is declared
``zero_outside``.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.core.model import Check, Verdict
from chainrule.symbolic.proof.algebras import SYMPY, Algebra
from chainrule.symbolic.proof.evaluation import evaluate_entry, index_value
from chainrule.symbolic.proof.shapes import shape_of, shape_text
from chainrule.symbolic.proof.tensors import Notation

__all__ = [
    "Entries",
    "Instance",
    "agree",
    "check_claim",
    "check_matrix_claim",
    "entry_count",
]

Entries = dict[tuple[int, ...], Any]


@dataclass
class Instance:
    """One concrete layer with symbolic entries.

    ``sizes`` gives each size symbol its value; ``arrays`` each tensor's entries by index
    tuple (integers for an array of indices, the embedding's ids); ``matrices`` the matrices
    of a matrix form (im2col) by name, as lists of rows; ``scalars`` the scalar quantities
    (γ, μ, dγ, ...); ``algebra`` how the values combine;
    ``derivative`` takes the derivative of one entry by another itself, (name, index) by
    (name, index), for a layer known at one point only (max pooling); ``by`` says how the
    layer's derivatives are taken; ``settle`` maps a SymPy difference to the point where it
    is judged (identity by default).
    """

    description: str
    sizes: dict[sp.Symbol, int]
    arrays: dict[str, Entries] = field(default_factory=dict)
    matrices: dict[str, list[list[Any]]] = field(default_factory=dict)
    scalars: dict[sp.Symbol, Any] = field(default_factory=dict)
    algebra: Algebra = SYMPY
    derivative: Callable[[tuple, tuple], Any] | None = None
    by: str = "sympy.diff"
    settle: Callable[[sp.Expr], sp.Expr] = lambda expr: expr
    compiled: dict = field(default_factory=dict, repr=False)
    names: dict[str, int] = field(init=False, repr=False)
    _settled: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.names = {symbol.name: value for symbol, value in self.sizes.items()}

    def variable(self, name: str, index: tuple[int, ...]) -> Any:
        """The variable that ``name[index]`` is (a derivative by an entry is by its value)."""
        return self.arrays[name][index]

    def settled(self, value: Any) -> Any:
        """A value ready to compare: settled and expanded in SymPy, as it is otherwise."""
        if self.algebra is SYMPY:
            return sp.expand(self.settle(value))
        return value

    def entry(self, expr: sp.Basic, env: Mapping[sp.Symbol, int], notation: Notation) -> Any:
        """``expr`` evaluated and settled; kept, since every line of a derivation is compared
        with the same few left sides, and the agreement of the routes and the oracle read the
        results' entries again."""
        key = (expr, tuple(env.items()))
        if key not in self._settled:
            self._settled[key] = self.settled(evaluate_entry(expr, env, self, notation))
        return self._settled[key]

    def witness(self, difference: Any) -> str | None:
        """None when a settled difference is 0, else a sentence showing that it is not."""
        if self.algebra is SYMPY:
            return _is_zero(difference)
        if not difference:
            return None
        return f"the difference {sp.sstr(difference.to_sympy())[:120]} is not 0"


def _free_values(
    lhs: sp.Basic, notation: Notation, instance: Instance
) -> Iterable[dict[sp.Symbol, int]]:
    """Every assignment of the free index letters of ``lhs``, each over its range."""
    letters = sorted(notation.free_indices(lhs), key=str)
    spans = []
    for letter in letters:
        low, high = (index_value(b, {}, instance.sizes) for b in notation.ranges[letter])
        spans.append(range(int(low), int(high) + 1))
    for values in itertools.product(*spans):
        yield dict(zip(letters, values, strict=True))


def entry_count(lhs: sp.Basic, notation: Notation, instances: Sequence[Instance]) -> int:
    """How many entries ``lhs`` has over all ``instances`` (the values of its free indices)."""
    return sum(sum(1 for _ in _free_values(lhs, notation, i)) for i in instances)


def _is_zero(difference: sp.Expr) -> str | None:
    """None when ``difference`` is 0, else a sentence showing that it is not."""
    if difference == 0 or sp.expand(difference) == 0:
        return None
    rng = random.Random(2024)
    point = {s: sp.Rational(rng.randint(-900, 900), 1000) for s in difference.free_symbols}
    value = sp.N(difference.xreplace(point), 15)
    if value.is_number and value != 0:
        return f"the two sides differ by {sp.N(value, 6)} at a random point"
    if sp.cancel(sp.together(difference)) == 0:
        return None
    return f"the difference {sp.sstr(difference)[:120]} does not reduce to 0"


def _meaning(lhs: sp.Basic, notation: Notation, instances: Sequence[Instance]) -> str:
    if isinstance(lhs, sp.Indexed):
        return notation.tensor(str(lhs.base.label)).meaning
    if isinstance(lhs, sp.Derivative):
        return f"the derivative taken directly ({instances[0].by})"
    return notation.scalars.get(lhs, "its value")


def check_claim(
    lhs: sp.Basic, rhs: sp.Basic, notation: Notation, instances: Sequence[Instance]
) -> Check:
    """Check ``lhs = rhs`` by its indices and shapes, then entry by entry in every instance.

    Raises ProofError where the claim is ill formed (free indices, axes, an index outside an
    array); returns a FAILED check naming the first entry that differs.
    """
    start = time.perf_counter()
    notation.check_indices(lhs, rhs)
    meaning, counts = _meaning(lhs, notation, instances), []
    for instance in instances:
        count = 0
        for env in _free_values(lhs, notation, instance):
            left = instance.entry(lhs, env, notation)
            right = instance.entry(rhs, env, notation)
            witness = instance.witness(right - left)
            if witness is not None:
                where = ", ".join(f"{k} = {v}" for k, v in env.items()) or "the one entry"
                return Check(
                    Verdict.FAILED,
                    f"at {where} in {instance.description}, the right side differs from "
                    f"{meaning}: {witness}",
                    time.perf_counter() - start,
                )
            count += 1
        counts.append(f"{count} at {instance.description}")
    head = "definition; equals" if meaning == "the forward pass" else "exact: every entry equals"
    method = f"{head} {meaning} ({'; '.join(counts)}); indices and shapes agree"
    return Check(Verdict.PROVED, method, time.perf_counter() - start)


def check_matrix_claim(
    lhs: sp.MatrixSymbol,
    rhs: sp.MatrixExpr,
    notation: Notation,
    instances: Sequence[Instance],
    broadcast: bool = False,
) -> tuple[Check, str]:
    """Check the matrix equation ``lhs = rhs`` by its symbolic shapes, then entry by entry in
    every instance (each matrix symbol bound to the instance's matrix of that name); returns
    the check and the shape sentence. Raises ProofError on a shape mismatch."""
    start = time.perf_counter()
    shapes = shape_text(lhs, rhs)
    if shape_of(lhs) != shape_of(rhs, broadcast):
        raise ProofError(f"{lhs.name} = {sp.sstr(rhs)}: the sides differ in shape: {shapes}")
    meaning, counts = notation.tensor(lhs.name).meaning, []
    shapes = _readable(shapes)
    for instance in instances:
        formula, definition = _matrix(rhs, instance), _matrix(lhs, instance)
        for row, col in itertools.product(range(len(formula)), range(len(formula[0]))):
            difference = instance.settled(formula[row][col]) - instance.settled(
                definition[row][col]
            )
            witness = instance.witness(difference)
            if witness is not None:
                return Check(
                    Verdict.FAILED,
                    f"entry ({row + 1}, {col + 1}) in {instance.description} differs from "
                    f"{meaning}: {witness}",
                    time.perf_counter() - start,
                ), shapes
        counts.append(f"{len(formula) * len(formula[0])} at {instance.description}")
    head = "definition; equals" if meaning == "the forward pass" else "exact: every entry equals"
    method = f"{head} {meaning} ({'; '.join(counts)}); shapes {shapes} agree"
    return Check(Verdict.PROVED, method, time.perf_counter() - start), shapes


def _readable(shapes: str) -> str:
    """Products of sizes as a reader writes them: ``f**2*n_C_prev`` -> ``f² n_C_prev``."""
    return shapes.replace("**2", "²").replace("*", " ")


def _matrix(expr: sp.MatrixExpr, instance: Instance) -> list[list[Any]]:
    """The concrete matrix of a matrix expression; a column added to a wider matrix is
    repeated over its columns (numpy broadcasting)."""
    algebra = instance.algebra
    if isinstance(expr, sp.MatrixSymbol):
        value = instance.matrices[expr.name]
        expected = tuple(int(index_value(n, {}, instance.sizes)) for n in expr.shape)
        if (len(value), len(value[0])) != expected:
            raise ProofError(f"{expr.name} is {len(value)}×{len(value[0])}, not {expected}")
        return value
    if isinstance(expr, sp.OneMatrix):
        rows, cols = (int(index_value(n, {}, instance.sizes)) for n in expr.shape)
        return [[algebra.number(Fraction(1))] * cols for _ in range(rows)]
    if isinstance(expr, sp.Transpose):
        return [list(column) for column in zip(*_matrix(expr.arg, instance), strict=True)]
    if not isinstance(expr, (sp.MatMul, sp.MatAdd)):
        raise ProofError(f"the matrix checker cannot handle {type(expr).__name__}")
    scale = algebra.number(1)
    for factor in expr.args:
        if not isinstance(factor, sp.MatrixExpr):
            scale = algebra.product(
                [scale, algebra.number(index_value(factor, {}, instance.sizes))]
            )
    parts = [_matrix(arg, instance) for arg in expr.args if isinstance(arg, sp.MatrixExpr)]
    if isinstance(expr, sp.MatMul):
        parts[0] = [[algebra.product([scale, entry]) for entry in row] for row in parts[0]]
    result = parts[0]
    for part in parts[1:]:
        if isinstance(expr, sp.MatMul):
            result = [
                [
                    algebra.total([algebra.product([a, b]) for a, b in zip(row, col, strict=True)])
                    for col in zip(*part, strict=True)
                ]
                for row in result
            ]
        else:
            width = max(len(result[0]), len(part[0]))
            result = [
                [algebra.total([r[j % len(r)], q[j % len(q)]]) for j in range(width)]
                for r, q in zip(result, part, strict=True)
            ]
    return result


def agree(
    claims: Sequence[tuple[sp.Basic, sp.Basic, sp.Basic]],
    notation: Notation,
    instances: Sequence[Instance],
) -> Check:
    """Check that the results of two routes agree: for each ``(lhs, first, second)``, the two
    right sides give the same entries for every value of the free indices of ``lhs``."""
    start = time.perf_counter()
    entries = 0
    for lhs, first, second in claims:
        for instance in instances:
            for env in _free_values(lhs, notation, instance):
                one = instance.entry(first, env, notation)
                witness = instance.witness(instance.entry(second, env, notation) - one)
                if witness is not None:
                    return Check(
                        Verdict.FAILED,
                        f"the routes differ for {sp.sstr(lhs)} in {instance.description}: "
                        f"{witness}",
                        time.perf_counter() - start,
                    )
                entries += 1
    sizes = "; ".join(i.description for i in instances)
    method = f"exact: the routes' results agree in all {entries} entries at {sizes}"
    return Check(Verdict.PROVED, method, time.perf_counter() - start)
