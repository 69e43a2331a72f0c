"""The machinery of the layer proofs: exact polynomials (against SymPy), index notation and
its shape check, the evaluation of claims in a concrete layer, and checks that must fail."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.errors import ProofError
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.proof.algebras import POLYNOMIALS, SYMPY
from chainrule.symbolic.proof.evaluation import evaluate_entry
from chainrule.symbolic.proof.instances import Instance, check_claim, check_matrix_claim
from chainrule.symbolic.proof.polynomials import Polynomial, variable
from chainrule.symbolic.proof.tensors import Notation, Tensor

NAMES = ("p", "q", "r")


# --- exact polynomials against SymPy ---------------------------------------------------------

terms = st.lists(
    st.tuples(
        st.fractions(min_value=-5, max_value=5, max_denominator=4),
        st.lists(st.integers(0, 2), min_size=3, max_size=3),
    ),
    max_size=4,
)


def _build(spec) -> tuple[Polynomial, sp.Expr]:
    poly, expr = Polynomial.constant(0), sp.S.Zero
    for coefficient, powers in spec:
        term_poly, term_expr = Polynomial.constant(coefficient), sp.Rational(coefficient)
        for name, power in zip(NAMES, powers, strict=True):
            term_poly = term_poly * variable(name) ** power
            term_expr *= sp.Symbol(name) ** power
        poly, expr = poly + term_poly, expr + term_expr
    return poly, sp.expand(expr)


@settings(max_examples=60, deadline=None)
@given(left=terms, right=terms, name=st.sampled_from(NAMES))
def test_polynomial_arithmetic_equals_sympy(left, right, name):
    (a, a_expr), (b, b_expr) = _build(left), _build(right)
    assert sp.expand((a + b).to_sympy() - (a_expr + b_expr)) == 0
    assert sp.expand((a - b).to_sympy() - (a_expr - b_expr)) == 0
    assert sp.expand((a * b).to_sympy() - a_expr * b_expr) == 0
    assert sp.expand(a.diff(name).to_sympy() - sp.diff(a_expr, sp.Symbol(name))) == 0
    assert (a - a) == 0 and not (a - a).terms
    assert bool(a) == (a_expr != 0)


def test_polynomial_basics():
    p = variable("p")
    assert p.name() == "p" and (2 * p).name() is None and Polynomial.constant(3).name() is None
    assert Polynomial.total([p, p, -2 * p]) == 0
    assert (Polynomial.constant(2) ** -2).terms == {(): Fraction(1, 4)}
    assert (p**2).diff("p") == 2 * p
    with pytest.raises(ValueError, match="no power"):
        p**-1
    with pytest.raises(TypeError, match="cannot use"):
        p + 0.5


# --- index notation --------------------------------------------------------------------------

i, j, k, n, f = (sp.Symbol(name) for name in "ijknf")
TENSORS = (
    Tensor("a", (n,), "the input"),
    Tensor("g", (n, n), "∂J/∂g"),
    Tensor("kernel", (f,), zero_outside=True),
)
a, g, kernel = (t.base for t in TENSORS)
NOTATION = Notation(TENSORS, {i: (0, n - 1), j: (0, n - 1), k: (0, f - 1)})


def _layer(algebra=POLYNOMIALS) -> Instance:
    """n = 3, f = 2: a = (a0, a1, a2), g[i, j] = a_i a_j, a kernel of 2 variables."""
    make = variable if algebra is POLYNOMIALS else sp.Symbol
    values = [make(f"a{index}") for index in range(3)]
    return Instance(
        "n = 3, f = 2",
        {n: 3, f: 2},
        {
            "a": {(index,): value for index, value in enumerate(values)},
            "g": {(x, y): values[x] * values[y] for x in range(3) for y in range(3)},
            "kernel": {(0,): make("w0"), (1,): make("w1")},
        },
        algebra=algebra,
    )


@pytest.mark.parametrize("algebra", [POLYNOMIALS, SYMPY], ids=["polynomials", "sympy"])
def test_sums_deltas_and_derivatives_evaluate(algebra):
    layer = _layer(algebra)
    total = sp.Sum(a[j] * sp.KroneckerDelta(i, j + 1), (j, 0, n - 1))
    assert evaluate_entry(total, {i: 2}, layer, NOTATION) == layer.arrays["a"][(1,)]
    derivative = sp.Derivative(g[i, j], a[i])
    assert evaluate_entry(derivative, {i: 1, j: 1}, layer, NOTATION) == 2 * layer.arrays["a"][(1,)]
    outside = kernel[k + 1]
    assert evaluate_entry(outside, {k: 1}, layer, NOTATION) == 0  # zero outside its shape


def test_an_entry_off_its_array_is_an_error():
    with pytest.raises(ProofError, match=r"a\[3\] is outside the array a \(n\)"):
        evaluate_entry(a[i + 1], {i: 2}, _layer(), NOTATION)


def test_a_true_claim_is_proved_and_a_wrong_one_fails():
    claim = sp.Derivative(g[i, j], a[j])
    layer = _layer()
    # g[i, j] = a_i a_j: by a_j it is a_i, and 2 a_i on the diagonal
    right = a[i] * (1 + sp.KroneckerDelta(i, j))
    check = check_claim(claim, right, NOTATION, [layer])
    assert check.verdict is Verdict.PROVED and "9 at n = 3, f = 2" in check.method
    wrong = check_claim(claim, a[i], NOTATION, [layer])
    assert wrong.verdict is Verdict.FAILED and "i = 0, j = 0" in wrong.method


@pytest.mark.parametrize(
    ("lhs", "rhs", "message"),
    [
        (a[i], g[i, j], "free indices the left lacks"),
        (a[i], g[i], "g has 2 axes"),
        (a[k], a[k], "k runs over 0..f - 1, but axis 1 of a"),
        (a[i], sp.Sum(a[j], (j, 0, n)), "j runs over 0..n, but axis 1 of a"),
        (a[i], sp.IndexedBase("b")[i], "does not know the array b"),
    ],
)
def test_ill_formed_claims_are_refused(lhs, rhs, message):
    with pytest.raises(ProofError, match=message):
        check_claim(lhs, rhs, NOTATION, [_layer()])


def test_matrix_claims_check_shapes_and_entries():
    rows, cols = sp.Symbol("r"), sp.Symbol("c")
    notation = Notation([Tensor("P", (rows, cols)), Tensor("Q", (cols, rows), "∂J/∂Q")], {})
    P, Q = sp.MatrixSymbol("P", rows, cols), sp.MatrixSymbol("Q", cols, rows)
    entries = [[variable("p00"), variable("p01")]]
    layer = Instance(
        "r = 1, c = 2",
        {rows: 1, cols: 2},
        matrices={"P": entries, "Q": [[e] for e in entries[0]]},
        algebra=POLYNOMIALS,
    )
    check, shapes = check_matrix_claim(Q, P.T, notation, [layer])
    assert check.verdict is Verdict.PROVED and shapes == "(c, r) = (c, r)"
    with pytest.raises(ProofError, match="differ in shape"):
        check_matrix_claim(Q, P, notation, [layer])
    doubled, _ = check_matrix_claim(Q, sp.MatMul(2, P.T), notation, [layer])
    assert doubled.verdict is Verdict.FAILED and "entry (1, 1)" in doubled.method
    with pytest.raises(ProofError, match="cannot handle"):
        check_matrix_claim(Q, sp.HadamardProduct(P.T, P.T), notation, [layer])
