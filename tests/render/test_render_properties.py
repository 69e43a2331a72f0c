"""Random unevaluated expressions: every printer copes, and the str form reads back."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from render_cases import add, frac, mul

from chainrule.render import expr_latex, expr_mathml, expr_str, expr_text
from chainrule.symbolic.core.symbols import a, b, sigma, w, x, y, z

LEAVES = [a, b, w, x, y, z, sp.Integer(1), sp.Integer(2), sp.Integer(-1), sigma(z), sp.exp(-z)]
NAMES = {s.name: s for s in (a, b, w, x, y, z)} | {"sigma": sigma}


def _extend(children):
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda p: add(*p)),
        pairs.map(lambda p: mul(*p)),
        pairs.map(lambda p: frac(p[0], add(1, sp.exp(p[1])))),
        children.map(lambda e: mul(-1, e)),
        children.map(sp.UnevaluatedExpr),
        children.map(lambda e: sp.Pow(add(1, sp.exp(e)), sp.UnevaluatedExpr(-2), evaluate=False)),
        children.map(lambda e: sp.log(add(2, sp.exp(e)), evaluate=False)),
        children.map(lambda e: sp.Derivative(e, z)),
    )


expressions = st.recursive(st.sampled_from(LEAVES), _extend, max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(expressions)
def test_every_printer_handles_the_expression(expr):
    assert expr_text(expr).strip()
    assert expr_latex(expr).strip()
    assert ET.fromstring(expr_mathml(expr)).tag == "math"
    assert "\n" not in expr_text(expr)


@settings(max_examples=60, deadline=None)
@given(expressions)
def test_str_form_reads_back(expr):
    parsed = sp.sympify(expr_str(expr), locals=NAMES)
    assert sp.simplify(parsed.doit() - expr.doit()) == 0


@settings(max_examples=60, deadline=None)
@given(expressions)
def test_text_parentheses_balance(expr):
    text = expr_text(expr)
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
