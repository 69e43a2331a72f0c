"""Smoke test on the engine's reference derivations: every format renders them cleanly."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import sympy as sp

from chainrule.render import FORMATS, render
from chainrule.symbolic.core.symbols import sigma

reference = pytest.importorskip("chainrule.symbolic.derivations.reference")


@pytest.fixture(scope="module")
def derivations():
    return reference.reference_derivations()


def _steps(derivations):
    for derivation in derivations:
        for route in derivation.routes:
            yield from route.steps


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(derivations, fmt):
    assert render(derivations, fmt).strip()


def test_sigmoid_text_shows_the_reference_forms(derivations):
    text = render([d for d in derivations if d.id == "2"], "text")
    assert "= 1/(1 + e⁻ᶻ) · e⁻ᶻ/(1 + e⁻ᶻ)" in text
    assert "= 1/(1 + e⁻ᶻ) · (1 - 1/(1 + e⁻ᶻ))" in text
    assert "= σ(z)(1 - σ(z))" in text
    assert "FAILED" not in text


def test_html_is_well_formed_and_latex_is_ascii(derivations):
    ET.fromstring(render(derivations, "html").split("\n", 1)[1])
    assert render(derivations, "latex").isascii()


def test_json_step_expressions_read_back(derivations):
    document = json.loads(render(derivations, "json"))
    steps = [
        (step_doc, {name: sp.sympify(text) for name, text in doc["symbols"].items()})
        for doc in document["derivations"]
        for route_doc in doc["routes"]
        for step_doc in route_doc["steps"]
    ]
    for (step_doc, declared), step in zip(steps, _steps(derivations), strict=True):
        if step.after.is_Matrix or isinstance(step.after, sp.MatrixExpr):
            assert sp.sympify(step_doc["expr"], locals=declared) == step.after, step_doc["expr"]
            continue
        names = {s.name: s for s in step.after.free_symbols} | {"sigma": sigma}
        parsed = sp.sympify(step_doc["expr"], locals=names | declared)
        assert sp.simplify(parsed.doit() - step.after.doit()) == 0, step_doc["expr"]


def test_layer_equations_end_with_one_result_equation_each(derivations):
    layers = [d for d in derivations if d.id == "layers"]
    text = render(layers, "text")
    assert "result:\n    dZ[L] = A[L] - Y\n    dZ[l] = dA[l] ⊙ g'[l](Z[l])\n" in text
    assert "  dA[l-1] = W[l]ᵀ dZ[l]\n" in text
    assert "result: (" not in text  # no tuple of all five
    markdown = render(layers, "markdown")
    assert "**Result:**\n\n- $dZ^{[L]} = A^{[L]} - Y$\n" in markdown
    latex = render(layers, "latex")
    assert "\\textbf{Result:}\n\\begin{align*}\ndZ^{[L]} &= \\fitmath{0.8\\linewidth}" in latex
    html = render(layers, "html")
    assert html.count("<li><math") >= 5 and '<ul class="results">' in html
