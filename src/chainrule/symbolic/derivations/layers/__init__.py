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


_PACKAGE = __name__

_LISTED: tuple[LayerFamily, ...] = (
    LayerFamily(
        "batchnorm",
        "batch normalisation (training): dγ, dβ, dx, staged and in one line",
        f"{_PACKAGE}.batchnorm",
    ),
    LayerFamily(
        "conv",
        "2-D convolution: dW, db, dA_prev; index form, im2col, rotated kernel",
        f"{_PACKAGE}.conv",
    ),
    LayerFamily(
        "maxpool", "max pooling: dA_prev through the mask of the max", f"{_PACKAGE}.maxpool"
    ),
    LayerFamily("avgpool", "average pooling: dA_prev, shared evenly", f"{_PACKAGE}.avgpool"),
    LayerFamily(
        "embedding",
        "embedding: the lookup as a one-hot product, dE as a scatter-add",
        f"{_PACKAGE}.embedding",
    ),
    LayerFamily(
        "rnn",
        "recurrent cell, tanh state and softmax output: the cell's backward, then through time",
        f"{_PACKAGE}.rnn",
    ),
    LayerFamily(
        "lstm",
        "LSTM cell: every gate's gradient, dc_prev = dc ⊙ Γf, da_prev, dx, dW, db; then "
        "through time",
        f"{_PACKAGE}.lstm",
    ),
    LayerFamily(
        "attention",
        "scaled dot-product attention, one head: dV, dP, dS, dQ, dK, the causal mask",
        f"{_PACKAGE}.attention",
    ),
)

#: The layer families beyond the wrap-up's dense layers, by name, in the order listed.
FAMILIES: dict[str, LayerFamily] = {family.name: family for family in _LISTED}
