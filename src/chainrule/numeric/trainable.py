"""What the training loop, early stopping and the gradient check need from a model.

:class:`~chainrule.numeric.network.Network` (examples as columns, the course's layout) is
trained through its own fused passes; any other model, such as the batch-first
:class:`~chainrule.numeric.layers.Model`, is trained through this protocol, so that one loop
(:func:`chainrule.numeric.train`) serves both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["HasParameters", "Trainable"]

Array = np.ndarray


@runtime_checkable
class HasParameters(Protocol):
    """A model whose parameters are one live vector (what early stopping copies back)."""

    @property
    def parameter_vector(self) -> Array:
        """Every parameter in one live 1-D array."""
        ...


@runtime_checkable
class Trainable(HasParameters, Protocol):
    """A model :func:`~chainrule.numeric.train` trains, examples along ``example_axis`` = 0.

    ``gradients_unchecked(X, Y, l2)`` fills ``gradient_vector`` (laid out like
    ``parameter_vector``) with ∂J/∂θ of the mean cost of a training pass and returns J
    (with the L2 term (λ/2m) Σ‖W‖²), for X and Y that ``check_data`` has returned.
    ``cost(X, Y)`` is the cost in inference mode (the validation cost). ``params`` names
    the live parameter arrays (checked for nan), ``rng`` shuffles the mini-batches and
    ``is_classifier`` asks for a validation split stratified by class.
    """

    rng: np.random.Generator

    @property
    def gradient_vector(self) -> Array:
        """The last computed gradients."""
        ...

    @property
    def params(self) -> Mapping[str, Array]:
        """The live parameter arrays by name."""
        ...

    @property
    def is_classifier(self) -> bool:
        """Whether the targets are classes."""
        ...

    def check_data(self, X: object, Y: object) -> tuple[Array, Array]:
        """X and Y checked and cast, examples along axis 0."""
        ...

    def cost(self, X: Array, Y: Array, *, l2: float = 0.0) -> float:
        """The mean cost in inference mode."""
        ...

    def gradients_unchecked(self, X: Array, Y: Array, l2: float) -> float:
        """One training pass's gradients into ``gradient_vector``; returns its cost."""
        ...
