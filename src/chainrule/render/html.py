"""Derivations as HTML5 with MathML: a self-contained page, or a fragment for Jupyter.

All math is presentation MathML, which browsers draw natively: no script, no web fonts, no
network. A route is a table (``lhs | = | after | mark | move``) so the ``=`` signs line up; a
sub-derivation is a nested section in a full-width row right after its step. The markup is
well-formed XML as well as HTML.

A page is a handout: a title, a notation block (the course's letters it uses, and the givens)
and the legend of ✓ and ≈ come first. Printed, or on a screen 700 px wide or less, each step
becomes a grid whose move sentence wraps on a line of its own under the formula, so nothing
is clipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import sympy as sp

from chainrule.render.printing import (
    VERDICT_LABELS,
    VERDICT_MARKS,
    check_derivations,
    expr_mathml,
    has_weak_steps,
    result_equations,
    route_lines,
)
from chainrule.symbolic.core.model import Check, Derivation, Route, Verdict

_LEGEND = (Verdict.PROVED, Verdict.CHECKED_NUMERICALLY)
__all__ = ["to_html", "to_html_fragment"]

_CSS_CLASSES = {
    Verdict.PROVED: "proved",
    Verdict.CHECKED_NUMERICALLY: "numeric",
    Verdict.FAILED: "failed",
}
_STYLE = """
.chainrule { font-family: system-ui, sans-serif; line-height: 1.45; max-width: 72em; }
.chainrule math { font-size: 1.1em;
  font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", math; }
.chainrule .label { font-weight: 600; }
.chainrule table.route { border-collapse: collapse; margin: 0.4em 0 0.8em 0; }
.chainrule table.route, .chainrule p.goal, .chainrule p.givens, .chainrule p.result,
.chainrule ul.results { display: block; max-width: 100%; overflow-x: auto;
  overflow-y: hidden; padding-block: 0.3em; }
.chainrule table.route td { padding: 0.25em 0.4em; vertical-align: middle; }
.chainrule td.lhs { text-align: right; white-space: nowrap; }
.chainrule td.eq { text-align: center; padding: 0.25em 0.1em; }
.chainrule td.rhs { text-align: left; white-space: nowrap; }
.chainrule td.mark { text-align: center; font-weight: 700; white-space: nowrap; }
.chainrule td.move { color: #555; font-style: italic; min-width: 16em; }
.chainrule .proved { color: #1a7f37; }
.chainrule .numeric { color: #9a6700; }
.chainrule .failed, .chainrule .alarm { color: #cf222e; font-weight: 700; }
.chainrule section.sub { border-left: 3px solid #d0d7de; margin: 0.2em 0 0.6em 1.5em;
  padding-left: 1em; }
.chainrule dl.notation { display: grid; grid-template-columns: max-content 1fr;
  gap: 0.1em 1em; margin: 0.4em 0 1em 0; }
.chainrule dl.notation dt { text-align: right; }
.chainrule dl.notation dd { margin: 0; }
@media print, (max-width: 700px) {
  .chainrule { max-width: none; }
  .chainrule table.route, .chainrule table.route > tbody { display: block; overflow: visible; }
  .chainrule tr.step { display: grid; grid-template-columns: auto auto minmax(0, 1fr) auto;
    align-items: center; column-gap: 0.3em; break-inside: avoid; }
  .chainrule tr.step td { padding: 0.15em 0.2em; }
  .chainrule tr.step td.move { grid-column: 1 / -1; min-width: 0; padding-left: 1.5em;
    white-space: normal; overflow-wrap: anywhere; }
  .chainrule td.lhs, .chainrule td.rhs { white-space: normal; }
  .chainrule tr.subderivation, .chainrule tr.subderivation > td { display: block; }
  .chainrule p.goal, .chainrule p.givens, .chainrule p.result, .chainrule ul.results {
    overflow: visible; }
}
""".strip()

#: What the course's letters stand for, shown in a handout's notation block where they occur.
_NOTATION = {
    "x": "the input (one example's features)",
    "w": "the weight (a vector wᵀx in the course; one weight here)",
    "b": "the bias",
    "z": "the pre-activation, z = w x + b",
    "a": "the activation, a = g(z): the unit's output",
    "y": "the label (the target the output is compared with)",
    "L": "the loss of one example, L(a, y)",
}


def to_html(derivations: Sequence[Derivation]) -> str:
    """Render derivations as one self-contained HTML5 page (UTF-8, inline CSS, MathML).

    Parameters
    ----------
    derivations : sequence of Derivation
        What to show, in order.

    Returns
    -------
    str
        A complete document, ``<!DOCTYPE html>`` to ``</html>``.
    """
    derivations = check_derivations(derivations)
    title = derivations[0].title if len(derivations) == 1 else "chainrule derivations"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f"<title>{escape(title)}</title>\n<style>\n{_STYLE}\n</style>\n</head>\n<body>\n"
        f"{_body(derivations, heading=_heading(title, derivations))}\n</body>\n</html>\n"
    )


def _heading(title: str, derivations: list[Derivation]) -> str:
    """A handout's title, its notation block (the letters it uses and the givens) and the
    legend of the marks."""
    used = set().union(*(_letters(d) for d in derivations))
    rows = [
        f"<dt>{expr_mathml(sp.Symbol(letter))}</dt><dd>{escape(meaning)}</dd>"
        for letter, meaning in _NOTATION.items()
        if letter in used
    ]
    givens = {(g.symbol, g.expr): None for d in derivations for g in d.givens}
    rows += [f"<dt>{_equation(symbol, expr)}</dt><dd>given</dd>" for symbol, expr in givens]
    notation = f'<dl class="notation">{"".join(rows)}</dl>' if rows else ""
    return (
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="label">Notation</p>\n{notation}\n'
        f'<p class="legend">{_legend()}; every step is checked before it is shown.</p>'
    )


def _letters(derivation: Derivation) -> set[str]:
    """The names of the symbols a derivation's goal and givens use."""
    exprs = [derivation.goal, *(g.symbol for g in derivation.givens)]
    exprs += [g.expr for g in derivation.givens]
    return {s.name for e in exprs for s in e.free_symbols if isinstance(s, sp.Symbol)}


def _legend() -> str:
    return "Marks: " + ", ".join(
        f'<span class="{_CSS_CLASSES[v]}">{VERDICT_MARKS[v]}</span> {VERDICT_LABELS[v]}'
        for v in _LEGEND
    )


def to_html_fragment(derivations: Sequence[Derivation]) -> str:
    """The page's content alone, with its style, for embedding (Jupyter's ``_repr_html_``)."""
    derivations = check_derivations(derivations)
    return _body(derivations, style=f"<style>\n{_STYLE}\n</style>\n")


def _body(derivations: list[Derivation], style: str = "", heading: str = "") -> str:
    parts = ([heading] if heading else []) + [_derivation(d, depth=0) for d in derivations]
    if not heading and has_weak_steps(derivations):
        parts.append(f'<p class="legend">{_legend()}</p>')
    return '<div class="chainrule">\n' + style + "\n".join(parts) + "\n</div>"


def _derivation(derivation: Derivation, depth: int) -> str:
    level = min(depth + 2, 6)
    title = escape(f"[{derivation.id}] {derivation.title}")
    kind = "derivation sub" if depth else "derivation"
    anchor = "" if depth else f' id="{_anchor(derivation)}"'
    lines = [
        f'<section class="{kind}"{anchor}>',
        f"<h{level}>{title}</h{level}>",
        f'<p class="goal"><span class="label">Goal:</span> {expr_mathml(derivation.goal)}</p>',
    ]
    if derivation.givens:
        givens = ", ".join(_equation(g.symbol, g.expr) for g in derivation.givens)
        lines.append(f'<p class="givens"><span class="label">Givens:</span> {givens}</p>')
    for route in derivation.routes:
        lines.extend(_route(route, derivation.routes_agree, depth))
    equations = [_equation(lhs, rhs) for lhs, rhs in result_equations(derivation)]
    if len(equations) == 1:
        lines.append(f'<p class="result"><span class="label">Result:</span> {equations[0]}</p>')
    else:
        items = "".join(f"<li>{equation}</li>" for equation in equations)
        lines.append('<p class="result"><span class="label">Result:</span></p>')
        lines.append(f'<ul class="results">{items}</ul>')
    if len(derivation.routes) > 1 or not derivation.routes_agree:
        lines.append(_agreement(derivation))
    lines.append(_oracle(derivation.oracle, derivation.oracle_source))
    if derivation.notes:
        notes = "".join(f"<li>{escape(note)}</li>" for note in derivation.notes)
        lines.append(f'<p class="label">Notes:</p>\n<ul class="notes">{notes}</ul>')
    lines.append("</section>")
    return "\n".join(lines)


def _anchor(derivation: Derivation) -> str:
    """A link target for a top-level derivation: ``derivation-2``."""
    return "derivation-" + "".join(c if c.isalnum() else "-" for c in derivation.id)


def _equation(lhs: sp.Basic, rhs: sp.Basic) -> str:
    """``lhs = rhs`` as one inline ``<math>``."""
    return expr_mathml(sp.Eq(lhs, rhs, evaluate=False))


def _route(route: Route, agree: bool, depth: int) -> list[str]:
    lines = [f'<p class="route-name"><span class="label">Route:</span> {escape(route.name)}</p>']
    lines.append('<table class="route">')
    for line in route_lines(route):
        step = line.step
        css = _CSS_CLASSES[step.verdict]
        lhs = "" if line.lhs is None else expr_mathml(line.lhs)
        cells = [
            f'<td class="lhs">{lhs}</td>',
            '<td class="eq"><math display="inline"><mo>=</mo></math></td>',
            f'<td class="rhs">{expr_mathml(step.after)}</td>',
            f'<td class="mark {css}" title="{VERDICT_LABELS[step.verdict]}: '
            f'{escape(step.check.method)}">{VERDICT_MARKS[step.verdict]}</td>',
            f'<td class="move">{escape(step.text)}</td>',
        ]
        lines.append(f'<tr class="step {css}-step">' + "".join(cells) + "</tr>")
        for sub in step.subderivations:
            nested = _derivation(sub, depth + 1)
            lines.append(f'<tr class="subderivation"><td colspan="5">\n{nested}\n</td></tr>')
    lines.append("</table>")
    if not agree:
        result = expr_mathml(route.result)
        lines.append(
            f'<p class="route-result"><span class="label">Route result:</span> {result}</p>'
        )
    return lines


def _agreement(derivation: Derivation) -> str:
    names = escape(", ".join(route.name for route in derivation.routes))
    if not derivation.routes_agree:
        text = f'<span class="alarm">✗ NO</span>: the routes ({names}) reach different results'
    else:
        text = f'<span class="proved">✓</span> yes ({names})'
    return f'<p class="agree"><span class="label">Routes agree:</span> {text}</p>'


def _oracle(check: Check | None, source: str) -> str:
    if check is None:
        words = "not run"
    else:
        css = _CSS_CLASSES[check.verdict]
        mark = f'<span class="{css}">{VERDICT_MARKS[check.verdict]}</span>'
        words = f"{mark} {check.verdict.value} ({escape(check.method)})"
    label = f"Oracle ({escape(source)}):"
    return f'<p class="oracle"><span class="label">{label}</span> {words}</p>'
