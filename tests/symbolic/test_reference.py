"""The reference derivations against the acceptance reference (spec/derivations.md).

Each derivation must reproduce the reference's intermediate results in the reference's order.
The expected lines below are the reference's rows, as chainrule's terminal printer writes them;
every step must be proven exactly, every result must match sympy.diff, and where a derivation
has two routes they must be proven equal.
"""

import pytest
import sympy as sp

from chainrule.render import expr_text
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.symbols import L, a, b, sigma, w, x, y, z
from chainrule.symbolic.derivations.reference import REFERENCE_IDS, reference_derivations
from chainrule.symbolic.moves.registry import MOVES, moves_in

EXPECTED = {
    "1": {
        "direct": [
            ("L", "-(y ln(a) + (1 - y) ln(1 - a))"),
            ("L", "-y ln(a) - (1 - y) ln(1 - a)"),
            ("d/da[-y ln(a)]", "-y/a"),
            ("d/da[-(1 - y) ln(1 - a)]", "-(1 - y) · 1/(1 - a) · (-1)"),
            ("d/da[-(1 - y) ln(1 - a)]", "(1 - y)/(1 - a)"),
            ("dL/da", "-y/a + (1 - y)/(1 - a)"),
        ],
    },
    "ln": {
        "direct": [
            ("u", "ln(x)"),
            ("eᵘ", "x"),
            ("eᵘ · du/dx", "1"),
            ("du/dx", "1/eᵘ"),
            ("du/dx", "1/x"),
        ],
    },
    "2": {
        "chain rule": [
            ("σ(z)", "1/(1 + e⁻ᶻ)"),
            ("σ(z)", "(1 + e⁻ᶻ)⁻¹"),
            ("σ'(z)", "-(1 + e⁻ᶻ)⁻² · (-e⁻ᶻ)"),
            ("σ'(z)", "e⁻ᶻ/(1 + e⁻ᶻ)²"),
            ("σ'(z)", "1/(1 + e⁻ᶻ) · e⁻ᶻ/(1 + e⁻ᶻ)"),
            ("σ'(z)", "1/(1 + e⁻ᶻ) · (1 + e⁻ᶻ - 1)/(1 + e⁻ᶻ)"),
            ("σ'(z)", "1/(1 + e⁻ᶻ) · ((1 + e⁻ᶻ)/(1 + e⁻ᶻ) - 1/(1 + e⁻ᶻ))"),
            ("σ'(z)", "1/(1 + e⁻ᶻ) · (1 - 1/(1 + e⁻ᶻ))"),
            ("σ'(z)", "σ(z)(1 - σ(z))"),
            ("da/dz", "a(1 - a)"),
        ],
    },
    "3": {
        "chain rule": [
            ("dL/dz", "dL/da · da/dz"),
            ("dL/dz", "(-y/a + (1 - y)/(1 - a)) · a(1 - a)"),
            ("dL/dz", "(-y(1 - a)/(a(1 - a)) + a(1 - y)/(a(1 - a))) · a(1 - a)"),
            ("dL/dz", "((-y(1 - a) + a(1 - y))/(a(1 - a))) · a(1 - a)"),
            ("dL/dz", "-y(1 - a) + a(1 - y)"),
            ("dL/dz", "-y + a y + a - a y"),
            ("dL/dz", "a - y"),
        ],
    },
    "4": {
        "direct": [
            ("z", "w x + b"),
            ("dz/dw", "x"),
        ],
    },
    "5": {
        "chain rule": [
            ("dL/dw", "dL/da · da/dz · dz/dw"),
            ("dL/dw", "dL/dz · dz/dw"),
            ("dL/dw", "(a - y) x"),
            ("dL/dw", "x(a - y)"),
        ],
        "direct": [
            ("L", "-(y ln(a) + (1 - y) ln(1 - a))"),
            ("ln(a)", "ln(1/(1 + e⁻ᶻ))"),
            ("ln(a)", "-ln(1 + e⁻ᶻ)"),
            ("ln(1 - a)", "ln(e⁻ᶻ/(1 + e⁻ᶻ))"),
            ("ln(1 - a)", "ln(e⁻ᶻ) - ln(1 + e⁻ᶻ)"),
            ("ln(1 - a)", "-z - ln(1 + e⁻ᶻ)"),
            ("L", "-(y · (-ln(1 + e⁻ᶻ)) + (1 - y)(-z - ln(1 + e⁻ᶻ)))"),
            ("L", "-(-y ln(1 + e⁻ᶻ) - z - ln(1 + e⁻ᶻ) + y z + y ln(1 + e⁻ᶻ))"),
            ("L", "-(-z - ln(1 + e⁻ᶻ) + y z)"),
            ("L", "-y z + (z + ln(1 + e⁻ᶻ))"),
            ("L", "-y z + (ln(eᶻ) + ln(1 + e⁻ᶻ))"),
            ("L", "-y z + ln(eᶻ(1 + e⁻ᶻ))"),
            ("L", "-y z + ln(eᶻ + e^(z - z))"),
            ("L", "-(y z - ln(1 + eᶻ))"),
            ("dL/dw", "-(x y - x eᶻ/(1 + eᶻ))"),
            ("eᶻ/(1 + eᶻ)", "1/(1 + e⁻ᶻ)"),
            ("eᶻ/(1 + eᶻ)", "a"),
            ("dL/dw", "-x y + a x"),
            ("dL/dw", "x(a - y)"),
        ],
    },
    "6": {
        "chain rule": [
            ("dL/db", "dL/dz · dz/db"),
            ("dL/db", "(a - y) · 1"),
            ("dL/db", "a - y"),
        ],
        "direct": [
            ("L", "-(y(w x + b) - ln(1 + e^(w x + b)))"),
            ("dL/db", "-(y - e^(b + w x)/(1 + e^(b + w x)))"),
            ("dL/db", "-(y - a)"),
            ("dL/db", "a - y"),
        ],
    },
}

RESULTS = {
    "1": -y / a + (1 - y) / (1 - a),
    "2": a * (1 - a),
    "3": a - y,
    "4": x,
    "5": x * (a - y),
    "6": a - y,
}


@pytest.fixture(scope="module")
def derivations():
    return {d.id: d for d in reference_derivations()}


def test_every_reference_derivation_is_there_in_order(derivations):
    assert list(derivations) == list(REFERENCE_IDS)


def test_the_reference_set_emits_registered_moves_only(derivations):
    found = moves_in(derivations.values())
    assert found <= set(MOVES)
    assert {"chain_rule", "given", "distribute_minus", "multiply_out"} <= found


@pytest.mark.parametrize("derivation_id", sorted(EXPECTED))
def test_steps_reproduce_the_reference_in_order(derivations, derivation_id):
    derivation = derivations[derivation_id]
    shown = {
        route.name: [(expr_text(s.lhs), expr_text(s.after)) for s in route.steps]
        for route in derivation.routes
    }
    assert shown == EXPECTED[derivation_id]


@pytest.mark.parametrize("derivation_id", REFERENCE_IDS)
def test_every_step_is_proven_exactly(derivations, derivation_id):
    for step in derivations[derivation_id].steps():
        assert step.verdict is Verdict.PROVED, (step.text, step.check.method)


@pytest.mark.parametrize("derivation_id", sorted(RESULTS))
def test_results_match_sympy_diff(derivations, derivation_id):
    derivation = derivations[derivation_id]
    assert sp.simplify(derivation.result - RESULTS[derivation_id]) == 0
    assert derivation.oracle is not None and derivation.oracle.verdict is Verdict.PROVED


def test_result_of_dl_dw_is_sympy_diff_of_the_written_out_cost():
    s = sigma(w * x + b).rewrite(sp.exp)
    cost = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    direct = sp.diff(cost, w)
    assert sp.simplify(direct - x * (s - y)) == 0


@pytest.mark.parametrize("derivation_id", ["5", "6"])
def test_both_routes_reach_the_same_result(derivations, derivation_id):
    derivation = derivations[derivation_id]
    assert [r.name for r in derivation.routes] == ["chain rule", "direct"]
    assert derivation.routes_agree
    chain, direct = (r.result for r in derivation.routes)
    assert sp.expand(chain - direct) == 0


def test_the_log_side_proof_is_nested_under_dl_da(derivations):
    step = derivations["1"].routes[0].steps[2]
    assert [d.id for d in step.subderivations] == ["ln"]


def test_dl_dz_uses_the_results_of_one_and_two(derivations):
    substituted = derivations["3"].routes[0].steps[1].after
    assert substituted.has(sp.log) is False
    assert sp.simplify(substituted - (-y / a + (1 - y) / (1 - a)) * a * (1 - a)) == 0
    assert L not in substituted.free_symbols and z not in substituted.free_symbols


def test_the_direct_route_of_dl_dw_shows_its_two_side_steps(derivations):
    """1 - σ(z) as one fraction, and the chain rule on ln(1 + e^z), each a nested
    sub-derivation whose every line is proven."""
    direct = derivations["5"].routes[1]
    nested = {sub.id: sub for step in direct.steps for sub in step.subderivations}
    assert set(nested) == {"1-sigma", "ln-chain"}
    one_minus = nested["1-sigma"]
    assert sp.simplify(one_minus.result - sp.exp(-z) / (1 + sp.exp(-z))) == 0
    assert [s.move for s in one_minus.routes[0].steps] == [
        "given",
        "as_one_fraction",
        "cancel_opposite_terms",
    ]
    chain = nested["ln-chain"]
    assert sp.simplify(chain.result - x * sp.exp(z) / (1 + sp.exp(z))) == 0
    assert len(chain.routes[0].steps) == 3
    for sub in nested.values():
        assert all(step.verdict is Verdict.PROVED for step in sub.steps())


def test_a_wrong_inner_derivative_in_the_side_step_is_refused():
    """Planted: dz/dw taken as 1 instead of x."""
    from chainrule.errors import ProofError
    from chainrule.symbolic.core.engine import RouteBuilder
    from chainrule.symbolic.core.trees import frac, mul
    from chainrule.symbolic.derivations.reference.givens import network_context

    _, context = network_context()
    route = RouteBuilder("chain rule", context)
    inner = 1 + sp.exp(z)
    goal = sp.Derivative(sp.log(inner), w)
    route.state(goal, mul(frac(1, inner), sp.Derivative(inner, w)), "chain_rule", "chain rule")
    with pytest.raises(ProofError):
        route.state(goal, frac(sp.exp(z), inner), "substitute", "dz/dw = 1 (wrong)")
