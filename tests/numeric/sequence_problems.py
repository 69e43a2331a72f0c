"""Random problems and a central-difference oracle shared by the sequence kernel tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from chainrule.numeric.sequence.lstm import lstm_parameter_shapes
from chainrule.numeric.sequence.rnn import rnn_parameter_shapes

Array = np.ndarray


def rnn_params(rng: np.random.Generator, n_x: int, n_a: int, dtype: str = "float64") -> dict:
    return {
        k: (rng.standard_normal(s) * 0.6).astype(dtype)
        for k, s in rnn_parameter_shapes(n_x, n_a).items()
    }


def lstm_params(rng: np.random.Generator, n_x: int, n_a: int, dtype: str = "float64") -> dict:
    return {
        k: (rng.standard_normal(s) * 0.6).astype(dtype)
        for k, s in lstm_parameter_shapes(n_x, n_a).items()
    }


def numeric_gradient(cost: Callable[[], float], array: Array, h: float = 1e-6) -> Array:
    """∂cost/∂array by central differences, changing ``array`` in place and restoring it."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        kept = array[index]
        array[index] = kept + h
        up = cost()
        array[index] = kept - h
        down = cost()
        array[index] = kept
        grad[index] = (up - down) / (2 * h)
    return grad


def relative_error(analytic: Array, numeric: Array) -> float:
    """‖g - ĝ‖ / (‖g‖ + ‖ĝ‖), 0 when both vanish."""
    total = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if total == 0 else float(np.linalg.norm(analytic - numeric) / total)
