"""A learner's NumPy backward function run against chainrule's proven gradients.

The function is the course's ``L_model_backward(AL, Y, caches) -> grads``:

- ``AL``: (n[L], m), the sigmoid output; ``Y``: (n[L], m), labels 0/1;
- ``caches``: a list of L entries, one per layer l = 1..L, each ``((A_prev, W, b), Z)``
  (the course's ``(linear_cache, activation_cache)``): A_prev (n[l-1], m), W (n[l], n[l-1]),
  b (n[l], 1), Z (n[l], m);
- ``grads``: a dict with ``"dA{l-1}"``, ``"dW{l}"``, ``"db{l}"`` for l = 1..L, the course's
  names (dW, db averaged over the m examples, dA per example, as in the course).

Hidden layers use the network's hidden activation (the course's relu), the output layer σ with
cross-entropy. The learner's module is imported as their own code (it runs with the user's
rights, like any script they run). It is called on a few random networks; each array is
compared with :meth:`~chainrule.numeric.network.Network.backward`, in the order backward
propagation makes them (layer L first), with a gradient check's relative error
‖g - ĝ‖ / (‖g‖ + ‖ĝ‖), the worst entry and its indices. For the first wrong array, one guess
at a time is tried and named only if it reproduces the learner's array: a transpose, a
missing or extra 1/m, the sign, or the derivative of another activation in that layer
(recomputed by :func:`textbook_backward`, the course's loop written plainly).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.activations import ACTIVATIONS
from chainrule.numeric.gradcheck import relative_error
from chainrule.numeric.network import Network

__all__ = ["ArrayReport", "check_backward_function", "load_backward", "textbook_backward"]

THRESHOLD = 1e-7
_NETWORKS = ((5, 4, 3, 1), (4, 3, 2))
_EXAMPLES = 7


@dataclass(frozen=True)
class ArrayReport:
    """One gradient array: relative error, worst entry and its indices, and a diagnosis."""

    name: str
    layer: int
    sizes: tuple[int, ...]
    ok: bool
    relative_error: float | None
    worst_index: tuple[int, ...] | None
    problem: str | None = None
    diagnosis: str | None = None

    def __str__(self) -> str:
        if self.relative_error is None:
            return f"  {self.name:<5} ✗ {self.problem}"
        mark = "✓" if self.ok else "✗"
        text = f"  {self.name:<5} {mark} relative error {self.relative_error:.2e}"
        if not self.ok:
            text += f", worst entry at {self.worst_index}"
            text += f"\n        diagnosis: {self.diagnosis or 'no single guess reproduces it'}"
        return text


def load_backward(path: str, name: str = "L_model_backward") -> Callable:
    """Import the learner's file and return its function ``name``; modules beside the file
    (the course's ``dnn_utils.py``) can be imported by it.

    Raises
    ------
    InputError
        One line naming the file when it cannot be imported or lacks the function.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"file '{path}': expected a Python file, got nothing there")
    spec = importlib.util.spec_from_file_location(f"chainrule_user_{file.stem}", file)
    if spec is None or spec.loader is None:
        raise InputError(f"file '{path}': expected a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = str(file.resolve().parent)
    sys.path.insert(0, folder)  # its own helpers (the course's dnn_utils.py) import beside it
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise InputError(
            f"file '{path}', line {error.lineno}: expected Python ({error.msg})"
        ) from None
    except Exception as error:  # noqa: BLE001 - the user's module failed while importing
        raise InputError(
            f"file '{path}': importing it raised {type(error).__name__}: {error}"
        ) from None
    finally:
        sys.path.remove(folder)
    function = getattr(module, name, None)
    if not callable(function):
        raise InputError(f"file '{path}': expected a function {name}(AL, Y, caches), got none")
    sys.modules.pop(spec.name, None)
    return function


def course_caches(net: Network, X: np.ndarray) -> tuple[np.ndarray, list]:
    """AL and the course's caches [((A_prev, W, b), Z), ...] of one forward pass (copies)."""
    AL, values = net.forward(X)
    params = net.params
    caches = []
    for layer in range(1, net.n_layers + 1):
        linear = (
            np.array(values[f"A{layer - 1}"]),
            np.array(params[f"W{layer}"]),
            np.array(params[f"b{layer}"]),
        )
        caches.append((linear, np.array(values[f"Z{layer}"])))
    return np.array(AL), caches


def textbook_backward(AL, Y, caches, derivatives: list[Callable]) -> dict[str, np.ndarray]:
    """The course's backward loop, written plainly; ``derivatives[l-1]`` is g[l]' (Z -> array).

    Shapes as in :func:`course_caches`; returns dA{l-1}, dW{l}, db{l} for l = 1..L.
    """
    grads: dict[str, np.ndarray] = {}
    m = AL.shape[1]
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for layer in range(len(caches), 0, -1):
        (A_prev, W, b), Z = caches[layer - 1]
        dZ = dA * derivatives[layer - 1](Z)
        grads[f"dW{layer}"] = dZ @ A_prev.T / m
        grads[f"db{layer}"] = np.sum(dZ, axis=1, keepdims=True) / m
        grads[f"dA{layer - 1}"] = W.T @ dZ
        dA = grads[f"dA{layer - 1}"]
    return grads


def _derivative(name: str) -> Callable:
    activation = ACTIVATIONS[name]

    def derivative(Z: np.ndarray) -> np.ndarray:
        return activation.derivative(Z, activation.forward(Z.copy()))

    return derivative


def _order(depth: int) -> list[tuple[str, int]]:
    names = []
    for layer in range(depth, 0, -1):
        names += [(f"dW{layer}", layer), (f"db{layer}", layer), (f"dA{layer - 1}", layer)]
    return names


def check_backward_function(
    function: Callable, hidden: str = "relu", seed: int = 0
) -> list[list[ArrayReport]]:
    """One report list per random network (sizes in ``_NETWORKS``), arrays in backward order."""
    reports = []
    rng = np.random.default_rng(seed)
    for sizes in _NETWORKS:
        net = Network(sizes, activation=hidden, output="sigmoid", init="xavier", seed=rng)
        X = rng.standard_normal((sizes[0], _EXAMPLES))
        Y = (rng.random((sizes[-1], _EXAMPLES)) > 0.5).astype(float)
        AL, caches = course_caches(net, X)
        truth = {k: np.array(v) for k, v in net.backward(Y, net.forward(X)[1]).items()}
        try:
            given = function(
                AL.copy(),
                Y.copy(),
                [((a.copy(), w.copy(), b.copy()), z.copy()) for (a, w, b), z in caches],
            )
        except Exception as error:  # noqa: BLE001 - the learner's code failed: report it
            problem = f"the function raised {type(error).__name__}: {error}"
            reports.append([ArrayReport("grads", 0, sizes, False, None, None, problem)])
            continue
        reports.append(_compare(given, truth, AL, Y, caches, hidden, sizes))
    return reports


def _compare(given, truth, AL, Y, caches, hidden, sizes) -> list[ArrayReport]:
    rows = []
    depth = len(sizes) - 1
    for name, layer in _order(depth):
        expected = truth[name]
        value = given.get(name) if isinstance(given, dict) else None
        if value is None:
            rows.append(ArrayReport(name, layer, sizes, False, None, None, "missing from grads"))
            continue
        value = np.asarray(value, dtype=float)
        if value.shape != expected.shape:
            diagnosis = "off by a transpose" if value.shape == expected.T.shape else None
            problem = f"shape {value.shape}, expected {expected.shape}" + (
                f"; diagnosis: {diagnosis}" if diagnosis else ""
            )
            rows.append(ArrayReport(name, layer, sizes, False, None, None, problem, diagnosis))
            continue
        error = relative_error(value, expected)
        gap = np.abs(value - expected)
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
        ok = error <= THRESHOLD
        diagnosis = None if ok else _diagnose(name, value, expected, AL, Y, caches, hidden)
        rows.append(ArrayReport(name, layer, sizes, ok, error, worst, None, diagnosis))
    return rows


def _diagnose(name, value, expected, AL, Y, caches, hidden) -> str | None:
    m = AL.shape[1]
    close = lambda a, b: a.shape == b.shape and np.allclose(a, b, rtol=1e-7, atol=1e-12)  # noqa: E731
    if value.ndim == 2 and value.shape == value.T.shape and close(value, expected.T):
        return "off by a transpose"
    if close(value, expected * m):
        return "missing 1/m"
    if close(value, expected / m):
        return "extra 1/m"
    if close(value, -expected):
        return "the sign: the array has the wrong sign"
    depth = len(caches)
    right = [hidden] * (depth - 1) + ["sigmoid"]
    for layer in range(depth, 0, -1):
        for other in ("sigmoid", "tanh", "relu", "linear"):
            if other == right[layer - 1]:
                continue
            names = list(right)
            names[layer - 1] = other
            guess = textbook_backward(AL, Y, caches, [_derivative(n) for n in names])
            if close(value, guess[name]):
                return (
                    f"an activation derivative of the wrong function: {other}' in layer "
                    f"{layer}, whose activation is {right[layer - 1]}"
                )
    return None


def first_wrong(reports: list[list[ArrayReport]]) -> ArrayReport | None:
    """The first wrong array, in backward order, of the first network where one is wrong."""
    for rows in reports:
        for row in rows:
            if not row.ok:
                return row
    return None
