"""Scaled dot-product attention, one head: dV, dP, dS, dQ and dK, with the optional mask.

    S = QKᵀ/√d      P = softmax(S + M) row by row      O = P V

M is 0 where a query may attend to a key and -∞ where it may not (the causal mask: no key
after the query). The route "chain rule" goes back from dO: dV = Pᵀ dO and dP = dO Vᵀ
through the product; dS through each row's softmax, with the softmax derivation's Jacobian
(result [s3]), collapsed to dS = P ⊙ (dP - rowsum(dP ⊙ P)); a masked score has P = 0 and so
gets no gradient; then dQ = dS K/√d and dK = dSᵀ Q/√d.

Every line is proven in two heads with symbolic entries (:mod:`.attention_instance`), one
without a mask and one causal, each entry against the partial derivative of J = Σ G ⊙ O
taken directly.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.core.trees import add, frac, group, mul, neg
from chainrule.symbolic.derivations.layers.assembly import Line, assemble, build_route
from chainrule.symbolic.derivations.layers.attention_instance import (
    NOTATION,
    SIZES,
    HeadSizes,
    K,
    O,
    P,
    Q,
    S,
    V,
    c,
    d,
    dK,
    dO,
    dP,
    dQ,
    dS,
    dV,
    i,
    instance,
    j,
    k,
    l,
    mask,
)
from chainrule.symbolic.derivations.layers.sequences import over, softmax_jacobian

__all__ = ["DERIVATIONS", "attention"]


def _sum(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    return over(NOTATION, body, *letters)


_SCALE = frac(1, sp.sqrt(d))
_ROW = _sum(mul(dP[i, l], P[i, l]), l)
_DS = mul(P[i, j], group(add(dP[i, j], neg(_ROW))))
_DQ = mul(_SCALE, _sum(mul(dS[i, j], K[j, k]), j))
_DK = mul(_SCALE, _sum(mul(dS[i, j], Q[i, k]), i))
_DV = _sum(mul(P[i, j], dO[i, c]), i)

_LINES = (
    Line(
        S[i, j],
        mul(_SCALE, _sum(mul(Q[i, k], K[j, k]), k)),
        "definition",
        "Forward: the scores QKᵀ/√d; dividing by √d keeps their spread near 1 when the "
        "entries of Q and K have unit variance.",
    ),
    Line(
        P[i, j],
        frac(mul(mask[i, j], sp.exp(S[i, j])), _sum(mul(mask[i, l], sp.exp(S[i, l])), l)),
        "definition",
        "Forward: the softmax of each row of S + M over the keys. A masked score is -∞ and "
        "e^(-∞) = 0, so the mask multiplies: mask[i, j] = 1 where M = 0 and 0 where M = -∞; "
        "a masked key has probability 0.",
    ),
    Line(O[i, c], _sum(mul(P[i, j], V[j, c]), j), "definition", "Forward: O = P V."),
    Line(
        dV[j, c],
        _DV,
        "chain_rule",
        "V[j, c] reaches J through O[i, c] of every query, with slope P[i, j]: dV = Pᵀ dO.",
    ),
    Line(
        dP[i, j],
        _sum(mul(dO[i, c], V[j, c]), c),
        "chain_rule",
        "P[i, j] reaches J through the row O[i, :]: dP = dO Vᵀ.",
    ),
    Line(
        dS[i, j],
        _sum(mul(dP[i, l], softmax_jacobian(P, (i, l), (i, j), sp.KroneckerDelta(l, j))), l),
        "chain_rule",
        "S[i, j] reaches J through every P[i, l] of its row: the softmax Jacobian "
        "∂P_il/∂S_ij = P_il(δ_lj - P_ij), result [s3] of the softmax derivation. It holds "
        "with the mask too: a masked P_il is 0, and so is its column of the Jacobian.",
    ),
    Line(
        dS[i, j],
        _DS,
        "kronecker",
        "The δ keeps the term l = j: dS = P ⊙ (dP - rowsum(dP ⊙ P)), one row at a time "
        "(numpy: P * (dP - (dP * P).sum(axis=1, keepdims=True))).",
    ),
    Line(
        dS[i, j],
        mul(P[i, j], group(add(dP[i, j], neg(_sum(mul(dO[i, c], O[i, c]), c))))),
        "substitute",
        "rowsum(dP ⊙ P) = Σ_l Σ_c dO[i, c] V[l, c] P[i, l] = rowsum(dO ⊙ O): the same row "
        "sum from the output, without P (what memory-saving implementations compute).",
    ),
    Line(
        dS[i, j],
        mul(mask[i, j], _DS),
        "mask",
        "P[i, j] = 0 where the mask is 0, so dS is 0 there too: a masked score gets no "
        "gradient, and Q and K learn nothing from a pair they may not see.",
    ),
    Line(
        dQ[i, k],
        _DQ,
        "chain_rule",
        "Q[i, k] reaches J through the scores of row i: dQ = dS K/√d.",
    ),
    Line(
        dK[j, k],
        _DK,
        "chain_rule",
        "K[j, k] reaches J through the scores of column j: dK = dSᵀ Q/√d; the 1/√d of the "
        "forward pass scales both.",
    ),
)

_NOTES = (
    "One head of one example, rows as positions: Q (n_q, d), K (n_k, d), V (n_k, d_v), S, P, "
    "mask and their gradients (n_q, n_k), O and dO (n_q, d_v). Indices count from 0: i a "
    "query, j and l keys, k a feature of Q and K, c a feature of V. A batch or several "
    "heads repeat the same equations on each (batch, head) slice.",
    "dO is the upstream gradient ∂J/∂O; dP, dS, dQ, dK, dV are ∂J/∂P, ∂J/∂S, ∂J/∂Q, ∂J/∂K, ∂J/∂V.",
    "The mask: frameworks add M (0 or -∞) to S before the softmax; here that is the 0/1 "
    "mask multiplying e^S, the same probabilities (e^(-∞) = 0). A row with every key masked "
    "has no softmax (0/0); the causal mask always keeps the key at the query's own position.",
    "Proof: every line is checked in two heads with symbolic queries, keys, values and a "
    "symbolic upstream gradient G (J = Σ G ⊙ O, so dO = G): "
    + "; ".join(size.describe() for size in SIZES)
    + ". √d is exact there (2 and 1). Each entry is compared with the derivative of J taken "
    "directly, through exp and 1/Σ (each a variable of its own, differentiated by the chain "
    "rule).",
)


def attention(sizes: tuple[HeadSizes, ...] = SIZES) -> Derivation:
    """The derivation "attention": one route, every line proven in the heads ``sizes``."""
    layers = [instance(size) for size in sizes]
    route = build_route("chain rule", _LINES, NOTATION, layers)
    goal = sp.Tuple(dQ[i, k], dK[j, k], dV[j, c])
    return assemble(
        ("attention", "Scaled dot-product attention, one head — dV, dP, dS, dQ, dK"),
        [(route, sp.Tuple(_DQ, _DK, _DV))],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive attention``.
DERIVATIONS = DerivationSet({"attention": lambda need: attention()})
