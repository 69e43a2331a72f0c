"""The reference derivations [1]-[6] and the output layer for any activation and loss.

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

from chainrule.symbolic import general_routes as routes
from chainrule.symbolic.catalog import CatalogEntry, get_activation, get_loss
from chainrule.symbolic.engine import finish, wanted_ids
from chainrule.symbolic.functions import L, a, b, w, z
from chainrule.symbolic.model import Derivation

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
    g = get_activation(activation)
    loss_entry = get_loss(loss)
    wanted = wanted_ids(ids, PAIR_IDS)
    built = _Builder(g, loss_entry)
    return [built.need(i) for i in wanted]


class _Builder:
    """Builds a pair's derivations on demand, each once, later ones from earlier results."""

    def __init__(self, activation: CatalogEntry, loss: CatalogEntry) -> None:
        self.g, self.loss = activation, loss
        self.pair = f"{activation.title} + {loss.title}"
        self.built: dict[str, Derivation] = {}

    def need(self, id: str) -> Derivation:
        if id not in self.built:
            self.built[id] = getattr(self, "_" + id)()
        return self.built[id]

    def _notes(self, *extra: str) -> tuple[str, ...]:
        notes = [*self.g.notes, *self.loss.notes]
        if self.loss.unit_interval and not self.g.unit_interval:
            notes.append(
                f"{self.loss.title} needs 0 < a < 1; {self.g.title} can leave that interval, "
                "so these results hold only where 0 < a < 1"
            )
        return tuple(dict.fromkeys([*notes, *extra]))

    def _1(self) -> Derivation:
        title = f"dL/da for {self.pair}"
        if self.loss.name == "binary_cross_entropy" and not self.loss.custom:
            from chainrule.symbolic.reference.cost import derivative_of_cost

            return dataclasses.replace(derivative_of_cost(), title=title)
        givens, context = routes.givens_of(None, self.loss)
        route = routes.loss_route(self.loss)
        goal = sp.Derivative(L, a)
        return finish("1", title, goal, givens, [route], context, self.loss.notes)

    def _2(self) -> Derivation:
        title = f"da/dz: the derivative of {self.g.title}"
        if self.g.name == "sigmoid" and not self.g.custom:
            from chainrule.symbolic.reference.sigmoid import derivative_of_sigmoid

            return dataclasses.replace(derivative_of_sigmoid(), title=title)
        givens, context = routes.givens_of(self.g, None)
        route = routes.activation_route(self.g)
        goal = sp.Derivative(self.g.expr, z)
        return finish("2", title, goal, givens, [route], context, self.g.notes)

    def _3(self) -> Derivation:
        givens, context = routes.givens_of(self.g, self.loss)
        chain = routes.chain_route_dz(
            self.g, self.loss, self.need("1").result, self.need("2").result
        )
        direct = routes.direct_route(self.g, self.loss, z, chain.result)
        goal = sp.Derivative(L, z)
        title = f"dL/dz for {self.pair}"
        return finish("3", title, goal, givens, [chain, direct], context, self._notes())

    def _4(self) -> Derivation:
        givens, context = routes.givens_of(self.g, self.loss, linear=True)
        return finish(
            "4",
            f"dz/dw for {self.pair}",
            sp.Derivative(z, w),
            givens,
            [routes.linear_route()],
            context,
            ("in vector form z = wᵀx + b, dz/dw = x",),
        )

    def _5(self) -> Derivation:
        givens, context = routes.givens_of(self.g, self.loss, linear=True)
        chain = routes.chain_route_dw(
            self.g, self.loss, self.need("3").result, self.need("4").result
        )
        direct = routes.direct_route(self.g, self.loss, w, chain.result)
        title = f"dL/dw for {self.pair}: by the chain rule and directly"
        goal = sp.Derivative(L, w)
        notes = self._notes("dw = x · dz")
        return finish("5", title, goal, givens, [chain, direct], context, notes)

    def _6(self) -> Derivation:
        givens, context = routes.givens_of(self.g, self.loss, linear=True)
        chain = routes.chain_route_db(self.g, self.loss, self.need("3").result)
        direct = routes.direct_route(self.g, self.loss, b, chain.result)
        title = f"dL/db for {self.pair}: by the chain rule and directly"
        goal = sp.Derivative(L, b)
        notes = self._notes("db = dz")
        return finish("6", title, goal, givens, [chain, direct], context, notes)

    def _layers(self) -> Derivation:
        from chainrule.symbolic.general_layers import output_layer

        return output_layer(
            self.g,
            self.loss,
            self.need("3").result,
            self.pair,
            self._notes(),
        )
