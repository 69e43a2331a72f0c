"""The reference derivations, in the reference's order: 1, ln, 2, 3, 4, 5, 6, layers.

Later derivations build on the results of earlier ones ([3] substitutes [1] and [2]; the direct
route of [6] starts from the line of [5]'s direct route that writes L in z), so they form one
:class:`~chainrule.symbolic.core.recipes.DerivationSet`: each is built once, when needed.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from chainrule.symbolic.core.engine import finish
from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet, Need
from chainrule.symbolic.core.symbols import L, b, w
from chainrule.symbolic.derivations.reference.chain import (
    chain_route_db,
    chain_route_dw,
    derivative_of_linear,
    derivative_wrt_z,
)
from chainrule.symbolic.derivations.reference.cost import derivative_of_cost, derivative_of_log
from chainrule.symbolic.derivations.reference.direct import (
    cost_line,
    direct_route_db,
    direct_route_dw,
)
from chainrule.symbolic.derivations.reference.givens import network_context
from chainrule.symbolic.derivations.reference.sigmoid import derivative_of_sigmoid

__all__ = ["REFERENCE", "REFERENCE_IDS", "reference_derivations"]


def _five(need: Need) -> Derivation:
    givens, context = network_context()
    chain = chain_route_dw(need("3").result, need("4").result)
    return finish(
        "5",
        "dL/dw: two ways, by the chain rule and by direct computation",
        sp.Derivative(L, w),
        givens,
        [chain, direct_route_dw()],
        context,
        notes=("dw = x · dz",),
    )


def _six(need: Need) -> Derivation:
    givens, context = network_context()
    chain = chain_route_db(need("3").result)
    direct = direct_route_db(cost_line(need("5")))
    return finish(
        "6",
        "dL/db: two ways, by the chain rule and by direct computation",
        sp.Derivative(L, b),
        givens,
        [chain, direct],
        context,
        notes=("db = dz",),
    )


def _layers(need: Need) -> Derivation:
    from chainrule.symbolic.derivations.layers.dense import layer_equations

    return layer_equations()


#: The reference derivations by id, in the reference's order.
REFERENCE = DerivationSet(
    {
        "1": lambda need: derivative_of_cost(),
        "ln": lambda need: derivative_of_log(),
        "2": lambda need: derivative_of_sigmoid(),
        "3": lambda need: derivative_wrt_z(need("1").result, need("2").result),
        "4": lambda need: derivative_of_linear(),
        "5": _five,
        "6": _six,
        "layers": _layers,
    }
)
REFERENCE_IDS = REFERENCE.ids


def reference_derivations(ids: Iterable[str] | None = None) -> list[Derivation]:
    """The reference derivations with the given ids (all, in order, by default)."""
    return REFERENCE.build(ids)
