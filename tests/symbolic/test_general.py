"""derive_pair: the reference set [1]-[6] and the output layer for any activation and loss.

Every catalogue activation with the cross-entropy and with the squared error, and every loss
with the sigmoid, is derived; each result is compared with sympy.diff recomputed here from the
catalogue's formulas, independently of the engine's own oracle.
"""

import functools
import random

import pytest
import sympy as sp

from chainrule.errors import InputError, ProofError
from chainrule.render import expr_text
from chainrule.symbolic.catalog import ACTIVATIONS, LOSSES, get_activation, get_loss
from chainrule.symbolic.core.engine import RouteBuilder, finish, oracle
from chainrule.symbolic.core.model import Definition, Verdict
from chainrule.symbolic.core.symbols import L, a, b, sigma, w, x, y, z
from chainrule.symbolic.core.trees import add, evaluate, frac, group, mul
from chainrule.symbolic.derivations.pair import PAIR_IDS, derive_pair
from chainrule.symbolic.derivations.pair.output_layer import A_L, Z_L, Y, check_output_equation
from chainrule.symbolic.derivations.pair.steps import reach
from chainrule.symbolic.derivations.reference import reference_derivations
from chainrule.symbolic.moves import factors, functions, recognise
from chainrule.symbolic.moves.protocol import MoveDoesNotApply
from chainrule.symbolic.proof.check import Context
from chainrule.symbolic.proof.congruence import congruent_check, parts_that_differ

PAIRS = sorted(
    {(g, loss) for g in ACTIVATIONS for loss in ("binary_cross_entropy", "mean_squared_error")}
    | {("sigmoid", loss) for loss in LOSSES}
)


@functools.cache
def pair(activation: str, loss: str) -> dict:
    return {d.id: d for d in derive_pair(activation, loss)}


def numeric_value(expr, point):
    return complex(expr.xreplace(point).rewrite(sigma, sp.exp).evalf(30))


def sample_points(loss: str, count: int = 3):
    """Points away from kinks, inside the loss's domain (0 < a < 1 for the cross-entropy)."""
    rng = random.Random(11)
    low, high = (0.15, 0.85) if LOSSES[loss].unit_interval else (-1.6, 1.6)
    points = []
    for _ in range(count):
        zv = rng.uniform(low, high)
        xv = rng.uniform(0.3, 1.4)
        wv = rng.uniform(-0.8, 0.8)
        points.append({z: zv, x: xv, w: wv, b: zv - wv * xv, y: rng.choice([0.0, 1.0, 0.4])})
    return points


def with_activation(result, activation):
    """A result in a, y, z (x) with a = g(z) put in."""
    return result.xreplace({a: activation.expr})


@pytest.mark.parametrize("activation, loss", PAIRS)
def test_pair_set_is_built_and_proven(activation, loss):
    built = pair(activation, loss)
    assert list(built) == list(PAIR_IDS)
    for derivation in built.values():
        assert derivation.routes_agree
        assert derivation.oracle is not None and derivation.oracle.ok
        assert all(step.verdict is not Verdict.FAILED for step in derivation.steps())
    for id in ("3", "5", "6"):
        assert [r.name for r in built[id].routes] == ["chain rule", "direct"]
    pair_title = f"{ACTIVATIONS[activation].title} + {LOSSES[loss].title}"
    assert all(pair_title in built[id].title for id in ("1", "3", "4", "5", "6", "layers"))


@pytest.mark.parametrize("activation, loss", PAIRS)
def test_results_equal_sympy_diff(activation, loss):
    """[1], [2], [3], [5], [6] against sympy.diff of the catalogue's formulas, recomputed."""
    built, g, cost = pair(activation, loss), ACTIVATIONS[activation], LOSSES[loss]
    in_z = cost.expr.xreplace({a: g.expr})
    in_wb = in_z.xreplace({z: w * x + b})
    expected = {
        "1": sp.diff(cost.expr, a),
        "2": sp.diff(g.expr, z),
        "3": sp.diff(in_z, z),
        "5": sp.diff(in_wb, w),
        "6": sp.diff(in_wb, b),
    }
    for id, direct in expected.items():
        result = evaluate(built[id].result)
        for point in sample_points(loss):
            got = numeric_value(with_activation(result, g), point)
            if id == "1":
                got = numeric_value(result, {a: 0.3, y: point[y]})
                want = numeric_value(direct, {a: 0.3, y: point[y]})
            else:
                want = numeric_value(direct, point)
            assert abs(got - want) < 1e-15 * (1 + abs(want)), (id, point)


@pytest.mark.parametrize("activation, loss", PAIRS)
def test_output_layer_matches_result_three(activation, loss):
    built = pair(activation, loss)
    layer = built["layers"]
    renamed = evaluate(built["3"].result).xreplace({a: A_L, y: Y, z: Z_L})
    assert evaluate(layer.result) == renamed
    assert layer.oracle.ok


def test_reference_pair_reaches_a_minus_y():
    built = pair("sigmoid", "binary_cross_entropy")
    assert built["3"].result == a - y
    assert evaluate(built["5"].result) == x * (a - y)
    assert built["6"].result == a - y
    assert built["layers"].result == A_L - Y
    assert all(step.verdict is Verdict.PROVED for d in built.values() for step in d.steps())


def test_reference_pair_follows_the_reference_script_for_three():
    general = [s.after for s in pair("sigmoid", "binary_cross_entropy")["3"].routes[0].steps]
    (reference,) = reference_derivations(["3"])
    assert [expr_text(e) for e in general] == [
        expr_text(s.after) for s in reference.routes[0].steps
    ]


def test_sigmoid_with_squared_error_gives_the_textbook_dz():
    built = pair("sigmoid", "mean_squared_error")
    assert evaluate(built["3"].result) == (a - y) * a * (1 - a)
    assert evaluate(built["layers"].result) == (A_L - Y) * A_L * (1 - A_L)


def test_tanh_derivative_goes_through_one_minus_tanh_squared():
    derivation = pair("tanh", "mean_squared_error")["2"]
    afters = [step.after for step in derivation.steps()]
    assert 1 - sp.tanh(z) ** 2 in afters
    assert derivation.result == 1 - a**2


@pytest.mark.parametrize(
    "name", [n for n, e in ACTIVATIONS.items() if e.derivative_form is not None]
)
def test_every_activation_reaches_its_form_in_g(name):
    result = pair(name, "mean_squared_error")["2"].result
    assert evaluate(result) == evaluate(ACTIVATIONS[name].derivative_form)


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_reaches_its_usual_derivative(name):
    result = pair("sigmoid", name)["1"].result
    assert evaluate(result) == evaluate(LOSSES[name].derivative_form)


def test_relu_states_its_convention_at_zero():
    built = pair("relu", "mean_squared_error")
    for id in ("2", "3", "5", "6", "layers"):
        assert any("relu'(0) is taken as 0" in note for note in built[id].notes), id


def test_kinks_are_checked_numerically_and_said_so():
    built = pair("relu", "mean_squared_error")
    verdicts = {step.verdict for d in built.values() for step in d.steps()}
    assert Verdict.CHECKED_NUMERICALLY in verdicts and Verdict.FAILED not in verdicts
    hinge = pair("sigmoid", "hinge")
    assert any("{-1, 1}" in note for note in hinge["3"].notes)


def test_cross_entropy_with_an_unbounded_activation_says_where_it_holds():
    notes = pair("relu", "binary_cross_entropy")["3"].notes
    assert any("hold only where 0 < a < 1" in note for note in notes)


def test_custom_text_pair():
    built = {d.id: d for d in derive_pair("z**3 + z", "(a - y)**4/4", ["1", "2", "3"])}
    g = get_activation("z**3 + z")
    expected = sp.diff(get_loss("(a - y)**4/4").expr.xreplace({a: g.expr}), z)
    got = with_activation(evaluate(built["3"].result), g)
    assert sp.expand(got - expected) == 0
    assert "z^3 + z" in built["3"].title or "z³" in built["3"].title


def test_ids_are_validated():
    with pytest.raises(InputError, match="'derivation' must be one of"):
        derive_pair("tanh", "mse", ["7"])
    assert [d.id for d in derive_pair("tanh", "mse", ["4", "1"])] == ["4", "1"]


def test_a_wrong_result_fails_the_oracle():
    context = Context((Definition(L, (a - y) ** 2 / 2),))
    with pytest.raises(ProofError, match="sympy.diff"):
        oracle(sp.Derivative(L, a), a + y, context)


def test_routes_that_disagree_are_refused():
    context = Context()
    one, other = RouteBuilder("chain rule", context), RouteBuilder("direct", context)
    one.state(x, x, "given", "x")
    other.state(y, y, "given", "y")
    with pytest.raises(ProofError, match="different results"):
        finish("t", "t", x, (), [one.route(), other.route()], context)


def test_a_planted_wrong_output_layer_fails():
    g, loss = ACTIVATIONS["tanh"], LOSSES["mean_squared_error"]
    assert check_output_equation((A_L - Y) * (1 - A_L**2), g, loss).verdict is Verdict.PROVED
    wrong = check_output_equation((A_L - Y) * (1 + A_L**2), g, loss)
    assert wrong.verdict is Verdict.FAILED and "entry" in wrong.method


# --------------------------------------------------------------------------- the moves


def test_recognise_whole_part_of_sum_product_and_reciprocal():
    assert recognise.recognise(sp.exp(z) - 1 - y, a, sp.exp(z) - 1) == a - y
    assert (
        evaluate(recognise.recognise(2 * sp.exp(z) - 2 - 2 * y, a, sp.exp(z) - 1)) == 2 * a - 2 * y
    )
    assert evaluate(recognise.recognise(3 * z * sigma(z) * y, a, z * sigma(z))) == 3 * a * y
    assert evaluate(recognise.recognise(y / (z * sp.tanh(z)), a, z * sp.tanh(z))) == y / a
    assert evaluate(recognise.recognise(z * (1 + sp.tanh(z)), a, z * (1 + sp.tanh(z)) / 2)) == 2 * a
    piecewise = sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True))
    branches = sp.Piecewise((z - y, z > 0), ((sp.exp(z) - 1 - y) * sp.exp(z), True))
    assert evaluate(recognise.recognise(branches, a, piecewise)) == sp.Piecewise(
        (a - y, z > 0), ((a - y) * sp.exp(z), True)
    )


def test_fraction_and_factor_moves():
    product = mul(frac(a - y, a * (1 - a)), group(1 - a**2))
    split = factors.split_polynomial_factor(product, a)
    assert evaluate(factors.cancel_factor(split)) == (a - y) * (1 + a) / a
    assert factors.split_terms((sp.exp(a) - 1) / sp.exp(a)) == 1 - sp.exp(-a)
    assert functions.sinh_over_cosh(sp.sinh(a - y) / sp.cosh(a - y)) == sp.tanh(a - y)
    assert functions.sign_of_negative(sp.sign(y - a)) == -sp.sign(a - y)
    assert factors.collect_in(z * (1 - sigma(z)) + sigma(z) * (1 - a), sigma(z)) != 0
    branches = sp.Piecewise((x * (a - y), z > 0), (x * (a - y) * (1 + a), True))
    factored = factors.factor_out_of_branches(branches)
    assert evaluate(factored) == x * (a - y) * sp.Piecewise((1, z > 0), (a + 1, True))
    with pytest.raises(MoveDoesNotApply):
        factors.cancel_factor((a - y) / a * (1 - y))
    with pytest.raises(MoveDoesNotApply):
        factors.factor_first(a * y, x)


def test_reach_finds_the_target_or_leaves_the_route_alone():
    start = (1 - a**2) * (2 * a - 2 * y) / 2
    route = RouteBuilder("direct", Context((Definition(L, start),)))
    route.state(L, start, "given", "start")
    assert reach(route, (a - y) * (1 - a**2))
    assert evaluate(route.current) == evaluate((a - y) * (1 - a**2))
    count = len(route.steps)
    assert not reach(route, sp.exp(a))
    assert len(route.steps) == count


def test_congruence_proves_by_the_changed_parts_and_falls_back():
    context = Context()
    before = mul(sp.sinh(a - y) / sp.cosh(a - y), sp.exp(z) + z**2)
    after = mul(sp.tanh(a - y), sp.exp(z) + z**2)
    assert parts_that_differ(before, after) == [(sp.sinh(a - y) / sp.cosh(a - y), sp.tanh(a - y))]
    assert congruent_check(before, after, context).verdict is Verdict.CHECKED_NUMERICALLY
    compensating = congruent_check(add(a + 1, y - 1), add(a, y), context)
    assert compensating.verdict is Verdict.PROVED  # parts differ, the whole is equal
    wrong = congruent_check(mul(a - y, z), mul(a + y, z), context)
    assert wrong.verdict is Verdict.FAILED
