"""Families of derivations that lean on each other, built on demand, each once.

A family is a table of recipes by id, in the order the derivations are shown. A recipe is a
function ``recipe(need) -> Derivation``; it calls ``need(id)`` for each derivation whose result
it uses ([3] of the reference substitutes the results of [1] and [2]), and ``need`` builds that
one first, or hands back the one already built::

    family = DerivationSet({
        "1": lambda need: derivative_of_cost(),
        "3": lambda need: derivative_wrt_z(need("1").result, need("2").result),
        ...
    })
    family.build(["3"])        # builds [1] and [2] too, shows only [3]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from chainrule.errors import InputError
from chainrule.symbolic.core.model import Derivation

__all__ = ["DerivationSet", "Need", "Recipe", "wanted_ids"]

Need = Callable[[str], Derivation]
Recipe = Callable[[Need], Derivation]


class DerivationSet:
    """A family of derivations by id; :meth:`build` makes the ones asked for and what they need.

    Parameters
    ----------
    recipes : mapping of str to recipe
        Each id's recipe, in the order the family is shown.
    """

    def __init__(self, recipes: Mapping[str, Recipe]) -> None:
        self.recipes = dict(recipes)

    @property
    def ids(self) -> tuple[str, ...]:
        """The family's ids, in order."""
        return tuple(self.recipes)

    def build(self, ids: Iterable[str] | None = None) -> list[Derivation]:
        """The derivations with the given ids, in the order asked (all, in order, for None).

        Raises
        ------
        InputError
            For an id that is not in the family (the message names the ids there are).
        """
        wanted = wanted_ids(ids, self.ids)
        built: dict[str, Derivation] = {}

        def need(id: str) -> Derivation:
            if id not in built:
                built[id] = self.recipes[id](need)
            return built[id]

        return [need(i) for i in wanted]


def wanted_ids(ids: Iterable[str] | None, known: Sequence[str]) -> list[str]:
    """The derivation ids asked for, in the order asked (all of ``known`` for None); an id
    not in ``known`` is an InputError naming the ids there are."""
    wanted = list(known if ids is None else ids)
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise InputError(f"'derivation' must be one of {', '.join(known)} (got {unknown[0]!r})")
    return wanted
