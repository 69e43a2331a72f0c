"""What an exported backward computes and keeps (chainrule.codegen.backward), SymPy only: the
kink conditions moved from z to a only where that is proven, checked against sympy.diff."""

from __future__ import annotations

import pytest
import sympy as sp

from chainrule.codegen.backward import activation_backward, loss_backward
from chainrule.codegen.stable import Step
from chainrule.symbolic import catalog
from chainrule.symbolic.core.symbols import a, sigma, y, z


def at(expr: sp.Expr, point: dict) -> float:
    """``expr`` at ``point`` by mpmath at 30 digits (σ and the steps unfolded)."""
    plain = expr.replace(sigma, lambda u: 1 / (1 + sp.exp(-u)))
    exact = {symbol: sp.Float(value, 30) for symbol, value in point.items()}
    return float(plain.xreplace(exact).evalf(30))


@pytest.mark.parametrize(
    ("spec", "saves"),
    [
        ("sigmoid", "a"), ("relu", "a"), ("leaky_relu(0.2)", "a"), ("elu(0.5)", "a"),
        ("linear", "nothing"), ("swish", "z"), ("gelu", "z"),
        ("relu(z - 1)", "a"),  # z > 1 exactly where a > 0
        ("min(z, 0)", "z"),  # a = 0 for every z >= 0: a cannot tell z > 0
        ("relu(z) + min(0, z)**2", "z"),  # a > 0 on both sides of 0
        ("z**3", "z"),
    ],
)  # fmt: skip
def test_the_output_is_saved_only_where_the_derivative_is_a_function_of_it(spec, saves) -> None:
    backward = activation_backward(spec)
    assert backward.saves == saves
    g = catalog.get_activation(spec).expr
    meaning = {a: g} if saves == "a" else {}
    for point in (-2.7, -0.6, 0.35, 1.4, 3.1):  # away from the kinks at 0 and 1
        exact = at(sp.diff(g, z), {z: point})
        assert at(backward.derivative.xreplace(meaning), {z: point}) == pytest.approx(exact)


def test_a_kink_moved_to_a_keeps_its_value_there() -> None:
    relu = activation_backward("relu")
    assert relu.derivative == Step(a, 0)  # relu'(0) = 0, read from a = 0
    shifted = activation_backward("relu(z - 1)").derivative
    assert shifted.free_symbols == {a} and at(shifted, {a: 0}) == 0.0


def test_a_loss_of_a_minus_y_takes_minus_its_proven_gradient_for_y() -> None:
    log_cosh = loss_backward("log_cosh")
    assert log_cosh.gradient == sp.tanh(a - y)
    assert sp.simplify(log_cosh.label_gradient + sp.tanh(a - y)) == 0
    assert not log_cosh.label_gradient.has(sp.sinh, sp.cosh)  # no inf/inf for large a - y
    hinge = loss_backward("hinge")
    expected = sp.diff(catalog.get_loss("hinge").expr, y)
    for point in ({a: 0.3, y: 1.0}, {a: 2.0, y: 1.0}, {a: 0.4, y: -1.0}):
        assert at(hinge.label_gradient, point) == pytest.approx(at(expected, point), abs=1e-30)


def test_the_proven_result_is_the_derivations_own() -> None:
    assert activation_backward("sigmoid").proven == a * (1 - a)
    assert activation_backward("tanh").proven == 1 - a**2
    assert loss_backward("mse").proven == a - y
    swish = activation_backward("swish")
    assert swish.proven.has(a) and swish.derivative.free_symbols == {z}
