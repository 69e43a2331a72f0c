"""The catalogue of activations and losses that chainrule derives: name, formula, conventions.

An activation is g(z), a loss L(a, y) for one example (a = g(z) the output, y the label). Each
:class:`CatalogEntry` carries its SymPy expression, a short description, the points where it is
not differentiable with the convention the numeric code uses there (ReLU'(0) = 0, as
``chainrule.numeric.activations.relu_derivative``), and, for an activation, the "form in g"
of its derivative where one exists: g' written with a = g(z) itself, such as σ' = a(1 - a) or
tanh' = 1 - a², which is what lets a backward pass compute g'(Z) from A alone.

The entries are read from :mod:`chainrule.facts`, the one list of activations and losses
(the README's catalogue tables are written from it too, by ``scripts/readme_tables.py``).

Custom entries come from text through the safe parser (:func:`activation_from_text`,
:func:`loss_from_text`): math in z for an activation, in a and y for a loss.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy as sp

from chainrule.errors import InputError, ParseError
from chainrule.symbolic.catalog.entries import (
    ACTIVATIONS,
    LOSSES,
    SOFTMAX_CROSS_ENTROPY,
    CatalogEntry,
    elu,
    leaky_relu,
)
from chainrule.symbolic.catalog.parse import parse_expression
from chainrule.symbolic.core.symbols import a, z
from chainrule.symbolic.rules.table import show

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "SOFTMAX_CROSS_ENTROPY",
    "CatalogEntry",
    "activation_from_text",
    "elu",
    "get_activation",
    "get_loss",
    "is_softmax",
    "leaky_relu",
    "lookup",
    "loss_from_text",
    "names",
]


_SOFTMAX_NAMES = frozenset({SOFTMAX_CROSS_ENTROPY.name, *SOFTMAX_CROSS_ENTROPY.aliases})


#: ``leaky_relu(0.2)``, ``elu(2)``: the constant is checked by the entry (``leaky_relu(-5)``
#: is a bad slope, not an unknown function).
_PARAMETERISED = re.compile(r"\s*(?P<name>[A-Za-z_ -]+?)\s*\((?P<value>[^()]*)\)\s*")
_PARAMETERISED_MAKERS = {"leaky_relu": leaky_relu, "elu": elu}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def is_softmax(name: object) -> bool:
    """Whether ``name`` asks for softmax with categorical cross-entropy."""
    return isinstance(name, str) and _key(name) in _SOFTMAX_NAMES


def names(kind: str) -> list[str]:
    """The catalogue names of ``kind`` (``"activation"`` or ``"loss"``), in order."""
    table = _table(kind)
    return list(table)


def _table(kind: str) -> Mapping[str, CatalogEntry]:
    if kind == "activation":
        return ACTIVATIONS
    if kind == "loss":
        return LOSSES
    raise InputError(f"'kind' must be 'activation' or 'loss' (got {kind!r})")


def lookup(kind: str, name: str) -> CatalogEntry | None:
    """The catalogue entry of ``kind`` called ``name`` or one of its aliases, else None.

    Names are matched without regard to case, ``-`` or ``_`` (``"Leaky-ReLU"`` finds
    ``leaky_relu``).
    """
    table = _table(kind)
    if not isinstance(name, str):
        return None
    key = _key(name)
    if key in table:
        return table[key]
    parameterised = _PARAMETERISED.fullmatch(name) if kind == "activation" else None
    make = None if parameterised is None else _PARAMETERISED_MAKERS.get(_key(parameterised["name"]))
    if parameterised is not None and make is not None:
        try:
            return make(parameterised["value"].strip())
        except InputError as error:
            raise InputError(f"{name.strip()!r}: {error}") from None
    return next((e for e in table.values() if key in e.aliases), None)


def activation_from_text(text: str, parameter: str = "activation") -> CatalogEntry:
    """A custom activation from math text in z, read by the safe parser.

    Raises
    ------
    ParseError
        For text the parser refuses (the message names ``parameter``).
    InputError
        For an expression that does not depend on z, or is real nowhere.
    """
    expr = parse_expression(text, ["z"], parameter=parameter)
    if not expr.has(z):
        raise InputError(f"'{parameter}' must depend on z (got {text!r})")
    return _custom("activation", text, expr, "custom activation g(z)", parameter)


def loss_from_text(text: str, parameter: str = "loss") -> CatalogEntry:
    """A custom loss from math text in a and y, read by the safe parser.

    Raises
    ------
    ParseError
        For text the parser refuses (the message names ``parameter``).
    InputError
        For an expression that does not depend on a, or is real nowhere.
    """
    expr = parse_expression(text, ["a", "y"], parameter=parameter)
    if not expr.has(a):
        raise InputError(f"'{parameter}' must depend on the output a (got {text!r})")
    return _custom("loss", text, expr, "custom loss L(a, y)", parameter)


def _custom(kind: str, text: str, expr: sp.Expr, description: str, parameter: str) -> CatalogEntry:
    from chainrule.symbolic.rules import differentiate
    from chainrule.symbolic.rules.domain import real_domain

    variable = z if kind == "activation" else a
    domain = real_domain(expr, variable, parameter)
    conditions = differentiate(expr, variable).side_conditions
    if not domain.everywhere:
        conditions = (domain.note, *conditions)
    typed = " ".join(text.split())
    return CatalogEntry(
        kind=kind,
        name=typed,
        title=show(expr),
        expr=expr,
        text=show(expr),
        description=description,
        notes=tuple(conditions),
        custom=True,
    )


def get_activation(spec: str | CatalogEntry, parameter: str = "activation") -> CatalogEntry:
    """The activation ``spec`` names (catalogue name or alias) or writes (math in z)."""
    return _get("activation", spec, parameter, "math in z such as 'z*sigmoid(z)'")


def get_loss(spec: str | CatalogEntry, parameter: str = "loss") -> CatalogEntry:
    """The loss ``spec`` names (catalogue name or alias) or writes (math in a and y)."""
    return _get("loss", spec, parameter, "math in a and y such as '(a - y)**2/2'")


def _get(kind: str, spec: str | CatalogEntry, parameter: str, math: str) -> CatalogEntry:
    if isinstance(spec, CatalogEntry):
        if spec.kind != kind:
            raise InputError(f"'{parameter}' must be an {kind} entry (got a {spec.kind} entry)")
        return spec
    if not isinstance(spec, str):
        raise InputError(f"'{parameter}' must be a name or math text (got {spec!r})")
    try:
        found = lookup(kind, spec)
    except InputError as error:
        raise InputError(f"'{parameter}' {error}") from None
    if found is not None:
        return found
    known = ", ".join(names(kind))
    if _key(spec).isidentifier() and _key(spec) not in ("z", "a", "y"):
        raise InputError(f"'{parameter}' must be one of {known} or {math} (got {spec!r})")
    reader = activation_from_text if kind == "activation" else loss_from_text
    try:
        return reader(spec, parameter)
    except ParseError as error:
        reason = str(error).split(": ", 1)[-1]
        raise InputError(f"'{parameter}' must be one of {known} or {math}: {reason}") from None
