r"""Derivations as a standalone LaTeX document (``article`` with ``amsmath`` and ``amssymb``).

Each derivation is a section; each route an ``align*`` with ``\checkmark`` for a proved step and
the move sentence in a column of its own, wrapped in a ``\parbox`` so long sentences stay on
the page. A step whose right side is too wide for its column gets the whole line, its mark and
sentence set below it. Formulas stay on the page too: each side of a step, the goal, the
givens and the result sit in a ``\fitmath`` box that shrinks a formula wider than its share of
the line (the direct routes of some catalogue pairs run to several page widths) and leaves
the rest alone.
The file is pure ASCII: Unicode in titles and sentences becomes LaTeX commands, so
``pdflatex`` compiles it with no input encoding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from chainrule.render.printing import check_derivations, expr_latex, result_equations
from chainrule.render.tex import aligned_segments, ascii_math, text_mode
from chainrule.symbolic.core.model import Check, Derivation, Route, Step, Verdict

__all__ = ["to_latex"]

_PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\newsavebox{\fitbox}
% \fitmath{width}{style}{formula}: the formula, shrunk to width if it is wider.
\newcommand{\fitmath}[3]{\sbox{\fitbox}{$#2#3$}%
  \ifdim\wd\fitbox>#1\resizebox{#1}{!}{\usebox{\fitbox}}\else\usebox{\fitbox}\fi}
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
    Verdict.CHECKED_NUMERICALLY: r"\checkmark",
    Verdict.FAILED: r"\textbf{FAILED}",
}
#: Said at the head of the sentence, so that the mark column stays narrow.
_SENTENCE_PREFIX = {Verdict.CHECKED_NUMERICALLY: r"\emph{(checked numerically)} "}
_SENTENCE_WIDTH = r"0.36\textwidth"
#: The widest a step's left and right sides may print before they shrink: with the mark and
#: the sentence box, a row then fits the line.
_LHS_WIDTH, _RHS_WIDTH = r"0.15\linewidth", r"0.38\linewidth"
#: About as many characters as fit in _RHS_WIDTH; a wider right side gets the whole line,
#: _WIDE_WIDTH, with the mark and sentence set below it.
_RHS_CHARACTERS = 40
_WIDE_WIDTH = r"0.8\linewidth"
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
    lines.append(r"\textbf{Goal:} " + _inline(_math(derivation.goal)))
    if derivation.givens:
        equations = (f"{_math(g.symbol)} = {_math(g.expr)}" for g in derivation.givens)
        givens = ", ".join(_inline(equation) for equation in equations)
        lines += ["", r"\textbf{Givens:} " + givens]
    for route in derivation.routes:
        lines += [""] + _route(route, derivation.routes_agree, depth)
    lines += ["", *_result(derivation), ""]
    if len(derivation.routes) > 1 or not derivation.routes_agree:
        lines += [_agreement(derivation), ""]  # one route has nothing to agree with
    source = text_mode(derivation.oracle_source)
    lines.append(rf"\textbf{{Oracle ({source}):}} " + _check_words(derivation.oracle))
    if derivation.notes:
        items = [r"  \item " + text_mode(note) for note in derivation.notes]
        lines += ["", r"\textbf{Notes:}", r"\begin{itemize}", *items, r"\end{itemize}"]
    return lines


def _route(route: Route, agree: bool, depth: int) -> list[str]:
    lines = [r"\textbf{Route: " + text_mode(route.name) + "}"]
    for segment in aligned_segments(route, _annotation, _rhs, _lhs, _wide, _wide_rhs):
        rows = [row + r" \\" for row in segment.rows[:-1]] + [segment.rows[-1]]
        lines += [r"\begin{align*}", *rows, r"\end{align*}"]
        if segment.annotation is not None:
            lines += [r"\begin{flushright}" + segment.annotation + r"\end{flushright}"]
        for sub in segment.subderivations:
            lines += [r"\begin{quote}", *_derivation(sub, depth + 1), r"\end{quote}"]
    if not agree:
        lines += ["", r"Route result: " + _inline(_math(route.result))]
    return lines


def _result(derivation: Derivation) -> list[str]:
    """``Result: lhs = rhs`` in the text, or an ``align*`` of the result's equations."""
    pairs = [(_math(lhs), _math(rhs)) for lhs, rhs in result_equations(derivation)]
    if len(pairs) == 1:
        return [r"\textbf{Result:} " + _inline(f"{pairs[0][0]} = {pairs[0][1]}")]
    rows = [f"{lhs} &= " + _fit(r"0.8\linewidth", rhs) for lhs, rhs in pairs]
    return [r"\textbf{Result:}", r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]


def _math(expr: sp.Basic) -> str:
    return ascii_math(expr_latex(expr))


def _fit(width: str, math: str, style: str = r"\displaystyle") -> str:
    """``math`` in a box that shrinks it to ``width`` when it is wider (see the preamble)."""
    return r"\fitmath{" + width + "}{" + style + "}{" + math + "}"


def _inline(math: str) -> str:
    """In-text math that never runs past the line."""
    return _fit(r"0.9\linewidth", math, r"\textstyle")


def _lhs(expr: sp.Basic) -> str:
    return _fit(_LHS_WIDTH, _math(expr))


def _rhs(expr: sp.Basic) -> str:
    return _fit(_RHS_WIDTH, _math(expr))


def _wide(step: Step) -> bool:
    """A step whose right side would shrink in its share of the line, by an estimate of the
    printed width of its LaTeX."""
    return _printed_width(_math(step.after)) > _RHS_CHARACTERS


def _printed_width(latex: str) -> int:
    """About how many characters wide ``latex`` prints: a command as one, braces, scripts'
    carets and spacing as none, a fraction as its wider part."""
    fractions = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", _wider_part, latex)
    commands = re.sub(r"\\(left|right|displaystyle|quad|[,;])", "", fractions)
    return len(re.sub(r"\\[a-zA-Z]+", "x", re.sub(r"[{}^_ ]", "", commands)))


def _wider_part(fraction: re.Match[str]) -> str:
    return max(fraction[1], fraction[2], key=len)


def _wide_rhs(expr: sp.Basic) -> str:
    """A wide step's right side, allowed the whole line (shrunk only beyond it)."""
    return _fit(_WIDE_WIDTH, _math(expr))


def _annotation(step: Step) -> str:
    """The mark, then the move sentence in a box that wraps beside the equation."""
    prefix = _SENTENCE_PREFIX.get(step.verdict, "")
    sentence = r"\raggedright " + prefix + text_mode(step.text)
    return _MARKS[step.verdict] + r"\quad \parbox[t]{" + _SENTENCE_WIDTH + "}{" + sentence + "}"


def _agreement(derivation: Derivation) -> str:
    names = text_mode(", ".join(route.name for route in derivation.routes))
    if not derivation.routes_agree:
        return r"\textbf{Routes agree: NO}, the routes (" + names + ") reach different results"
    return r"\textbf{Routes agree:} yes (" + names + ")"


def _check_words(check: Check | None) -> str:
    if check is None:
        return "not run"
    return f"{_TEXT_MARKS[check.verdict]} {check.verdict.value} ({text_mode(check.method)})"
