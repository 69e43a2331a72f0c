"""An LSTM cell: every gate's gradient, dc_prev, da_prev, dx and the weight and bias gradients.

The course's cell (course 5, week 1), with concat = [a_prev; x⟨t⟩]::

    Γf = σ(Wf concat + bf)    Γu = σ(Wu concat + bu)    c̃ = tanh(Wc concat + bc)
    Γo = σ(Wo concat + bo)    c = Γf ⊙ c_prev + Γu ⊙ c̃    a = Γo ⊙ tanh(c)

The route "cell" goes back from da_next (the gradient of a) and dc_next (the gradient of c
from the next step): first dΓo, then the whole gradient of c, dc = dc_next + da_next ⊙ Γo ⊙
(1 - tanh²(c)), from which dc̃, dΓu, dΓf and dc_prev = dc ⊙ Γf follow; each gate through
its σ' or tanh' to its pre-activation; the weight and bias gradients; dconcat, and da_prev
and dx as its two blocks. A line shows the Jacobian ∂c/∂c_prev = diag(Γf), and the notes
say why, and where this differs from formulas published for the assignment.

Every line is proven in two cells with symbolic entries (:mod:`.lstm_instance`), each entry
against the partial derivative of J = Σ G_a ⊙ a + Σ G_c ⊙ c taken directly.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.core.trees import add, group, mul, neg
from chainrule.symbolic.derivations.layers.assembly import Line, assemble, build_route
from chainrule.symbolic.derivations.layers.lstm_bptt import lstm_through_time
from chainrule.symbolic.derivations.layers.lstm_gates import preactivation_lines
from chainrule.symbolic.derivations.layers.lstm_instance import (
    GATE_NAME,
    GATES,
    NAMES,
    NOTATION,
    SIZES,
    LSTMSizes,
    i,
    instance,
    j,
    k,
    l,
    n_a,
    p,
    sigma,
)
from chainrule.symbolic.derivations.layers.sequences import over

__all__ = ["DERIVATIONS", "lstm"]

_N = NAMES
x, a_prev, c_prev, concat, c, a = (_N[n] for n in ("x", "a_prev", "c_prev", "concat", "c", "a"))
Gf, Gu, Go, ct = (_N[n] for n in ("Gamma_f", "Gamma_u", "Gamma_o", "ctilde"))
da_next, dc_next, dc, dc_prev = (_N[n] for n in ("da_next", "dc_next", "dc", "dc_prev"))
dGf, dGu, dGo, dct = (_N[n] for n in ("dGamma_f", "dGamma_u", "dGamma_o", "dctilde"))
dconcat, da_prev, dx = _N["dconcat"], _N["da_prev"], _N["dx"]

_E = (j, i)


def _sum(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    return over(NOTATION, body, *letters)


_TANH_SLOPE = group(add(1, neg(sp.tanh(c[_E]) ** 2)))
_DC = add(dc_next[_E], mul(da_next[_E], Go[_E], _TANH_SLOPE))
_DC_PREV = add(mul(dc_next[_E], Gf[_E]), mul(Go[_E], _TANH_SLOPE, Gf[_E], da_next[_E]))

_FORWARD = (
    Line(
        concat[l, i],
        a_prev[l, i],
        "definition",
        "Forward: the first n_a rows of concat are a_prev.",
    ),
    Line(
        concat[n_a + k, i],
        x[k, i],
        "definition",
        "Forward: x⟨t⟩ fills the rows below, concat = [a_prev; x⟨t⟩] (np.concatenate, axis 0).",
    ),
    *(
        Line(
            _N[f"z_{g}"][_E],
            add(_sum(mul(_N[f"W{g}"][j, p], concat[p, i]), p), _N[f"b{g}"][j]),
            "definition",
            f"Forward: the pre-activation of {GATE_NAME[g]}, W{g} concat + b{g}.",
        )
        for g in GATES
    ),
    Line(Gf[_E], sigma(_N["z_f"][_E]), "definition", "Forward: Γf = σ(z_f)."),
    Line(Gu[_E], sigma(_N["z_u"][_E]), "definition", "Forward: Γu = σ(z_u)."),
    Line(ct[_E], sp.tanh(_N["z_c"][_E]), "definition", "Forward: c̃ = tanh(z_c)."),
    Line(Go[_E], sigma(_N["z_o"][_E]), "definition", "Forward: Γo = σ(z_o)."),
    Line(
        c[_E],
        add(mul(Gf[_E], c_prev[_E]), mul(Gu[_E], ct[_E])),
        "definition",
        "Forward: the new cell state keeps Γf of the old and adds Γu of the candidate.",
    ),
    Line(a[_E], mul(Go[_E], sp.tanh(c[_E])), "definition", "Forward: the new hidden state."),
)

_BACKWARD = (
    Line(
        dGo[_E],
        mul(da_next[_E], sp.tanh(c[_E])),
        "chain_rule",
        "Γo reaches J only through a = Γo ⊙ tanh(c): ∂a/∂Γo = tanh(c).",
    ),
    Line(
        dc[_E],
        _DC,
        "chain_rule",
        "c reaches J two ways: passed on to the next step (dc_next) and through "
        "a = Γo ⊙ tanh(c), ∂a/∂c = Γo (1 - tanh²(c)). Every gradient of the cell below starts "
        "from this sum.",
    ),
    Line(dct[_E], mul(dc[_E], Gu[_E]), "chain_rule", "∂c/∂c̃ = Γu."),
    Line(dGu[_E], mul(dc[_E], ct[_E]), "chain_rule", "∂c/∂Γu = c̃."),
    Line(dGf[_E], mul(dc[_E], c_prev[_E]), "chain_rule", "∂c/∂Γf = c_prev."),
    Line(
        sp.Derivative(c[j, i], c_prev[l, i]),
        mul(sp.KroneckerDelta(j, l), Gf[_E]),
        "differentiate",
        "c = Γf ⊙ c_prev + Γu ⊙ c̃, and none of Γf, Γu, c̃ reads c_prev (the gates read "
        "a_prev and x⟨t⟩ only): c_prev enters once, multiplied entry by entry by Γf. The "
        "Jacobian is diagonal, diag(Γf) (δ(j, l) is 1 for j = l and 0 otherwise).",
    ),
    Line(
        dc_prev[_E],
        mul(dc[_E], Gf[_E]),
        "chain_rule",
        "So c_prev reaches J only through c, with slope Γf: no σ', no weight matrix. Over many "
        "steps the cell path multiplies the gradient by Γf at each step, near 1 where the cell "
        "keeps its memory.",
    ),
    Line(
        dc_prev[_E],
        _DC_PREV,
        "substitute",
        "Substitute dc: the course's dc_prev = dc_next ⊙ Γf + Γo ⊙ (1 - tanh²(c)) ⊙ Γf ⊙ da_next.",
    ),
    *preactivation_lines(_N, _E),
    *(
        Line(
            _N[f"dW{g}"][j, p],
            _sum(mul(_N[f"dz_{g}"][_E], concat[p, i]), i),
            "chain_rule",
            f"dW{g} = dz_{g} concatᵀ, summed over the examples.",
        )
        for g in GATES
    ),
    *(
        Line(
            _N[f"db{g}"][j],
            _sum(_N[f"dz_{g}"][_E], i),
            "chain_rule",
            f"db{g} = Σ_i dz_{g} (numpy: axis=1, keepdims=True).",
        )
        for g in GATES
    ),
    Line(
        dconcat[p, i],
        add(*(_sum(mul(_N[f"W{g}"][j, p], _N[f"dz_{g}"][_E]), j) for g in GATES)),
        "chain_rule",
        "concat reaches J through all four pre-activations: Wfᵀ dz_f + Wuᵀ dz_u + Wcᵀ dz_c "
        "+ Woᵀ dz_o.",
    ),
    Line(
        da_prev[l, i],
        dconcat[l, i],
        "chain_rule",
        "a_prev is the first n_a rows of concat: da_prev = dconcat[:n_a], which takes the "
        "columns W[:, :n_a] of every weight matrix.",
    ),
    Line(
        dx[k, i],
        dconcat[n_a + k, i],
        "chain_rule",
        "x⟨t⟩ is the rows n_a.. of concat: dx = dconcat[n_a:], the columns W[:, n_a:].",
    ),
)

_NOTES = (
    "Shapes as in the course (lstm_cell_forward, lstm_cell_backward): x⟨t⟩ (n_x, m); a_prev, "
    "c_prev, the gates, c̃, c, a and their gradients (n_a, m); concat (n_a + n_x, m); Wf, "
    "Wu, Wc, Wo (n_a, n_a + n_x); bf, bu, bc, bo (n_a, 1). The course's code calls the "
    "update gate it and Wi, bi, and c̃ cct. Indices count from 0: i an example, j and l "
    "hidden units, k an input feature, p a row of concat.",
    "da_next and dc_next are the upstream gradients, ∂J/∂a and ∂J/∂c as the next step reads "
    "c (a held); dc is the whole gradient of c. dz_f, dz_u, dz_c, dz_o are the gradients of "
    "the pre-activations, which the course's notebook writes dΓf, dΓu, dc̃, dΓo (dft, dit, "
    "dcct, dot in its code); here dΓ is the gradient of the gate's value.",
    "Why ∂c⟨t⟩/∂c⟨t-1⟩ = Γf: the gates and the candidate read a⟨t-1⟩ and x⟨t⟩, not c⟨t-1⟩ "
    "(no peephole connections), so c⟨t-1⟩ appears in c⟨t⟩ = Γf ⊙ c⟨t-1⟩ + Γu ⊙ c̃ once, "
    "multiplied entry by entry by Γf. The Jacobian is diag(Γf), and back along the cell path "
    "the gradient is multiplied by Γf⟨t⟩ ⊙ Γf⟨t-1⟩ ⊙ ... with no weight matrix and no "
    "squashing derivative: where the forget gates stay near 1 it neither vanishes nor "
    "explodes. The other path, through a⟨t-1⟩ = Γo ⊙ tanh(c⟨t-1⟩), belongs to step t-1: its "
    "cell adds da ⊙ Γo ⊙ (1 - tanh²(c)) to the dc_prev it receives (the line dc).",
    "Where this differs from published formulas: (1) versions of the course's notebook "
    "take the blocks of the stacked weights for da_prev and dx as rows, Wf[:n_a, :] and "
    "Wf[n_a:, :]; Wf (n_a, n_a + n_x) multiplies [a_prev; x], so the blocks are the columns "
    "Wf[:, :n_a] and Wf[:, n_a:] (the lines da_prev and dx), as later versions write. "
    "(2) The first version's backward formulas, equation (8) for dc̃ among them, were "
    "reported wrong on the course forum (GitHub jinzishuai/learn2deeplearn issue 44 links "
    "the Coursera threads); here dz_c = dc ⊙ Γu ⊙ (1 - c̃²) with the whole dc, and likewise "
    "for the gates, each proven entry by entry. (3) dc_prev must use the whole dc, dc_next "
    "included: implementations that "
    "assign dc = da_next ⊙ Γo ⊙ (1 - tanh²(c)) instead of adding it to dc_next drop the "
    "gradient from the next step (apache/mxnet issue 4057; cthorey/CS231 issue 1 discusses "
    "the same +=). (4) Forgetting σ' in a gate (CaptainE/RNN-LSTM-in-numpy issue 1: "
    "df = σ(f) · df where σ'(f) is meant) or passing da[:, :, t] without the da_prevt of the "
    "later step to lstm_cell_backward (sagarnildass/andrew_ng_deep_learning issue 1) gives "
    "gradients that fail a gradient check. The formula dc_prev = dc_next ⊙ Γf + Γo ⊙ "
    "(1 - tanh²(c_next)) ⊙ Γf ⊙ da_next of the later notebook is right: it is the line "
    "dc_prev after substituting dc.",
    "Proof: every line is checked in two cells with symbolic inputs, states, weights, biases "
    "and two symbolic upstream gradients (J = Σ G_a ⊙ a + Σ G_c ⊙ c, so da_next = G_a and "
    "dc_next = G_c): "
    + "; ".join(size.describe() for size in SIZES)
    + ". Each entry is compared with the derivative of J taken directly, through σ and tanh "
    "(each a variable of its own, differentiated by the chain rule).",
)


def lstm(sizes: tuple[LSTMSizes, ...] = SIZES) -> Derivation:
    """The derivation "lstm": one route, every line proven in the cells ``sizes``."""
    layers = [instance(size) for size in sizes]
    route = build_route("cell", _FORWARD + _BACKWARD, NOTATION, layers)
    goal = sp.Tuple(
        dc_prev[_E],
        da_prev[l, i],
        dx[k, i],
        *(_N[f"dW{g}"][j, p] for g in GATES),
        *(_N[f"db{g}"][j] for g in GATES),
    )
    last = {line.lhs: line.rhs for line in _BACKWARD}
    return assemble(
        ("lstm", "LSTM cell — the gates' gradients, dc_prev, da_prev, dx, dW, db"),
        [(route, sp.Tuple(*(last[gradient] for gradient in goal)))],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive lstm``: the cell, then backpropagation through time.
DERIVATIONS = DerivationSet(
    {"lstm": lambda need: lstm(), "lstm_bptt": lambda need: lstm_through_time()}
)
