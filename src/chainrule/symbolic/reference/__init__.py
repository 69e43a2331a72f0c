"""The reference derivations, in the reference's order: 1, ln, 2, 3, 4, 5, 6, layers.

Later derivations build on the results of earlier ones ([3] substitutes [1] and [2]), so they are
built in order, once, and shared.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from chainrule.symbolic.engine import finish, wanted_ids
from chainrule.symbolic.functions import L, b, w
from chainrule.symbolic.model import Derivation
from chainrule.symbolic.reference.chain import (
    chain_route_db,
    chain_route_dw,
    derivative_of_linear,
    derivative_wrt_z,
)
from chainrule.symbolic.reference.cost import derivative_of_cost, derivative_of_log
from chainrule.symbolic.reference.direct import direct_route_db, direct_route_dw
from chainrule.symbolic.reference.givens import network_context
from chainrule.symbolic.reference.sigmoid import derivative_of_sigmoid

__all__ = ["REFERENCE_IDS", "reference_derivations"]

REFERENCE_IDS = ("1", "ln", "2", "3", "4", "5", "6", "layers")


def reference_derivations(ids: Iterable[str] | None = None) -> list[Derivation]:
    """The reference derivations with the given ids (all, in order, by default)."""
    wanted = wanted_ids(ids, REFERENCE_IDS)
    built = _build_all(tuple(sorted(set(wanted), key=REFERENCE_IDS.index)))
    return [built[i] for i in wanted]


def _build_all(ids: tuple[str, ...]) -> dict[str, Derivation]:
    """Build the derivations named by ``ids``, and whatever they lean on, each once."""
    built: dict[str, object] = {}

    def need(key: str):
        if key not in built:
            built[key] = _BUILDERS[key](need)
        return built[key]

    return {i: need(i) for i in ids}  # type: ignore[misc]


def _five(need) -> tuple[Derivation, sp.Expr]:
    givens, context = network_context()
    direct, cost = direct_route_dw()
    chain = chain_route_dw(need("3").result, need("4").result)
    derivation = finish(
        "5",
        "dL/dw: two ways, by the chain rule and by direct computation",
        sp.Derivative(L, w),
        givens,
        [chain, direct],
        context,
        notes=("dw = x · dz",),
    )
    return derivation, cost


def _six(need) -> Derivation:
    givens, context = network_context()
    chain = chain_route_db(need("3").result)
    direct = direct_route_db(need("5+cost")[1])
    return finish(
        "6",
        "dL/db: two ways, by the chain rule and by direct computation",
        sp.Derivative(L, b),
        givens,
        [chain, direct],
        context,
        notes=("db = dz",),
    )


def _layers(need) -> Derivation:
    from chainrule.symbolic.layers import layer_equations

    return layer_equations()


_BUILDERS = {
    "1": lambda need: derivative_of_cost(),
    "ln": lambda need: derivative_of_log(),
    "2": lambda need: derivative_of_sigmoid(),
    "3": lambda need: derivative_wrt_z(need("1").result, need("2").result),
    "4": lambda need: derivative_of_linear(),
    "5+cost": _five,
    "5": lambda need: need("5+cost")[0],
    "6": _six,
    "layers": _layers,
}
