r"""Derivations as a standalone LaTeX document (``article`` with ``amsmath`` and ``amssymb``).

Each derivation is a section; each route an ``align*`` with ``\checkmark`` for a proved step and
the move sentence in a column of its own, wrapped in a ``\parbox`` so long sentences stay on
the page. The file is pure ASCII: Unicode in titles and sentences becomes LaTeX commands, so
``pdflatex`` compiles it with no input encoding.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from chainrule.render.printing import check_derivations, expr_latex
from chainrule.render.tex import aligned_segments, ascii_math, text_mode
from chainrule.symbolic.model import Check, Derivation, Route, Step, Verdict

__all__ = ["to_latex"]

_PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage{amssymb}
\allowdisplaybreaks
\addtolength{\textwidth}{4cm}
\addtolength{\oddsidemargin}{-2cm}
\addtolength{\evensidemargin}{-2cm}
\addtolength{\textheight}{3cm}
\addtolength{\topmargin}{-1.5cm}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
\title{Derivations}
\author{chainrule}
\date{}
\begin{document}
\maketitle
"""
_MARKS = {
    Verdict.PROVED: r"\checkmark",
    Verdict.CHECKED_NUMERICALLY: r"\checkmark\ (\text{numeric})",
    Verdict.FAILED: r"\textbf{FAILED}",
}
_SENTENCE_WIDTH = r"0.36\textwidth"
_TEXT_MARKS = {
    Verdict.PROVED: r"$\checkmark$",
    Verdict.CHECKED_NUMERICALLY: r"$\checkmark$ (numeric)",
    Verdict.FAILED: r"\textbf{FAILED}",
}


def to_latex(derivations: Sequence[Derivation]) -> str:
    """Render derivations as a complete LaTeX document.

    Parameters
    ----------
    derivations : sequence of Derivation
        What to show, in order.

    Returns
    -------
    str
        An ASCII ``.tex`` document that compiles with ``pdflatex``.
    """
    derivations = check_derivations(derivations)
    body = "\n\n".join("\n".join(_derivation(d, depth=0)) for d in derivations)
    return _PREAMBLE + "\n" + body + "\n\n\\end{document}\n"


def _derivation(derivation: Derivation, depth: int) -> list[str]:
    title = text_mode(f"[{derivation.id}] {derivation.title}")
    heading = r"\section*{" + title + "}" if depth == 0 else r"\textbf{" + title + "}"
    lines = [heading, ""]
    lines.append(r"\textbf{Goal:} $" + _math(derivation.goal) + "$")
    if derivation.givens:
        givens = ", ".join(f"${_math(g.symbol)} = {_math(g.expr)}$" for g in derivation.givens)
        lines += ["", r"\textbf{Givens:} " + givens]
    for route in derivation.routes:
        lines += [""] + _route(route, derivation.routes_agree, depth)
    result = f"{_math(derivation.goal)} = {_math(derivation.result)}"
    lines += ["", r"\textbf{Result:} $" + result + "$", "", _agreement(derivation), ""]
    lines.append(r"\textbf{Oracle (sympy.diff):} " + _check_words(derivation.oracle))
    if derivation.notes:
        items = [r"  \item " + text_mode(note) for note in derivation.notes]
        lines += ["", r"\textbf{Notes:}", r"\begin{itemize}", *items, r"\end{itemize}"]
    return lines


def _route(route: Route, agree: bool, depth: int) -> list[str]:
    lines = [r"\textbf{Route: " + text_mode(route.name) + "}"]
    for segment in aligned_segments(route, _annotation, _math):
        rows = [row + r" \\" for row in segment.rows[:-1]] + [segment.rows[-1]]
        lines += [r"\begin{align*}", *rows, r"\end{align*}"]
        for sub in segment.subderivations:
            lines += [r"\begin{quote}", *_derivation(sub, depth + 1), r"\end{quote}"]
    if not agree:
        lines += ["", r"Route result: $" + _math(route.result) + "$"]
    return lines


def _math(expr: sp.Basic) -> str:
    return ascii_math(expr_latex(expr))


def _annotation(step: Step) -> str:
    """The mark, then the move sentence in a box that wraps beside the equation."""
    sentence = r"\raggedright " + text_mode(step.text)
    return _MARKS[step.verdict] + r"\quad \parbox[t]{" + _SENTENCE_WIDTH + "}{" + sentence + "}"


def _agreement(derivation: Derivation) -> str:
    names = text_mode(", ".join(route.name for route in derivation.routes))
    if not derivation.routes_agree:
        return r"\textbf{Routes agree: NO}, the routes (" + names + ") reach different results"
    if len(derivation.routes) == 1:
        return r"\textbf{Routes agree:} yes (one route: " + names + ")"
    return r"\textbf{Routes agree:} yes (" + names + ")"


def _check_words(check: Check | None) -> str:
    if check is None:
        return "not run"
    return f"{_TEXT_MARKS[check.verdict]} {check.verdict.value} ({text_mode(check.method)})"
