"""A basic RNN with a softmax output: the cell's backward, then backpropagation through time.

The course's cell (course 5, week 1), at every step t = 0..T_x-1 of every example::

    a⟨t⟩ = tanh(Wax x⟨t⟩ + Waa a⟨t-1⟩ + ba)      ŷ⟨t⟩ = softmax(Wya a⟨t⟩ + by)

with a⟨-1⟩ = a0. The route "through time" goes back from dŷ: through the softmax with the
softmax derivation's Jacobian (result [s3]) to dz_y, dWya and dby; into a⟨t⟩ from two
sides, its own output and the next step (the gradient of backpropagation through time); then
the cell's backward, rnn_cell_backward: dz = da ⊙ (1 - a²), dx⟨t⟩, da⟨t-1⟩, and the weight
gradients summed over the steps and examples, as rnn_backward sums them.

Every line is proven in two sequences with symbolic entries (:mod:`.rnn_instance`), three
steps of one example and two steps of two, each entry against the partial derivative of
J = Σ G ⊙ ŷ taken directly.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.core.trees import add, frac, group, mul, neg
from chainrule.symbolic.derivations.layers.assembly import Line, assemble, build_route
from chainrule.symbolic.derivations.layers.rnn_instance import (
    NOTATION,
    SIZES,
    RNNSizes,
    Waa,
    Wax,
    Wya,
    a,
    a_prev,
    ba,
    by,
    da,
    da0,
    da_prev,
    dba,
    dby,
    dWaa,
    dWax,
    dWya,
    dx,
    dyhat,
    dz,
    dz_y,
    i,
    instance,
    j,
    k,
    l,
    q,
    r,
    t,
    x,
    yhat,
    z,
    z_y,
)
from chainrule.symbolic.derivations.layers.sequences import over, softmax_jacobian

__all__ = ["DERIVATIONS", "rnn"]


def _sum(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    return over(NOTATION, body, *letters)


_DZ_Y = mul(
    yhat[q, i, t], group(add(dyhat[q, i, t], neg(_sum(mul(dyhat[r, i, t], yhat[r, i, t]), r))))
)
_DZ = mul(da[j, i, t], group(add(1, neg(a[j, i, t] ** 2))))
_DA = add(_sum(mul(Wya[q, j], dz_y[q, i, t]), q), da_prev[j, i, t + 1])

_FORWARD = (
    Line(
        z[j, i, t],
        add(_sum(mul(Wax[j, k], x[k, i, t]), k), _sum(mul(Waa[j, l], a_prev[l, i, t]), l), ba[j]),
        "definition",
        "Forward (rnn_cell_forward): the state's pre-activation, Wax x⟨t⟩ + Waa a⟨t-1⟩ + ba, "
        "where a_prev[:, :, t] is a⟨t-1⟩, and a0 at t = 0 (rnn_forward).",
    ),
    Line(a[j, i, t], sp.tanh(z[j, i, t]), "definition", "Forward: the new state a⟨t⟩."),
    Line(
        z_y[q, i, t],
        add(_sum(mul(Wya[q, j], a[j, i, t]), j), by[q]),
        "definition",
        "Forward: the output's pre-activation, Wya a⟨t⟩ + by.",
    ),
    Line(
        yhat[q, i, t],
        frac(sp.exp(z_y[q, i, t]), _sum(sp.exp(z_y[r, i, t]), r)),
        "definition",
        "Forward: ŷ⟨t⟩ = softmax(z_y), over the n_y classes of each example and step.",
    ),
)

_BACKWARD = (
    Line(
        dz_y[q, i, t],
        _sum(
            mul(
                dyhat[r, i, t],
                softmax_jacobian(yhat, (r, i, t), (q, i, t), sp.KroneckerDelta(r, q)),
            ),
            r,
        ),
        "chain_rule",
        "z_y[q] reaches J through every ŷ[r] of its step: the softmax Jacobian, "
        "∂ŷ_r/∂z_q = ŷ_r(δ_rq - ŷ_q), result [s3] of the softmax derivation.",
    ),
    Line(
        dz_y[q, i, t],
        _DZ_Y,
        "kronecker",
        "The δ keeps the term r = q: dz_y = ŷ ⊙ (dŷ - Σ_r dŷ_r ŷ_r). With the cross-entropy "
        "L⟨t⟩ = -Σ_r y_r ln ŷ_r, dŷ_r = -y_r/ŷ_r, and this is ŷ - y (result [s4]).",
    ),
    Line(
        dWya[q, j],
        _sum(mul(dz_y[q, i, t], a[j, i, t]), i, t),
        "chain_rule",
        "Wya is used at every step: dWya = Σ_t dz_y⟨t⟩ a⟨t⟩ᵀ, summed over the examples too.",
    ),
    Line(dby[q], _sum(dz_y[q, i, t], i, t), "chain_rule", "∂z_y/∂by = 1, at every step."),
    Line(
        da[j, i, t],
        _DA,
        "chain_rule",
        "a⟨t⟩ reaches J by two paths: its own output ŷ⟨t⟩ (through z_y, Wyaᵀ dz_y) and the next "
        "step, which reads it as a_prev[:, :, t + 1]; the second is that step's da_prev, 0 "
        "after the last step (da_prev reads 0 beyond T_x - 1). rnn_backward passes "
        "da[:, :, t] + da_prevt to the cell.",
    ),
    Line(
        dz[j, i, t],
        _DZ,
        "chain_rule",
        "The cell's backward (rnn_cell_backward) from the whole gradient of a⟨t⟩: "
        "∂a/∂z = 1 - tanh²(z) = 1 - a², entry by entry.",
    ),
    Line(
        dx[k, i, t],
        _sum(mul(Wax[j, k], dz[j, i, t]), j),
        "chain_rule",
        "x⟨t⟩ reaches J only through z⟨t⟩: dx⟨t⟩ = Waxᵀ dz⟨t⟩.",
    ),
    Line(
        da_prev[l, i, t],
        _sum(mul(Waa[j, l], dz[j, i, t]), j),
        "chain_rule",
        "The state step t reads, a⟨t-1⟩, reaches J through z⟨t⟩: da_prev = Waaᵀ dz⟨t⟩ (the "
        "next step back adds it to its own output's gradient, the line da above).",
    ),
    Line(
        dWax[j, k],
        _sum(mul(dz[j, i, t], x[k, i, t]), i, t),
        "chain_rule",
        "The weights are shared by all steps: dWax = Σ_t dz⟨t⟩ x⟨t⟩ᵀ.",
    ),
    Line(
        dWaa[j, l],
        _sum(mul(dz[j, i, t], a_prev[l, i, t]), i, t),
        "chain_rule",
        "dWaa = Σ_t dz⟨t⟩ a⟨t-1⟩ᵀ.",
    ),
    Line(dba[j], _sum(dz[j, i, t], i, t), "chain_rule", "dba = Σ_t Σ_i dz⟨t⟩."),
    Line(
        da0[l, i],
        da_prev[l, i, 0],
        "chain_rule",
        "a0 is read by step 0 only: da0 is that step's da_prev.",
    ),
)

_NOTES = (
    "Shapes as in the course (rnn_forward, rnn_backward): x (n_x, m, T_x), a and da "
    "(n_a, m, T_x), a0 (n_a, m), Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (n_y, n_a), "
    "by (n_y, 1), ŷ (n_y, m, T_x). Indices count from 0: i an example, t a step, j and l "
    "hidden units, k an input feature, q and r classes. a_prev[:, :, t] is a⟨t-1⟩ (a0 at "
    "t = 0); z and z_y are the pre-activations of a and ŷ.",
    "dŷ is the upstream gradient ∂J/∂ŷ, and every other d• is ∂J/∂• with that quantity free "
    "and the rest of the sequence following it: da⟨t⟩ counts both the output at t and every "
    "later step; da_prev[:, :, t] only what flows through step t.",
    "The course's rnn_cell_backward takes da_next, the whole gradient of a⟨t⟩ (here da), and "
    "returns dxt, da_prev, dWax, dWaa, dba for one step, with dtanh = (1 - a_next²) * da_next "
    "(here dz); rnn_backward adds da_prevt to the gradient from the output at each step, going "
    "back from t = T_x - 1, and sums the weight gradients over the steps. Its da "
    "(n_a, m, T_x) input is the output's part only, Wyaᵀ dz_y here.",
    "Exploding and vanishing gradients: da_prev = Waaᵀ(da ⊙ (1 - a²)) multiplies the gradient "
    "by Waaᵀ diag(1 - a²) at every step back, so over many steps it can grow or shrink "
    "geometrically; the course clips every gradient to [-maxValue, maxValue] (clip).",
    "Proof: every line is checked in two sequences with symbolic inputs, first state, "
    "weights, biases and a symbolic upstream gradient G of the outputs (J = Σ G ⊙ ŷ over all "
    "steps, so dŷ = G): "
    + "; ".join(size.describe() for size in SIZES)
    + ". Each entry is compared with the derivative of J taken directly, through tanh and the "
    "softmax's exp and 1/Σ (each a variable of its own, differentiated by the chain rule); "
    "intermediate gradients by a perturbation of that entry that the later steps follow.",
)


def rnn(sizes: tuple[RNNSizes, ...] = SIZES) -> Derivation:
    """The derivation "rnn": one route, every line proven in the sequences ``sizes``."""
    layers = [instance(size) for size in sizes]
    route = build_route("through time", _FORWARD + _BACKWARD, NOTATION, layers)
    goal = sp.Tuple(dWax[j, k], dWaa[j, l], dba[j], dWya[q, j], dby[q], dx[k, i, t], da0[l, i])
    last = {line.lhs: line.rhs for line in _BACKWARD}
    result = sp.Tuple(*(last[gradient] for gradient in goal))
    return assemble(
        ("rnn", "Recurrent network — the cell's backward, backpropagation through time"),
        [(route, result)],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive rnn``.
DERIVATIONS = DerivationSet({"rnn": lambda need: rnn()})
