"""derive --expr: rule steps, then named tidying moves, every step proven, sympy.diff agrees."""

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.errors import InputError, ProofError
from chainrule.symbolic.catalog.parse import parse_expression
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.symbols import a, b, sigma, w, x, y, z
from chainrule.symbolic.derivations.expression import derive_expression
from chainrule.symbolic.moves import tidy
from chainrule.symbolic.proof.check import Context, prove_equal
from chainrule.symbolic.rules import show
from chainrule.symbolic.rules.table import ELEMENTARY, Elementary

CASES = [
    (sp.log(1 + sp.exp(-z)), z),
    (z * sigma(z), z),
    (sp.tanh(z) ** 2, z),
    (sp.sqrt(1 + z**2), z),
    (sp.exp(-(z**2) / 2), z),
    ((a - y) ** 2 / 2, a),
    (-(y * sp.log(a) + (1 - y) * sp.log(1 - a)), a),
    (sp.Max(0, z), z),
    (sp.Abs(z), z),
    (z * sp.exp(-z), z),
    (z / (1 + z**2), z),
    ((1 + sp.exp(-z)) ** -1, z),
    (sp.log(1 + sp.exp(z)), z),
    (sigma(w * x + b), w),
    (sp.Mul(-1, y * z - sp.log(1 + sp.exp(z)), evaluate=False), z),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: show(c[0]))
def test_every_step_is_proven_and_the_result_is_sympys(case):
    expr, variable = case
    derivation = derive_expression(expr, variable)
    assert derivation.id == "expr"
    assert derivation.goal == sp.Derivative(expr, variable)
    assert derivation.givens == ()
    assert derivation.title == f"d/d{variable} of {show(expr)}"
    (route,) = derivation.routes
    assert all(step.verdict is not Verdict.FAILED for step in route.steps)
    assert derivation.oracle is not None and derivation.oracle.ok
    assert route.result == derivation.result
    assert route.steps[-1].lhs == sp.Derivative(expr, variable)
    assert prove_equal(sp.diff(expr, variable), derivation.result, Context()).ok


@pytest.mark.parametrize(
    ("expr", "variable", "final"),
    [
        (sp.log(1 + sp.exp(-z)), z, sigma(z) - 1),
        ((1 + sp.exp(-z)) ** -1, z, sigma(z) * (1 - sigma(z))),
        (sp.log(1 + sp.exp(z)), z, sigma(z)),
        (-(y * sp.log(a) + (1 - y) * sp.log(1 - a)), a, (a - y) / (a * (1 - a))),
        ((a - y) ** 2 / 2, a, a - y),
        (z * sp.exp(-z), z, (1 - z) * sp.exp(-z)),
        (sp.sqrt(1 + z**2), z, z / sp.sqrt(1 + z**2)),
    ],
)
def test_results_are_tidied_into_the_form_people_use(expr, variable, final):
    assert tidy.multiply_out_keeping_brackets(derive_expression(expr, variable).result) == final


def test_the_sigmoid_route_reads_like_the_textbook():
    route = derive_expression((1 + sp.exp(-z)) ** -1, z).routes[0]
    assert route.name == "chain rule"
    assert [s.move for s in route.steps] == [
        "chain_rule",
        "multiply_out_keeping_brackets",
        "recognise_sigma",
    ]
    assert route.steps[0].after.args == (-((1 + sp.exp(-z)) ** -2), -sp.exp(-z))
    assert route.steps[1].after == sp.exp(-z) / (1 + sp.exp(-z)) ** 2
    assert route.steps[2].text == "recognise σ(z) = 1/(1 + e^(-z))"


def test_the_cost_derivative_has_one_line_per_term_then_the_sum():
    cost = -(y * sp.log(a) + (1 - y) * sp.log(1 - a))
    route = derive_expression(cost, a).routes[0]
    assert {route.steps[0].lhs.expr, route.steps[1].lhs.expr} == set(cost.args)
    assert [s.move for s in route.steps[2:]] == [
        "sum",
        "sign_into_bracket",
        "one_fraction",
        "expand_numerator",
    ]


def test_a_route_without_a_chain_rule_is_direct():
    assert derive_expression(z * sigma(z), z).routes[0].name == "direct"
    assert derive_expression(sp.log(1 + sp.exp(-z)), z).routes[0].name == "chain rule"


def test_side_conditions_become_notes():
    relu = derive_expression(sp.Max(0, z), z)
    assert relu.result == sp.Heaviside(z, 0)
    assert relu.notes == (
        "domain: every real z",
        "max(0, z) is not differentiable where z = 0; its derivative there is taken as 0 "
        "(the convention H(0) = 0)",
    )
    assert derive_expression(sp.Abs(z), z).notes == (
        "domain: every real z",
        "|z| is not differentiable where z = 0",
    )


def test_the_typed_text_is_kept_in_the_notes():
    expr = parse_expression("log(1 + exp(-z))", ["z"])
    derivation = derive_expression(expr, z, text="log(1 +  exp(-z))")
    assert derivation.title == "d/dz of ln(1 + e^(-z))"
    assert derivation.notes[0] == "as typed: log(1 + exp(-z))"


def test_bad_arguments_are_refused():
    with pytest.raises(InputError, match="'text'"):
        derive_expression(z, z, text=3)
    with pytest.raises(InputError, match="loggamma"):
        derive_expression(sp.loggamma(z), z)


def test_a_planted_wrong_rule_stops_the_derivation(monkeypatch):
    monkeypatch.setitem(
        ELEMENTARY, sp.log, Elementary("log", "ln({u})", "1/{u}^2", lambda s: s**-2)
    )
    with pytest.raises(ProofError, match="failed its check"):
        derive_expression(sp.log(1 + sp.exp(-z)), z)


def test_a_planted_wrong_tidying_move_stops_the_derivation(monkeypatch):
    def multiply_out_wrongly(expr):
        return -tidy.multiply_out_keeping_brackets(expr)

    planted = ((multiply_out_wrongly, "multiply out the constant factors"),) + tidy._ALWAYS[1:]
    monkeypatch.setattr(tidy, "_ALWAYS", planted)
    with pytest.raises(ProofError, match="multiply out"):
        derive_expression(sp.log(1 + sp.exp(-z)), z)


def _smooth(t):
    functions = [sp.exp, sigma, sp.erf, lambda s: sp.log(1 + sp.exp(s)), lambda s: 1 / (1 + s**2)]
    return st.sampled_from(functions).map(lambda f: f(t))


SMOOTH_TREES = st.recursive(
    st.sampled_from([z, -z, y * z, 1 - z, sp.Integer(2)]),
    lambda children: st.one_of(
        children.flatmap(_smooth),
        st.tuples(children, children).map(lambda p: p[0] + p[1]),
        st.tuples(children, children).map(lambda p: p[0] * p[1]),
    ),
    max_leaves=4,
).filter(lambda e: e.has(z))


@settings(max_examples=15, deadline=None)
@given(SMOOTH_TREES)
def test_random_expressions_derive_with_every_step_proven(expr):
    derivation = derive_expression(expr, z)
    assert all(step.check.ok for step in derivation.steps())
    assert derivation.oracle is not None and derivation.oracle.ok


# --------------------------------------------------------------------------- the tidy moves


def test_every_tidy_move_states_its_identity_in_one_line():
    for move in (
        tidy.multiply_out_keeping_brackets,
        tidy.sign_into_bracket,
        tidy.recognise_sigma,
        tidy.one_fraction,
        tidy.expand_numerator,
        tidy.cancel_common_factor,
        tidy.factor_out_of_sum,
        tidy.expand,
    ):
        assert move.__doc__ and "=" in move.__doc__ and "\n" not in move.__doc__.strip()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (1 / (1 + sp.exp(-z)), sigma(z)),
        (sp.exp(-z) / (1 + sp.exp(-z)), 1 - sigma(z)),
        (sp.exp(z) / (1 + sp.exp(z)), sigma(z)),
        (1 / (1 + sp.exp(z)), 1 - sigma(z)),
        (sp.exp(-z) / (1 + sp.exp(-z)) ** 2, sigma(z) * (1 - sigma(z))),
        (x / (1 + sp.exp(-w * x - b)), x * sigma(w * x + b)),
    ],
)
def test_recognise_sigma(before, after):
    folded = tidy.recognise_sigma(before)
    assert tidy.multiply_out_keeping_brackets(folded) == after
    assert prove_equal(before, folded).verdict is Verdict.PROVED


def test_sign_into_bracket_only_when_it_saves_a_sign():
    assert tidy.sign_into_bracket(-(y - 1) / (1 - a)) == (1 - y) / (1 - a)
    assert tidy.sign_into_bracket(-(y + 1) / a) == -(y + 1) / a


def test_fraction_moves_leave_other_shapes_alone():
    assert tidy.one_fraction(z * (1 + z)) == z * (1 + z)
    assert tidy.cancel_common_factor(z**2 + z) == z**2 + z
    assert tidy.cancel_common_factor(z * (1 + z) / (1 + z) ** 3) == z / (1 + z) ** 2
    assert tidy.factor_out_of_sum(z * sp.exp(-z)) == z * sp.exp(-z)


def test_tidy_stops_when_nothing_helps():
    assert tidy.tidy(z) == []
    assert tidy.tidy(sigma(z) * (1 - sigma(z))) == []
    assert len(tidy.tidy(sp.Mul(sp.Rational(1, 2), 2, a - y, evaluate=False))) == 1
