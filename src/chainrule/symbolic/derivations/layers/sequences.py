"""What the sequence layers' derivations share (embedding, RNN, LSTM, attention): index
ranges and sums over them, and the direct partial derivatives of J by intermediate arrays.

The gradient of J by an intermediate array (dz of an RNN step, da⟨t⟩, the scores of
attention) is ∂J/∂q with q free and what follows q recomputed from it. :func:`gradients`
takes it directly: for every entry of every intermediate array the layer's forward pass is run
once more with a variable ε added to that entry alone, J is differentiated by ε exactly
(:meth:`~chainrule.symbolic.proof.nodes.Nodes.diff`), and ε is set back to 0. Adding ε at q
moves q and all that is computed from q, and nothing computed before it: the partial
derivative a reader means by dq. One entry at a time, every node computed before q stays the
node of the unperturbed pass, so only the nodes after q are differentiated and re-applied
(perturbing every entry at once made every node new, many times the work over several steps).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from chainrule.symbolic.core.trees import add, replace
from chainrule.symbolic.derivations.softmax import JACOBIAN, a_i, a_j, delta
from chainrule.symbolic.proof.instances import Entries
from chainrule.symbolic.proof.nodes import Nodes
from chainrule.symbolic.proof.polynomials import Polynomial, variable
from chainrule.symbolic.proof.tensors import Notation

__all__ = ["Forward", "Shift", "by_inputs", "gradients", "over", "softmax_jacobian", "span"]

#: Adds a perturbation to one entry of an intermediate array: (array, index, value) -> value.
Shift = Callable[[str, tuple[int, ...], Polynomial], Polynomial]
#: A layer's forward pass: its arrays by name, and J.
Forward = Callable[[Shift], tuple[dict[str, Entries], Polynomial]]


def span(n: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """The index range 0..n-1 of an axis of n entries (NumPy's)."""
    return sp.Integer(0), add(n, -1)


def over(notation: Notation, body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    """Σ over ``letters``, each over its range in ``notation``."""
    return sp.Sum(body, *((letter, *notation.ranges[letter]) for letter in letters))


def softmax_jacobian(output: sp.IndexedBase, row: tuple, column: tuple, same: sp.Expr) -> sp.Expr:
    """The softmax Jacobian of the softmax derivation (result [s3], ∂a_i/∂z_j = a_i(δ_ij - a_j))
    in a layer's notation: ∂output[row]/∂z[column] = output[row] (δ - output[column]), where
    ``same`` is the δ of the two class indices."""
    names = {a_i: output[row], a_j: output[column], delta: same}
    return replace(JACOBIAN, names.get)


def gradients(nodes: Nodes, forward: Forward) -> tuple[dict[str, Entries], Polynomial, dict]:
    """The forward pass's arrays and J, and ∂J/∂q for every entry of every intermediate array
    q that ``forward`` shifts (by name), taken directly (see the module docstring)."""
    entries: list[tuple[str, tuple[int, ...]]] = []

    def note(name: str, index: tuple[int, ...], value: Polynomial) -> Polynomial:
        entries.append((name, index))
        return value

    arrays, cost = forward(note)
    found: dict[str, dict[tuple[int, ...], Polynomial]] = {}
    for name, index in entries:
        epsilon = f"ε_{name}{'_'.join(map(str, index))}"
        _, moved = forward(_shift_one(name, index, variable(epsilon)))
        zero = {epsilon: Polynomial.constant(0)}
        found.setdefault(name, {})[index] = nodes.substitute(nodes.diff(moved, epsilon), zero)
    return arrays, cost, found


def _shift_one(name: str, index: tuple[int, ...], epsilon: Polynomial) -> Shift:
    """The shift that adds ``epsilon`` to the entry ``index`` of the array ``name`` only."""

    def shift(at: str, where: tuple[int, ...], value: Polynomial) -> Polynomial:
        return value + epsilon if (at, where) == (name, index) else value

    return shift


def by_inputs(nodes: Nodes, cost: Polynomial, inputs: Entries) -> Entries:
    """∂J/∂v for every variable v of ``inputs``, taken directly."""
    out: dict[tuple[int, ...], Any] = {}
    for index, value in inputs.items():
        name = value.name()
        assert name is not None, "an input variable of the layer"
        out[index] = nodes.diff(cost, name)
    return out
