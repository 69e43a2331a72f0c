"""Optimizers: objects that move the parameters along their gradients, in place.

Every optimizer has one method, ``update(params, grads)``, taking two dicts with the same keys
whose arrays have matching shapes, and changes ``params`` in place. The training loop passes
the network's whole parameter vector and gradient vector under one key, so one update moves
every W and b at once; momentum or Adam keep their running averages per key the same way::

    class Momentum:
        def __init__(self, learning_rate, beta=0.9): ...
        def update(self, params, grads):
            v = self.velocity.setdefault(name, zeros_like(grads[name]))
            v *= beta; v += (1 - beta) * grads[name]; params[name] -= learning_rate * v
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np

from chainrule.errors import InputError

__all__ = ["GradientDescent", "Optimizer", "check_learning_rate"]


@runtime_checkable
class Optimizer(Protocol):
    """Anything with ``update(params, grads)`` that changes ``params`` in place."""

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Move every ``params[name]`` using ``grads[name]`` (same shape), in place."""


def check_learning_rate(learning_rate: float) -> float:
    """A finite learning rate > 0, as a float."""
    valid = isinstance(learning_rate, (int, float)) and not isinstance(learning_rate, bool)
    if not valid or not math.isfinite(learning_rate) or learning_rate <= 0:
        raise InputError(f"'learning_rate' must be a positive number (got {learning_rate!r})")
    return float(learning_rate)


class GradientDescent:
    """Plain gradient descent: θ ← θ - α dJ/dθ.

    Parameters
    ----------
    learning_rate : float
        The step size α > 0.
    """

    def __init__(self, learning_rate: float = 0.01) -> None:
        self.learning_rate = check_learning_rate(learning_rate)
        self._step: dict[str, np.ndarray] = {}

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """θ ← θ - α g for every array, through a reused buffer (no temporaries)."""
        for name, theta in params.items():
            step = self._step.get(name)
            if step is None or step.shape != theta.shape or step.dtype != theta.dtype:
                step = self._step[name] = np.empty_like(theta)
            np.multiply(grads[name], self.learning_rate, out=step)
            np.subtract(theta, step, out=theta)

    def __repr__(self) -> str:
        return f"GradientDescent(learning_rate={self.learning_rate!r})"
