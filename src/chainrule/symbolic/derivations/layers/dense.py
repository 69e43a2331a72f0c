"""The wrap-up derivation: the vectorised layer equations of an L-layer network.

For layer l (columns are examples, m of them; n[l] units in layer l)::

    Z[l] = W[l] A[l-1] + b[l]          A[l] = g[l](Z[l])                      forward
    dZ[L] = A[L] - Y                    dZ[l] = dA[l] ⊙ g[l]'(Z[l])            backward
    dW[l] = (1/m) dZ[l] A[l-1]ᵀ         db[l] = (1/m) dZ[l]·1    dA[l-1] = W[l]ᵀ dZ[l]

and, for a hidden layer, dZ[l] = (W[l+1]ᵀ dZ[l+1]) ⊙ g[l]'(Z[l]): the reference's
three-factor chain, dA[l] being the last equation one layer up.

Each equation is a line of one route, proven by :mod:`chainrule.symbolic.proof.matrix`: its
shapes symbolically, its entries in a small network with symbolic entries against ``sympy.diff``
of the cost J. The derivation's ``oracle`` chains the backward equations alone and compares
every dW[l], db[l] with ∂J/∂W[l], ∂J/∂b[l] taken directly through the whole network.

The result is the :class:`sympy.Tuple` of the five backward right-hand sides, and the goal the
Tuple of their left-hand sides: the wrap-up's outcome is the whole backward pass, not one
gradient, and a Tuple is still one SymPy expression that prints, renders to LaTeX and pairs
with the goal entry by entry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import lru_cache

import sympy as sp

from chainrule.errors import InputError
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.proof.check import Context
from chainrule.symbolic.proof.matrix import LayerNetwork, check_backward_pass, check_equation
from chainrule.symbolic.proof.shapes import EXAMPLES, layer_matrix, plain, shape_text

__all__ = ["backward_equations", "forward_equations", "layer_equations"]

Equation = tuple[sp.MatrixSymbol, sp.MatrixExpr]

_W, _b, _A_prev = layer_matrix("W"), layer_matrix("b"), layer_matrix("A", "l-1")
_dZ, _dA = layer_matrix("dZ"), layer_matrix("dA")
_m = EXAMPLES

# (lhs, rhs, move id, the step's one sentence, b broadcast over the columns); why each
# equation holds beyond that sentence, and its shapes, are in the notes.
_STEPS: tuple[tuple[sp.MatrixSymbol, sp.MatrixExpr, str, str, bool], ...] = (
    (
        layer_matrix("Z"),
        _W * _A_prev + _b,
        "definition",
        "Forward, layer l: the pre-activation, with A[0] = X and b[l] added to every column.",
        True,
    ),
    (
        layer_matrix("A"),
        layer_matrix("g"),
        "definition",
        "Forward, layer l: the activation g[l] acts on every entry of Z[l].",
        False,
    ),
    (
        layer_matrix("dZ", "L"),
        layer_matrix("A", "L") - layer_matrix("Y"),
        "output_error",
        "Backward, output layer: dL/dz = a - y (result [3]) for every entry, one column per "
        "example.",
        False,
    ),
    (
        _dZ,
        sp.HadamardProduct(_dA, layer_matrix("g'")),
        "chain_rule",
        "Backward, layer l: the chain rule dL/dZ[l] = dL/dA[l] · dA[l]/dZ[l] (result [2] "
        "generalised), entry by entry.",
        False,
    ),
    (
        layer_matrix("dW"),
        (1 / _m) * _dZ * _A_prev.T,
        "average_over_examples",
        "Backward, layer l: result [5], dL/dw = dz·x, summed over the m examples by the "
        "product and divided by m.",
        False,
    ),
    (
        layer_matrix("db"),
        (1 / _m) * _dZ * sp.OneMatrix(_m, 1),
        "sum_over_examples",
        "Backward, layer l: result [6], dL/db = dz, summed over the examples and divided by m.",
        False,
    ),
    (
        layer_matrix("dA", "l-1"),
        _W.T * _dZ,
        "chain_rule",
        "Backward, layer l: the chain rule dL/dA[l-1] = dL/dZ[l] · dZ[l]/dA[l-1], with "
        "dZ[l]/dA[l-1] = W[l] transposed.",
        False,
    ),
)

#: Where layer l has a layer above it (l < L): dA[l] is the dA[l-1] equation one layer up,
#: which makes dZ[l] the reference's three-factor chain. It follows the dZ[l] line.
_THREE_FACTORS = (
    _dZ,
    sp.HadamardProduct(layer_matrix("W", "l+1").T * layer_matrix("dZ", "l+1"), layer_matrix("g'")),
    "substitute",
    "Backward, hidden layer l < L: dA[l] = W[l+1]ᵀ dZ[l+1], the last equation one layer up.",
    False,
)

_NOTES = (
    "Conventions, as in the course: columns are examples; dZ[l] and dA[l] are per-example "
    "derivatives, m·∂J/∂Z[l] and m·∂J/∂A[l]; dW[l] = ∂J/∂W[l] and db[l] = ∂J/∂b[l] are "
    "derivatives of the cost J = (1/m) Σᵢ L(a⁽ⁱ⁾, y⁽ⁱ⁾) itself: the 1/m and the sum in J are "
    "why dW and db carry (1/m) and a sum over the examples.",
    "⊙ is the element-wise product (numpy's *); in db, 1 is a column of m ones.",
    "Why ⊙ in dZ[l]: g[l] acts entry by entry, so dA[l]/dZ[l] is diagonal and the product with "
    "it is element-wise; that is why dA[l] and g[l]'(Z[l]) have the same shape.",
    "With the three factors, dZ[l] = (W[l+1]ᵀ dZ[l+1]) ⊙ g[l]'(Z[l]) is the chain "
    "dL/dZ[l+1] · dZ[l+1]/dA[l] · dA[l]/dZ[l]; at the output layer dZ[L] = A[L] - Y instead.",
    "In numpy: Z = W @ A_prev + b adds the column b to every column (broadcasting); "
    "db = np.sum(dZ, axis=1, keepdims=True) / m; W[l] is transposed in dA[l-1] so that the "
    "shapes (n[l-1], n[l])·(n[l], m) = (n[l-1], m) match.",
)


def forward_equations() -> tuple[Equation, ...]:
    """(lhs, rhs) of Z[l] = W[l] A[l-1] + b[l] and A[l] = g[l](Z[l])."""
    return tuple((lhs, rhs) for lhs, rhs, *_ in _STEPS[:2])


def backward_equations() -> tuple[Equation, ...]:
    """(lhs, rhs) of dZ[L], dZ[l], dW[l], db[l], dA[l-1], in that order."""
    return tuple((lhs, rhs) for lhs, rhs, *_ in _STEPS[2:])


def layer_equations(
    sizes: Sequence[int] = (3, 2, 1), m: int = 4, hidden: str | Sequence[str] = "tanh"
) -> Derivation:
    """The derivation "layers": every layer equation, each proven at the concrete ``sizes``.

    Parameters
    ----------
    sizes
        (n[0], ..., n[L]) of the network the equations are proven in, at least 3 layers; keep
        them tiny (the direct derivatives grow fast): the default (3, 2, 1) with ``m`` = 4
        exercises every index, as n[0], n[1] and m differ.
    m
        The number of examples (columns) of that network.
    hidden
        The hidden layers' activation: "tanh", "sigmoid" or "relu" (the output is σ), or a
        sequence of one per hidden layer, g[1], ..., g[L-1] (``("relu", "tanh")``).

    Raises
    ------
    InputError
        For sizes, m or hidden that cannot make such a network.
    ProofError
        If an equation fails its shape or entry check (never for the equations shipped).
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise InputError(f"'sizes' must be a sequence of positive integers (got {sizes!r})")
    LayerNetwork(sizes, m, hidden)  # validates, before the arguments become a cache key
    key = hidden if isinstance(hidden, str) else tuple(hidden)
    return _layer_equations(tuple(sizes), m, key)


@lru_cache(maxsize=8)
def _layer_equations(sizes: tuple[int, ...], m: int, hidden: str | tuple[str, ...]) -> Derivation:
    network = LayerNetwork(sizes, m, hidden)
    route = RouteBuilder("chain rule", Context())
    shapes = []
    for lhs, rhs, move, text, broadcast in _route_steps():
        check = check_equation(lhs, rhs, network, broadcast)
        route.record(lhs, rhs, move, text, check)
        shapes.append(f"{plain(lhs)} {shape_text(lhs, rhs)}")
    backward = backward_equations()
    goal = sp.Tuple(*(lhs for lhs, _ in backward))
    result = sp.Tuple(*(rhs for _, rhs in backward))
    chain = dataclasses.replace(route.route(), result=result)
    shape_note = "Shapes, line by line: " + "; ".join(shapes) + "."
    notes = _NOTES + (shape_note,) + _activation_notes(network) + (_proof_note(network),)
    derivation = finish(
        "layers", "Wrap-up — the layer equations", goal, (), (chain,), Context(), notes
    )
    return dataclasses.replace(derivation, oracle=check_backward_pass(backward, network))


def _route_steps() -> tuple[tuple[sp.MatrixSymbol, sp.MatrixExpr, str, str, bool], ...]:
    """The lines of the route: the equations, with the three-factor form after dZ[l]."""
    after = next(k for k, (lhs, *_) in enumerate(_STEPS) if lhs == _dZ) + 1
    return (*_STEPS[:after], _THREE_FACTORS, *_STEPS[after:])


def _proof_note(network: LayerNetwork) -> str:
    note = (
        f"Proof: each equation is instantiated in a network with {network.describe()} layers, "
        "a sigmoid output and symbolic entries; every entry of its right side is compared with "
        "the derivative of J taken directly with sympy.diff (σ and the hidden activation kept "
        "as functions), and its shapes are checked symbolically."
    )
    if "relu" in network.per_layer:
        note += " ReLU has no derivative at 0: the equations hold wherever Z[l] ≠ 0."
    return note


def _activation_notes(network: LayerNetwork) -> tuple[str, ...]:
    """With one activation per hidden layer, which g[l] and g[l]' each layer's lines mean."""
    if isinstance(network.hidden, str):
        return ()
    layers = ", ".join(f"g[{k}] = {name}" for k, name in enumerate(network.per_layer, 1))
    return (
        f"Each hidden layer has its own activation: {layers}, and g[{network.depth}] = σ at "
        "the output. The equations are the same for every layer; in dZ[l] = dA[l] ⊙ "
        "g[l]'(Z[l]) the derivative is that of layer l's own g[l].",
    )
