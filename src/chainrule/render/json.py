"""Derivations as a stable JSON document.

Expressions appear twice: in SymPy syntax (``lhs``, ``expr``, ``goal``, ``result``; read back with
``sympy.sympify``, ``sigma`` being the logistic function) and, for a step's ``after``, as LaTeX.
Keys keep a fixed order; timings are left out, so the same derivations give the same bytes.

::

    {"chainrule": VERSION,
     "derivations": [{"id", "title", "goal", "givens": [{"symbol", "expr", "latex"}],
                      "routes": [{"name", "steps": [{"lhs", "lhs_latex", "expr", "latex",
                                                     "move", "text", "verdict", "method",
                                                     "subderivations"}],
                                  "result"}],
                      "result", "routes_agree", "oracle": {"verdict", "method"} | null,
                      "notes": [...]}]}

A step's ``move`` is stable: it is one of the ids of
:mod:`chainrule.symbolic.moves.registry`, each naming one rewrite, one differentiation rule or
one kind of stated line (moves made in turn as one line have their ids joined by ``+``); the
README's JSON section lists them all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from chainrule.errors import InputError
from chainrule.render.printing import check_derivations, expr_latex, expr_str
from chainrule.symbolic.core.model import Check, Definition, Derivation, Route, Step

__all__ = ["to_document", "to_json"]


def to_document(derivations: Sequence[Derivation], *, version: str) -> dict[str, Any]:
    """Derivations as plain dicts and lists (what :func:`to_json` writes).

    Parameters
    ----------
    derivations : sequence of Derivation
        What to record, in order.
    version : str
        The chainrule version that made the document (the ``"chainrule"`` key).
    """
    derivations = check_derivations(derivations)
    if not isinstance(version, str) or not version:
        raise InputError(f"'version' must be a non-empty string (got {version!r})")
    return {"chainrule": version, "derivations": [_derivation(d) for d in derivations]}


def to_json(derivations: Sequence[Derivation], *, version: str) -> str:
    """Derivations as JSON text: keys in a fixed order, indent 2, Unicode kept, final newline."""
    document = to_document(derivations, version=version)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _derivation(derivation: Derivation) -> dict[str, Any]:
    return {
        "id": derivation.id,
        "title": derivation.title,
        "goal": expr_str(derivation.goal),
        "givens": [_given(g) for g in derivation.givens],
        "routes": [_route(r) for r in derivation.routes],
        "result": expr_str(derivation.result),
        "routes_agree": bool(derivation.routes_agree),
        "oracle": _check(derivation.oracle),
        "notes": list(derivation.notes),
    }


def _given(given: Definition) -> dict[str, str]:
    return {
        "symbol": expr_str(given.symbol),
        "expr": expr_str(given.expr),
        "latex": f"{expr_latex(given.symbol)} = {expr_latex(given.expr)}",
    }


def _route(route: Route) -> dict[str, Any]:
    return {
        "name": route.name,
        "steps": [_step(s) for s in route.steps],
        "result": expr_str(route.result),
    }


def _step(step: Step) -> dict[str, Any]:
    return {
        "lhs": expr_str(step.lhs),
        "lhs_latex": expr_latex(step.lhs),
        "expr": expr_str(step.after),
        "latex": expr_latex(step.after),
        "move": step.move,
        "text": step.text,
        "verdict": step.check.verdict.value,
        "method": step.check.method,
        "subderivations": [_derivation(d) for d in step.subderivations],
    }


def _check(check: Check | None) -> dict[str, str] | None:
    if check is None:
        return None
    return {"verdict": check.verdict.value, "method": check.method}
