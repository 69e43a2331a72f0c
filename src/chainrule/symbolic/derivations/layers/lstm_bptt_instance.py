"""The notation of LSTM backpropagation through time, and the concrete sequences it is proven in.

Shapes and names are the course's (course 5, week 1, ``lstm_forward`` / ``lstm_backward``),
indices counting from 0 as in NumPy: x (n_x, m, T_x), a0 and c0 (n_a, m), the weights Wf, Wu,
Wc, Wo (n_a, n_a + n_x) and biases bf, bu, bc, bo (n_a, 1) written bf[j], shared by all steps;
at step t the cell reads a_prev[:, :, t] = a⟨t-1⟩ and c_prev[:, :, t] = c⟨t-1⟩ (a0 and c0 at
t = 0), and concat[:, :, t] = [a_prev; x⟨t⟩] (n_a + n_x, m); the gates Γf, Γu, Γo, the
candidate c̃, the cell state c and the hidden state a are (n_a, m, T_x); z_f, z_u, z_c, z_o
are the pre-activations.

An :func:`instance` has a variable for every entry of x, a0, c0, the weights, the biases and
of the upstream gradient G of the hidden states as the outputs read them (the course's
``da``, here da_out), J = Σ G ⊙ a over all steps. It is computed in exact polynomials over σ
and tanh nodes (:mod:`chainrule.symbolic.proof.nodes`). Every gradient is the partial
derivative of J taken directly: by the inputs as they are; by an intermediate entry by a
perturbation of it that the rest of the sequence recomputes from
(:func:`~.sequences.gradients`). So da⟨t⟩ and dc⟨t⟩ count every later step, while
da_prev[:, :, t] and dc_prev[:, :, t] count only what flows through step t.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from chainrule.symbolic.core.trees import add
from chainrule.symbolic.derivations.layers.lstm_instance import (
    GATE_FUNCTION,
    GATE_VALUE,
    GATES,
    gate_tensors,
)
from chainrule.symbolic.derivations.layers.sequences import by_inputs, gradients, span
from chainrule.symbolic.derivations.layers.windows import grid
from chainrule.symbolic.proof.instances import Entries, Instance
from chainrule.symbolic.proof.nodes import BY_NODES, Nodes, node_algebra
from chainrule.symbolic.proof.polynomials import Polynomial
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = ["NAMES", "NOTATION", "SIZES", "LSTMSequence", "instance"]

n_x, n_a, m, T_x = (sp.Symbol(n) for n in ("n_x", "n_a", "m", "T_x"))
i, t, j, l, k, p = (sp.Symbol(n) for n in "itjlkp")  # noqa: E741 - the index letters of the formulas


_STATE, _STACK, _INPUT = (n_a, m, T_x), (n_a + n_x, m, T_x), (n_x, m, T_x)
_GATE_TENSORS = gate_tensors(_STATE, "(summed over the steps)")
_TENSORS = (
    Tensor("x", _INPUT, "the input"),
    Tensor("a0", (n_a, m), "the input (the first hidden state)"),
    Tensor("c0", (n_a, m), "the input (the first cell state)"),
    Tensor("a_prev", _STATE),
    Tensor("c_prev", _STATE),
    Tensor("concat", _STACK, stacked=(0,)),
    Tensor("c", _STATE),
    Tensor("a", _STATE),
    Tensor("da_out", _STATE, "∂J/∂a through the output at t (the course's da)"),
    Tensor("da", _STATE, "∂J/∂a (a⟨t⟩ free, the later steps following it)"),
    Tensor("dc", _STATE, "∂J/∂c (c⟨t⟩ free, a⟨t⟩ and the later steps following it)"),
    Tensor("dc_prev", _STATE, "∂J/∂c_prev (c⟨t-1⟩ as step t reads it)", zero_outside=True),
    Tensor("dconcat", _STACK, "∂J/∂concat", stacked=(0,)),
    Tensor("da_prev", _STATE, "∂J/∂a_prev (a⟨t-1⟩ as step t reads it)", zero_outside=True),
    Tensor("dx", _INPUT, "∂J/∂x"),
    Tensor("da0", (n_a, m), "∂J/∂a0"),
    Tensor("dc0", (n_a, m), "∂J/∂c0"),
    *_GATE_TENSORS,
)
NAMES = {tensor.name: tensor.base for tensor in _TENSORS}

NOTATION = Notation(
    _TENSORS,
    {
        i: span(m),
        t: span(T_x),
        j: span(n_a),
        l: span(n_a),
        k: span(n_x),
        p: span(add(n_a, n_x)),
    },
)


@dataclass(frozen=True)
class LSTMSequence:
    """One concrete sequence: m examples of T_x steps, n_x inputs and n_a hidden units."""

    n_x: int
    n_a: int
    m: int
    T_x: int

    def describe(self) -> str:
        return f"T_x = {self.T_x}, m = {self.m}, n_x = {self.n_x}, n_a = {self.n_a}"


#: The sequences every line is proven in: two steps of one example with two hidden units and
#: one input, two steps of two examples with one hidden unit and two inputs.
SIZES = (LSTMSequence(1, 2, 1, 2), LSTMSequence(2, 1, 2, 2))


def instance(size: LSTMSequence) -> Instance:
    """The sequence ``size`` with symbolic entries (see the module docstring)."""
    nodes = Nodes()
    stack = size.n_a + size.n_x
    inputs = {
        "x": grid("x", (size.n_x, size.m, size.T_x)),
        "a0": grid("h", (size.n_a, size.m)),
        "c0": grid("s", (size.n_a, size.m)),
    }
    for g in GATES:
        inputs[f"W{g}"] = grid(f"w{g}", (size.n_a, stack))
        inputs[f"b{g}"] = grid(f"b{g}", (size.n_a,))
    upstream = grid("g", (size.n_a, size.m, size.T_x))
    names = ("a_prev", "c_prev", "concat", "c", "a", *GATE_VALUE.values())
    names += tuple(f"z_{g}" for g in GATES)

    def forward(shift):
        out: dict[str, Entries] = {name: {} for name in names}
        read = []
        for t_, i_ in itertools.product(range(size.T_x), range(size.m)):
            for l_ in range(size.n_a):
                first = t_ == 0
                before_a = inputs["a0"][l_, i_] if first else out["a"][l_, i_, t_ - 1]
                before_c = inputs["c0"][l_, i_] if first else out["c"][l_, i_, t_ - 1]
                a_prev = out["a_prev"][l_, i_, t_] = shift("a_prev", (l_, i_, t_), before_a)
                out["c_prev"][l_, i_, t_] = shift("c_prev", (l_, i_, t_), before_c)
                out["concat"][l_, i_, t_] = shift("concat", (l_, i_, t_), a_prev)
            for k_ in range(size.n_x):
                row = (size.n_a + k_, i_, t_)
                out["concat"][row] = shift("concat", row, inputs["x"][k_, i_, t_])
            for g, j_ in itertools.product(GATES, range(size.n_a)):
                weights, bias = inputs[f"W{g}"], inputs[f"b{g}"]
                total = Polynomial.total(
                    [weights[j_, p_] * out["concat"][p_, i_, t_] for p_ in range(stack)]
                    + [bias[(j_,)]]
                )
                z = out[f"z_{g}"][j_, i_, t_] = shift(f"z_{g}", (j_, i_, t_), total)
                value = nodes.apply(GATE_FUNCTION[g], z)
                out[GATE_VALUE[g]][j_, i_, t_] = shift(GATE_VALUE[g], (j_, i_, t_), value)
            for j_ in range(size.n_a):
                e = (j_, i_, t_)
                cell = out["Gamma_f"][e] * out["c_prev"][e] + out["Gamma_u"][e] * out["ctilde"][e]
                c = out["c"][e] = shift("c", e, cell)
                out["a"][e] = shift("a", e, out["Gamma_o"][e] * nodes.apply("tanh", c))
                read.append(upstream[e] * shift("a_out", e, out["a"][e]))
        return out, Polynomial.total(read)

    arrays, cost, found = gradients(nodes, forward)
    arrays.update(inputs)
    arrays.update({f"d{name}": entries for name, entries in found.items()})
    arrays.update({f"d{name}": by_inputs(nodes, cost, inputs[name]) for name in inputs})
    sizes = {n_x: size.n_x, n_a: size.n_a, m: size.m, T_x: size.T_x}
    return Instance(size.describe(), sizes, arrays, algebra=node_algebra(nodes), by=BY_NODES)
