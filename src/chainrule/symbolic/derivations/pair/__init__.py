"""The reference derivations [1]-[6] and the output layer for any activation and loss.

:mod:`.routes` scripts each route, :mod:`.steps` holds the steps the routes share and
:mod:`.output_layer` proves dZ[L] entry by entry; this module builds the set.

:func:`derive_pair` runs, for one activation g and one loss L of the catalogue (or custom ones
from text), the scripts that the reference runs for the sigmoid with binary cross-entropy:

- [1] dL/da by rules, simplified by named moves (the reference's own script for the
  cross-entropy);
- [2] da/dz by rules, then named moves toward g' in terms of a = g(z) itself where such a form
  exists (σ(1 - σ), 1 - tanh², ...; the reference's script for the sigmoid);
- [3] dL/dz by the chain rule from [1] and [2], and directly from L written as a function of z;
- [4] dz/dw; [5] dL/dw and [6] dL/db, each by the chain rule and directly;
- ``layers``: the output layer's dZ[L] in its simplest form, proven entry by entry.

Every step is proven when it is made, the routes of each derivation are proven equal, and each
result is compared with ``sympy.diff`` of the goal written out in full.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import sympy as sp

from chainrule.symbolic.catalog import CatalogEntry, get_activation, get_loss
from chainrule.symbolic.core.engine import finish
from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet, Need
from chainrule.symbolic.core.symbols import L, a, b, w, z
from chainrule.symbolic.derivations.pair import routes

__all__ = ["PAIR_IDS", "derive_pair"]

#: The ids of a pair's derivations, in order.
PAIR_IDS = ("1", "2", "3", "4", "5", "6", "layers")


def derive_pair(
    activation: str | CatalogEntry = "sigmoid",
    loss: str | CatalogEntry = "binary_cross_entropy",
    ids: Iterable[str] | None = None,
) -> list[Derivation]:
    """The derivations [1]-[6] and ``layers`` for one activation and one loss.

    Parameters
    ----------
    activation : str or CatalogEntry
        A catalogue name (``"tanh"``, ``"leaky_relu(0.2)"``), math text in z
        (``"z*sigmoid(z)"``) or an entry.
    loss : str or CatalogEntry
        A catalogue name (``"mse"``), math text in a and y (``"(a - y)**4"``) or an entry.
    ids : iterable of str, optional
        The derivations wanted, from :data:`PAIR_IDS` (all by default).

    Returns
    -------
    list of Derivation
        In the order of ``ids``; titles name the pair ("dL/dz for tanh + mean squared error").

    Raises
    ------
    InputError
        For an unknown name, text the parser refuses or an unknown id.
    ProofError
        If a step failed its check (a bug, never expected).
    """
    family = _pair_family(get_activation(activation), get_loss(loss))
    return family.build(ids)


def _pair_family(g: CatalogEntry, loss: CatalogEntry) -> DerivationSet:
    """The recipes of one pair's derivations, each leaning on the earlier results it uses."""
    pair = f"{g.title} + {loss.title}"

    def notes(*extra: str) -> tuple[str, ...]:
        found = [*g.notes, *loss.notes]
        if loss.unit_interval and not g.unit_interval:
            found.append(
                f"{loss.title} needs 0 < a < 1; {g.title} can leave that interval, "
                "so these results hold only where 0 < a < 1"
            )
        return tuple(dict.fromkeys([*found, *extra]))

    def one(need: Need) -> Derivation:
        title = f"dL/da for {pair}"
        if loss.name == "binary_cross_entropy" and not loss.custom:
            from chainrule.symbolic.derivations.reference.cost import derivative_of_cost

            return dataclasses.replace(derivative_of_cost(), title=title)
        givens, context = routes.givens_of(None, loss)
        goal = sp.Derivative(L, a)
        return finish("1", title, goal, givens, [routes.loss_route(loss)], context, loss.notes)

    def two(need: Need) -> Derivation:
        title = f"da/dz: the derivative of {g.title}"
        if g.name == "sigmoid" and not g.custom:
            from chainrule.symbolic.derivations.reference.sigmoid import derivative_of_sigmoid

            return dataclasses.replace(derivative_of_sigmoid(), title=title)
        givens, context = routes.givens_of(g, None)
        goal = sp.Derivative(g.expr, z)
        return finish("2", title, goal, givens, [routes.activation_route(g)], context, g.notes)

    def three(need: Need) -> Derivation:
        givens, context = routes.givens_of(g, loss)
        chain = routes.chain_route_dz(g, loss, need("1").result, need("2").result)
        direct = routes.direct_route(g, loss, z, chain.result)
        goal = sp.Derivative(L, z)
        return finish("3", f"dL/dz for {pair}", goal, givens, [chain, direct], context, notes())

    def four(need: Need) -> Derivation:
        givens, context = routes.givens_of(g, loss, linear=True)
        return finish(
            "4",
            f"dz/dw for {pair}",
            sp.Derivative(z, w),
            givens,
            [routes.linear_route()],
            context,
            ("in vector form z = wᵀx + b, dz/dw = x",),
        )

    def five(need: Need) -> Derivation:
        givens, context = routes.givens_of(g, loss, linear=True)
        chain = routes.chain_route_dw(g, loss, need("3").result, need("4").result)
        direct = routes.direct_route(g, loss, w, chain.result)
        title = f"dL/dw for {pair}: by the chain rule and directly"
        goal = sp.Derivative(L, w)
        return finish("5", title, goal, givens, [chain, direct], context, notes("dw = x · dz"))

    def six(need: Need) -> Derivation:
        givens, context = routes.givens_of(g, loss, linear=True)
        chain = routes.chain_route_db(g, loss, need("3").result)
        direct = routes.direct_route(g, loss, b, chain.result)
        title = f"dL/db for {pair}: by the chain rule and directly"
        goal = sp.Derivative(L, b)
        return finish("6", title, goal, givens, [chain, direct], context, notes("db = dz"))

    def layers(need: Need) -> Derivation:
        from chainrule.symbolic.derivations.pair.output_layer import output_layer

        return output_layer(g, loss, need("3").result, pair, notes())

    recipes = (one, two, three, four, five, six, layers)
    return DerivationSet(dict(zip(PAIR_IDS, recipes, strict=True)))
