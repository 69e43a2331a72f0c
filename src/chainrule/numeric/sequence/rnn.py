"""The basic RNN over a sequence, forward and backpropagation through time.

The course's cell, with rows as examples (batch first)::

    a⟨t⟩ = tanh(x⟨t⟩ Waxᵀ + a⟨t-1⟩ Waaᵀ + ba)

Wax (n_a, n_x), Waa (n_a, n_a) keep the course's shapes; ba is the course's (n_a, 1) column as
a vector (n_a,). The course's cell also gives y⟨t⟩ = softmax(Wya a⟨t⟩ + by); here that output
is a separate time-distributed layer, so the RNN returns every hidden state and takes their
gradient dA. Its backward (the course's ``rnn_cell_backward``), with dz = da ⊙ (1 - a⟨t⟩²)::

    dx⟨t⟩ = dz Wax     da⟨t-1⟩ = dz Waa     dWax += dzᵀ x⟨t⟩   dWaa += dzᵀ a⟨t-1⟩   dba += Σ dz

and da at step t is the gradient from the output at t plus da⟨t⟩ flowing back from step t+1.

Two paths: the textbook one, cell by cell as the course writes them (:func:`rnn_cell_forward`,
:func:`rnn_cell_backward`, :func:`rnn_forward_cells`, :func:`rnn_backward_cells`), and
:func:`rnn_forward` / :func:`rnn_backward`, which project every input in one matrix product
before the loop, keep the states time-major in preallocated buffers, and take the weight
gradients after the loop in one product each. The tests hold the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.numeric.sequence.blas import prime_blas
from chainrule.numeric.sequence.shapes import check_like, check_recurrent_input

__all__ = [
    "RNN_KEYS",
    "RNNCache",
    "rnn_backward",
    "rnn_backward_cells",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_forward_cells",
    "rnn_parameter_shapes",
]

Array = np.ndarray
Parameters = dict[str, Array]
RNN_KEYS = ("Wax", "Waa", "ba")


def rnn_parameter_shapes(n_x: int, n_a: int) -> dict[str, tuple[int, ...]]:
    """The shapes of Wax, Waa and ba for inputs of n_x features and n_a hidden units."""
    return {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a,)}


def _check(x: Array, a0: Array | None, parameters: Parameters) -> Array:
    """Validate x (m, T, n_x), a0 (m, n_a) and the parameters; return a0 (zeros if None)."""
    return check_recurrent_input(x, a0, parameters, "Waa", rnn_parameter_shapes)


# ----------------------------------------------------------------- the textbook path
def rnn_cell_forward(
    xt: Array, a_prev: Array, parameters: Parameters
) -> tuple[Array, tuple[Any, ...]]:
    """One step: a_next (m, n_a) from xt (m, n_x) and a_prev (m, n_a); cache for backward."""
    Wax, Waa, ba = (parameters[key] for key in RNN_KEYS)
    a_next = np.tanh(xt @ Wax.T + a_prev @ Waa.T + ba)
    return a_next, (a_next, a_prev, xt, parameters)


def rnn_cell_backward(da_next: Array, cache: tuple[Any, ...]) -> dict[str, Array]:
    """One step back: dxt, da_prev and this step's dWax, dWaa, dba from da_next (m, n_a)."""
    a_next, a_prev, xt, parameters = cache
    dz = da_next * (1 - a_next**2)
    return {
        "dxt": dz @ parameters["Wax"],
        "da_prev": dz @ parameters["Waa"],
        "dWax": dz.T @ xt,
        "dWaa": dz.T @ a_prev,
        "dba": dz.sum(axis=0),
    }


def rnn_forward_cells(
    x: Array, a0: Array | None, parameters: Parameters
) -> tuple[Array, list[tuple[Any, ...]]]:
    """A (m, T, n_a), every hidden state, by :func:`rnn_cell_forward` step by step."""
    a_prev = _check(x, a0, parameters)
    states, caches = [], []
    for t in range(x.shape[1]):
        a_prev, cache = rnn_cell_forward(x[:, t], a_prev, parameters)
        states.append(a_prev)
        caches.append(cache)
    return np.stack(states, axis=1), caches


def rnn_backward_cells(
    dA: Array, caches: list[tuple[Any, ...]]
) -> tuple[Array, Array, dict[str, Array]]:
    """dx (m, T, n_x), da0 (m, n_a) and the summed dWax, dWaa, dba, step by step back."""
    grads = {f"d{key}": np.zeros_like(caches[0][3][key]) for key in RNN_KEYS}
    dxs = []
    da_prev = np.zeros_like(dA[:, 0])
    for t in reversed(range(len(caches))):
        step = rnn_cell_backward(dA[:, t] + da_prev, caches[t])
        da_prev = step["da_prev"]
        dxs.append(step["dxt"])
        for key in grads:
            grads[key] += step[key]
    return np.stack(dxs[::-1], axis=1), da_prev, grads


# ----------------------------------------------------------------- the fast path
@dataclass
class RNNCache:
    """Time-major buffers of the forward pass: inputs X (T, m, n_x), states H (T+1, m, n_a)
    with H[0] = a0, and the parameters."""

    X: Array
    H: Array
    parameters: Parameters


def rnn_forward(x: Array, a0: Array | None, parameters: Parameters) -> tuple[Array, RNNCache]:
    """A (m, T, n_a), every hidden state, from x (m, T, n_x), a0 (m, n_a) or None (zeros)."""
    a0 = _check(x, a0, parameters)
    prime_blas()
    m, T, n_x = x.shape
    Wax, Waa, ba = (parameters[key] for key in RNN_KEYS)
    X = np.ascontiguousarray(x.transpose(1, 0, 2))
    H = np.empty((T + 1, m, Waa.shape[0]), dtype=x.dtype)
    H[0] = a0
    np.matmul(X.reshape(T * m, n_x), Wax.T, out=H[1:].reshape(T * m, -1))  # every step's input
    H[1:] += ba
    WaaT = np.ascontiguousarray(Waa.T)
    recurrent = np.empty_like(a0)
    for t in range(T):
        np.matmul(H[t], WaaT, out=recurrent)
        np.add(H[t + 1], recurrent, out=H[t + 1])
        np.tanh(H[t + 1], out=H[t + 1])
    return np.ascontiguousarray(H[1:].transpose(1, 0, 2)), RNNCache(X, H, parameters)


def rnn_backward(dA: Array, cache: RNNCache) -> tuple[Array, Array, dict[str, Array]]:
    """dx (m, T, n_x), da0 (m, n_a) and dWax, dWaa, dba from dA (m, T, n_a), the gradient of
    the cost by every hidden state (zero where a state feeds no output)."""
    X, H, parameters = cache.X, cache.H, cache.parameters
    T, m, n_a = H.shape[0] - 1, H.shape[1], H.shape[2]
    check_like("dA", dA, (m, T, n_a), H.dtype, "(those of the forward output)")
    Waa = parameters["Waa"]
    dZ = np.empty((T, m, n_a), dtype=H.dtype)
    da = np.zeros((m, n_a), dtype=H.dtype)
    work = np.empty_like(da)
    for t in reversed(range(T)):
        np.add(dA[:, t], da, out=dZ[t])
        np.multiply(H[t + 1], H[t + 1], out=work)
        np.subtract(1.0, work, out=work)
        np.multiply(dZ[t], work, out=dZ[t])
        np.matmul(dZ[t], Waa, out=da)
    flat = dZ.reshape(T * m, n_a)
    grads = {
        "dWax": flat.T @ X.reshape(T * m, -1),
        "dWaa": flat.T @ H[:-1].reshape(T * m, n_a),
        "dba": flat.sum(axis=0),
    }
    dx = (flat @ parameters["Wax"]).reshape(T, m, -1).transpose(1, 0, 2)
    return np.ascontiguousarray(dx), da, grads
