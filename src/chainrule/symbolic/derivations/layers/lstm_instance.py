"""The notation of the LSTM derivation, and the concrete cells it is proven in.

Shapes and names are the course's (course 5, week 1, ``lstm_cell_forward`` /
``lstm_cell_backward``), indices counting from 0 as in NumPy: x⟨t⟩ (n_x, m), a_prev and c_prev
(n_a, m), concat = [a_prev; x⟨t⟩] (n_a + n_x, m), the weights Wf, Wu, Wc, Wo (n_a, n_a + n_x)
(the course's code calls Wu Wi), the biases bf, bu, bc, bo (n_a, 1) written bf[j]; the gates
Γf, Γu, Γo, the candidate c̃, the cell state c and the hidden state a, all (n_a, m); z_f, z_u,
z_c and z_o are the pre-activations of Γf, Γu, c̃ and Γo.

An :func:`instance` has a variable for every entry of x, a_prev, c_prev, the weights, the
biases and of two upstream gradients: G_a of the hidden state a (the course's da_next) and
G_c of the cell state as the next step reads it (dc_next), J = Σ G_a ⊙ a + Σ G_c ⊙ c. It is
computed in exact polynomials over σ and tanh nodes (:mod:`chainrule.symbolic.proof.nodes`);
every gradient is the partial derivative of J taken directly, by the inputs as they are, by
an intermediate array by a perturbation of each entry that what follows it recomputes from
(:func:`~.sequences.gradients`). dc is ∂J/∂c with a following c; dc_next holds a fixed (the
cell state passed on to the next step).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from chainrule.symbolic.core.trees import add
from chainrule.symbolic.derivations.layers.sequences import by_inputs, gradients, span
from chainrule.symbolic.derivations.layers.windows import grid
from chainrule.symbolic.proof.instances import Entries, Instance
from chainrule.symbolic.proof.nodes import BY_NODES, Nodes, node_algebra
from chainrule.symbolic.proof.polynomials import Polynomial
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = [
    "GATES",
    "GATE_FUNCTION",
    "gate_tensors",
    "GATE_NAME",
    "GATE_VALUE",
    "NOTATION",
    "SIZES",
    "LSTMSizes",
    "instance",
    "sigma",
]

n_x, n_a, m = (sp.Symbol(n) for n in ("n_x", "n_a", "m"))
i, j, l, k, p = (sp.Symbol(n) for n in "ijlkp")  # noqa: E741 - the index letters of the formulas

#: The four gates' letters: forget, update, candidate, output.
GATES = ("f", "u", "c", "o")
#: What each gate letter's σ or tanh gives, by its name in the notation.
GATE_VALUE = {"f": "Gamma_f", "u": "Gamma_u", "c": "ctilde", "o": "Gamma_o"}
#: Each gate's function, by its name among the nodes.
GATE_FUNCTION = {"f": "sigma", "u": "sigma", "c": "tanh", "o": "sigma"}
#: Each gate as the lines' text names it.
GATE_NAME = {
    "f": "the forget gate Γf",
    "u": "the update gate Γu",
    "c": "the candidate c̃",
    "o": "the output gate Γo",
}
#: σ as a name only: the proofs evaluate it as a node (:mod:`chainrule.symbolic.proof.nodes`),
#: and the JSON form reads back with plain sympify, as an undefined function does.
sigma = sp.Function("sigma")

_STATE, _STACK = (n_a, m), (n_a + n_x, m)


def gate_tensors(state: tuple[sp.Expr, ...], summed: str = "") -> tuple[Tensor, ...]:
    """Every gate's weights, bias, pre-activation, value and their gradients, the values
    over ``state`` ((n_a, m) for a cell, (n_a, m, T_x) through time); ``summed`` follows the
    meaning of the weight gradients ("(summed over the steps)")."""
    suffix = f" {summed}" if summed else ""
    return tuple(
        tensor
        for g in GATES
        for tensor in (
            Tensor(f"W{g}", (n_a, n_a + n_x), stacked=(1,)),
            Tensor(f"b{g}", (n_a,)),
            Tensor(f"z_{g}", state),
            Tensor(GATE_VALUE[g], state),
            Tensor(f"d{GATE_VALUE[g]}", state, f"∂J/∂{GATE_VALUE[g]}"),
            Tensor(f"dz_{g}", state, f"∂J/∂z_{g}"),
            Tensor(f"dW{g}", (n_a, n_a + n_x), f"∂J/∂W{g}{suffix}", stacked=(1,)),
            Tensor(f"db{g}", (n_a,), f"∂J/∂b{g}{suffix}"),
        )
    )


_GATE_TENSORS = gate_tensors(_STATE)
_TENSORS = (
    Tensor("x", (n_x, m), "the input"),
    Tensor("a_prev", _STATE, "the input (the previous hidden state)"),
    Tensor("c_prev", _STATE, "the input (the previous cell state)"),
    Tensor("concat", _STACK, stacked=(0,)),
    Tensor("c", _STATE),
    Tensor("a", _STATE),
    Tensor("da_next", _STATE, "∂J/∂a"),
    Tensor("dc_next", _STATE, "∂J/∂c with a held (from the next step)"),
    Tensor("dc", _STATE, "∂J/∂c (a following c)"),
    Tensor("dc_prev", _STATE, "∂J/∂c_prev"),
    Tensor("dconcat", _STACK, "∂J/∂concat", stacked=(0,)),
    Tensor("da_prev", _STATE, "∂J/∂a_prev"),
    Tensor("dx", (n_x, m), "∂J/∂x"),
    *_GATE_TENSORS,
)
NAMES = {tensor.name: tensor.base for tensor in _TENSORS}

NOTATION = Notation(
    _TENSORS,
    {i: span(m), j: span(n_a), l: span(n_a), k: span(n_x), p: span(add(n_a, n_x))},
)


@dataclass(frozen=True)
class LSTMSizes:
    """One concrete cell: m examples, n_x inputs and n_a hidden units."""

    n_x: int
    n_a: int
    m: int

    def describe(self) -> str:
        return f"m = {self.m}, n_x = {self.n_x}, n_a = {self.n_a}"


#: The cells every line is proven in.
SIZES = (LSTMSizes(2, 2, 1), LSTMSizes(1, 3, 2))


def instance(size: LSTMSizes) -> Instance:
    """The cell ``size`` with symbolic entries (see the module docstring)."""
    nodes = Nodes()
    stack = size.n_a + size.n_x
    inputs = {
        "x": grid("x", (size.n_x, size.m)),
        "a_prev": grid("h", (size.n_a, size.m)),
        "c_prev": grid("s", (size.n_a, size.m)),
    }
    for g in GATES:
        inputs[f"W{g}"] = grid(f"w{g}", (size.n_a, stack))
        inputs[f"b{g}"] = grid(f"b{g}", (size.n_a,))
    upstream_a, upstream_c = grid("ga", (size.n_a, size.m)), grid("gc", (size.n_a, size.m))
    cells = list(itertools.product(range(size.n_a), range(size.m)))

    def forward(shift):
        out: dict[str, Entries] = {"concat": {}}
        for (l_, i_), value in inputs["a_prev"].items():
            out["concat"][l_, i_] = shift("concat", (l_, i_), value)
        for (k_, i_), value in inputs["x"].items():
            out["concat"][size.n_a + k_, i_] = shift("concat", (size.n_a + k_, i_), value)
        for g in GATES:
            weights, bias = inputs[f"W{g}"], inputs[f"b{g}"]
            out[f"z_{g}"], out[GATE_VALUE[g]] = {}, {}
            for j_, i_ in cells:
                total = Polynomial.total(
                    [weights[j_, p_] * out["concat"][p_, i_] for p_ in range(stack)] + [bias[(j_,)]]
                )
                z = out[f"z_{g}"][j_, i_] = shift(f"z_{g}", (j_, i_), total)
                value = nodes.apply(GATE_FUNCTION[g], z)
                out[GATE_VALUE[g]][j_, i_] = shift(GATE_VALUE[g], (j_, i_), value)
        out["c"], out["a"], passed = {}, {}, {}
        for j_, i_ in cells:
            cell = (
                out["Gamma_f"][j_, i_] * inputs["c_prev"][j_, i_]
                + out["Gamma_u"][j_, i_] * out["ctilde"][j_, i_]
            )
            c = out["c"][j_, i_] = shift("c", (j_, i_), cell)
            state = out["Gamma_o"][j_, i_] * nodes.apply("tanh", c)
            out["a"][j_, i_] = shift("a_next", (j_, i_), state)
            passed[j_, i_] = shift("c_next", (j_, i_), c)
        cost = Polynomial.total(
            [upstream_a[ix] * out["a"][ix] for ix in cells]
            + [upstream_c[ix] * passed[ix] for ix in cells]
        )
        return out, cost

    arrays, cost, found = gradients(nodes, forward)
    arrays.update(inputs)
    arrays.update({f"d{name}": entries for name, entries in found.items()})
    arrays.update({f"d{name}": by_inputs(nodes, cost, inputs[name]) for name in inputs})
    sizes = {n_x: size.n_x, n_a: size.n_a, m: size.m}
    return Instance(size.describe(), sizes, arrays, algebra=node_algebra(nodes), by=BY_NODES)
