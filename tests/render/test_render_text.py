"""Terminal text: aligned ``=`` signs, continuation lines, marks, nested sub-derivations."""

from __future__ import annotations

import dataclasses

from chainrule.render import to_text
from chainrule.symbolic.core.model import Check, Verdict

SIGMOID_ROUTE = """\
chain rule
   σ(z) = 1/(1 + e⁻ᶻ)                  ✓ logistic function
        = (1 + e⁻ᶻ)⁻¹                  ✓ rewrite as a power, ready for the chain rule
  σ'(z) = -(1 + e⁻ᶻ)⁻² · (-e⁻ᶻ)        ✓ chain rule: outer derivative × inner derivative
        = e⁻ᶻ/(1 + e⁻ᶻ)²               ✓ tidy into one fraction
        = 1/(1 + e⁻ᶻ) · e⁻ᶻ/(1 + e⁻ᶻ)  ✓ split into a product of two fractions
"""


def test_sigmoid_block_is_exact(sigmoid):
    text = to_text([sigmoid])
    assert text.startswith(
        "[2] dσ/dz: the derivative of the sigmoid\ngoal:   σ'(z)\ngivens: a = σ(z); z = b + w x\n"
    )
    assert SIGMOID_ROUTE in text
    assert "result: σ'(z) = 1/(1 + e⁻ᶻ) · e⁻ᶻ/(1 + e⁻ᶻ)\n" in text
    assert "routes agree" not in text  # one route has nothing to agree with
    assert "oracle (sympy.diff): ✓ proved (exact: result - diff(goal) == 0)\n" in text
    assert text.endswith("notes:\n  - σ is smooth everywhere\n")


def test_equals_signs_line_up_within_a_route(cost):
    route_lines = [line for line in to_text([cost]).splitlines() if " = " in line]
    top_level = [line for line in route_lines if line.startswith("  ") and "│" not in line]
    columns = {line.index(" = ") for line in top_level if "✓" in line}
    assert len(columns) == 1


def test_sub_derivation_is_nested_right_after_its_step(cost):
    lines = to_text([cost]).splitlines()
    step = next(i for i, line in enumerate(lines) if "d/da[-y ln(a)] = -y/a" in line)
    assert lines[step + 1] == "    │ [ln] Side proof: d(ln x)/dx = 1/x"
    assert "    │        du/dx = 1/eᵘ   ✓ divide both sides by e^u" in lines
    assert "    │              = 1/x    ✓ e^u = x" in lines
    after = next(i for i, line in enumerate(lines) if "d/da[-(1 - y) ln(1 - a)]" in line)
    assert after > step + 5


def test_two_routes_and_numeric_mark(bias):
    text = to_text([bias])
    assert "\nchain rule\n  dL/db = dL/dz · dz/db  ✓ chain rule\n" in text
    assert "  dL/db = -(y - e^(w x + b)/(1 + e^(w x + b)))  ≈ d(wx)/db = 0" in text
    assert "routes agree: yes (chain rule, direct)" in text
    assert "oracle (sympy.diff): not run" in text
    assert text.endswith("marks: ✓ proved exactly, ≈ checked numerically\n")


def test_no_legend_when_every_step_is_proved(sigmoid):
    assert "marks:" not in to_text([sigmoid])


def test_failed_step_and_disagreeing_routes_are_loud(bias):
    route = bias.routes[0]
    bad = dataclasses.replace(route.steps[1], check=Check(Verdict.FAILED, "exact: nonzero"))
    broken = dataclasses.replace(
        bias,
        routes=(dataclasses.replace(route, steps=(route.steps[0], bad)), bias.routes[1]),
        routes_agree=False,
    )
    text = to_text([broken])
    assert "✗ FAILED dz/db = 1" in text
    assert "routes agree: NO, the routes (chain rule, direct) reach different results" in text
    assert "  route result: a - y" in text


def test_color_only_decorates(sigmoid):
    plain = to_text([sigmoid])
    colored = to_text([sigmoid], color=True)
    assert "\x1b[32m✓\x1b[0m" in colored
    assert "\x1b[" not in plain
    stripped = colored
    for code in ("\x1b[1m", "\x1b[1;36m", "\x1b[32m", "\x1b[0m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain
