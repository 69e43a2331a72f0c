"""The LSTM over a sequence, the textbook path: the course's cells, step by step.

The course's equations with rows as examples (batch first) and concat = [a⟨t-1⟩, x⟨t⟩]
(m, n_a + n_x), every W* of shape (n_a, n_a + n_x) and every b* a vector (n_a,)::

    Γf = σ(concat Wfᵀ + bf)        forget gate
    Γu = σ(concat Wiᵀ + bi)        update gate (the course's code names it i: Wi, bi)
    c̃  = tanh(concat Wcᵀ + bc)     candidate
    c⟨t⟩ = Γf ⊙ c⟨t-1⟩ + Γu ⊙ c̃
    Γo = σ(concat Woᵀ + bo)        output gate
    a⟨t⟩ = Γo ⊙ tanh(c⟨t⟩)

The cell's backward (:func:`lstm_cell_backward`), with dc = dc_next + da ⊙ Γo ⊙ (1 - tanh²c⟨t⟩)
the whole gradient reaching c⟨t⟩ (from the next cell and through a⟨t⟩)::

    dΓo = da ⊙ tanh c⟨t⟩ ⊙ Γo(1 - Γo)      dc̃ = dc ⊙ Γu ⊙ (1 - c̃²)
    dΓu = dc ⊙ c̃ ⊙ Γu(1 - Γu)              dΓf = dc ⊙ c⟨t-1⟩ ⊙ Γf(1 - Γf)
    dW* = dΓ*ᵀ concat,  db* = Σ dΓ*,  dconcat = Σ dΓ* W* = [da_prev, dxt],  dc_prev = dc ⊙ Γf

(dΓ* here is the gradient by the gate's pre-activation, as the course's dft, dit, dot, dcct.)
So ∂c⟨t⟩/∂c⟨t-1⟩ = Γf: the forget gate carries the cell's gradient back unchanged where it is
open. :mod:`chainrule.numeric.sequence.lstm_fused` computes the same with the four gates in one
matrix product per step; the tests hold the two paths equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.numeric.activations import sigmoid
from chainrule.numeric.sequence.shapes import check_recurrent_input

__all__ = [
    "LSTM_KEYS",
    "check_lstm_input",
    "lstm_backward_cells",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward_cells",
    "lstm_parameter_shapes",
]

Array = np.ndarray
Parameters = dict[str, Array]
#: The gates' weights and biases, in the course's names.
LSTM_KEYS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")


def lstm_parameter_shapes(n_x: int, n_a: int) -> dict[str, tuple[int, ...]]:
    """The shape of every W* (n_a, n_a + n_x) and b* (n_a,)."""
    return {key: (n_a, n_a + n_x) if key[0] == "W" else (n_a,) for key in LSTM_KEYS}


def check_lstm_input(x: Array, a0: Array | None, parameters: Parameters) -> Array:
    """Validate x (m, T, n_x), a0 (m, n_a) or None, and the parameters; return a0 (zeros if
    None)."""
    return check_recurrent_input(x, a0, parameters, "Wf", lstm_parameter_shapes)


def lstm_cell_forward(
    xt: Array, a_prev: Array, c_prev: Array, parameters: Parameters
) -> tuple[Array, Array, tuple[Any, ...]]:
    """One step: a_next, c_next (m, n_a) from xt (m, n_x), a_prev, c_prev (m, n_a)."""
    p = parameters
    concat = np.concatenate([a_prev, xt], axis=1)
    ft = sigmoid(concat @ p["Wf"].T + p["bf"])
    it = sigmoid(concat @ p["Wi"].T + p["bi"])
    cct = np.tanh(concat @ p["Wc"].T + p["bc"])
    c_next = ft * c_prev + it * cct
    ot = sigmoid(concat @ p["Wo"].T + p["bo"])
    a_next = ot * np.tanh(c_next)
    return a_next, c_next, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_cell_backward(da_next: Array, dc_next: Array, cache: tuple[Any, ...]) -> dict[str, Array]:
    """One step back: dxt, da_prev, dc_prev and this step's dW*, db* from da_next, dc_next."""
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p = cache
    n_a = a_prev.shape[1]
    tanh_c = np.tanh(c_next)
    dc = dc_next + da_next * ot * (1 - tanh_c**2)
    gates = {
        "f": dc * c_prev * ft * (1 - ft),
        "i": dc * cct * it * (1 - it),
        "c": dc * it * (1 - cct**2),
        "o": da_next * tanh_c * ot * (1 - ot),
    }
    concat = np.concatenate([a_prev, xt], axis=1)
    grads = {f"dW{g}": d.T @ concat for g, d in gates.items()}
    grads.update({f"db{g}": d.sum(axis=0) for g, d in gates.items()})
    dconcat = sum(d @ p[f"W{g}"] for g, d in gates.items())
    grads.update(da_prev=dconcat[:, :n_a], dxt=dconcat[:, n_a:], dc_prev=dc * ft)
    return grads


def lstm_forward_cells(
    x: Array, a0: Array | None, parameters: Parameters
) -> tuple[Array, list[tuple[Any, ...]]]:
    """A (m, T, n_a), every hidden state, step by step; c⟨0⟩ = 0 as in the course."""
    a = check_lstm_input(x, a0, parameters)
    c = np.zeros_like(a)
    states, caches = [], []
    for t in range(x.shape[1]):
        a, c, cache = lstm_cell_forward(x[:, t], a, c, parameters)
        states.append(a)
        caches.append(cache)
    return np.stack(states, axis=1), caches


def lstm_backward_cells(
    dA: Array, caches: list[tuple[Any, ...]]
) -> tuple[Array, Array, dict[str, Array]]:
    """dx (m, T, n_x), da0 (m, n_a) and every summed dW*, db*, from dA (m, T, n_a)."""
    parameters = caches[0][-1]
    grads = {f"d{key}": np.zeros_like(parameters[key]) for key in LSTM_KEYS}
    da_prev = np.zeros_like(dA[:, 0])
    dc_prev = np.zeros_like(da_prev)
    dxs = []
    for t in reversed(range(len(caches))):
        step = lstm_cell_backward(dA[:, t] + da_prev, dc_prev, caches[t])
        da_prev, dc_prev = step["da_prev"], step["dc_prev"]
        dxs.append(step["dxt"])
        for key in grads:
            grads[key] += step[key]
    return np.stack(dxs[::-1], axis=1), da_prev, grads
