"""LSTM backpropagation through time: the cell's backward at every step, the gradients that
pass between the steps, and the weight and bias gradients summed over the steps.

The course's lstm_backward (course 5, week 1) runs lstm_cell_backward from t = T_x - 1 down to
0. The route "through time" writes one step t of it, for every t at once: the whole gradient
of a⟨t⟩ is the gradient from the output at t plus da_prev of step t + 1; the whole gradient of
c⟨t⟩ is dc_prev of step t + 1 plus what flows through a⟨t⟩ = Γo ⊙ tanh(c⟨t⟩); from these the
cell's backward (the lines of the derivation "lstm", with da_next and dc_next so replaced)
gives the gates' gradients, dc_prev, da_prev and dx⟨t⟩; the weight and bias gradients sum over
the steps and the examples; da0 and dc0 are da_prev and dc_prev of step 0.

Every line is proven in two sequences with symbolic entries (:mod:`.lstm_bptt_instance`),
each entry against the partial derivative of J = Σ G ⊙ a over all steps taken directly.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.trees import add, group, mul, neg
from chainrule.symbolic.derivations.layers.assembly import Line, assemble, build_route
from chainrule.symbolic.derivations.layers.lstm_bptt_instance import (
    NAMES,
    NOTATION,
    SIZES,
    LSTMSequence,
    i,
    instance,
    j,
    k,
    l,
    n_a,
    p,
    t,
)
from chainrule.symbolic.derivations.layers.lstm_gates import preactivation_lines
from chainrule.symbolic.derivations.layers.lstm_instance import GATE_NAME, GATES, sigma
from chainrule.symbolic.derivations.layers.sequences import over

__all__ = ["lstm_through_time"]

_N = NAMES
x, a_prev, c_prev, concat, c, a = (_N[n] for n in ("x", "a_prev", "c_prev", "concat", "c", "a"))
Gf, Gu, Go, ct = (_N[n] for n in ("Gamma_f", "Gamma_u", "Gamma_o", "ctilde"))
da_out, da, dc, dc_prev = (_N[n] for n in ("da_out", "da", "dc", "dc_prev"))
dGf, dGu, dGo, dct = (_N[n] for n in ("dGamma_f", "dGamma_u", "dGamma_o", "dctilde"))
dconcat, da_prev, dx, da0, dc0 = (_N[n] for n in ("dconcat", "da_prev", "dx", "da0", "dc0"))

_E = (j, i, t)


def _sum(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    return over(NOTATION, body, *letters)


_TANH_SLOPE = group(add(1, neg(sp.tanh(c[_E]) ** 2)))

_FORWARD = (
    Line(
        concat[l, i, t],
        a_prev[l, i, t],
        "definition",
        "Forward (lstm_forward): the first n_a rows of concat⟨t⟩ are the hidden state the "
        "step reads, a_prev[:, :, t] = a⟨t-1⟩, and a0 at t = 0.",
    ),
    Line(
        concat[n_a + k, i, t],
        x[k, i, t],
        "definition",
        "Forward: x⟨t⟩ fills the rows below, concat⟨t⟩ = [a⟨t-1⟩; x⟨t⟩].",
    ),
    *(
        Line(
            _N[f"z_{g}"][_E],
            add(_sum(mul(_N[f"W{g}"][j, p], concat[p, i, t]), p), _N[f"b{g}"][j]),
            "definition",
            f"Forward: the pre-activation of {GATE_NAME[g]}, W{g} concat⟨t⟩ + b{g}, the same "
            "weights at every step.",
        )
        for g in GATES
    ),
    Line(Gf[_E], sigma(_N["z_f"][_E]), "definition", "Forward: Γf⟨t⟩ = σ(z_f⟨t⟩)."),
    Line(Gu[_E], sigma(_N["z_u"][_E]), "definition", "Forward: Γu⟨t⟩ = σ(z_u⟨t⟩)."),
    Line(ct[_E], sp.tanh(_N["z_c"][_E]), "definition", "Forward: c̃⟨t⟩ = tanh(z_c⟨t⟩)."),
    Line(Go[_E], sigma(_N["z_o"][_E]), "definition", "Forward: Γo⟨t⟩ = σ(z_o⟨t⟩)."),
    Line(
        c[_E],
        add(mul(Gf[_E], c_prev[_E]), mul(Gu[_E], ct[_E])),
        "definition",
        "Forward: c⟨t⟩ = Γf ⊙ c⟨t-1⟩ + Γu ⊙ c̃, where c_prev[:, :, t] is c⟨t-1⟩, and c0 at "
        "t = 0 (the course starts from c0 = 0).",
    ),
    Line(a[_E], mul(Go[_E], sp.tanh(c[_E])), "definition", "Forward: a⟨t⟩ = Γo ⊙ tanh(c⟨t⟩)."),
)

_BACKWARD = (
    Line(
        da[_E],
        add(da_out[_E], da_prev[j, i, t + 1]),
        "chain_rule",
        "a⟨t⟩ reaches J by two paths: its own output (da_out, the course's da[:, :, t]) and the "
        "next step, which reads it as a_prev[:, :, t + 1]; the second is that step's da_prev, "
        "0 after the last step (da_prev reads 0 beyond T_x - 1). lstm_backward passes "
        "da[:, :, t] + da_prevt to the cell as da_next.",
    ),
    Line(
        dGo[_E],
        mul(da[_E], sp.tanh(c[_E])),
        "chain_rule",
        "Γo⟨t⟩ reaches J only through a⟨t⟩ = Γo ⊙ tanh(c⟨t⟩): ∂a/∂Γo = tanh(c).",
    ),
    Line(
        dc[_E],
        add(dc_prev[j, i, t + 1], mul(da[_E], Go[_E], _TANH_SLOPE)),
        "chain_rule",
        "c⟨t⟩ reaches J two ways: the next step reads it as c_prev[:, :, t + 1] (that step's "
        "dc_prev, 0 after the last step; the course's dc_prevt, the cell's dc_next), and "
        "through a⟨t⟩ = Γo ⊙ tanh(c⟨t⟩) with the whole da⟨t⟩, ∂a/∂c = Γo (1 - tanh²(c)).",
    ),
    Line(dct[_E], mul(dc[_E], Gu[_E]), "chain_rule", "∂c/∂c̃ = Γu."),
    Line(dGu[_E], mul(dc[_E], ct[_E]), "chain_rule", "∂c/∂Γu = c̃."),
    Line(dGf[_E], mul(dc[_E], c_prev[_E]), "chain_rule", "∂c⟨t⟩/∂Γf⟨t⟩ = c⟨t-1⟩."),
    Line(
        dc_prev[_E],
        mul(dc[_E], Gf[_E]),
        "chain_rule",
        "c⟨t-1⟩ reaches J through step t only through c⟨t⟩, with slope Γf⟨t⟩ (∂c/∂c_prev = "
        "diag(Γf), the derivation lstm): the step before adds it to its dc.",
    ),
    Line(
        dc_prev[_E],
        add(
            mul(dc_prev[j, i, t + 1], Gf[_E]),
            mul(Go[_E], _TANH_SLOPE, Gf[_E], da[_E]),
        ),
        "substitute",
        "Substitute dc: the course's dc_prev = dc_next ⊙ Γf + Γo ⊙ (1 - tanh²(c)) ⊙ Γf ⊙ "
        "da_next, with dc_next = dc_prev[:, :, t + 1] and da_next = da⟨t⟩, one step back.",
    ),
    *preactivation_lines(_N, _E),
    *(
        Line(
            _N[f"dW{g}"][j, p],
            _sum(mul(_N[f"dz_{g}"][_E], concat[p, i, t]), i, t),
            "chain_rule",
            f"W{g} is used at every step: dW{g} = Σ_t dz_{g}⟨t⟩ concat⟨t⟩ᵀ, summed over the "
            "examples too (lstm_backward adds the cell's dW at each step).",
        )
        for g in GATES
    ),
    *(
        Line(
            _N[f"db{g}"][j],
            _sum(_N[f"dz_{g}"][_E], i, t),
            "chain_rule",
            f"db{g} = Σ_t Σ_i dz_{g}⟨t⟩.",
        )
        for g in GATES
    ),
    Line(
        dconcat[p, i, t],
        add(*(_sum(mul(_N[f"W{g}"][j, p], _N[f"dz_{g}"][_E]), j) for g in GATES)),
        "chain_rule",
        "concat⟨t⟩ reaches J through the four pre-activations of step t: Wfᵀ dz_f + Wuᵀ dz_u "
        "+ Wcᵀ dz_c + Woᵀ dz_o.",
    ),
    Line(
        da_prev[l, i, t],
        dconcat[l, i, t],
        "chain_rule",
        "a⟨t-1⟩ as step t reads it is the first n_a rows of concat⟨t⟩: da_prev = dconcat[:n_a] "
        "(the step before adds it to its output's gradient, the line da).",
    ),
    Line(
        dx[k, i, t],
        dconcat[n_a + k, i, t],
        "chain_rule",
        "x⟨t⟩ is read by step t only, as the rows n_a.. of concat⟨t⟩: dx⟨t⟩ = dconcat[n_a:].",
    ),
    Line(
        da0[l, i],
        da_prev[l, i, 0],
        "chain_rule",
        "a0 is read by step 0 only: da0 is that step's da_prev (lstm_backward's da0).",
    ),
    Line(
        dc0[l, i],
        dc_prev[l, i, 0],
        "chain_rule",
        "c0 likewise: dc0 is step 0's dc_prev (the course fixes c0 = 0 and does not return it).",
    ),
)

_NOTES = (
    "Shapes as in the course (lstm_forward, lstm_backward): x and dx (n_x, m, T_x); a0, c0, "
    "da0, dc0 (n_a, m); a_prev, c_prev, the gates, c̃, c, a and their gradients (n_a, m, T_x); "
    "concat (n_a + n_x, m, T_x); Wf, Wu, Wc, Wo (n_a, n_a + n_x); bf, bu, bc, bo (n_a, 1). "
    "The course's code calls the update gate it and Wi, bi. Indices count from 0: i an "
    "example, t a step, j and l hidden units, k an input feature, p a row of concat. "
    "a_prev[:, :, t] and c_prev[:, :, t] are a⟨t-1⟩ and c⟨t-1⟩ (a0 and c0 at t = 0).",
    "da_out is the upstream gradient, ∂J/∂a⟨t⟩ through the output at t only: the course's da "
    "(n_a, m, T_x), the input of lstm_backward. da and dc are the whole gradients of a⟨t⟩ and "
    "c⟨t⟩, every later step counted; da_prev[:, :, t] and dc_prev[:, :, t] count only what "
    "flows through step t (both read 0 at t = T_x: the course starts da_prevt and dc_prevt at "
    "zeros). The cell's lines are those of the derivation lstm, with da_next = da and "
    "dc_next = dc_prev[:, :, t + 1].",
    "The order lstm_backward runs in: for t = T_x - 1 down to 0, "
    "lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t]) gives da_prevt and "
    "dc_prevt for the step before, dx[:, :, t], and dW, db added to the sums; da0 is the "
    "last da_prevt. The lines hold for every t at once; each reads only steps t and t + 1, "
    "so going back from the last step computes them in that order. Passing da[:, :, t] "
    "alone, without da_prevt, drops every later step's gradient (the line da; "
    "sagarnildass/andrew_ng_deep_learning issue 1), as does starting each step from "
    "dc_prevt = 0 (the line dc).",
    "Back along the cell path one step multiplies dc by Γf⟨t⟩ (the line dc_prev), with no "
    "weight matrix and no squashing derivative: over many steps the gradient that reaches "
    "c⟨t⟩ from far ahead is scaled by Γf⟨t+1⟩ ⊙ Γf⟨t+2⟩ ⊙ ..., which where the forget gates "
    "stay near 1 neither vanishes nor explodes. The path through the hidden states goes "
    "through Wᵀ and σ' or tanh' at every step, as in the basic RNN.",
    "Proof: every line is checked in two sequences with symbolic inputs, first states, "
    "weights, biases and a symbolic upstream gradient G of the hidden states (J = Σ G ⊙ a "
    "over all steps, so da_out = G): "
    + "; ".join(size.describe() for size in SIZES)
    + ". Each entry is compared with the derivative of J taken directly, through σ and tanh "
    "(each a variable of its own, differentiated by the chain rule); intermediate gradients "
    "by a perturbation of that entry that the later steps follow. The exact derivatives "
    "grow quickly with each step, so the sequences here have two; the tests prove the route "
    "at T_x = 3 too (m = 1, n_x = n_a = 1), where the middle step has a step on either side.",
)


def lstm_through_time(sizes: tuple[LSTMSequence, ...] = SIZES) -> Derivation:
    """The derivation "lstm_bptt": one route, every line proven in the sequences ``sizes``."""
    layers = [instance(size) for size in sizes]
    route = build_route("through time", _FORWARD + _BACKWARD, NOTATION, layers)
    goal = sp.Tuple(
        *(_N[f"dW{g}"][j, p] for g in GATES),
        *(_N[f"db{g}"][j] for g in GATES),
        dx[k, i, t],
        da0[l, i],
        dc0[l, i],
    )
    last = {line.lhs: line.rhs for line in _BACKWARD}
    return assemble(
        ("lstm_bptt", "LSTM through time — da⟨t⟩, dc⟨t⟩, the cell's backward, dW, db, da0"),
        [(route, sp.Tuple(*(last[gradient] for gradient in goal)))],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )
