"""The catalogue of common mistakes, each one verified before it is named.

A diagnosis is never guessed: a mistake is named only when applying it reproduces the
learner's line, proven equal by the step checker. Two ways to apply one:

- forward, by a *mistaken differentiation* of the expression the line differentiates
  (:func:`mistaken_derivative`: an inner derivative left out at one site, σ' taken as
  σ(1 + σ)), which must give the learner's line;
- backward, by *undoing* the mistake in the learner's line (flipping one sign, 1 + σ back to
  1 - σ, a factor m or 1/m put back): the repaired line must equal the true value of the line
  before, and the mistake applied to that repaired line is, by construction, the learner's.

The catalogue, in the order it is tried: d/dx ln(1 - x) taken as 1/(1 - x); σ' written as
σ(1 + σ); a missing inner derivative in the chain rule; a dropped minus sign; a missing 1/m;
an extra 1/m.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp

from chainrule.symbolic.core.symbols import sigma
from chainrule.symbolic.proof.check import Context, prove_equal

__all__ = ["MISTAKES", "Diagnosis", "diagnose", "mistaken_derivative"]

#: id -> what the learner did, as the report names it.
MISTAKES = {
    "log_one_minus": "d/dx ln(1 - x) taken as 1/(1 - x): the inner derivative -1 is missing",
    "sigma_plus": "σ' written as σ(1 + σ): it is σ(1 - σ)",
    "missing_inner": "missing inner derivative in the chain rule",
    "dropped_minus": "dropped minus sign",
    "missing_mean": "missing 1/m",
    "extra_mean": "extra 1/m",
}
_MAX_CANDIDATES = 60


@dataclass(frozen=True)
class Diagnosis:
    """A verified mistake: its id, a sentence saying where, and the mistaken expression."""

    mistake: str
    detail: str
    repaired: sp.Expr | None = None

    @property
    def name(self) -> str:
        return MISTAKES[self.mistake]


@dataclass
class _Site:
    """One application of the chain rule: outer function ``kind`` of ``argument``."""

    kind: str
    argument: sp.Expr
    inner: sp.Expr


class _Differentiator:
    """Differentiation rule by rule, with one mistake switched on (or none)."""

    def __init__(self, variable: sp.Symbol, omit: int | None, sigma_plus: bool) -> None:
        self.v = variable
        self.omit = omit
        self.sigma_plus = sigma_plus
        self.sites: list[_Site] = []

    def __call__(self, e: sp.Expr) -> sp.Expr:
        v = self.v
        if not e.has(v):
            return sp.S.Zero
        if e == v:
            return sp.S.One
        if isinstance(e, sp.Add):
            return sp.Add(*(self(t) for t in e.args))
        if isinstance(e, sp.Mul):
            factors = e.args
            return sp.Add(
                *(
                    self(f) * sp.Mul(*(g for j, g in enumerate(factors) if j != i))
                    for i, f in enumerate(factors)
                )
            )
        if isinstance(e, sp.Pow):
            base, exponent = e.args
            if not exponent.has(v):
                return self._chain("power", base, exponent * base ** (exponent - 1))
            return self(sp.exp(exponent * sp.log(base)))
        if isinstance(e, sp.exp):
            return self._chain("exp", e.args[0], e)
        if isinstance(e, sp.log):
            return self._chain("log", e.args[0], 1 / e.args[0])
        if isinstance(e, sigma):
            s = sigma(e.args[0])
            return self._chain("sigma", e.args[0], s * (1 + s) if self.sigma_plus else s * (1 - s))
        if isinstance(e, sp.Function) and len(e.args) == 1:
            return self._chain(type(e).__name__, e.args[0], e.fdiff(1))
        return sp.diff(e, v)

    def _chain(self, kind: str, argument: sp.Expr, outer: sp.Expr) -> sp.Expr:
        inner = self(argument)
        if argument == self.v:
            return outer
        self.sites.append(_Site(kind, argument, inner))
        if self.omit == len(self.sites) - 1:
            return outer
        return outer * inner


def mistaken_derivative(
    expr: sp.Expr, variable: sp.Symbol, *, omit: int | None = None, sigma_plus: bool = False
) -> tuple[sp.Expr, list[_Site]]:
    """d expr / d variable, with the inner derivative of chain-rule site ``omit`` left out
    (sites counted innermost first) or σ' taken as σ(1 + σ); and the chain-rule sites."""
    differentiator = _Differentiator(variable, omit, sigma_plus)
    return differentiator(expr), differentiator.sites


def diagnose(
    before: sp.Expr,
    written: sp.Expr,
    context: Context,
    differentiand: tuple[sp.Expr, sp.Symbol] | None = None,
) -> Diagnosis | None:
    """The first catalogued mistake that turns the true ``before`` into ``written``, or None.

    ``differentiand`` is (f, v) when the line differentiates f by v (its lhs is df/dv).
    """
    for diagnosis in _candidates(before, written, context, differentiand):
        return diagnosis
    return None


def _candidates(before, written, context, differentiand) -> Iterator[Diagnosis]:
    if differentiand is not None:
        f, v = differentiand
        yield from _differentiation_mistakes(f, v, written, context)
    yield from _repairs(before, written, context)


def _same(left: sp.Expr, right: sp.Expr, context: Context) -> bool:
    return prove_equal(left, right, context).ok


def _differentiation_mistakes(f, v, written, context) -> Iterator[Diagnosis]:
    _, sites = mistaken_derivative(f, v)
    if f.has(sigma):
        wrong, _ = mistaken_derivative(f, v, sigma_plus=True)
        if _same(wrong, written, context):
            yield Diagnosis("sigma_plus", "the derivative of σ was taken as σ(1 + σ)")
    for index, site in enumerate(sites[:_MAX_CANDIDATES]):
        wrong, _ = mistaken_derivative(f, v, omit=index)
        if not _same(wrong, written, context):
            continue
        yield _omitted(site)


def _omitted(site: _Site) -> Diagnosis:
    outer = f"{site.kind}({sp.sstr(site.argument)})"
    inner = sp.sstr(site.inner)
    if site.kind == "log" and site.inner.is_number and site.inner.is_negative:
        return Diagnosis("log_one_minus", f"d/dx {outer} taken as 1/({sp.sstr(site.argument)})")
    if site.inner == -1:
        return Diagnosis(
            "dropped_minus", f"the inner derivative -1 of {outer} is missing: the sign is lost"
        )
    return Diagnosis("missing_inner", f"the chain rule on {outer} lacks its inner factor {inner}")


def _repairs(before, written, context) -> Iterator[Diagnosis]:
    """Mistakes undone in the learner's line, each repaired line checked against ``before``."""
    for repaired, detail in _sigma_repairs(written, context):
        if _same(before, repaired, context):
            yield Diagnosis("sigma_plus", detail, repaired)
    for repaired, detail in _sign_repairs(written):
        if _same(before, repaired, context):
            yield Diagnosis("dropped_minus", detail, repaired)
    m = next((s for s in _all_symbols(before, written, context) if s.name == "m"), None)
    if m is not None:
        if _same(before, written / m, context):
            yield Diagnosis("missing_mean", "the line is m times too large", written / m)
        if _same(before, written * m, context):
            yield Diagnosis("extra_mean", "the line is m times too small", written * m)


def _all_symbols(before, written, context) -> set[sp.Symbol]:
    symbols = set(before.free_symbols | written.free_symbols)
    for definition in context.definitions:
        symbols |= definition.expr.free_symbols
    return symbols


def _sigma_like(term: sp.Expr, context: Context) -> bool:
    if isinstance(term, sigma):
        return True
    definition = dict((d.symbol, d.expr) for d in context.definitions).get(term)
    return isinstance(definition, sigma)


def _sigma_repairs(written: sp.Expr, context: Context) -> Iterator[tuple[sp.Expr, str]]:
    """Every ``1 + s`` with s = σ(·) (or a given a = σ(z)) written back as ``1 - s``."""
    for node in sp.preorder_traversal(written):
        if isinstance(node, sp.Add) and len(node.args) == 2 and sp.S.One in node.args:
            other = node.args[0] if node.args[1] == 1 else node.args[1]
            if _sigma_like(other, context):
                shown = sp.sstr(other)
                yield (
                    written.xreplace({node: 1 - other}),
                    f"1 + {shown} stands where σ' = σ(1 - σ) gives 1 - {shown}",
                )


def _sign_repairs(written: sp.Expr) -> Iterator[tuple[sp.Expr, str]]:
    """The whole line, or one of its terms or factors (at one place), with its sign flipped."""
    yield -written, "the whole line has the wrong sign"
    for count, (path, node) in enumerate(_places(written)):
        if count >= _MAX_CANDIDATES:
            return
        if path and not node.is_Number:
            yield _replaced_at(written, path, -node), f"the sign of {sp.sstr(node)} is wrong"


def _places(expr: sp.Expr, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], sp.Expr]]:
    """Every subexpression with its path of argument indices, parents first."""
    yield path, expr
    for index, argument in enumerate(expr.args):
        yield from _places(argument, (*path, index))


def _replaced_at(expr: sp.Expr, path: tuple[int, ...], new: sp.Expr) -> sp.Expr:
    """``expr`` with the subexpression at ``path`` (and only there) replaced by ``new``."""
    if not path:
        return new
    arguments = list(expr.args)
    arguments[path[0]] = _replaced_at(arguments[path[0]], path[1:], new)
    return expr.func(*arguments)
