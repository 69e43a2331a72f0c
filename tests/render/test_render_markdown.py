"""Markdown with LaTeX math: aligned blocks, escaped move sentences, nested sub-derivations."""

from __future__ import annotations

import dataclasses

import pytest

from chainrule.render import to_markdown
from chainrule.render.tex import math_text
from chainrule.symbolic.core.model import Check, Verdict

SIGMOID_BLOCK = (
    "$$\n\\begin{aligned}\n"
    r"\sigma\left(z\right) &= \frac{1}{1 + e^{-z}} && \checkmark\quad \text{logistic function} \\"
    "\n"
    r"&= \left(1 + e^{-z}\right)^{-1} && \checkmark\quad "
    r"\text{rewrite as a power, ready for the chain rule} \\"
    "\n"
)


def test_sigmoid_heading_givens_and_aligned_block(sigmoid):
    text = to_markdown([sigmoid])
    assert text.startswith("## [2] dσ/dz: the derivative of the sigmoid\n\n")
    assert r"**Goal:** $\sigma'\left(z\right)$" in text
    assert r"**Givens:** $a = \sigma\left(z\right)$, $z = b + w x$" in text
    assert "**Route: chain rule**\n\n" + SIGMOID_BLOCK in text
    split = (
        r"&= \frac{1}{1 + e^{-z}} \cdot \frac{e^{-z}}{1 + e^{-z}} && \checkmark\quad "
        r"\text{split into a product of two fractions}" + "\n\\end{aligned}\n$$"
    )
    assert split in text
    assert r"**Result:** $\sigma'\left(z\right) = \frac{1}{1 + e^{-z}} \cdot" in text
    assert "Routes agree" not in text  # one route has nothing to agree with
    assert "**Oracle (`sympy.diff`):** ✓ proved (exact: result - diff(goal) == 0)" in text
    assert text.endswith("**Notes:**\n\n- σ is smooth everywhere\n")


def test_every_route_is_an_aligned_block_with_a_text_column(all_derivations):
    text = to_markdown(all_derivations)
    assert text.count(r"\begin{aligned}") == text.count(r"\end{aligned}") == 6
    rows = [line for line in text.splitlines() if "&= " in line]
    assert rows and all(" && " in row for row in rows)
    assert all(row.endswith(" \\\\") or "\\text{" in row for row in rows)


def test_sub_derivation_is_a_quoted_section_between_blocks(cost):
    lines = to_markdown([cost]).splitlines()
    start = lines.index("> ### [ln] Side proof: d(ln x)/dx = 1/x")
    assert lines[start - 2 : start] == ["$$", ""]
    assert r"> &= \frac{1}{x} && \checkmark\quad e^{u}" in "\n".join(lines[start:])
    resumed = lines.index("$$", start + 12)
    assert lines[resumed + 1] == r"\begin{aligned}"
    assert lines[resumed + 2].startswith(r"\frac{d}{da}\left[-\left(1 - y\right)")


def test_numeric_mark_and_escaped_specials(bias):
    text = to_markdown([bias])
    assert r"\checkmark\ (\text{numeric})\quad \text{d(wx)/db = 0" in text
    assert r"\text{the fraction is σ(z) = a; 100}\%\text{ sure}" in text
    assert r"inner derivative of }e^{wx+b}\text{ is }e^{wx+b}" in text
    assert "## [6] dL/db: two ways, by the chain rule & by direct computation" in text


def test_math_text_sets_aligned_specials_in_math():
    assert math_text("a & b_1 # {c}") == r"\text{a }\&\text{ b}\_\text{1 }\#\text{ }\{\text{c}\}"
    assert math_text("e^u, 50%") == r"e^{u}\text{, 50}\%"


@pytest.mark.parametrize(
    ("sentence", "latex"),
    [
        ("so e^u = x", r"\text{so }e^{u}\text{ = x}"),
        ("1/(1 + e^(-u)) = σ(u)", r"\text{1/(1 + }e^{-u}\text{) = σ(u)}"),
        ("(1 + e^(-z))^2, u₁^2", r"(1 + e^{-z})^{2}\text{, }u₁^{2}"),
        ("f^g = e^(g ln f)", r"f^{g}\text{ = }e^{g \ln  f}"),
        ("a ^ b", r"\text{a }\hat{\ }\text{ b}"),
    ],
)
def test_powers_in_a_sentence_are_math(sentence, latex):
    assert math_text(sentence) == latex


def test_failed_step_is_loud(sigmoid):
    route = sigmoid.routes[0]
    bad = dataclasses.replace(route.steps[0], check=Check(Verdict.FAILED, "exact: nonzero"))
    broken = dataclasses.replace(
        sigmoid, routes=(dataclasses.replace(route, steps=(bad, *route.steps[1:])),)
    )
    assert r"&& \textbf{FAILED}\quad \text{logistic function}" in to_markdown([broken])


def _handouts() -> tuple[str, str]:
    """Markdown and LaTeX of reference, pair and expression derivations full of powers."""
    from chainrule.render import render
    from chainrule.symbolic.catalog.parse import parse_expression
    from chainrule.symbolic.core.symbols import z
    from chainrule.symbolic.derivations.expression import derive_expression
    from chainrule.symbolic.derivations.pair import derive_pair
    from chainrule.symbolic.derivations.reference import reference_derivations

    derivations = [
        *reference_derivations(["1", "2", "3", "5"]),
        *derive_pair("tanh", "mse", ["2", "3"]),
        *(
            derive_expression(parse_expression(text, ["z"]), z)
            for text in ("exp(2*z)", "z**z", "(1 + exp(-z))**(-2)", "log(1 + exp(z))")
        ),
    ]
    return render(derivations, "markdown"), render(derivations, "latex")


def _carets(markdown: str, latex: str) -> int:
    """Carets shown as text: ˆ or a hat over nothing in Markdown, \\textasciicircum in LaTeX."""
    return markdown.count("ˆ") + markdown.count(r"\hat{\ }") + latex.count(r"\textasciicircum")


def test_no_caret_is_left_in_any_handout_sentence():
    markdown, latex = _handouts()
    assert "e^{u}" in markdown and "$e^{u}$" in latex
    assert _carets(markdown, latex) == 0


def test_a_sentence_left_as_prose_shows_its_carets(monkeypatch):
    """Planted: no power found, so every e^u stays text; the check above would fail."""
    from chainrule.render import tex

    monkeypatch.setattr(tex, "_powers", lambda sentence: [])
    assert _carets(*_handouts()) > 10
