"""What every renderer shares: expression printers, verdict marks and the shape of a route.

The four printers all keep an expression's stored structure (see
:mod:`chainrule.render.structure`):

- :func:`expr_text`   linear Unicode for terminals: ``σ'(z) = e⁻ᶻ/(1 + e⁻ᶻ)²``
- :func:`expr_latex`  LaTeX: ``\\frac{dL}{da}``, ``\\ln\\left(a\\right)``, ``e^{-z}``
- :func:`expr_mathml` one presentation-MathML ``<math>`` element
- :func:`expr_str`    SymPy's ``str`` syntax, which ``sympy.sympify`` reads back

:func:`route_lines` turns a route into display lines: a step whose ``lhs`` repeats the
previous step's ``lhs`` is a continuation, shown as ``= after`` under the one before.
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.printing.str import StrPrinter

from chainrule.errors import InputError
from chainrule.render.latex_printer import ChainruleLatexPrinter
from chainrule.render.mathml_printer import mathml
from chainrule.render.text_printer import UnicodePrinter
from chainrule.symbolic.core.model import Derivation, Route, Step, Verdict

__all__ = [
    "Line",
    "SympySyntaxPrinter",
    "VERDICT_LABELS",
    "VERDICT_MARKS",
    "check_derivations",
    "expr_latex",
    "expr_mathml",
    "expr_str",
    "expr_text",
    "folded",
    "has_weak_steps",
    "is_plain_name",
    "is_plain_symbol",
    "result_equations",
    "route_lines",
]

#: One-character marks for terminals, Markdown and HTML; a failed step is never quiet.
VERDICT_MARKS = {
    Verdict.PROVED: "✓",
    Verdict.CHECKED_NUMERICALLY: "≈",
    Verdict.FAILED: "✗ FAILED",
}

#: Words for the same verdicts, for legends and tooltips.
VERDICT_LABELS = {
    Verdict.PROVED: "proved exactly",
    Verdict.CHECKED_NUMERICALLY: "checked numerically",
    Verdict.FAILED: "FAILED its check",
}


def expr_text(expr: sp.Basic) -> str:
    """``expr`` as linear Unicode, as stored: ``-(y ln(a) + (1 - y) ln(1 - a))``."""
    return UnicodePrinter().doprint(expr)


def expr_latex(expr: sp.Basic) -> str:
    """``expr`` as LaTeX math (no delimiters), as stored."""
    return ChainruleLatexPrinter().doprint(expr)


def expr_mathml(expr: sp.Basic, *, display: bool = False) -> str:
    """``expr`` as one presentation-MathML ``<math>`` element, as stored."""
    return mathml(expr, display=display)


class SympySyntaxPrinter(StrPrinter):
    """SymPy's ``str`` syntax in stored term order, which plain ``sympy.sympify`` reads back:
    a symbol whose name is no Python identifier (``n^{[l]}``) or is one of SymPy's own names
    (``gamma``, ``beta``, which sympify reads as functions), and every matrix symbol and
    indexed base, are written as constructor calls (``Symbol('n^{[l]}', integer=True,
    positive=True)``, ``IndexedBase('W')[u, v, k, c]``), so they read back as what they are.
    A symbol with a plain name is written by its name, its assumptions left to the reader."""

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        if is_plain_name(expr.name):
            return expr.name
        return self._print_constructor(expr)

    def _print_constructor(self, expr: sp.Symbol) -> str:
        """``Symbol(name, assumption=value, ...)``, the assumptions it was made with."""
        given = getattr(expr, "_assumptions_orig", {})
        options = "".join(f", {key}={value!r}" for key, value in sorted(given.items()))
        return f"Symbol({expr.name!r}{options})"

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        rows, cols = (self._print(n) for n in expr.shape)
        return f"MatrixSymbol({expr.name!r}, {rows}, {cols})"

    def _print(self, expr: sp.Basic, **kwargs) -> str:
        if isinstance(expr, sp.IndexedBase):  # before SymPy's own _sympystr, which drops it
            return self._print_IndexedBase(expr)
        return super()._print(expr, **kwargs)

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        label = expr.label
        text = repr(label.name) if is_plain_symbol(label) else self._print(label)
        if expr.shape is None:
            return f"IndexedBase({text})"
        return f"IndexedBase({text}, shape=({', '.join(self._print(n) for n in expr.shape)},))"

    def _print_OneMatrix(self, expr: sp.Basic) -> str:
        return "OneMatrix({}, {})".format(*(self._print(n) for n in expr.shape))

    def _print_ZeroMatrix(self, expr: sp.Basic) -> str:
        return "ZeroMatrix({}, {})".format(*(self._print(n) for n in expr.shape))

    def _print_Identity(self, expr: sp.Basic) -> str:
        return f"Identity({self._print(expr.shape[0])})"

    def _print_HadamardProduct(self, expr: sp.Basic) -> str:
        return "HadamardProduct({})".format(", ".join(self._print(a) for a in expr.args))


def is_plain_name(name: str) -> bool:
    """A Python name that ``sympify`` reads as a symbol (not one of SymPy's names)."""
    return name.isidentifier() and not keyword.iskeyword(name) and not hasattr(sp, name)


def is_plain_symbol(symbol: sp.Basic) -> bool:
    """A symbol that ``sympify`` makes from its name alone: a plain name, no assumptions."""
    return (
        isinstance(symbol, sp.Symbol)
        and is_plain_name(symbol.name)
        and symbol == sp.Symbol(symbol.name)
    )


def expr_str(expr: sp.Basic) -> str:
    """``expr`` in SymPy syntax, terms in stored order; ``sympy.sympify`` reads it back."""
    return SympySyntaxPrinter().doprint(expr)


def folded(derivations: Sequence[Derivation]) -> list[Derivation]:
    """``derivations`` with every sub-derivation folded into the sentence of the step that
    leans on it: ``... (side step [ln]: d/dx[ln(x)] = 1/x in 5 steps, each proven exactly)``.
    The steps were proven all the same; only their lines are left out (``derive --brief``)."""
    return [_folded(d) for d in derivations]


def _folded(derivation: Derivation) -> Derivation:
    routes = tuple(
        dataclasses.replace(route, steps=tuple(_folded_step(s) for s in route.steps))
        for route in derivation.routes
    )
    return dataclasses.replace(derivation, routes=routes)


def _folded_step(step: Step) -> Step:
    if not step.subderivations:
        return step
    summaries = "; ".join(_summary(sub) for sub in step.subderivations)
    return dataclasses.replace(step, text=f"{step.text} ({summaries})", subderivations=())


def _summary(sub: Derivation) -> str:
    """One line for a sub-derivation: its equation, its number of steps and how proven."""
    steps = list(sub.steps())
    numeric = sum(s.verdict is Verdict.CHECKED_NUMERICALLY for s in steps)
    how = "each proven exactly" if numeric == 0 else f"{numeric} of them checked numerically"
    equation = f"{expr_text(sub.goal)} = {expr_text(sub.result)}"
    count = f"{len(steps)} step" + ("s" if len(steps) != 1 else "")
    return f"side step [{sub.id}]: {equation} in {count}, {how}"


@dataclass(frozen=True)
class Line:
    """One displayed line of a route: ``lhs = step.after``; ``lhs`` None continues the last."""

    lhs: sp.Expr | None
    step: Step


def route_lines(route: Route) -> list[Line]:
    """The route's steps as display lines, repeated left-hand sides folded into ``= after``."""
    lines: list[Line] = []
    previous: sp.Expr | None = None
    for step in route.steps:
        repeated = previous is not None and step.lhs == previous
        lines.append(Line(None if repeated else step.lhs, step))
        previous = step.lhs
    return lines


def result_equations(derivation: Derivation) -> list[tuple[sp.Basic, sp.Basic]]:
    """The result as ``(lhs, rhs)`` pairs: one pair, or one per entry when the goal is a
    tuple (the layer equations end with the five backward equations, each shown alone)."""
    goal, result = derivation.goal, derivation.result
    if isinstance(goal, sp.Tuple) and isinstance(result, sp.Tuple) and len(goal) == len(result):
        return list(zip(goal, result, strict=True))
    return [(goal, result)]


def has_weak_steps(derivations: Iterable[Derivation]) -> bool:
    """True when any step (sub-derivations included) was not proved exactly."""
    return any(step.verdict is not Verdict.PROVED for d in derivations for step in d.steps())


def check_derivations(derivations: object) -> list[Derivation]:
    """Validate the renderers' one argument: a sequence of :class:`Derivation`."""
    if isinstance(derivations, Derivation) or not isinstance(derivations, Sequence):
        raise InputError(
            "'derivations' must be a sequence of Derivation objects "
            f"(got {type(derivations).__name__})"
        )
    wrong = [type(d).__name__ for d in derivations if not isinstance(d, Derivation)]
    if wrong:
        raise InputError(
            f"'derivations' must contain only Derivation objects (got {', '.join(wrong)})"
        )
    return list(derivations)
