"""Gradient clipping: the course's elementwise ``clip`` and clipping by the global norm.

Exploding gradients are the RNN's known failure: a product of T Jacobians by a⟨t-1⟩ can grow
like the T-th power of the recurrent weights' largest singular value. The course clips every
entry into [-maxValue, maxValue]; clipping by the norm scales every gradient by one factor
max_norm / ‖g‖ when the norm ‖g‖ of all of them together exceeds max_norm, which keeps the
step's direction. :class:`ClippedOptimizer` clips inside any optimizer's update, so that
:func:`chainrule.numeric.train` trains with clipping unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.optimizers import Optimizer

__all__ = ["ClippedOptimizer", "clip", "clip_by_global_norm", "global_norm"]


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InputError(f"'{name}' must be a number > 0 (got {value!r})")
    if not math.isfinite(value):
        raise InputError(f"'{name}' must be finite (got {value!r})")
    return float(value)


def clip(gradients: Mapping[str, np.ndarray], maxValue: float) -> Mapping[str, np.ndarray]:  # noqa: N803
    """The course's ``clip``: every entry of every gradient into [-maxValue, maxValue], in
    place; returns ``gradients``."""
    bound = _positive("maxValue", maxValue)
    for gradient in gradients.values():
        np.clip(gradient, -bound, bound, out=gradient)
    return gradients


def global_norm(gradients: Mapping[str, np.ndarray]) -> float:
    """‖g‖₂ of all gradients together, as one vector."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in gradients.values()))


def clip_by_global_norm(gradients: Mapping[str, np.ndarray], max_norm: float) -> float:
    """Scale every gradient by max_norm / ‖g‖ where the global norm ‖g‖ exceeds ``max_norm``,
    in place; returns ‖g‖ before clipping."""
    bound = _positive("max_norm", max_norm)
    norm = global_norm(gradients)
    if norm > bound:
        for gradient in gradients.values():
            gradient *= bound / norm
    return norm


class ClippedOptimizer:
    """An optimizer that clips the gradients, then lets ``optimizer`` take the step.

    ``max_value`` clips every entry (the course's ``clip``), ``max_norm`` the global norm;
    with both, entries are clipped first. The training loop hands the whole gradient vector
    under one key, so the norm is that of every parameter together. The learning-rate
    schedule stays the wrapped optimizer's (``end_epoch`` is passed on).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_value: float | None = None,
        max_norm: float | None = None,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise InputError(
                f"'optimizer' must have an update(params, grads) method "
                f"(got {type(optimizer).__name__})"
            )
        if max_value is None and max_norm is None:
            raise InputError("give 'max_value', 'max_norm' or both to clip the gradients")
        self.optimizer = optimizer
        self.max_value = None if max_value is None else _positive("max_value", max_value)
        self.max_norm = None if max_norm is None else _positive("max_norm", max_norm)

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Clip ``grads`` in place, then update ``params`` with the wrapped optimizer."""
        if self.max_value is not None:
            clip(grads, self.max_value)
        if self.max_norm is not None:
            clip_by_global_norm(grads, self.max_norm)
        self.optimizer.update(params, grads)

    def end_epoch(self) -> None:
        """Pass the end of an epoch on to the wrapped optimizer's schedule."""
        end_epoch = getattr(self.optimizer, "end_epoch", None)
        if end_epoch is not None:
            end_epoch()
