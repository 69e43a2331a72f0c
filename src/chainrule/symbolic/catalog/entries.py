"""The catalogue's entries: the data model and the built-in activations and losses.

Every entry is read from its facts in :mod:`chainrule.facts` (the one place that lists the
activations and losses): g(z) and the form of g' in a are parsed from the facts' text; only
what the safe parser cannot write (piecewise functions, the Heaviside step, the cross-entropy
as the reference writes it) and the families with a parameter are written here.

Kept apart from :mod:`chainrule.symbolic.catalog`, which looks entries up by name and reads
custom ones from text, so that each module stays short; import from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from chainrule.errors import InputError
from chainrule.facts import (
    ACTIVATION_FACTS,
    LOSS_FACTS,
    OUTPUT_FACTS,
    ActivationFacts,
    Facts,
    LossFacts,
)
from chainrule.symbolic.core.symbols import a, y, z
from chainrule.symbolic.core.trees import add, neg

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "SOFTMAX_CROSS_ENTROPY",
    "CatalogEntry",
    "elu",
    "leaky_relu",
]


@dataclass(frozen=True)
class CatalogEntry:
    """One activation g(z), loss L(a, y) or output pairing of the catalogue.

    Attributes
    ----------
    kind : str
        ``"activation"``, ``"loss"`` or ``"output"`` (softmax with categorical cross-entropy).
    name : str
        The name to ask for it by (``"leaky_relu"``); for a custom entry, the text as typed.
    title : str
        The name in prose (``"leaky ReLU"``); for a custom entry, the formula.
    expr : sympy.Expr
        g(z) of the shared symbol ``z``, or L(a, y) of ``a`` and ``y``.
    text : str
        The formula in words.
    description : str
        One sentence on what it is and where it is used.
    notes : tuple of str
        Points where it is not differentiable and the convention used there; domains.
    derivative_form : sympy.Expr or None
        An activation's g'(z) in terms of a = g(z) (and z where it must), or a loss's dL/da, in
        the form people use; None where no form in g exists.
    aliases : tuple of str
        Other names it answers to (``"silu"`` for swish).
    unit_interval : bool
        For an activation: its values lie in (0, 1). For a loss: it needs 0 < a < 1.
    custom : bool
        Made from user text rather than taken from the catalogue.
    form_steps : tuple of (str, str, tuple of sympy.Expr)
        For an activation: the named moves (registered id, sentence, arguments) that take the
        rule result for g'(z) to ``derivative_form``, beyond recognising a = g(z).
    """

    kind: str
    name: str
    title: str
    expr: sp.Expr
    text: str
    description: str
    notes: tuple[str, ...] = ()
    derivative_form: sp.Expr | None = None
    aliases: tuple[str, ...] = ()
    unit_interval: bool = False
    custom: bool = False
    form_steps: tuple[tuple[str, str, tuple[sp.Expr, ...]], ...] = ()

    @property
    def variable(self) -> sp.Symbol:
        """The variable it is differentiated by: z for an activation, a for a loss."""
        return z if self.kind == "activation" else a


def _slope_text(slope: sp.Rational) -> str:
    """0.01 for 1/100, 1/3 for 1/3: a decimal where it is exact."""
    decimal = repr(float(slope))
    return decimal.removesuffix(".0") if sp.Rational(decimal) == slope else str(slope)


def leaky_relu(slope: object = sp.Rational(1, 100)) -> CatalogEntry:
    """Leaky ReLU with the given negative-side slope (an exact rational in [0, 1)).

    g(z) = z for z > 0, slope·z otherwise; g'(z) = 1 for z > 0, slope otherwise. At the kink
    z = 0 the derivative is taken as the slope, as ``chainrule.numeric``'s leaky ReLU does.
    """
    value = _rational(slope, "slope")
    facts = ACTIVATION_FACTS["leaky_relu"]
    default = value == sp.Rational(1, 100)
    return CatalogEntry(
        kind="activation",
        name=facts.name if default else f"{facts.name}({_slope_text(value)})",
        title=facts.title if default else f"{facts.title} (slope {value})",
        expr=sp.Piecewise((z, z > 0), (value * z, True)),
        text=f"z if z > 0 else {_slope_text(value)}·z",
        description=facts.description,
        notes=(
            f"leaky ReLU is not differentiable at z = 0; its derivative there is taken as the "
            f"slope {value} (1 where z > 0, else {value}), as the numeric code does",
        ),
        derivative_form=sp.Piecewise((1, z > 0), (value, True)),
    )


def elu(alpha: object = 1) -> CatalogEntry:
    """ELU: g(z) = z for z > 0, α(e^z - 1) otherwise; α an exact positive rational (default 1).

    With α = 1 it is differentiable everywhere (slope 1 from both sides at 0); otherwise the
    derivative at 0 is taken from the z ≤ 0 side, α.
    """
    value = _rational(alpha, "alpha", upper=None)
    if value <= 0:
        raise InputError(f"'alpha' must be a positive number (got {alpha!r})")
    one = value == 1
    kink = (
        "ELU with α = 1 is differentiable at z = 0 (slope 1 from both sides), so elu'(0) = 1"
        if one
        else f"ELU with α = {value} is not differentiable at z = 0; its derivative there is "
        f"taken from the z ≤ 0 side, α = {value}"
    )
    facts = ACTIVATION_FACTS["elu"]
    recognise_exp = (
        "where z ≤ 0, a = e^z - 1, so e^z = a + 1"
        if one
        else f"where z ≤ 0, a = {value}(e^z - 1), so {value}·e^z = a + {value}"
    )
    return CatalogEntry(
        kind="activation",
        name=facts.name if one else f"{facts.name}({_slope_text(value)})",
        title=facts.title if one else f"{facts.title} (α = {value})",
        expr=sp.Piecewise((z, z > 0), (value * (sp.exp(z) - 1), True)),
        text="z if z > 0 else " + ("e^z - 1" if one else f"{value}·(e^z - 1)"),
        description=facts.description,
        notes=(kink,),
        derivative_form=sp.Piecewise((1, z > 0), (a + value, True)),
        form_steps=(("replace_subexpression", recognise_exp, (value * sp.exp(z), a + value)),),
    )


def _rational(number: object, parameter: str, upper: int | None = 1) -> sp.Rational:
    """``number`` as an exact rational (0.01 -> 1/100), in [0, upper) when ``upper`` is set."""
    try:
        text = number if isinstance(number, str) else str(number)
        value = sp.Rational(text)
    except (TypeError, ValueError, SyntaxError):
        value = None
    if value is None or (upper is not None and not 0 <= value < upper):
        wanted = f"a number in [0, {upper})" if upper is not None else "a number"
        raise InputError(f"'{parameter}' must be {wanted} (got {number!r})")
    return value


def _parse(text: str) -> sp.Expr:
    """Catalogue text in the safe parser's syntax, in the shared symbols a, y and z."""
    from chainrule.symbolic.catalog.parse import parse_expression

    return parse_expression(text, ("a", "y", "z"), parameter="catalogue")


def _formula(facts: Facts, written: sp.Expr | None) -> sp.Expr:
    """g(z) or L(a, y): as written here where the facts cannot write it, else their formula."""
    if written is not None:
        return written
    if facts.formula is None:
        raise ValueError(f"{facts.name}: the facts have no formula and none is written here")
    return _parse(facts.formula)


def _activation(facts: ActivationFacts, expr=None, form=None, notes=None) -> CatalogEntry:
    """The entry of one activation of :mod:`chainrule.facts`; ``expr``, ``form`` and ``notes``
    where the facts cannot write them (piecewise functions, the Heaviside step, a parameter)."""
    steps = tuple(
        (step.move, step.text, tuple(_parse(arg) for arg in step.args)) for step in facts.form_steps
    )
    return CatalogEntry(
        kind="activation",
        name=facts.name,
        title=facts.title,
        expr=_formula(facts, expr),
        text=facts.text,
        description=facts.description,
        notes=facts.notes if notes is None else notes,
        derivative_form=_parse(facts.form) if form is None and facts.form else form,
        aliases=facts.aliases,
        unit_interval=facts.unit_interval,
        form_steps=steps,
    )


def _loss(facts: LossFacts, expr=None, form=None) -> CatalogEntry:
    """The entry of one loss of :mod:`chainrule.facts` (``expr``, ``form`` as for
    :func:`_activation`)."""
    return CatalogEntry(
        kind=facts.kind,
        name=facts.name,
        title=facts.title,
        expr=_formula(facts, expr),
        text=facts.text,
        description=facts.description,
        notes=facts.notes,
        derivative_form=_parse(facts.form) if form is None and facts.form else form,
        aliases=facts.aliases,
        unit_interval=facts.unit_interval,
    )


#: What the safe parser cannot write, by name: the Heaviside steps and the sign at the kinks,
#: and the cross-entropy as the reference writes it (one minus sign before the bracket).
_CROSS_ENTROPY = neg(add(y * sp.log(a), (1 - y) * sp.log(1 - a)))
_FORMS = {
    "relu": sp.Heaviside(z, 0),
    "mean_absolute_error": sp.sign(a - y),
    "hinge": -y * sp.Heaviside(1 - a * y, 0),
    "binary_cross_entropy": add(-y / a, (1 - y) / (1 - a)),
}

#: The activations with a parameter, built for its default value.
_FAMILIES = {"leaky_relu": leaky_relu, "elu": elu}
_ACTIVATION_LIST = tuple(
    _FAMILIES[name]() if name in _FAMILIES else _activation(facts, form=_FORMS.get(name))
    for name, facts in ACTIVATION_FACTS.items()
)

_LOSS_LIST = tuple(
    _loss(
        facts,
        expr=_CROSS_ENTROPY if name == "binary_cross_entropy" else None,
        form=_FORMS.get(name),
    )
    for name, facts in LOSS_FACTS.items()
)

#: Activations by name, in the catalogue's order.
ACTIVATIONS: Mapping[str, CatalogEntry] = MappingProxyType({e.name: e for e in _ACTIVATION_LIST})
#: Losses by name, in the catalogue's order.
LOSSES: Mapping[str, CatalogEntry] = MappingProxyType({e.name: e for e in _LOSS_LIST})

_i = sp.Symbol("i", integer=True, positive=True)
_K = sp.Symbol("K", integer=True, positive=True)


def _indexed(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


#: Softmax output with categorical cross-entropy: an output pairing, derived by
#: :mod:`chainrule.symbolic.derivations.softmax` (its derivative is the vector a - y).
SOFTMAX_CROSS_ENTROPY = _loss(
    OUTPUT_FACTS,
    expr=-sp.Sum(_indexed("y_i") * sp.log(_indexed("a_i")), (_i, 1, _K)),
    form=add(_indexed("a_j"), -_indexed("y_j")),
)
