"""The expression printers keep stored structure: exact strings for the tricky forms."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import sympy as sp
from render_cases import (
    AS_POWER,
    COST,
    DENOM,
    DISTRIBUTED,
    LOGISTIC,
    ONE_FRACTION,
    OUTER_INNER,
    RIGHT_CHAIN,
    TWO_FRACTIONS,
    add,
    frac,
    mul,
)

from chainrule.render import expr_latex, expr_mathml, expr_str, expr_text
from chainrule.symbolic.core.symbols import L, a, b, sigma, w, x, y, z

U = sp.UnevaluatedExpr
INDEX, K = sp.symbols("i K", integer=True, positive=True)
Z_I, Y_I, A_I = (sp.Symbol(f"{name}_i") for name in "zya")
SPLIT_BY_NESTING = mul(sp.Pow(DENOM, -1), mul(sp.exp(-z), sp.Pow(DENOM, -1)))
ONE_MINUS = mul(U(frac(1, DENOM)), add(1, mul(-1, sp.Pow(DENOM, -1))))
GROUPED_SUM = add(mul(-1, y, z), U(add(z, sp.log(DENOM))))
CHAIN_OF_THREE = mul(mul(sp.Derivative(L, a), sp.Derivative(a, z)), sp.Derivative(z, w))
OVER_PRODUCT = frac(mul(y, add(1, -a)), mul(a, add(1, -a)))

TEXT_CASES = [
    (COST, "-(y ln(a) + (1 - y) ln(1 - a))"),
    (DISTRIBUTED, "-y ln(a) - (1 - y) ln(1 - a)"),
    (LOGISTIC, "1/(1 + e⁻ᶻ)"),
    (AS_POWER, "(1 + e⁻ᶻ)⁻¹"),
    (OUTER_INNER, "-(1 + e⁻ᶻ)⁻² · (-e⁻ᶻ)"),
    (ONE_FRACTION, "e⁻ᶻ/(1 + e⁻ᶻ)²"),
    (TWO_FRACTIONS, "1/(1 + e⁻ᶻ) · e⁻ᶻ/(1 + e⁻ᶻ)"),
    (SPLIT_BY_NESTING, "1/(1 + e⁻ᶻ) · e⁻ᶻ/(1 + e⁻ᶻ)"),
    (ONE_MINUS, "1/(1 + e⁻ᶻ) · (1 - 1/(1 + e⁻ᶻ))"),
    (RIGHT_CHAIN, "-(1 - y) · 1/(1 - a) · (-1)"),
    (GROUPED_SUM, "-y z + (z + ln(1 + e⁻ᶻ))"),
    (CHAIN_OF_THREE, "(dL/da · da/dz) · dz/dw"),
    (OVER_PRODUCT, "y(1 - a)/(a(1 - a))"),
    (mul(x, U(add(a, -y))), "x(a - y)"),
    (mul(sigma(z), add(1, -sigma(z))), "σ(z)(1 - σ(z))"),
    (add(mul(w, x), b), "w x + b"),
    (sp.exp(add(mul(w, x), b)), "e^(w x + b)"),
    (sp.Derivative(L, a), "dL/da"),
    (sp.Derivative(sigma(z), z), "σ'(z)"),
    (sp.Derivative(mul(-1, y, sp.log(a)), a), "d/da[-y ln(a)]"),
    (sp.Derivative(L, a, 2), "d²L/da²"),
    (sp.Derivative(L, w, b), "∂²L/∂w∂b"),
    (sigma(z) ** 2, "σ(z)²"),
    (sp.Rational(1, 2) * x, "x/2"),
    (sp.Max(0, z), "max(0, z)"),
    (sp.Piecewise((1, z > 0), (0, True)), "{1 if z > 0; 0 otherwise}"),
    (sp.Sum(sp.exp(Z_I), (INDEX, 1, K)), "Σ(i=1..K) e^zᵢ"),
    (-sp.Sum(mul(Y_I, sp.log(A_I)), (INDEX, 1, K)), "-Σ(i=1..K) (yᵢ ln(aᵢ))"),
    (frac(sp.exp(Z_I), sp.Sum(sp.exp(Z_I), (INDEX, 1, K))), "e^zᵢ/(Σ(i=1..K) e^zᵢ)"),
    (mul(sp.Sum(Y_I, (INDEX, 1, K)), A_I), "(Σ(i=1..K) yᵢ) aᵢ"),  # not Σ of yᵢ aᵢ
    (mul(A_I, sp.Sum(Y_I, (INDEX, 1, K))), "aᵢ Σ(i=1..K) yᵢ"),
    (sp.sqrt(sp.pi), "√π"),
    (sp.pi**2, "π²"),
]


@pytest.mark.parametrize(("expr", "expected"), TEXT_CASES)
def test_text_prints_stored_structure(expr, expected):
    assert expr_text(expr) == expected


LATEX_CASES = [
    (COST, r"-\left(y \ln\left(a\right) + \left(1 - y\right) \ln\left(1 - a\right)\right)"),
    (AS_POWER, r"\left(1 + e^{-z}\right)^{-1}"),
    (OUTER_INNER, r"-\left(1 + e^{-z}\right)^{-2} \cdot \left(-e^{-z}\right)"),
    (ONE_FRACTION, r"\frac{e^{-z}}{\left(1 + e^{-z}\right)^{2}}"),
    (TWO_FRACTIONS, r"\frac{1}{1 + e^{-z}} \cdot \frac{e^{-z}}{1 + e^{-z}}"),
    (ONE_MINUS, r"\frac{1}{1 + e^{-z}} \cdot \left(1 - \frac{1}{1 + e^{-z}}\right)"),
    (RIGHT_CHAIN, r"-\left(1 - y\right) \cdot \frac{1}{1 - a} \cdot \left(-1\right)"),
    (sp.Derivative(L, a), r"\frac{dL}{da}"),
    (sp.Derivative(sigma(z), z), r"\sigma'\left(z\right)"),
    (sp.Derivative(mul(-1, y, sp.log(a)), a), r"\frac{d}{da}\left[-y \ln\left(a\right)\right]"),
    (sigma(z) ** 2, r"\sigma\left(z\right)^{2}"),
]


@pytest.mark.parametrize(("expr", "expected"), LATEX_CASES)
def test_latex_prints_stored_structure(expr, expected):
    assert expr_latex(expr) == expected


def test_mathml_keeps_two_fractions_apart():
    markup = expr_mathml(TWO_FRACTIONS)
    root = ET.fromstring(markup)
    assert root.tag == "math"
    product = root[0]
    assert [child.tag for child in product] == ["mfrac", "mo", "mfrac"]
    assert product[1].text == "\u22c5"


def test_mathml_shows_derivatives_in_leibniz_and_prime_form():
    leibniz = ET.fromstring(expr_mathml(sp.Derivative(L, a)))[0]
    assert leibniz.tag == "mfrac"
    assert ["".join(part.itertext()) for part in leibniz] == ["dL", "da"]
    prime = "".join(ET.fromstring(expr_mathml(sp.Derivative(sigma(z), z))).itertext())
    assert prime == "σ′(z)"


def test_mathml_writes_e_ln_and_a_real_minus_sign():
    text = "".join(ET.fromstring(expr_mathml(DISTRIBUTED)).itertext())
    assert "\u2212y" in text and "ln" in text
    assert "".join(ET.fromstring(expr_mathml(sp.exp(-z))).itertext()) == "e\u2212z"


def test_mathml_is_xml_without_named_entities():
    markup = expr_mathml(add(sp.Piecewise((0, z < 0), (1, True)), sp.Derivative(L, a)))
    ET.fromstring(markup)
    assert "&lt;" in markup
    assert "&dd;" not in markup and "&InvisibleTimes;" not in markup


@pytest.mark.parametrize(
    "expr",
    [COST, DISTRIBUTED, OUTER_INNER, TWO_FRACTIONS, ONE_MINUS, RIGHT_CHAIN, GROUPED_SUM],
    ids=str,
)
def test_str_form_reads_back_to_the_same_value(expr):
    names = {s.name: s for s in (a, b, w, x, y, z, L)} | {"sigma": sigma}
    assert sp.simplify(sp.sympify(expr_str(expr), locals=names) - expr.doit()) == 0


def test_str_form_keeps_stored_order():
    assert expr_str(add(mul(w, x), b)) == "w*x + b"
    assert expr_str(AS_POWER) == "(1 + exp(-z))**(-1)"
    assert expr_str(TWO_FRACTIONS) == "(1/(1 + exp(-z)))*(exp(-z)/(1 + exp(-z)))"


def test_folded_sums_up_a_side_step_and_says_how_it_was_checked():
    import dataclasses

    import render_cases

    from chainrule.render.printing import folded
    from chainrule.symbolic.core.model import Check, Verdict

    cost = render_cases.cost()
    (step,) = [s for s in cost.routes[0].steps if s.subderivations]
    (sub,) = step.subderivations
    (shown,) = folded([cost])
    (summed,) = [s for s in shown.routes[0].steps if s.text.startswith(step.text + " (")]
    assert summed.subderivations == () and f"side step [{sub.id}]" in summed.text
    assert "each proven exactly" in summed.text
    numeric = Check(Verdict.CHECKED_NUMERICALLY, "50 digits")
    weak_route = dataclasses.replace(
        sub.routes[0], steps=(dataclasses.replace(sub.routes[0].steps[0], check=numeric),)
    )
    weak = dataclasses.replace(sub, routes=(weak_route,))
    planted = dataclasses.replace(
        cost,
        routes=(
            dataclasses.replace(
                cost.routes[0],
                steps=tuple(
                    dataclasses.replace(s, subderivations=(weak,)) if s is step else s
                    for s in cost.routes[0].steps
                ),
            ),
        ),
    )
    (text,) = [s.text for s in folded([planted])[0].routes[0].steps if "side step" in s.text]
    assert "in 1 step, 1 of them checked numerically" in text


@pytest.mark.parametrize(
    ("expr", "text", "latex"),
    [
        (-1 + sigma(z), "σ(z) - 1", r"\sigma\left(z\right) - 1"),
        ((y - 1) * z, "z(y - 1)", r"z \left(y - 1\right)"),
        (3 * z - 2, "3z - 2", "3 z - 2"),
        (1 - y, "1 - y", "1 - y"),
    ],
)
def test_a_negative_number_that_sympy_stores_first_is_written_last(expr, text, latex):
    """The course's y - 1 and σ(z) - 1, where SymPy stores -1 + y; 1 - y stays as it is."""
    assert expr_text(expr) == text
    assert expr_latex(expr) == latex
    mathml = expr_mathml(expr)
    assert not mathml.startswith('<math display="inline" displaystyle="true"><mrow><mo>&#8722;')
