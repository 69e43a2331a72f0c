"""Ready-made stacks of layers: the dense network with batch normalisation.

``batch_norm_stack([64, 32], "relu", 10)`` is, for every hidden layer, a dense layer without
bias (batch norm's β takes its place), a batch norm and the activation (and a dropout layer
where a keep probability below 1 is given), then a dense output layer of ``n_outputs``
units: the batch-normalised counterpart of ``Network([n0, 64, 32, 10])``.
"""

from __future__ import annotations

from collections.abc import Sequence

from chainrule.numeric.activations import Activation
from chainrule.numeric.layers.activation import ActivationLayer
from chainrule.numeric.layers.base import Layer
from chainrule.numeric.layers.batchnorm import BatchNorm
from chainrule.numeric.layers.dense import Dense
from chainrule.numeric.layers.dropout import Dropout

__all__ = ["batch_norm_stack"]


def batch_norm_stack(
    hidden: Sequence[int],
    activation: str | Activation,
    n_outputs: int,
    keep_probs: Sequence[float] | None = None,
) -> list[Layer]:
    """Dense (no bias) → BatchNorm → activation [→ Dropout] per hidden size, then
    Dense(n_outputs); ``keep_probs`` has one probability per hidden layer."""
    layers: list[Layer] = []
    for index, units in enumerate(hidden):
        layers += [Dense(units, bias=False), BatchNorm(), ActivationLayer(activation)]
        if keep_probs is not None and keep_probs[index] < 1.0:
            layers.append(Dropout(keep_probs[index]))
    layers.append(Dense(n_outputs))
    return layers
