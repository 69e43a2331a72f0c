"""Textbook differentiation rules: exact one-line forms, every step proven, sympy.diff agrees."""

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.errors import InputError
from chainrule.symbolic import rules
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.symbols import a, b, sigma, w, x, y, z
from chainrule.symbolic.proof.check import Context, prove_equal
from chainrule.symbolic.rules import differentiate, show
from chainrule.symbolic.rules.table import ELEMENTARY, Elementary

u = sp.Symbol("u", real=True)

EXPRESSIONS = [
    (-(1 - y) * sp.log(1 - a), a),
    (-y * sp.log(a), a),
    ((1 + sp.exp(-z)) ** -1, z),
    (sp.Mul(-1, y * z - sp.log(1 + sp.exp(z)), evaluate=False), z),
    (-(y * sp.log(a) + (1 - y) * sp.log(1 - a)), a),
    (sp.log(1 + sp.exp(-z)), z),
    (z * sigma(z), z),
    (sigma(w * x + b), w),
    (sp.tanh(z) ** 2, z),
    (sp.sqrt(1 + z**2), z),
    (sp.exp(-(z**2) / 2), z),
    ((a - y) ** 2 / 2, a),
    (z * sp.exp(-z), z),
    (z / (1 + z**2), z),
    (sp.sin(z**2) * sp.cos(3 * z), z),
    (sp.sinh(z) / sp.cosh(z) ** 2, z),
    (sp.tan(2 * z) + sp.erf(z), z),
    (z**z, z),
    (2 ** (3 * z), z),
    (z**y, z),
    (sp.log(z, 2), z),
    (sp.Abs(1 - z), z),
    (sp.Max(0, w * x + b), w),
    (sp.Min(0, z), z),
    (sp.Max(z, z**2), z),
    (z, z),
    (3 * z + 1, z),
    (y**2, z),
    (sp.exp(sp.sin(sp.log(1 + z**2))), z),
    (sp.UnevaluatedExpr(1 + z) * z, z),
]


def _ids(case):
    return show(case[0]) if isinstance(case, tuple) else None


def assert_proven(expr, variable):
    found = differentiate(expr, variable)
    for step in found.steps:
        check = prove_equal(step.lhs, step.after, Context())
        assert check.ok, f"{show(step.lhs)} = {show(step.after)}: {check.method}"
    oracle = prove_equal(sp.diff(expr, variable), found.result, Context())
    assert oracle.ok, f"result {show(found.result)} differs from sympy.diff: {oracle.method}"
    return found


# --------------------------------------------------------------------------- exact forms


def test_constant_times_outer_times_inner_for_log_of_one_minus_a():
    result = differentiate(-(1 - y) * sp.log(1 - a), a).result
    assert result.args == (-(1 - y), 1 / (1 - a), sp.S(-1))
    assert result == sp.Mul(-(1 - y), 1 / (1 - a), -1, evaluate=False)


def test_constant_times_outer_for_log_a():
    result = differentiate(-y * sp.log(a), a).result
    assert result.args == (-y, 1 / a)


def test_power_rule_with_chain_on_the_sigmoid():
    result = differentiate((1 + sp.exp(-z)) ** -1, z).result
    assert result.args == (-((1 + sp.exp(-z)) ** -2), -sp.exp(-z))


def test_constant_minus_one_times_the_evaluated_bracket():
    expr = sp.Mul(-1, y * z - sp.log(1 + sp.exp(z)), evaluate=False)
    result = differentiate(expr, z).result
    assert isinstance(result, sp.Mul) and result.args[0] == -1
    assert result.args[1] == y - sp.exp(z) / (1 + sp.exp(z))
    assert isinstance(result.args[1], sp.Add)


def test_sum_rule_keeps_the_term_results_evaluated():
    result = differentiate(-(y * sp.log(a) + (1 - y) * sp.log(1 - a)), a).result
    assert isinstance(result, sp.Add)
    assert set(result.args) == {-y / a, sp.Mul(y - 1, 1 / (1 - a), -1)}


def test_power_of_a_sum_keeps_the_bracket():
    result = differentiate((a - y) ** 2 / 2, a).result
    assert result.args == (sp.Rational(1, 2), sp.S(2), a - y)


# --------------------------------------------------------------------------- proofs


@pytest.mark.parametrize("case", EXPRESSIONS, ids=_ids)
def test_every_step_is_proven_and_the_result_is_sympys(case):
    expr, variable = case
    found = assert_proven(expr, variable)
    assert found.steps, "every differentiation has at least one step"
    assert found.steps[-1].lhs == sp.Derivative(expr, variable)
    assert found.steps[-1].after == found.result
    assert all(isinstance(s.lhs, sp.Derivative) for s in found.steps)


def _unary(t):
    return st.sampled_from(
        [
            sp.exp,
            sp.sin,
            sp.cos,
            sp.tanh,
            sp.sinh,
            sigma,
            sp.erf,
            sp.Abs,
            lambda s: sp.log(1 + s**2),
            lambda s: sp.sqrt(1 + s**2),
            lambda s: sp.Max(0, s),
        ]
    ).map(lambda f: f(t) if t.has(z) else t)


def _binary(children):
    """Sums, products, powers and quotients by a simple denominator: nested fractions are
    left out because they only slow the checker down, not the rules."""
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: p[0] + p[1]),
        pair.map(lambda p: p[0] * p[1]),
        st.tuples(children, LEAVES).map(lambda p: p[0] / (2 + p[1] ** 2)),
        st.tuples(children, st.sampled_from([-1, 2, 3])).map(lambda p: p[0] ** p[1]),
    )


LEAVES = st.sampled_from([z, z, y, 2 * z, 1 - z, sp.Rational(1, 2), sp.Integer(3)])
TREES = st.recursive(
    LEAVES, lambda children: st.one_of(children.flatmap(_unary), _binary(children)), max_leaves=5
).filter(lambda e: e.has(z) and not e.has(sp.zoo, sp.nan, sp.oo) and sp.count_ops(e) <= 40)


@settings(max_examples=40, deadline=None)
@given(TREES)
def test_random_expression_trees_are_differentiated_by_proven_steps(expr):
    assert_proven(expr, z)


# --------------------------------------------------------------------------- planted errors


def test_a_planted_wrong_log_rule_fails_its_check(monkeypatch):
    wrong = Elementary("log", "ln({u})", "1/{u}^2", lambda s: s**-2)
    monkeypatch.setitem(ELEMENTARY, sp.log, wrong)
    found = differentiate(-y * sp.log(a), a)
    verdicts = [prove_equal(s.lhs, s.after, Context()).verdict for s in found.steps]
    assert Verdict.FAILED in verdicts


def test_a_planted_wrong_product_rule_fails_its_check(monkeypatch):
    def forgets_a_term(self, d):
        return rules.product(d[0].value, self.factors[1])

    monkeypatch.setattr(rules.Product, "combine", forgets_a_term)
    found = differentiate(z * sp.exp(-z), z)
    assert prove_equal(found.steps[-1].lhs, found.steps[-1].after).verdict is Verdict.FAILED


# --------------------------------------------------------------------------- layout and words


def test_constant_multiple_joins_the_chain_step_and_the_linear_inner_has_none():
    found = differentiate(-(1 - y) * sp.log(1 - a), a)
    (step,) = found.steps
    assert step.rule == "chain_rule"
    assert "constant multiple" in step.text
    assert "u = 1 - a" in step.text and "du/da = -1" in step.text


def test_chain_rule_sentence_names_the_inner_function():
    (step,) = differentiate((1 + sp.exp(-z)) ** -1, z).steps
    assert step.text == (
        "chain rule with u = 1 + e^(-z): d/dz u^(-1) = -u^(-2) · du/dz, where du/dz = -e^(-z)"
    )


def test_inner_functions_are_numbered_in_reading_order():
    found = differentiate(sp.sin(z**2) * sp.exp(-z), z)
    texts = [s.text for s in found.steps]
    assert [t.split(" = ")[0] for t in texts if t.startswith("chain")] == [
        "chain rule with u",
        "chain rule with u₁",
    ]
    assert found.steps[-1].rule == "product"


def test_a_user_symbol_named_u_moves_the_inner_name_to_another_letter():
    found = differentiate(sp.log(1 + u * sp.exp(-z)), z)
    assert all("with u " not in s.text and "u =" not in s.text for s in found.steps)
    assert any(s.text.startswith("chain rule with v = ") for s in found.steps)


def test_nested_chains_each_get_a_step():
    found = differentiate(sp.log(1 + sp.exp(-(z**2))), z)
    assert [s.rule for s in found.steps] == ["chain_rule", "chain_rule"]
    assert found.steps[0].lhs == sp.Derivative(1 + sp.exp(-(z**2)), z)


def test_abs_carries_its_side_condition():
    found = differentiate(sp.Abs(z - 1), z)
    assert found.result == sp.sign(z - 1)
    assert found.side_conditions == ("|z - 1| is not differentiable where z - 1 = 0",)
    assert found.steps[-1].side_conditions == found.side_conditions


def test_relu_uses_the_heaviside_step_with_zero_at_zero():
    found = differentiate(sp.Max(0, z), z)
    assert found.result == sp.Heaviside(z, 0)
    assert found.steps[-1].rule == "relu"
    assert "taken as 0" in found.side_conditions[0]


def test_a_folded_inner_step_hands_its_side_condition_to_the_chain_step():
    found = differentiate(sp.exp(sp.Abs(z)), z)
    (step,) = found.steps
    assert step.side_conditions == ("|z| is not differentiable where z = 0",)


def test_general_power_states_its_domain():
    found = differentiate(z**z, z)
    assert found.steps[-1].rule == "general_power"
    assert found.side_conditions[0].startswith("z > 0")


def test_quotient_rule_is_used_for_a_fraction_of_two_varying_parts():
    assert differentiate(z / (1 + z**2), z).steps[-1].rule == "quotient"
    assert differentiate(1 / (1 + z**2), z).steps[-1].rule == "chain_rule"


def test_constants_and_the_variable_alone():
    assert differentiate(y, z).result == 0
    assert differentiate(y, z).steps[0].rule == "constant"
    assert differentiate(z, z).result == 1
    assert differentiate(3 * z + 1, z).result == 3


def test_show_writes_the_words_of_step_sentences():
    assert show(sp.log(1 + sp.exp(-z))) == "ln(1 + e^(-z))"
    assert show(sigma(z) * (1 - sigma(z))) in {"σ(z)·(1 - σ(z))", "(1 - σ(z))·σ(z)"}
    assert show(sp.sqrt(1 + z**2)) == "√(z^2 + 1)"
    assert show(sp.Derivative(sp.exp(z), z)) == "d/dz e^z"


# --------------------------------------------------------------------------- refusals


def test_a_function_without_a_rule_is_refused_by_name():
    with pytest.raises(InputError, match="loggamma"):
        differentiate(sp.loggamma(z), z)


def test_arguments_of_the_wrong_type_are_refused():
    with pytest.raises(InputError, match="'expr'"):
        differentiate("log(z)", z)
    with pytest.raises(InputError, match="'variable'"):
        differentiate(sp.log(z), z + 1)
