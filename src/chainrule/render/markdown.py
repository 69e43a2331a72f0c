r"""Derivations as Markdown with LaTeX math, as GitHub and Jupyter render it.

Each route is one display block::

    $$
    \begin{aligned}
    \sigma\left(z\right) &= \frac{1}{1 + e^{-z}} && \checkmark\quad \text{logistic function} \\
    &= \left(1 + e^{-z}\right)^{-1} && \checkmark\quad \text{rewrite as a power} \\
    \end{aligned}
    $$

A sub-derivation closes the block, follows as a quoted (``>``) section, and the block resumes.
"""

from __future__ import annotations

from collections.abc import Sequence

from chainrule.render.printing import check_derivations, expr_latex, result_equations
from chainrule.render.tex import aligned_segments, math_text
from chainrule.symbolic.core.model import Check, Derivation, Route, Step, Verdict

__all__ = ["to_markdown"]

_MARKS = {
    Verdict.PROVED: r"\checkmark",
    Verdict.CHECKED_NUMERICALLY: r"\checkmark\ (\text{numeric})",
    Verdict.FAILED: r"\textbf{FAILED}",
}
_WORD_MARKS = {
    Verdict.PROVED: "✓",
    Verdict.CHECKED_NUMERICALLY: "✓ (numeric)",
    Verdict.FAILED: "✗ **FAILED**",
}
_MARKDOWN_SPECIALS = set("\\`*_{}[]<>#|$~")


def to_markdown(derivations: Sequence[Derivation]) -> str:
    """Render derivations as Markdown: a heading each, then givens, routes, result and checks.

    Parameters
    ----------
    derivations : sequence of Derivation
        What to show, in order.

    Returns
    -------
    str
        Markdown with ``$...$`` and ``$$...$$`` math, ending in a newline.
    """
    derivations = check_derivations(derivations)
    return "\n\n".join("\n".join(_derivation(d, level=2)) for d in derivations) + "\n"


def escape(text: str) -> str:
    """Backslash-escape characters Markdown (or GitHub math) would read as markup."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def _derivation(derivation: Derivation, level: int) -> list[str]:
    lines = ["#" * level + f" [{escape(derivation.id)}] {escape(derivation.title)}", ""]
    lines += [f"**Goal:** ${expr_latex(derivation.goal)}$", ""]
    if derivation.givens:
        givens = ", ".join(
            f"${expr_latex(g.symbol)} = {expr_latex(g.expr)}$" for g in derivation.givens
        )
        lines += [f"**Givens:** {givens}", ""]
    for route in derivation.routes:
        lines += _route(route, derivation.routes_agree, level)
    pairs = result_equations(derivation)
    equations = [f"${expr_latex(lhs)} = {expr_latex(rhs)}$" for lhs, rhs in pairs]
    if len(equations) == 1:
        lines += [f"**Result:** {equations[0]}", ""]
    else:
        lines += ["**Result:**", ""] + [f"- {equation}" for equation in equations] + [""]
    if len(derivation.routes) > 1 or not derivation.routes_agree:
        lines += [_agreement(derivation), ""]  # one route has nothing to agree with
    source = derivation.oracle_source
    shown = f"`{source}`" if source == "sympy.diff" else escape(source)
    lines.append(f"**Oracle ({shown}):** {_check_words(derivation.oracle)}")
    if derivation.notes:
        lines += ["", "**Notes:**", ""] + [f"- {escape(note)}" for note in derivation.notes]
    return lines


def _route(route: Route, agree: bool, level: int) -> list[str]:
    lines = [f"**Route: {escape(route.name)}**", ""]
    for segment in aligned_segments(route, _annotation):
        rows = [row + r" \\" for row in segment.rows[:-1]] + [segment.rows[-1]]
        lines += ["$$", r"\begin{aligned}", *rows, r"\end{aligned}", "$$", ""]
        for sub in segment.subderivations:
            nested = _derivation(sub, level=min(level + 1, 6))
            lines += [("> " + line).rstrip() for line in nested] + [""]
    if not agree:
        lines += [f"Route result: ${expr_latex(route.result)}$", ""]
    return lines


def _annotation(step: Step) -> str:
    return _MARKS[step.verdict] + r"\quad " + math_text(step.text)


def _agreement(derivation: Derivation) -> str:
    names = escape(", ".join(route.name for route in derivation.routes))
    if not derivation.routes_agree:
        return f"**Routes agree:** ✗ **NO**: the routes ({names}) reach different results"
    return f"**Routes agree:** ✓ yes ({names})"


def _check_words(check: Check | None) -> str:
    if check is None:
        return "not run"
    return f"{_WORD_MARKS[check.verdict]} {check.verdict.value} ({escape(check.method)})"
