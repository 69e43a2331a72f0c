"""Weight initialisation: zeros, small random, Xavier/Glorot and He.

Every scheme draws W[l] of shape ``(n[l], n[l-1])`` from the network's own
``numpy.random.Generator`` (never a global seed) and sets b[l] of shape ``(n[l], 1)`` to zero.
Draws are made in float64 and then cast, so a float32 network starts from the same weights
(rounded) as its float64 twin with the same seed.

=======  =====================================  ==========================================
name     W[l] entries                           why
=======  =====================================  ==========================================
zeros    0                                      shows the symmetry problem: every hidden
                                                unit of a layer stays identical
random   0.01 · N(0, 1)                         the course's default
xavier   N(0, 2 / (n[l-1] + n[l]))  (Glorot)    keeps variance for tanh/sigmoid layers
he       N(0, 2 / n[l-1])                       keeps variance for ReLU layers
=======  =====================================  ==========================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import numpy as np

from chainrule.numeric.checks import by_name

__all__ = ["INITIALIZERS", "he", "initialize_parameters", "random_small", "xavier", "zeros"]

Array = np.ndarray
Initializer = Callable[[np.random.Generator, int, int], Array]


def zeros(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    """All-zero weights, shape ``(n_out, n_in)``."""
    return np.zeros((n_out, n_in))


def random_small(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    """0.01 · standard normal, shape ``(n_out, n_in)``."""
    return rng.standard_normal((n_out, n_in)) * 0.01


def xavier(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    """Glorot normal: standard deviation sqrt(2 / (n_in + n_out)), shape ``(n_out, n_in)``."""
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))


def he(rng: np.random.Generator, n_out: int, n_in: int) -> Array:
    """He normal: standard deviation sqrt(2 / n_in), shape ``(n_out, n_in)``."""
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)


#: Initialisation schemes by name.
INITIALIZERS: Mapping[str, Initializer] = MappingProxyType(
    {"he": he, "random": random_small, "xavier": xavier, "zeros": zeros}
)


def initialize_parameters(
    layer_sizes: Sequence[int], method: str, rng: np.random.Generator
) -> dict[str, Array]:
    """Fresh float64 parameters ``{"W1": (n1, n0), "b1": (n1, 1), ...}`` drawn with ``rng``."""
    draw = by_name(method, INITIALIZERS, "init")
    params: dict[str, Array] = {}
    for layer in range(1, len(layer_sizes)):
        n_out, n_in = layer_sizes[layer], layer_sizes[layer - 1]
        params[f"W{layer}"] = draw(rng, n_out, n_in)
        params[f"b{layer}"] = np.zeros((n_out, 1))
    return params
