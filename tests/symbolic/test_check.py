"""The step checker: each tier, and claims that must fail."""

import sympy as sp

from chainrule.symbolic.core.model import Definition, Verdict
from chainrule.symbolic.core.symbols import L, a, b, sigma, w, x, y, z
from chainrule.symbolic.derivations.reference.givens import ACTIVATION, COST, LINEAR
from chainrule.symbolic.proof.check import Context, prove_equal, to_base

NETWORK = Context([COST, ACTIVATION, LINEAR])


def test_exact_algebra_proves_the_sigmoid_identity():
    check = prove_equal(sp.exp(-z) / (1 + sp.exp(-z)) ** 2, sigma(z) * (1 - sigma(z)))
    assert check.verdict is Verdict.PROVED
    assert "reduces to 0" in check.method


def test_logarithm_identity_needs_the_gradient_tier():
    check = prove_equal(sp.log(1 + sp.exp(z)), z + sp.log(1 + sp.exp(-z)))
    assert check.verdict is Verdict.PROVED
    assert "partial derivative" in check.method


def test_kinks_fall_back_to_the_numeric_tier_and_say_so():
    check = prove_equal(sp.Max(0, z) + sp.Max(0, -z), sp.Abs(z))
    assert check.verdict is Verdict.CHECKED_NUMERICALLY
    assert "50 digits" in check.method


def test_a_false_claim_fails_with_a_witness():
    check = prove_equal(sp.Derivative(L, z), y - a, NETWORK)
    assert check.verdict is Verdict.FAILED
    assert "differ" in check.method


def test_a_nearly_true_claim_still_fails():
    almost = sp.log(1 + sp.exp(z)) + sp.Rational(1, 10**12)
    check = prove_equal(almost, z + sp.log(1 + sp.exp(-z)))
    assert check.verdict is Verdict.FAILED


def test_derivative_with_respect_to_an_intermediate_symbol_keeps_it_free():
    # dL/da treats a as the variable even though a = σ(z) is given.
    assert prove_equal(sp.Derivative(L, a), -y / a + (1 - y) / (1 - a), NETWORK).ok
    assert not prove_equal(sp.Derivative(L, a), -y / a, NETWORK).ok


def test_chain_rule_claims_through_every_level():
    dl_dw = sp.Derivative(L, a) * sp.Derivative(a, z) * sp.Derivative(z, w)
    assert prove_equal(sp.Derivative(L, w), dl_dw, NETWORK).verdict is Verdict.PROVED
    assert prove_equal(sp.Derivative(L, w), x * (a - y), NETWORK).verdict is Verdict.PROVED
    assert prove_equal(sp.Derivative(L, b), a - y, NETWORK).verdict is Verdict.PROVED
    assert not prove_equal(sp.Derivative(L, b), x * (a - y), NETWORK).ok


def test_to_base_writes_everything_over_the_lowest_symbols():
    expr = to_base(sp.Derivative(L, z), NETWORK)
    assert expr.free_symbols <= {y, w, x, b}
    assert not expr.has(sigma)


def test_a_free_activation_is_sampled_inside_the_unit_interval():
    # ln(a) + ln(1 - a) = ln(a(1 - a)) only holds where both logarithms are real.
    check = prove_equal(sp.log(a) + sp.log(1 - a), sp.log(a * (1 - a)), Context([]))
    assert check.ok


def test_definitions_are_substituted():
    context = Context([Definition(L, COST.expr)])
    assert prove_equal(L, -y * sp.log(a) - (1 - y) * sp.log(1 - a), context).ok
