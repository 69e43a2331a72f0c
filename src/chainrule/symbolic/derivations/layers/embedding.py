"""An embedding layer: the lookup as a one-hot product, and its gradient as a scatter-add.

Notation (course 5, week 2: the embedding matrix E times a one-hot vector o_w is the word's
embedding e_w), with a batch of sequences laid out as the course lays out RNN inputs,
(features, m, T_x), and indices counting from 0 as in NumPy::

    ids   (m, T_x)          integers in 0..n_v-1, the word at step t of example i
    O     (n_v, m, T_x)     O[v, i, t] = δ(v, ids[i, t]), one one-hot column per word
    E     (n_e, n_v)        the embedding matrix, one column per word of the vocabulary
    e     (n_e, m, T_x)     e[k, i, t] = Σ_v E[k, v] O[v, i, t] = E[k, ids[i, t]]

So e = E·O (O flattened to (n_v, m·T_x)), and the layer is the product of E with one-hot
columns; its gradient dE = de·Oᵀ adds, into column v of dE, the upstream gradient of every
position holding the word v: a scatter-add (NumPy ``np.add.at(dE.T, ids, de.T)``), where a
word used twice gets the sum of both gradients. Proven in two layers with symbolic E and
upstream gradient G (J = Σ G ⊙ e, so de = G), each with a word repeated.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.core.trees import mul
from chainrule.symbolic.derivations.layers.assembly import Line, assemble, build_route
from chainrule.symbolic.derivations.layers.sequences import over, span
from chainrule.symbolic.derivations.layers.windows import BY_TERMS, grid, partials
from chainrule.symbolic.proof.algebras import POLYNOMIALS
from chainrule.symbolic.proof.instances import Entries, Instance
from chainrule.symbolic.proof.polynomials import Polynomial
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = ["DERIVATIONS", "IDS", "NOTATION", "embedding", "instance"]

n_v, n_e, m, T_x = (sp.Symbol(n) for n in ("n_v", "n_e", "m", "T_x"))
k, v, i, t = (sp.Symbol(n) for n in "kvit")

_TENSORS = (
    Tensor("ids", (m, T_x), "the input (word indices)"),
    Tensor("O", (n_v, m, T_x)),
    Tensor("E", (n_e, n_v)),
    Tensor("e", (n_e, m, T_x)),
    Tensor("de", (n_e, m, T_x), "∂J/∂e"),
    Tensor("dE", (n_e, n_v), "∂J/∂E"),
)
ids, O, E, e, de, dE = (tensor.base for tensor in _TENSORS)  # noqa: E741 - the course's names

NOTATION = Notation(_TENSORS, {k: span(n_e), v: span(n_v), i: span(m), t: span(T_x)})

#: The word indices of the layers proven: word 1 twice in the first, word 2 three times in the
#: second; word 2 of the first layer is never used (its column of dE is 0).
IDS = (((1, 3), (1, 0)), ((2, 2, 2),))
_VOCABULARY, _WIDTH = (4, 3), 2


def _over(body: sp.Expr, *letters: sp.Symbol) -> sp.Sum:
    return over(NOTATION, body, *letters)


_ONE_HOT = sp.KroneckerDelta(v, ids[i, t])
_SCATTER = _over(mul(_ONE_HOT, de[k, i, t]), i, t)

_LINES = (
    Line(
        O[v, i, t],
        _ONE_HOT,
        "definition",
        "Forward: the word at step t of example i as a one-hot column, 1 in row ids[i, t] and "
        "0 elsewhere (δ(a, b) is 1 for a = b and 0 otherwise).",
    ),
    Line(
        e[k, i, t],
        _over(mul(E[k, v], O[v, i, t]), v),
        "definition",
        "Forward: the embedding is the embedding matrix times the one-hot column, e = E·O "
        "(O flattened to (n_v, m·T_x)).",
    ),
    Line(
        e[k, i, t],
        E[k, ids[i, t]],
        "kronecker",
        "The δ keeps the one term v = ids[i, t]: the product is a lookup, column ids[i, t] of "
        "E (numpy: E[:, ids]), which is how it is computed.",
    ),
    Line(
        dE[k, v],
        _over(mul(de[k, i, t], O[v, i, t]), i, t),
        "chain_rule",
        "E[k, v] reaches J through e[k, i, t] at every position, with slope "
        "∂e[k, i, t]/∂E[k, v] = O[v, i, t]; so dE = de·Oᵀ, summed over the examples and steps.",
    ),
    Line(
        dE[k, v],
        _SCATTER,
        "scatter",
        "Substitute the one-hot O: column v of dE is the sum of the upstream gradients of "
        "every position that holds word v, a scatter-add (numpy: np.add.at(dE.T, ids, de.T)). "
        "A word used twice gets both gradients added; an unused word gets 0. Assigning "
        "(dE[:, ids] = de) would keep only the last of them.",
    ),
)

_NOTES = (
    "Layout: ids (m, T_x) integers; O (n_v, m, T_x) one-hot; E (n_e, n_v), one column per "
    "word (course 5's embedding matrix E, e_w = E o_w); e and de (n_e, m, T_x), the layout "
    "of the course's RNN inputs x (n_x, m, T_x). Indices count from 0.",
    "Other conventions: frameworks store the matrix transposed, W (n_v, n_e) with one row "
    "per word, and compute W[ids] = onehot(ids)·W; then dW = onehot(ids)ᵀ·dY, the same "
    "scatter-add over rows (PyTorch's nn.Embedding backward, index_add_).",
    "ids are integers, not parameters: the layer has no gradient by them, and de stops here.",
    "Proof: every line is checked in two layers with symbolic entries of E and a symbolic "
    "upstream gradient G (J = Σ G ⊙ e, so de = G), "
    + "; ".join(
        f"n_v = {size}, n_e = {_WIDTH}, ids = {[list(row) for row in rows]}"
        for size, rows in zip(_VOCABULARY, IDS, strict=True)
    )
    + ". Each entry of dE is compared with the derivative of J taken directly (J is an exact "
    "polynomial, differentiated term by term).",
)


def instance(rows: tuple[tuple[int, ...], ...], vocabulary: int, width: int = _WIDTH) -> Instance:
    """A layer with the word indices ``rows`` (m × T_x), a vocabulary of ``vocabulary`` words
    and embeddings of ``width`` entries, E and G symbolic."""
    examples, steps = len(rows), len(rows[0])
    words: Entries = {(i_, t_): word for i_, row in enumerate(rows) for t_, word in enumerate(row)}
    matrix = grid("E", (width, vocabulary))
    one_hot: Entries = {
        (v_, i_, t_): Polynomial.constant(int(word == v_))
        for (i_, t_), word in words.items()
        for v_ in range(vocabulary)
    }
    embedded: Entries = {
        (k_, i_, t_): matrix[k_, word] for (i_, t_), word in words.items() for k_ in range(width)
    }
    upstream = grid("g", (width, examples, steps))
    cost = Polynomial.total(upstream[index] * value for index, value in embedded.items())
    free = grid("q", (width, examples, steps))
    sizes = {n_v: vocabulary, n_e: width, m: examples, T_x: steps}
    return Instance(
        f"n_v = {vocabulary}, n_e = {width}, ids = {[list(row) for row in rows]}",
        sizes,
        {
            "ids": words,
            "O": one_hot,
            "E": matrix,
            "e": embedded,
            "de": partials(Polynomial.total(upstream[x] * free[x] for x in free), free),
            "dE": partials(cost, matrix),
        },
        algebra=POLYNOMIALS,
        by=BY_TERMS,
    )


def embedding() -> Derivation:
    """The derivation "embedding", every line proven in the layers of :data:`IDS`."""
    layers = [instance(rows, size) for rows, size in zip(IDS, _VOCABULARY, strict=True)]
    route = build_route("one-hot product", _LINES, NOTATION, layers)
    return assemble(
        ("embedding", "Embedding — the lookup as a one-hot product, dE as a scatter-add"),
        [(route, _SCATTER)],
        dE[k, v],
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive embedding``.
DERIVATIONS = DerivationSet({"embedding": lambda need: embedding()})
