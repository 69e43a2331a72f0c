"""Derivations as a stable JSON document.

Expressions appear twice: in SymPy syntax (``lhs``, ``expr``, ``goal``, ``result``; read back with
``sympy.sympify``, ``sigma`` being the logistic function, and with the derivation's ``symbols``
as its locals: :mod:`chainrule.render.json_names`) and, for a step's ``after``, as LaTeX.
Keys keep a fixed order; timings are left out, so the same derivations give the same bytes.

::

    {"chainrule": VERSION,
     "derivations": [{"id", "title", "goal", "givens": [{"symbol", "expr", "latex"}],
                      "routes": [{"name", "steps": [{"lhs", "lhs_latex", "expr", "latex",
                                                     "move", "text", "verdict", "method",
                                                     "subderivations"}],
                                  "result"}],
                      "result", "routes_agree", "oracle": {"verdict", "method"} | null,
                      "notes": [...], "symbols": {name: constructor}}]}

A step's ``move`` is stable: it is one of the ids of
:mod:`chainrule.symbolic.moves.registry`, each naming one rewrite, one differentiation rule or
one kind of stated line (moves made in turn as one line have their ids joined by ``+``); the
README's JSON section lists them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from chainrule.errors import InputError
from chainrule.render.json_names import DocumentNames
from chainrule.render.printing import check_derivations, expr_latex
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
    names = DocumentNames()
    printer = names.printer()
    write = printer.doprint
    document = {
        "id": derivation.id,
        "title": derivation.title,
        "goal": write(derivation.goal),
        "givens": [_given(g, write) for g in derivation.givens],
        "routes": [_route(r, write) for r in derivation.routes],
        "result": write(derivation.result),
        "routes_agree": bool(derivation.routes_agree),
        "oracle": _check(derivation.oracle),
        "notes": list(derivation.notes),
    }
    document["symbols"] = dict(sorted(names.declarations.items()))
    return document


def _given(given: Definition, write: Callable[[sp.Basic], str]) -> dict[str, str]:
    return {
        "symbol": write(given.symbol),
        "expr": write(given.expr),
        "latex": f"{expr_latex(given.symbol)} = {expr_latex(given.expr)}",
    }


def _route(route: Route, write: Callable[[sp.Basic], str]) -> dict[str, Any]:
    return {
        "name": route.name,
        "steps": [_step(s, write) for s in route.steps],
        "result": write(route.result),
    }


def _step(step: Step, write: Callable[[sp.Basic], str]) -> dict[str, Any]:
    return {
        "lhs": write(step.lhs),
        "lhs_latex": expr_latex(step.lhs),
        "expr": write(step.after),
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
