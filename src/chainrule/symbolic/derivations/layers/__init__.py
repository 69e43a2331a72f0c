"""Layer equations: the backward pass of a layer in matrix form, proven at concrete sizes with
symbolic entries against the partial derivatives of a scalar cost. :mod:`.dense` holds the
wrap-up's equations dZ, dW, db and dA[l-1] of an L-layer network; the other layers (batch
normalisation, convolution, ...) are families listed in :data:`FAMILIES`, each shown by
``chainrule derive NAME``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from chainrule.symbolic.core.recipes import DerivationSet

__all__ = ["FAMILIES", "LayerFamily"]


@dataclass(frozen=True)
class LayerFamily:
    """A layer's derivations, shown by ``chainrule derive NAME``.

    ``module`` defines ``DERIVATIONS``, a :class:`DerivationSet`; it is imported only when the
    family is asked for, so that listing the families costs nothing.
    """

    name: str
    title: str
    module: str

    def derivations(self) -> DerivationSet:
        """The family's derivations (importing its module)."""
        return importlib.import_module(self.module).DERIVATIONS


_LISTED: tuple[LayerFamily, ...] = ()

#: The layer families beyond the wrap-up's dense layers, by name, in the order listed.
FAMILIES: dict[str, LayerFamily] = {family.name: family for family in _LISTED}
