"""Index notation for layer tensors, and its shape check.

The derivations of batch normalisation, convolution and pooling are written entry by entry:
``dW[u, v, k, c] = Σ dZ[i, h, w, c] A_pad[i, s h + u, s w + v, k]``. Each array is a
:class:`Tensor`, a SymPy ``IndexedBase`` with a symbolic shape (``W`` is
``(f, f, n_C_prev, n_C)``), and each index letter of a derivation has one range
(``u = 0..f-1``), collected in a :class:`Notation`.

:meth:`Notation.check_indices` is the shape check of such a claim: every free index of the
right side is one of the left side's (the right may lack some: ∂μ/∂x_i = 1/m); every array
is indexed with as many indices as it has axes; and where an index letter stands alone on an
axis, the letter's range (a sum's bounds, or the notation's range for a free index) is that
axis, symbolically. Compound indices (``s h + u``) are checked at concrete sizes, entry by
entry, by :mod:`chainrule.symbolic.proof.instances`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy as sp

from chainrule.errors import ProofError

__all__ = ["Notation", "Range", "Tensor", "plain_text"]

Range = tuple[sp.Expr, sp.Expr]


def plain_text(expr: sp.Basic) -> str:
    """A size or index in one line of plain text: ``n_H_prev + 2*p`` -> ``n_H_prev + 2p``."""
    return sp.sstr(expr).replace("*", "")


@dataclass(frozen=True)
class Tensor:
    """A named array of the notation.

    ``shape`` holds symbolic sizes; every axis counts from ``first`` (0 as in NumPy, 1 as in
    the batch-norm paper). ``zero_outside``: the array reads 0 beyond its shape (a kernel
    outside its f×f window, a dilated gradient between its entries), a convention that the
    derivation's notes state. ``meaning`` says what the entries are, for the check's report:
    ``∂J/∂W``, or ``the forward pass``.
    """

    name: str
    shape: tuple[sp.Expr, ...]
    meaning: str = "the forward pass"
    first: int = 0
    zero_outside: bool = False
    stacked: tuple[int, ...] = ()

    @property
    def base(self) -> sp.IndexedBase:
        return sp.IndexedBase(self.name)

    def __getitem__(self, indices: object) -> sp.Indexed:
        return self.base[indices]

    def axis(self, k: int) -> Range:
        """The index range of axis ``k``: first..first + n - 1."""
        return sp.Integer(self.first), sp.Integer(self.first) + self.shape[k] - 1

    def shape_text(self) -> str:
        return "(" + ", ".join(plain_text(n) for n in self.shape) + ")"


def _same_range(left: Range, right: Range) -> bool:
    return all(sp.expand(a - b) == 0 for a, b in zip(left, right, strict=True))


def _same_start(left: Range, right: Range) -> bool:
    return sp.expand(left[0] - right[0]) == 0


def _range_text(bounds: Range) -> str:
    return f"{plain_text(bounds[0])}..{plain_text(bounds[1])}"


class Notation:
    """The tensors, scalar quantities and index letters of one derivation.

    Parameters
    ----------
    tensors
        The arrays, by name.
    ranges
        Each free index letter's range (``u: (0, f - 1)``); a letter bound by a sum takes the
        sum's bounds instead.
    scalars
        Scalar quantities by symbol and what they mean (``gamma``, ``dgamma``: ``∂J/∂γ``).
    """

    def __init__(
        self,
        tensors: Iterable[Tensor],
        ranges: Mapping[sp.Symbol, Range],
        scalars: Mapping[sp.Symbol, str] | None = None,
    ) -> None:
        self.tensors = {t.name: t for t in tensors}
        self.ranges = {
            letter: (sp.sympify(low), sp.sympify(high)) for letter, (low, high) in ranges.items()
        }
        self.scalars = dict(scalars or {})

    def tensor(self, name: str) -> Tensor:
        if name not in self.tensors:
            raise ProofError(f"the index checker does not know the array {name}")
        return self.tensors[name]

    def free_indices(self, expr: sp.Basic, bound: frozenset = frozenset()) -> set[sp.Symbol]:
        """The index letters of ``expr`` not bound by a sum (those of a derivative's
        variables included: SymPy counts them bound, a reader does not)."""
        if isinstance(expr, sp.Symbol):
            return {expr} if expr in self.ranges and expr not in bound else set()
        if isinstance(expr, sp.Sum):
            inner = bound | {limit[0] for limit in expr.limits}
            found = self.free_indices(expr.function, inner)
            for _, low, high in expr.limits:
                found |= self.free_indices(low, bound) | self.free_indices(high, bound)
            return found
        found = set()
        for arg in expr.args:
            if not isinstance(arg, sp.IndexedBase):
                found |= self.free_indices(arg, bound)
        return found

    def check_indices(self, lhs: sp.Basic, rhs: sp.Basic) -> None:
        """Raise ProofError unless ``lhs = rhs`` is well formed (see the module docstring)."""
        left, right = self.free_indices(lhs), self.free_indices(rhs)
        if not right <= left:
            raise ProofError(
                f"{sp.sstr(lhs)} = ...: the right side has free indices the left lacks "
                f"({_letters(left)} on the left, {_letters(right)} on the right)"
            )
        for side in (lhs, rhs):
            self._walk(side, {})

    def _walk(self, expr: sp.Basic, bound: dict[sp.Symbol, Range]) -> None:
        if isinstance(expr, sp.Sum):
            inner = dict(bound)
            for index, low, high in expr.limits:
                inner[index] = (low, high)
            self._walk(expr.function, inner)
            return
        if isinstance(expr, sp.Indexed):
            self._check_axes(expr, bound)
        for arg in expr.args:
            if not isinstance(arg, sp.IndexedBase):
                self._walk(arg, bound)

    def _check_axes(self, entry: sp.Indexed, bound: Mapping[sp.Symbol, Range]) -> None:
        tensor = self.tensor(str(entry.base.label))
        if len(entry.indices) != len(tensor.shape):
            raise ProofError(
                f"{sp.sstr(entry)}: {tensor.name} has {len(tensor.shape)} axes, "
                f"{tensor.shape_text()}, not {len(entry.indices)}"
            )
        for k, index in enumerate(entry.indices):
            letter_range = bound.get(index, self.ranges.get(index))
            if letter_range is None:
                continue  # a compound index, checked at concrete sizes
            if k in tensor.stacked and _same_start(letter_range, tensor.axis(k)):
                continue
            if not _same_range(letter_range, tensor.axis(k)):
                raise ProofError(
                    f"{sp.sstr(entry)}: {index} runs over {_range_text(letter_range)}, but axis "
                    f"{k + 1} of {tensor.name} {tensor.shape_text()} is "
                    f"{_range_text(tensor.axis(k))}"
                )

    def shapes_text(self, *sides: sp.Basic) -> str:
        """The shapes of the arrays in ``sides``, in order of appearance:
        ``dW (f, f, n_C_prev, n_C); dZ (m, n_H, n_W, n_C)``."""
        names: list[str] = []
        for side in sides:
            for node in sp.preorder_traversal(side):
                if isinstance(node, sp.IndexedBase) and str(node.label) not in names:
                    names.append(str(node.label))
        return "; ".join(f"{name} {self.tensor(name).shape_text()}" for name in names)


def _letters(indices: set[sp.Symbol]) -> str:
    return ", ".join(sorted(str(s) for s in indices)) or "none"
