"""Derivations as terminal text: one step per line, ``=`` signs aligned, the move beside it.

::

    [2] dσ/dz: derivative of the sigmoid
    goal:   σ'(z)
    givens: a = σ(z); z = w x + b

    chain rule
       σ(z) = 1/(1 + e⁻ᶻ)     ✓ logistic function
            = (1 + e⁻ᶻ)⁻¹     ✓ rewrite as a power, ready for the chain rule

The string reads the same with or without ``color`` (ANSI colours only decorate it).
"""

from __future__ import annotations

from collections.abc import Sequence

from chainrule.render.printing import (
    VERDICT_LABELS,
    VERDICT_MARKS,
    check_derivations,
    expr_text,
    has_weak_steps,
    result_equations,
    route_lines,
)
from chainrule.symbolic.core.model import Derivation, Route, Verdict

_LEGEND = (Verdict.PROVED, Verdict.CHECKED_NUMERICALLY)
__all__ = ["to_text"]

_RAIL = "    │ "
_MAX_MATH_WIDTH = 60
_COLORS = {
    "title": "1",
    "route": "1;36",
    Verdict.PROVED: "32",
    Verdict.CHECKED_NUMERICALLY: "33",
    Verdict.FAILED: "1;31",
    "alarm": "1;31",
}


class _Style:
    """Wraps text in ANSI colour codes, or leaves it alone."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, kind: object) -> str:
        if not self.color or kind not in _COLORS:
            return text
        return f"\x1b[{_COLORS[kind]}m{text}\x1b[0m"


def to_text(derivations: Sequence[Derivation], *, color: bool = False) -> str:
    """Render derivations as aligned Unicode text for a terminal.

    Parameters
    ----------
    derivations : sequence of Derivation
        What to show, in order.
    color : bool
        Add ANSI colour codes (verdict marks green/yellow/red, titles bold).

    Returns
    -------
    str
        One block per derivation, separated by blank lines, ending in a newline.
    """
    derivations = check_derivations(derivations)
    style = _Style(color)
    blocks = ["\n".join(_derivation_lines(d, style)) for d in derivations]
    if has_weak_steps(derivations):
        legend = ", ".join(f"{VERDICT_MARKS[v]} {VERDICT_LABELS[v]}" for v in _LEGEND)
        blocks.append("marks: " + legend)
    return "\n\n".join(blocks) + "\n"


def _derivation_lines(derivation: Derivation, style: _Style) -> list[str]:
    lines = [style(f"[{derivation.id}] {derivation.title}", "title")]
    lines.append("goal:   " + expr_text(derivation.goal))
    if derivation.givens:
        givens = "; ".join(
            f"{expr_text(g.symbol)} = {expr_text(g.expr)}" for g in derivation.givens
        )
        lines.append("givens: " + givens)
    for route in derivation.routes:
        lines.append("")
        lines.extend(_route_lines(route, style))
        if not derivation.routes_agree:
            lines.append(f"  route result: {expr_text(route.result)}")
    lines.append("")
    lines.extend(_result_lines(derivation))
    if len(derivation.routes) > 1 or not derivation.routes_agree:
        lines.append(_agreement(derivation, style))  # one route has nothing to agree with
    lines.append(_oracle(derivation, style))
    if derivation.notes:
        lines.append("notes:")
        lines.extend(f"  - {note}" for note in derivation.notes)
    return lines


def _route_lines(route: Route, style: _Style) -> list[str]:
    """The route's name, then one aligned line per step and its sub-derivations."""
    rows = route_lines(route)
    lhs_texts = [expr_text(row.lhs) if row.lhs is not None else "" for row in rows]
    after_texts = [expr_text(row.step.after) for row in rows]
    lhs_width = max((len(t) for t in lhs_texts), default=0)
    after_width = min(max((len(t) for t in after_texts), default=0), _MAX_MATH_WIDTH)
    mark_width = max((len(VERDICT_MARKS[row.step.verdict]) for row in rows), default=1)
    lines = [style(route.name, "route")]
    for row, lhs, after in zip(rows, lhs_texts, after_texts, strict=True):
        verdict = row.step.verdict
        mark = style(VERDICT_MARKS[verdict].ljust(mark_width), verdict)
        math = f"  {lhs.rjust(lhs_width)} = {after.ljust(after_width)}"
        lines.append(f"{math}  {mark} {row.step.text}".rstrip())
        for sub in row.step.subderivations:
            lines.extend(_indent(_derivation_lines(sub, style)))
    return lines


def _indent(lines: list[str]) -> list[str]:
    """A sub-derivation's lines, set off by a rail on the left."""
    return [(_RAIL + line).rstrip() for line in lines]


def _agreement(derivation: Derivation, style: _Style) -> str:
    names = ", ".join(route.name for route in derivation.routes)
    if not derivation.routes_agree:
        return style(f"routes agree: NO, the routes ({names}) reach different results", "alarm")
    return f"routes agree: yes ({names})"


def _oracle(derivation: Derivation, style: _Style) -> str:
    check, source = derivation.oracle, derivation.oracle_source
    if check is None:
        return f"oracle ({source}): not run"
    mark = style(VERDICT_MARKS[check.verdict], check.verdict)
    return f"oracle ({source}): {mark} {check.verdict.value} ({check.method})"


def _result_lines(derivation: Derivation) -> list[str]:
    """``result: lhs = rhs``, or ``result:`` over one aligned equation a line."""
    pairs = [(expr_text(lhs), expr_text(rhs)) for lhs, rhs in result_equations(derivation)]
    if len(pairs) == 1:
        return [f"result: {pairs[0][0]} = {pairs[0][1]}"]
    width = max(len(lhs) for lhs, _ in pairs)
    return ["result:"] + [f"  {lhs:>{width}} = {rhs}" for lhs, rhs in pairs]
