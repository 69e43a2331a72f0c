"""Gradient clipping: the course's elementwise ``clip`` and clipping by the global norm.

Exploding gradients are the RNN's known failure: a product of T Jacobians by a⟨t-1⟩ can grow
like the T-th power of the recurrent weights' largest singular value. The course clips every
entry into [-maxValue, maxValue]; clipping by the norm scales every gradient by one factor
max_norm / ‖g‖ when the norm ‖g‖ of all of them together exceeds max_norm, which keeps the
step's direction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from chainrule.errors import InputError

__all__ = ["clip", "clip_by_global_norm", "global_norm"]


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
