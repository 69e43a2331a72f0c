"""Gradient check: backward propagation against central differences of the cost.

For every entry θ_i of every parameter array (W1, b1, ..., WL, bL)::

    ĝ_i = (J(θ + h e_i) - J(θ - h e_i)) / (2h)

and per array the relative error ``||g - ĝ||₂ / (||g||₂ + ||ĝ||₂)`` between the analytic
gradient g of :meth:`Network.backward` and the numeric ĝ. In float64 a correct backward pass
gives errors around 1e-9 or below; the default threshold is 1e-7. The check runs in float64
(a float32 network is checked through a float64 copy), one pair of forward passes per entry,
so keep the network and the sample small.

The step h = 1e-5 balances the truncation error of the differences (about h² times the
third derivative of J) against rounding (about 1e-16 J / h). Two cases defeat any step and
show as a FAIL of a correct pass: a point on a kink of g (ReLU at exactly z = 0, for instance
behind a layer whose units are all off), and arrays whose gradient is so small (deep sigmoid
stacks, x0.01 weights) that the rounding of J swamps it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.checks import check_input, check_target
from chainrule.numeric.layers.model import Model
from chainrule.numeric.network import Network

__all__ = [
    "DEFAULT_EPSILON",
    "DEFAULT_THRESHOLD",
    "GradientCheckReport",
    "GradientCheckRow",
    "gradient_check",
    "numeric_gradient",
    "relative_error",
]

DEFAULT_EPSILON = 1e-5
DEFAULT_THRESHOLD = 1e-7


@dataclass(frozen=True)
class GradientCheckRow:
    """The comparison for one parameter array.

    Attributes
    ----------
    name : str
        ``"W1"``, ``"b1"``, ...
    shape : tuple of int
    relative_error : float
        ||g - ĝ||₂ / (||g||₂ + ||ĝ||₂), 0 when both are zero.
    worst_index : tuple of int
        Index of the entry where |g - ĝ| is largest.
    worst_analytic, worst_numeric : float
        g and ĝ at that entry.
    passed : bool
        ``relative_error < threshold``.
    """

    name: str
    shape: tuple[int, ...]
    relative_error: float
    worst_index: tuple[int, ...]
    worst_analytic: float
    worst_numeric: float
    passed: bool


@dataclass(frozen=True)
class GradientCheckReport:
    """Rows for W1, b1, ..., WL, bL in order, and the settings used."""

    rows: tuple[GradientCheckRow, ...]
    epsilon: float
    threshold: float

    @property
    def passed(self) -> bool:
        """True when every array's relative error is below the threshold."""
        return all(row.passed for row in self.rows)

    @property
    def worst(self) -> GradientCheckRow:
        """The row with the largest relative error."""
        return max(self.rows, key=lambda row: row.relative_error)

    def __str__(self) -> str:
        width = max([6, *(len(row.name) for row in self.rows)])
        lines = [f"{'array':<{width}} {'shape':<10} {'relative error':>14}  result"]
        for row in self.rows:
            status = "PASS" if row.passed else "FAIL"
            shape = "x".join(str(n) for n in row.shape)
            lines.append(f"{row.name:<{width}} {shape:<10} {row.relative_error:>14.3e}  {status}")
        verdict = "PASS" if self.passed else "FAIL"
        lines.append(f"gradient check: {verdict} (threshold {self.threshold:g})")
        return "\n".join(lines)


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||g - ĝ||₂ / (||g||₂ + ||ĝ||₂), defined as 0 when both are zero."""
    denominator = float(np.linalg.norm(analytic) + np.linalg.norm(numeric))
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric)) / denominator


def numeric_gradient(
    cost: Callable[[], float], array: np.ndarray, epsilon: float = DEFAULT_EPSILON
) -> np.ndarray:
    """Central differences of ``cost()`` with respect to every entry of ``array``.

    ``array`` is perturbed in place, one entry at a time, and restored exactly. The step is
    the one actually representable, ``(θ + h) - (θ - h)``, not ``2h``.
    """
    gradient = np.zeros(array.shape)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + epsilon
        plus_step = array[index]
        cost_plus = cost()
        array[index] = original - epsilon
        minus_step = array[index]
        cost_minus = cost()
        array[index] = original
        gradient[index] = (cost_plus - cost_minus) / (plus_step - minus_step)
    return gradient


def gradient_check(
    network: Network | Model,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epsilon: float = DEFAULT_EPSILON,
    threshold: float = DEFAULT_THRESHOLD,
    l2: float = 0.0,
) -> GradientCheckReport:
    """Compare ``network.backward`` with central differences of ``network.cost``.

    With ``l2`` = λ > 0 both sides include L2 regularisation: the cost with its term
    (λ/2m) Σ‖W‖² and the gradients with (λ/m) W. Dropout is always off here: a random mask
    would make J a different function at every evaluation.

    A :class:`~chainrule.numeric.layers.Model` is checked through a float64 copy in a
    training pass (batch statistics) with its dropout layers keeping everything; its rows
    are named like ``conv1.W``.

    Parameters
    ----------
    network : Network or Model
        Checked as it stands (a float32 network through a float64 copy); left unchanged.
    X : array (n[0], m), or (m, ...) for a Model
    Y : array (n[L], m), or (m, K) for a Model
    epsilon : float
        Step h of the central differences.
    threshold : float
        An array passes when its relative error is below this.
    l2 : float
        L2 strength λ >= 0 of the cost being checked.

    Returns
    -------
    GradientCheckReport
    """
    for name, value in (("epsilon", epsilon), ("threshold", threshold)):
        if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
            raise InputError(f"{name!r} must be a positive number (got {value!r})")
    if isinstance(network, Model):
        params, analytic, cost = _model_side(network, X, Y, l2)
    else:
        params, analytic, cost = _network_side(network, X, Y, l2)
    rows = []
    for name, array in params.items():
        numeric = numeric_gradient(cost, array, epsilon)
        rows.append(_row(name, analytic[name], numeric, threshold))
    return GradientCheckReport(tuple(rows), float(epsilon), float(threshold))


Sides = tuple[dict[str, np.ndarray], dict[str, np.ndarray], Callable[[], float]]


def _network_side(network: Network, X: np.ndarray, Y: np.ndarray, l2: float) -> Sides:
    """The live parameters of a float64 copy, their gradients by backward, and the cost."""
    net = network if network.dtype == np.float64 else network.astype("float64")
    X = check_input(X, net.layer_sizes[0], net.dtype)
    Y = check_target(Y, net.layer_sizes[-1], X.shape[1], net.n_layers, net.dtype)
    _, caches = net.forward(X)
    grads = net.backward(Y, caches, l2=l2) if l2 else net.backward(Y, caches)
    analytic = {name: np.array(grads[f"d{name}"]) for name in net.params}

    def cost() -> float:
        return net.cost(X, Y, l2=l2)

    return net.params, analytic, cost


def _model_side(model: Model, X: np.ndarray, Y: np.ndarray, l2: float) -> Sides:
    """The same for a Model: a float64 copy without dropout, in a training pass."""
    net = model.without_dropout()
    X, Y = net.check_data(X, Y)
    net.compute_gradients(X, Y, l2=l2)
    analytic = {name: grad.copy() for name, grad in net.grads.items()}

    def cost() -> float:
        return net.cost(X, Y, l2=l2, training=True)

    return net.params, analytic, cost


def _row(
    name: str, analytic: np.ndarray, numeric: np.ndarray, threshold: float
) -> GradientCheckRow:
    error = relative_error(analytic, numeric)
    worst = np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), analytic.shape)
    return GradientCheckRow(
        name=name,
        shape=tuple(analytic.shape),
        relative_error=error,
        worst_index=tuple(int(i) for i in worst),
        worst_analytic=float(analytic[worst]),
        worst_numeric=float(numeric[worst]),
        passed=bool(error < threshold),
    )
