"""Exact polynomials over function nodes: derivatives against sympy.diff, substitution back
to the same nodes, exact constants and roots, the evaluation of claims with functions and
integer index arrays, and the index check of a stacked axis."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.proof.instances import Instance, check_claim
from chainrule.symbolic.proof.nodes import Nodes, node_algebra
from chainrule.symbolic.proof.polynomials import Polynomial, variable
from chainrule.symbolic.proof.tensors import Notation, Tensor

_SYMPY = {
    "tanh": sp.tanh,
    "sigma": lambda u: 1 / (1 + sp.exp(-u)),
    "exp": sp.exp,
    "reciprocal": lambda u: 1 / u,
}


def _composition(seed: int):
    """A random composition of the four functions over x and y, as nodes and in SymPy."""
    rng = random.Random(seed)
    nodes, x, y = Nodes(), sp.Symbol("x"), sp.Symbol("y")
    polys, exprs = [variable("x"), variable("y")], [x, y]
    for _ in range(3):
        function = rng.choice(sorted(_SYMPY))
        a, b = rng.randrange(len(polys)), rng.randrange(len(polys))
        argument = polys[a] * polys[b] + Polynomial.constant(rng.randint(1, 3))
        polys.append(nodes.apply(function, argument))
        exprs.append(_SYMPY[function](exprs[a] * exprs[b] + argument.terms[()]))
    cost = polys[-1] * polys[-2] + polys[-3]
    return nodes, cost, exprs[-1] * exprs[-2] + exprs[-3], (x, y)


@pytest.mark.parametrize("seed", range(6))
def test_the_derivative_equals_sympy_diff(seed):
    nodes, cost, expr, (x, y) = _composition(seed)
    point = {"x": 0.3, "y": -0.45}
    for name, symbol in (("x", x), ("y", y)):
        found = nodes.at(nodes.diff(cost, name), point)
        slope = sp.lambdify((x, y), sp.diff(expr, symbol))
        expected = float(slope(point["x"], point["y"]))
        assert found == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_substituting_back_gives_the_same_nodes():
    nodes = Nodes()
    x, e = variable("x"), variable("e")
    plain = nodes.apply("tanh", x * x)
    moved = nodes.apply("exp", nodes.apply("tanh", x * x + e) * 2)
    assert nodes.substitute(moved, {"e": Polynomial.constant(0)}) == nodes.apply("exp", plain * 2)
    assert nodes.substitute(plain, {"y": x}) == plain


def test_constants_and_roots_are_exact():
    nodes = Nodes()
    algebra = node_algebra(nodes)
    assert nodes.apply("sigma", Polynomial.constant(0)) == Fraction(1, 2)
    assert nodes.apply("reciprocal", Polynomial.constant(4)) == Fraction(1, 4)
    assert algebra.power(Polynomial.constant(4), Fraction(1, 2)) == 2
    assert algebra.power(Polynomial.constant(9), Fraction(-1, 2)) == Fraction(1, 3)
    with pytest.raises(ProofError, match="no exact root"):
        algebra.power(Polynomial.constant(2), Fraction(1, 2))
    with pytest.raises(ProofError, match="no exact value"):
        nodes.apply("tanh", Polynomial.constant(1))
    with pytest.raises(ProofError, match="knows no function"):
        nodes.apply("relu", variable("x"))
    tanh = nodes.apply("tanh", variable("x"))
    assert algebra.variable(variable("x")) is not None and algebra.variable(tanh) is None


# --- claims with functions and with integer index arrays -------------------------------------

n = sp.Symbol("n")
i = sp.Symbol("i")
TENSORS = (
    Tensor("z", (n,), "the input"),
    Tensor("a", (n,)),
    Tensor("ids", (n,), "the input (indices)"),
    Tensor("da", (n,), "∂J/∂a"),
)
z, a, ids, da = (t.base for t in TENSORS)
NOTATION = Notation(TENSORS, {i: (0, n - 1)})


@pytest.fixture(scope="module")
def layer():
    nodes = Nodes()
    zs = [variable(f"z{k}") for k in range(3)]
    states = [nodes.apply("tanh", value) for value in zs]
    arrays = {
        "z": dict(enumerate(zs)),
        "a": dict(enumerate(states)),
        "ids": {(0,): 2, (1,): 0, (2,): 1},
    }
    arrays = {
        name: {(k if isinstance(k, tuple) else (k,)): v for k, v in entries.items()}
        for name, entries in arrays.items()
    }
    return Instance("n = 3", {n: 3}, arrays, algebra=node_algebra(nodes))


def test_a_function_of_an_entry_is_its_node(layer):
    assert check_claim(a[i], sp.tanh(z[i]), NOTATION, [layer]).verdict is Verdict.PROVED
    assert check_claim(a[i], sp.tanh(z[ids[i]]), NOTATION, [layer]).verdict is Verdict.FAILED
    slope = check_claim(sp.Derivative(a[i], z[i]), 1 - a[i] ** 2, NOTATION, [layer])
    assert slope.verdict is Verdict.PROVED


def test_an_integer_array_indexes(layer):
    check = check_claim(a[ids[i]], sp.tanh(z[ids[i]]), NOTATION, [layer])
    assert check.verdict is Verdict.PROVED
    with pytest.raises(ProofError, match="not an integer index"):
        check_claim(a[z[i]], a[i], NOTATION, [layer])


def test_a_stacked_axis_takes_a_letter_over_its_leading_block_only():
    j = sp.Symbol("j")
    stacked, plain = Tensor("s", (n + 2,), stacked=(0,)), Tensor("p", (n + 2,))
    notation = Notation((stacked, plain, *TENSORS), {i: (0, n - 1), j: (1, n)})
    notation.check_indices(a[i], stacked[i])
    with pytest.raises(ProofError, match="runs over"):
        notation.check_indices(a[i], plain[i])
    with pytest.raises(ProofError, match="runs over"):
        notation.check_indices(a[j - 1], stacked[j])
