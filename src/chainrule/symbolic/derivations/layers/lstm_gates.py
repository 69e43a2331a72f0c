"""The LSTM's gate lines that the cell and backpropagation through time share.

Each gate's pre-activation gradient, dz = dΓ ⊙ Γ', with Γ' written in the gate's own value
(Γ(1 - Γ) for the σ gates, 1 - c̃² for the candidate), at the indices of a cell, (j, i), or
of a step of a sequence, (j, i, t).
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import add, group, mul, neg
from chainrule.symbolic.derivations.layers.assembly import Line
from chainrule.symbolic.derivations.layers.lstm_instance import GATE_NAME, GATE_VALUE, GATES

__all__ = ["gate_slope", "preactivation_lines"]


def gate_slope(names: dict[str, sp.IndexedBase], g: str, at: tuple[sp.Expr, ...]) -> sp.Expr:
    """The derivative of gate ``g`` by its pre-activation, in terms of the gate's value at the
    indices ``at``: Γ(1 - Γ) for a σ gate, 1 - c̃² for the candidate."""
    value = names[GATE_VALUE[g]][at]
    if g == "c":
        return group(add(1, neg(value**2)))
    return mul(value, group(add(1, neg(value))))


def preactivation_lines(
    names: dict[str, sp.IndexedBase], at: tuple[sp.Expr, ...]
) -> tuple[Line, ...]:
    """dz = dΓ ⊙ Γ' for every gate, at the indices ``at`` (a cell's (j, i), or (j, i, t))."""
    return tuple(
        Line(
            names[f"dz_{g}"][at],
            mul(names[f"d{GATE_VALUE[g]}"][at], gate_slope(names, g, at)),
            "chain_rule",
            f"Through {GATE_NAME[g]} to its pre-activation: "
            + ("tanh' = 1 - c̃²." if g == "c" else f"σ' = Γ{g}(1 - Γ{g})."),
        )
        for g in GATES
    )
