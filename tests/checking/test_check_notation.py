"""The learner's math read into SymPy: chainrule's notation, plain ASCII and the LaTeX subset."""

from __future__ import annotations

import pytest
import sympy as sp

from chainrule.symbolic.checking.latex import latex_to_notation
from chainrule.symbolic.checking.notation import NotationError, read_math
from chainrule.symbolic.core.symbols import L, a, sigma, w, x, y, z


@pytest.mark.parametrize(
    "text, expected",
    [
        ("-(1 + e⁻ᶻ)⁻² · (-e⁻ᶻ)", sp.exp(-z) / (1 + sp.exp(-z)) ** 2),
        ("exp(-z)/(1 + exp(-z))**2", sp.exp(-z) / (1 + sp.exp(-z)) ** 2),
        ("e^{-z}", sp.exp(-z)),
        ("a(1 - a)", a * (1 - a)),
        ("-y + ya + a - ay", a - y),
        ("2tanh(z)", 2 * sp.tanh(z)),
        ("σ(z)(1 - σ(z))", sigma(z) * (1 - sigma(z))),
        ("ln a", sp.log(a)),
        ("dL/da · da/dz", sp.Derivative(L, a) * sp.Derivative(a, z)),
        ("d/dw[w x]", sp.Derivative(w * x, w)),
        ("σ'(z)", sp.Derivative(sigma(z), z)),
        ("Derivative(L, a)", sp.Derivative(L, a)),
        ("√x", sp.sqrt(x)),
    ],
)
def test_notation_reads_as_meant(text, expected) -> None:
    assert read_math(text) == expected


@pytest.mark.parametrize(
    "latex, expected",
    [
        (r"\frac{dL}{da}", sp.Derivative(L, a)),
        (r"\frac{\partial L}{\partial w}", sp.Derivative(L, w)),
        (r"\frac{d}{da}\left[-y \ln\left(a\right)\right]", sp.Derivative(-y * sp.log(a), a)),
        (r"\sigma'\left(z\right) = x", None),
        (r"\frac{e^{-z}}{\left(1 + e^{-z}\right)^{2}}", sp.exp(-z) / (1 + sp.exp(-z)) ** 2),
        (r"a \cdot \left(1 - a\right)", a * (1 - a)),
    ],
)
def test_the_latex_subset(latex, expected) -> None:
    if expected is None:
        assert latex_to_notation(latex).strip() == "σ'(z) = x"
    else:
        assert read_math(latex_to_notation(latex)) == expected


@pytest.mark.parametrize("text", ["a +", "(a", "a $ b", "sigma'(2 z)", "a = b"])
def test_what_is_not_math_is_refused(text) -> None:
    with pytest.raises(NotationError):
        read_math(text)


def test_latex_outside_the_subset_is_refused_by_name() -> None:
    with pytest.raises(NotationError, match=r"\\sum"):
        latex_to_notation(r"\sum_i a_i")
