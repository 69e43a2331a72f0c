"""Markdown with LaTeX math: aligned blocks, escaped move sentences, nested sub-derivations."""

from __future__ import annotations

import dataclasses

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
    assert r"> &= \frac{1}{x} && \checkmark\quad \text{e" in "\n".join(lines[start:])
    resumed = lines.index("$$", start + 12)
    assert lines[resumed + 1] == r"\begin{aligned}"
    assert lines[resumed + 2].startswith(r"\frac{d}{da}\left[-\left(1 - y\right)")


def test_numeric_mark_and_escaped_specials(bias):
    text = to_markdown([bias])
    assert r"\checkmark\ (\text{numeric})\quad \text{d(wx)/db = 0" in text
    assert r"\text{the fraction is σ(z) = a; 100}\%\text{ sure}" in text
    assert r"inner derivative of eˆ(wx+b) is eˆ(wx+b)}" in text
    assert "## [6] dL/db: two ways, by the chain rule & by direct computation" in text


def test_math_text_sets_aligned_specials_in_math():
    assert math_text("a & b_1 # {c}") == r"\text{a }\&\text{ b}\_\text{1 }\#\text{ }\{\text{c}\}"
    assert math_text("e^u, 50%") == r"\text{eˆu, 50}\%"


def test_failed_step_is_loud(sigmoid):
    route = sigmoid.routes[0]
    bad = dataclasses.replace(route.steps[0], check=Check(Verdict.FAILED, "exact: nonzero"))
    broken = dataclasses.replace(
        sigmoid, routes=(dataclasses.replace(route, steps=(bad, *route.steps[1:])),)
    )
    assert r"&& \textbf{FAILED}\quad \text{logistic function}" in to_markdown([broken])
