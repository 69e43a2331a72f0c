"""The functions of the parser's table beyond the first ones: atan, tan, asin, acos, asinh,
acosh, atanh, sign, erfc, log1p, Heaviside. Each parses, derives with every step proven, agrees
with SymPy's diff, compiles to NumPy code that matches central differences, and trains."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from chainrule.codegen import compile_activation
from chainrule.symbolic.catalog.parse import SUPPORTED_FUNCTIONS, parse_expression
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.symbols import z
from chainrule.symbolic.derivations.expression import derive_expression
from chainrule.symbolic.proof.check import Context, prove_equal

#: text, the SymPy function it reads as, points inside its domain (where it is smooth)
FUNCTIONS = [
    ("atan(z)", sp.atan(z), (-3.0, -0.5, 0.3, 2.0)),
    ("arctan(z)", sp.atan(z), (-1.0, 1.5)),
    ("tan(z)", sp.tan(z), (-1.0, 0.2, 1.2)),
    ("asin(z)", sp.asin(z), (-0.9, 0.1, 0.7)),
    ("acos(z)", sp.acos(z), (-0.9, 0.1, 0.7)),
    ("asinh(z)", sp.asinh(z), (-4.0, 0.0, 3.0)),
    ("acosh(z)", sp.acosh(z), (1.2, 3.0, 10.0)),
    ("atanh(z)", sp.atanh(z), (-0.9, 0.0, 0.8)),
    ("sign(z)", sp.sign(z), (-2.0, -0.5, 0.5, 2.0)),
    ("erfc(z)", sp.erfc(z), (-2.0, 0.0, 1.5)),
    ("log1p(z)", sp.log(1 + z), (-0.5, 0.0, 4.0)),
    ("Heaviside(z)", sp.Heaviside(z, 0), (-1.0, 1.0)),
]


@pytest.mark.parametrize(("text", "expected", "points"), FUNCTIONS, ids=lambda c: str(c))
def test_each_function_parses_and_derives_with_every_step_proven(text, expected, points):
    expr = parse_expression(text, ["z"])
    assert expr == expected
    derivation = derive_expression(expr, z, text=text)
    steps = [step for route in derivation.routes for step in route.steps]
    assert all(step.verdict is not Verdict.FAILED for step in steps)
    assert derivation.oracle is not None and derivation.oracle.ok
    slope = sp.diff(expected, z).replace(sp.DiracDelta, lambda *args: sp.S.Zero)
    assert prove_equal(slope, derivation.result, Context()).ok
    # the rule itself against central differences, independent of SymPy's diff
    value = sp.lambdify(z, expected, modules=["mpmath"])
    result = sp.lambdify(z, derivation.result, modules=["mpmath"])
    for point in points:
        h = 1e-6
        central = (value(point + h) - value(point - h)) / (2 * h)
        assert float(result(point)) == pytest.approx(float(central), rel=1e-5, abs=1e-6)


def test_the_new_names_are_listed_among_the_supported_functions():
    for name in ("atan", "arctan", "tan", "asin", "acos", "asinh", "acosh", "atanh"):
        assert name in SUPPORTED_FUNCTIONS
    for name in ("sign", "erfc", "log1p", "Heaviside"):
        assert name in SUPPORTED_FUNCTIONS


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("asin(z)", "-1 < z < 1"),
        ("acos(2*z)", "-1 < 2·z < 1"),
        ("acosh(z)", "z > 1"),
        ("atanh(z)", "-1 < z < 1"),
        ("sign(z)", "sign(z) jumps where z = 0"),
        ("Heaviside(z - 1)", "H(z - 1) jumps where z - 1 = 0"),
    ],
)
def test_a_rule_with_a_restricted_domain_says_where_it_holds(text, condition):
    derivation = derive_expression(parse_expression(text, ["z"]), z)
    assert any(condition in note for note in derivation.notes), derivation.notes


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("atan(z)", (-30.0, -1.0, 0.0, 0.5, 40.0)),
        ("z*atan(z)", (-3.0, 0.1, 2.0)),
        ("asinh(z)", (-1e3, -1.0, 0.0, 2.0, 1e3)),
        ("tanh(z) + 0.1*sign(z)", (-2.0, -0.1, 0.3, 2.0)),
        ("z*erfc(-z)/2", (-5.0, -1.0, 0.0, 1.0, 5.0)),
        ("log1p(z**2)", (-3.0, -1e-4, 0.0, 2.0)),
        ("z*Heaviside(z)", (-2.0, -0.5, 0.5, 3.0)),
        ("atanh(tanh(z)/2)", (-3.0, 0.0, 1.0)),
        ("asin(tanh(z))", (-2.0, 0.0, 1.0)),
        ("acos(tanh(z))", (-2.0, 0.0, 1.0)),
        ("acosh(1 + z**2)", (-2.0, -0.5, 0.5, 2.0)),
        ("tan(z/2)", (-1.0, 0.0, 1.0)),
    ],
)
def test_compiled_code_matches_central_differences(text, points):
    activation = compile_activation(parse_expression(text, ["z"]), name="f")
    Z = np.array([points])
    A = activation.forward(Z.copy())
    D = activation.derivative(Z.copy(), A.copy())
    h = 1e-6
    central = (activation.forward(Z + h) - activation.forward(Z - h)) / (2 * h)
    np.testing.assert_allclose(D, central, rtol=1e-5, atol=1e-6)


def test_log1p_keeps_its_precision_near_zero():
    activation = compile_activation(parse_expression("log1p(z)", ["z"]), name="f")
    Z = np.array([[1e-12, -1e-12]])
    np.testing.assert_allclose(activation.forward(Z), np.log1p(Z), rtol=1e-14)


def test_erfc_keeps_its_tail():
    """1 - erf(z) would be 0 at z = 10; erfc(10) is 2.09e-45."""
    activation = compile_activation(parse_expression("erfc(z)", ["z"]), name="f")
    assert activation.forward(np.array([[10.0]]))[0, 0] == pytest.approx(2.088487583762545e-45)


@pytest.mark.parametrize("text", ["atan(z)", "asinh(z)"])
def test_a_network_trains_with_the_new_functions(text):
    from chainrule.custom import resolve_activation
    from chainrule.data import load_dataset
    from chainrule.numeric import Network, train

    data = load_dataset("moons", seed=0)
    net = Network([2, 8, 1], activation=resolve_activation(text), output="sigmoid", seed=0)
    history = train(net, data.X_train, data.Y_train, learning_rate=0.5, epochs=150, verbose=False)
    assert history.costs[-1] < 0.6 * history.costs[0]


def test_the_cli_derives_and_trains_with_atan(capsys):
    from chainrule.cli import main

    assert main(["derive", "--expr", "atan(z)"]) == 0
    assert "arctan" in capsys.readouterr().out
    arguments = ["--data", "moons", "--activation", "atan(z)", "--layers", "4", "--epochs", "20"]
    assert main(["train", *arguments]) == 0
    assert "test accuracy" in capsys.readouterr().out
