"""The notation of the attention derivation, and the concrete heads it is proven in.

One head of scaled dot-product attention, rows as positions (the layout of the frameworks'
``scaled_dot_product_attention`` for one head of one example), indices counting from 0:
queries Q (n_q, d), keys K (n_k, d), values V (n_k, d_v); scores S = QKᵀ/√d and
probabilities P (n_q, n_k); output O = PV (n_q, d_v). ``mask`` (n_q, n_k) is 1 where query i
may attend to key j and 0 where its score is set to -∞ (the causal mask: 0 above the
diagonal); without a mask it is all ones.

An :func:`instance` has a variable for every entry of Q, K, V and of the upstream gradient G
of the output, J = Σ G ⊙ O (so dO = G), and is computed in exact polynomials over exp and
1/u nodes (:mod:`chainrule.symbolic.proof.nodes`); √d is exact at the sizes proven (d = 4
and 1). Gradients by Q, K and V are taken directly; by O, P and S through a perturbation of
each entry that what follows it recomputes from (:func:`~.sequences.gradients`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from chainrule.symbolic.derivations.layers.sequences import by_inputs, gradients, span
from chainrule.symbolic.derivations.layers.windows import grid
from chainrule.symbolic.proof.instances import Entries, Instance
from chainrule.symbolic.proof.nodes import BY_NODES, Nodes, node_algebra
from chainrule.symbolic.proof.polynomials import Polynomial
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = ["NOTATION", "SIZES", "HeadSizes", "instance"]

n_q, n_k, d, d_v = (sp.Symbol(n) for n in ("n_q", "n_k", "d", "d_v"))
i, j, l, k, c = (sp.Symbol(n) for n in "ijlkc")  # noqa: E741 - the index letters of the formulas

_TENSORS = (
    Tensor("Q", (n_q, d), "the input (queries)"),
    Tensor("K", (n_k, d), "the input (keys)"),
    Tensor("V", (n_k, d_v), "the input (values)"),
    Tensor("mask", (n_q, n_k), "the mask (1 kept, 0 masked)"),
    Tensor("S", (n_q, n_k)),
    Tensor("P", (n_q, n_k)),
    Tensor("O", (n_q, d_v)),
    Tensor("dO", (n_q, d_v), "∂J/∂O"),
    Tensor("dP", (n_q, n_k), "∂J/∂P"),
    Tensor("dS", (n_q, n_k), "∂J/∂S"),
    Tensor("dQ", (n_q, d), "∂J/∂Q"),
    Tensor("dK", (n_k, d), "∂J/∂K"),
    Tensor("dV", (n_k, d_v), "∂J/∂V"),
)
Q, K, V, mask, S, P, O, dO, dP, dS, dQ, dK, dV = (t_.base for t_ in _TENSORS)  # noqa: E741

NOTATION = Notation(_TENSORS, {i: span(n_q), j: span(n_k), l: span(n_k), k: span(d), c: span(d_v)})


@dataclass(frozen=True)
class HeadSizes:
    """One concrete head: n_q queries and n_k keys of d features, values of d_v; ``causal``
    masks the keys after each query (n_q = n_k)."""

    n_q: int
    n_k: int
    d: int
    d_v: int
    causal: bool

    def describe(self) -> str:
        masked = ", causal mask" if self.causal else ", no mask"
        return f"n_q = {self.n_q}, n_k = {self.n_k}, d = {self.d}, d_v = {self.d_v}{masked}"


#: The heads every line is proven in: √d exact (d = 4 and 1), with and without the mask.
SIZES = (HeadSizes(2, 3, 4, 2, False), HeadSizes(3, 3, 1, 2, True))


def instance(size: HeadSizes) -> Instance:
    """The head ``size`` with symbolic entries (see the module docstring)."""
    nodes = Nodes()
    inputs = {
        "Q": grid("q", (size.n_q, size.d)),
        "K": grid("k", (size.n_k, size.d)),
        "V": grid("v", (size.n_k, size.d_v)),
    }
    keep: Entries = {
        (i_, j_): Polynomial.constant(int(not size.causal or j_ <= i_))
        for i_, j_ in itertools.product(range(size.n_q), range(size.n_k))
    }
    root = round(size.d**0.5)
    assert root * root == size.d, "√d exact at the sizes proven"
    scale = Polynomial.constant(Fraction(1, root))
    upstream = grid("g", (size.n_q, size.d_v))
    q_, k_, v_ = inputs["Q"], inputs["K"], inputs["V"]

    def forward(shift):
        out: dict[str, Entries] = {"S": {}, "P": {}, "O": {}}
        for i_ in range(size.n_q):
            powers = []
            for j_ in range(size.n_k):
                dot = Polynomial.total(q_[i_, f] * k_[j_, f] for f in range(size.d))
                score = out["S"][i_, j_] = shift("S", (i_, j_), dot * scale)
                powers.append(keep[i_, j_] * nodes.apply("exp", score))
            share = nodes.apply("reciprocal", Polynomial.total(powers))
            for j_, power in enumerate(powers):
                out["P"][i_, j_] = shift("P", (i_, j_), power * share)
            for c_ in range(size.d_v):
                total = Polynomial.total(out["P"][i_, j_] * v_[j_, c_] for j_ in range(size.n_k))
                out["O"][i_, c_] = shift("O", (i_, c_), total)
        cost = Polynomial.total(upstream[ix] * value for ix, value in out["O"].items())
        return out, cost

    arrays, cost, found = gradients(nodes, forward)
    arrays.update(inputs)
    arrays["mask"] = keep
    arrays.update({f"d{name}": entries for name, entries in found.items()})
    arrays.update({f"d{name}": by_inputs(nodes, cost, inputs[name]) for name in inputs})
    sizes = {n_q: size.n_q, n_k: size.n_k, d: size.d, d_v: size.d_v}
    return Instance(size.describe(), sizes, arrays, algebra=node_algebra(nodes), by=BY_NODES)
