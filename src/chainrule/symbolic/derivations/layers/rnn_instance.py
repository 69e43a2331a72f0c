"""The notation of the RNN derivation, and the concrete sequences it is proven in.

Shapes are the course's (course 5, week 1, ``rnn_forward`` / ``rnn_backward``), indices
counting from 0 as in NumPy: x (n_x, m, T_x), hidden states a (n_a, m, T_x), a0 (n_a, m),
Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1) written ba[j], Wya (n_y, n_a), by (n_y, 1)
written by[q], outputs ŷ (n_y, m, T_x). a_prev[:, :, t] is the state step t reads, a⟨t-1⟩,
and a0 at t = 0; z and z_y are the pre-activations of the state and of the output.

An :func:`instance` has a variable for every entry of x, a0, the weights, the biases and the
upstream gradient G of the outputs, J = Σ G ⊙ ŷ over all steps (so dŷ = G, any upstream
gradient), and is computed in exact polynomials over tanh, exp and 1/u nodes
(:mod:`chainrule.symbolic.proof.nodes`). Every gradient is the partial derivative of J taken
directly: by the weights, biases, x and a0 as they are; by z, a, a_prev, z_y and ŷ at each
step by a perturbation of that entry that the rest of the sequence follows
(:func:`~.sequences.gradients`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from chainrule.symbolic.derivations.layers.sequences import by_inputs, gradients, span
from chainrule.symbolic.derivations.layers.windows import grid
from chainrule.symbolic.proof.instances import Entries, Instance
from chainrule.symbolic.proof.nodes import BY_NODES, Nodes, node_algebra
from chainrule.symbolic.proof.polynomials import Polynomial
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = ["NOTATION", "SIZES", "RNNSizes", "instance"]

n_x, n_a, n_y, m, T_x = (sp.Symbol(n) for n in ("n_x", "n_a", "n_y", "m", "T_x"))
i, t, j, l, k, q, r = (sp.Symbol(n) for n in "itjlkqr")  # noqa: E741 - the index letters of the formulas

_STATE, _OUTPUT, _INPUT = (n_a, m, T_x), (n_y, m, T_x), (n_x, m, T_x)
_TENSORS = (
    Tensor("x", _INPUT, "the input"),
    Tensor("a0", (n_a, m), "the input (the first state)"),
    Tensor("a_prev", _STATE),
    Tensor("Wax", (n_a, n_x)),
    Tensor("Waa", (n_a, n_a)),
    Tensor("ba", (n_a,)),
    Tensor("Wya", (n_y, n_a)),
    Tensor("by", (n_y,)),
    Tensor("z", _STATE),
    Tensor("a", _STATE),
    Tensor("z_y", _OUTPUT),
    Tensor("yhat", _OUTPUT),
    Tensor("dyhat", _OUTPUT, "∂J/∂ŷ"),
    Tensor("dz_y", _OUTPUT, "∂J/∂z_y"),
    Tensor("dWya", (n_y, n_a), "∂J/∂Wya"),
    Tensor("dby", (n_y,), "∂J/∂by"),
    Tensor("da", _STATE, "∂J/∂a (a⟨t⟩ free, the later steps following it)"),
    Tensor("dz", _STATE, "∂J/∂z"),
    Tensor("dx", _INPUT, "∂J/∂x"),
    Tensor("da_prev", _STATE, "∂J/∂a_prev (the state as step t reads it)", zero_outside=True),
    Tensor("dWax", (n_a, n_x), "∂J/∂Wax"),
    Tensor("dWaa", (n_a, n_a), "∂J/∂Waa"),
    Tensor("dba", (n_a,), "∂J/∂ba"),
    Tensor("da0", (n_a, m), "∂J/∂a0"),
)
(x, a0, a_prev, Wax, Waa, ba, Wya, by, z, a, z_y, yhat) = (t_.base for t_ in _TENSORS[:12])
(dyhat, dz_y, dWya, dby, da, dz, dx, da_prev, dWax, dWaa, dba, da0) = (
    t_.base for t_ in _TENSORS[12:]
)

NOTATION = Notation(
    _TENSORS,
    {
        i: span(m),
        t: span(T_x),
        j: span(n_a),
        l: span(n_a),
        k: span(n_x),
        q: span(n_y),
        r: span(n_y),
    },
)


@dataclass(frozen=True)
class RNNSizes:
    """One concrete sequence: m examples of T_x steps, n_x inputs, n_a hidden units and n_y
    classes per step."""

    n_x: int
    n_a: int
    n_y: int
    m: int
    T_x: int

    def describe(self) -> str:
        return (
            f"T_x = {self.T_x}, m = {self.m}, n_x = {self.n_x}, n_a = {self.n_a}, n_y = {self.n_y}"
        )


#: The sequences every line is proven in: three steps of one example, two steps of two.
SIZES = (RNNSizes(2, 2, 2, 1, 3), RNNSizes(1, 2, 3, 2, 2))


def instance(size: RNNSizes) -> Instance:
    """The sequence ``size`` with symbolic entries (see the module docstring)."""
    nodes = Nodes()
    inputs = {
        "x": grid("x", (size.n_x, size.m, size.T_x)),
        "a0": grid("h", (size.n_a, size.m)),
        "Wax": grid("wx", (size.n_a, size.n_x)),
        "Waa": grid("wa", (size.n_a, size.n_a)),
        "ba": grid("ba", (size.n_a,)),
        "Wya": grid("wy", (size.n_y, size.n_a)),
        "by": grid("by", (size.n_y,)),
    }
    upstream = grid("g", (size.n_y, size.m, size.T_x))

    def forward(shift):
        out: dict[str, Entries] = {name: {} for name in ("a_prev", "z", "a", "z_y", "yhat")}
        x_, wx, wa, b_a, wy, b_y = (inputs[n] for n in ("x", "Wax", "Waa", "ba", "Wya", "by"))
        for t_, i_ in itertools.product(range(size.T_x), range(size.m)):
            for l_ in range(size.n_a):
                before = inputs["a0"][l_, i_] if t_ == 0 else out["a"][l_, i_, t_ - 1]
                out["a_prev"][l_, i_, t_] = shift("a_prev", (l_, i_, t_), before)
            for j_ in range(size.n_a):
                total = Polynomial.total(
                    [wx[j_, k_] * x_[k_, i_, t_] for k_ in range(size.n_x)]
                    + [wa[j_, l_] * out["a_prev"][l_, i_, t_] for l_ in range(size.n_a)]
                    + [b_a[(j_,)]]
                )
                out["z"][j_, i_, t_] = shift("z", (j_, i_, t_), total)
                state = nodes.apply("tanh", out["z"][j_, i_, t_])
                out["a"][j_, i_, t_] = shift("a", (j_, i_, t_), state)
            powers = []
            for q_ in range(size.n_y):
                total = Polynomial.total(
                    [wy[q_, j_] * out["a"][j_, i_, t_] for j_ in range(size.n_a)] + [b_y[(q_,)]]
                )
                out["z_y"][q_, i_, t_] = shift("z_y", (q_, i_, t_), total)
                powers.append(nodes.apply("exp", out["z_y"][q_, i_, t_]))
            share = nodes.apply("reciprocal", Polynomial.total(powers))
            for q_, power in enumerate(powers):
                out["yhat"][q_, i_, t_] = shift("yhat", (q_, i_, t_), power * share)
        cost = Polynomial.total(upstream[ix] * value for ix, value in out["yhat"].items())
        return out, cost

    arrays, cost, found = gradients(nodes, forward)
    arrays.update(inputs)
    arrays.update({f"d{name}": entries for name, entries in found.items()})
    arrays.update({f"d{name}": by_inputs(nodes, cost, inputs[name]) for name in inputs})
    sizes = {n_x: size.n_x, n_a: size.n_a, n_y: size.n_y, m: size.m, T_x: size.T_x}
    return Instance(size.describe(), sizes, arrays, algebra=node_algebra(nodes), by=BY_NODES)
