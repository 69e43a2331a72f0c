"""The domain a derivation proves on: stated in its notes, and an expression real nowhere
refused with one line that names it (exit status 2 at the command line)."""

from __future__ import annotations

import pytest
import sympy as sp

from chainrule.cli import main
from chainrule.errors import InputError
from chainrule.symbolic.catalog import activation_from_text, loss_from_text
from chainrule.symbolic.catalog.parse import parse_expression
from chainrule.symbolic.core.symbols import b, w, x, z
from chainrule.symbolic.derivations.expression import derive_expression
from chainrule.symbolic.rules.domain import real_domain

VARIABLES = ("z", "w", "x", "b")


@pytest.mark.parametrize(
    ("text", "variable", "where"),
    [
        ("log(z)", z, "z > 0"),
        ("sqrt(1 - z**2)", z, "-1 < z < 1"),
        ("asin(z**2)", z, "-1 < z < 1"),
        ("acosh(z)", z, "z > 1"),
        ("1/z", z, "z ≠ 0"),
        ("log(z**3 - z)", z, "-1 < z < 0 or z > 1"),
        ("log(w*x + b)", w, "b + w·x > 0"),
        ("log(sin(z))", z, "sin(z) > 0"),
    ],
)
def test_an_expression_real_on_part_of_the_line_states_that_part(text, variable, where):
    expr = parse_expression(text, VARIABLES)
    derivation = derive_expression(expr, variable)
    note = f"domain: {where} (where the expression is real and differentiable)"
    assert derivation.notes[0] == note


@pytest.mark.parametrize(
    "text", ["tanh(z)", "z*sigmoid(z)", "atan(z)", "exp(-z**2)", "log(cosh(z))", "sqrt(1 + z**2)"]
)
def test_an_expression_real_everywhere_says_so(text):
    derivation = derive_expression(parse_expression(text, ["z"]), z)
    assert derivation.notes[0] == "domain: every real z"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("log(-1 - z**2)", "ln(-z^2 - 1)"),
        ("sqrt(-z**2 - 1)", "√(-z^2 - 1)"),
        ("log(z) + log(-z)", "ln(-z) + ln(z)"),
        ("asin(2 + z**2)", "asin(z^2 + 2)"),
        ("acosh(1 - z**2)", "acosh(1 - z^2)"),
        ("log(-1 - w**2*x**2)", "ln(-w^2·x^2 - 1)"),
    ],
)
def test_an_expression_real_nowhere_is_refused_naming_it(text, named):
    expr = parse_expression(text, VARIABLES)
    variable = z if expr.has(z) else w
    with pytest.raises(InputError) as caught:
        derive_expression(expr, variable)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("'expr': ")
    assert named in message and "real and differentiable for no real value" in message


def test_the_cli_refuses_it_with_one_line_and_status_2(capsys):
    assert main(["derive", "--expr", "log(-1-z**2)"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'--expr'" in err and "ln(-z^2 - 1)" in err
    assert main(["train", "--activation", "sqrt(-z**2-1)"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'--activation'" in err


def test_custom_catalogue_entries_carry_their_domain():
    assert "domain: z > 0" in activation_from_text("log(1 + z) + log(z)").notes[0]
    assert loss_from_text("-(y*log(a) + (1-y)*log(1-a))").notes[0].startswith("domain: 0 < a < 1")
    with pytest.raises(InputError, match="'loss'"):
        loss_from_text("log(-a**2 - 1)")


def test_a_large_condition_is_stated_not_solved():
    """Above the size bound solveset is never called: the condition is kept as it stands."""
    expr = sp.log(sum(z**k / (k + 1) for k in range(1, 12)))
    assert "> 0" in real_domain(expr, z).where
    assert real_domain(sp.log(w * x + b), w).where == "b + w·x > 0"


@pytest.mark.parametrize("disabled", ["_never", "_solvable"])
def test_each_tier_alone_refuses_an_expression_real_nowhere(monkeypatch, disabled):
    """The sign assumptions and solveset each catch log(-1 - z**2) without the other."""
    from chainrule.symbolic.rules import domain

    monkeypatch.setattr(domain, disabled, lambda *args: False)
    with pytest.raises(InputError, match="real and differentiable for no real value"):
        real_domain(sp.log(-1 - z**2), z)


def test_a_planted_lost_condition_is_seen_by_the_tests(monkeypatch):
    from chainrule.symbolic.rules import domain

    monkeypatch.setattr(domain, "_conditions", lambda expr: [])
    assert real_domain(sp.log(-1 - z**2), z).everywhere  # what the refusal tests would catch
