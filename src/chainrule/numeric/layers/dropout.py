"""Inverted dropout as a layer, any shape, active only in training passes.

With keep probability p and a mask D of 0/1 entries, each 1 with probability p, drawn from
the model's own Generator at every training pass::

    forward    Y = X ⊙ D / p           backward   dX = dY ⊙ D / p

Dividing by p keeps the expected activation, so prediction (where dropout is off) needs no
rescaling; the same as ``keep_prob`` of :class:`~chainrule.numeric.network.Network`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.layers.base import Layer, Shape
from chainrule.numeric.layers.buffers import Buffers

__all__ = ["Dropout"]

Array = np.ndarray


class Dropout(Layer):
    """Keep each entry with probability ``keep_prob`` in (0, 1] during training."""

    kind = "dropout"

    def __init__(self, keep_prob: float) -> None:
        super().__init__()
        valid = isinstance(keep_prob, (int, float)) and not isinstance(keep_prob, bool)
        if not valid or not math.isfinite(keep_prob) or not 0.0 < keep_prob <= 1.0:
            raise InputError(f"'keep_prob' must be a number in (0, 1] (got {keep_prob!r})")
        self.keep_prob = float(keep_prob)
        self._buffers = Buffers()
        self._mask: Array | None = None
        self._rng: np.random.Generator | None = None

    def build(self, input_shape: Shape, dtype: np.dtype, rng: np.random.Generator) -> Shape:
        self._rng = rng
        return super().build(input_shape, dtype, rng)

    def config(self) -> dict[str, Any]:
        return {"keep_prob": self.keep_prob}

    def forward(self, X: Array, training: bool) -> Array:
        """X ⊙ D / p when training (with a fresh D), else X itself."""
        if not training or self.keep_prob == 1.0:
            self._mask = None
            return X
        assert self._rng is not None, "forward() before build()"
        mask = self._mask = self._buffers.get("D", X.shape, self.dtype)
        self._rng.random(out=mask, dtype=mask.dtype)
        np.less(mask, self.keep_prob, out=mask)
        np.multiply(mask, 1.0 / self.keep_prob, out=mask)
        Y = self._buffers.get("Y", X.shape, self.dtype)
        return np.multiply(X, mask, out=Y)

    def backward(self, dY: Array) -> Array:
        """dY ⊙ D / p with the mask of the last forward pass."""
        if self._mask is None:
            return dY
        dX = self._buffers.get("dX", dY.shape, self.dtype)
        return np.multiply(dY, self._mask, out=dX)

    def describe(self) -> str:
        return f"dropout:{self.keep_prob:g}"
