"""The catalogue's entries: the data model and the built-in activations and losses.

Kept apart from :mod:`chainrule.symbolic.catalog`, which looks entries up by name and reads
custom ones from text, so that each module stays short; import from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from chainrule.errors import InputError
from chainrule.symbolic.core.symbols import a, sigma, y, z
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
    name = "leaky_relu" if value == sp.Rational(1, 100) else f"leaky_relu({_slope_text(value)})"
    return CatalogEntry(
        kind="activation",
        name=name,
        title="leaky ReLU" if name == "leaky_relu" else f"leaky ReLU (slope {value})",
        expr=sp.Piecewise((z, z > 0), (value * z, True)),
        text=f"z if z > 0 else {_slope_text(value)}·z",
        description="ReLU with a small slope for negative z, so no unit is ever dead.",
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
    return CatalogEntry(
        kind="activation",
        name="elu" if one else f"elu({_slope_text(value)})",
        title="ELU" if one else f"ELU (α = {value})",
        expr=sp.Piecewise((z, z > 0), (value * (sp.exp(z) - 1), True)),
        text="z if z > 0 else " + ("e^z - 1" if one else f"{value}·(e^z - 1)"),
        description="Exponential linear unit: linear for z > 0, saturating at -α below.",
        notes=(kink,),
        derivative_form=sp.Piecewise((1, z > 0), (a + value, True)),
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


def _activation(name, title, expr, text, description, form, notes=(), aliases=(), unit=False):
    return CatalogEntry(
        "activation", name, title, expr, text, description, tuple(notes), form, aliases, unit
    )


def _loss(name, title, expr, text, description, form, notes=(), aliases=(), unit=False):
    return CatalogEntry(
        "loss", name, title, expr, text, description, tuple(notes), form, aliases, unit
    )


_GELU_SLOPE = sp.sqrt(2 / sp.pi)
_GELU_CUBIC = sp.Rational(44715, 1000000)

_ACTIVATION_LIST = (
    _activation(
        "sigmoid",
        "sigmoid",
        sigma(z),
        "σ(z) = 1/(1 + e^(-z))",
        "The logistic function; values in (0, 1), the course's output unit.",
        a * (1 - a),
        unit=True,
    ),
    _activation(
        "tanh", "tanh", sp.tanh(z), "tanh(z)", "Hyperbolic tangent; values in (-1, 1).", 1 - a**2
    ),
    _activation(
        "relu",
        "ReLU",
        sp.Max(0, z),
        "max(0, z)",
        "Rectified linear unit, the usual hidden activation.",
        sp.Heaviside(z, 0),
        notes=(
            "ReLU is not differentiable at z = 0; relu'(0) is taken as 0 (H(0) = 0: 1 where "
            "z > 0, else 0), as the numeric code's relu_derivative does",
        ),
    ),
    leaky_relu(),
    _activation("linear", "linear", z, "z", "The identity, for regression outputs.", sp.S.One),
    _activation(
        "softplus",
        "softplus",
        sp.log(1 + sp.exp(z)),
        "ln(1 + e^z)",
        "A smooth ReLU; its derivative is the sigmoid.",
        1 - sp.exp(-a),
    ),
    _activation(
        "swish",
        "swish (SiLU)",
        z * sigma(z),
        "z·σ(z)",
        "Swish with β = 1, also called SiLU: z gated by its own sigmoid.",
        a + sigma(z) * (1 - a),
        aliases=("silu",),
    ),
    elu(),
    _activation(
        "gelu",
        "GELU (tanh form)",
        sp.Rational(1, 2) * z * (1 + sp.tanh(_GELU_SLOPE * (z + _GELU_CUBIC * z**3))),
        "0.5·z·(1 + tanh(√(2/π)(z + 0.044715 z³)))",
        "Gaussian error linear unit in its tanh approximation (BERT, GPT-2).",
        None,
        notes=("the tanh approximation of GELU; the exact GELU is z·Φ(z)",),
    ),
    _activation(
        "mish",
        "mish",
        z * sp.tanh(sp.log(1 + sp.exp(z))),
        "z·tanh(ln(1 + e^z))",
        "z·tanh(softplus(z)): a smooth, non-monotonic ReLU-like unit.",
        None,
    ),
)

_LOSS_LIST = (
    _loss(
        "binary_cross_entropy",
        "binary cross-entropy",
        neg(add(y * sp.log(a), (1 - y) * sp.log(1 - a))),
        "-(y ln a + (1 - y) ln(1 - a))",
        "The negative log-likelihood of a 0/1 label; the course's loss.",
        add(-y / a, (1 - y) / (1 - a)),
        notes=("0 < a < 1, so both logarithms are defined; labels y ∈ {0, 1}",),
        aliases=("bce", "cross_entropy", "log_loss"),
        unit=True,
    ),
    _loss(
        "mean_squared_error",
        "mean squared error",
        (a - y) ** 2 / 2,
        "(a - y)²/2",
        "Half the squared error per example, as the numeric code's mean_squared_error, so "
        "that dL/da = a - y.",
        a - y,
        aliases=("mse", "squared_error"),
    ),
    _loss(
        "mean_absolute_error",
        "mean absolute error",
        sp.Abs(a - y),
        "|a - y|",
        "The absolute error per example; robust to outliers.",
        sp.sign(a - y),
        notes=(
            "|a - y| is not differentiable where a = y; its derivative there is taken as "
            "sign(0) = 0, as numpy's sign gives",
        ),
        aliases=("mae", "absolute_error"),
    ),
    _loss(
        "log_cosh",
        "log-cosh",
        sp.log(sp.cosh(a - y)),
        "ln(cosh(a - y))",
        "Smooth: about (a - y)²/2 near a = y and |a - y| - ln 2 far from it.",
        sp.tanh(a - y),
        aliases=("logcosh",),
    ),
    _loss(
        "hinge",
        "hinge",
        sp.Max(0, 1 - y * a),
        "max(0, 1 - y·a)",
        "The margin loss of support vector machines, for labels y ∈ {-1, 1}.",
        -y * sp.Heaviside(1 - a * y, 0),
        notes=(
            "labels y ∈ {-1, 1} (not {0, 1}); a is a raw score",
            "max(0, 1 - y·a) is not differentiable where y·a = 1; its derivative there is "
            "taken as 0 (the convention H(0) = 0)",
        ),
    ),
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
SOFTMAX_CROSS_ENTROPY = CatalogEntry(
    kind="output",
    name="softmax_cross_entropy",
    title="softmax + categorical cross-entropy",
    expr=-sp.Sum(_indexed("y_i") * sp.log(_indexed("a_i")), (_i, 1, _K)),
    text="-Σ_i y_i ln a_i with a_i = e^(z_i)/Σ_k e^(z_k)",
    description="The multi-class output: K softmax units with a one-hot label vector y.",
    notes=("labels one-hot (y_i ∈ {0, 1}, Σ_i y_i = 1); dL/dz_j = a_j - y_j",),
    derivative_form=add(_indexed("a_j"), -_indexed("y_j")),
    aliases=("categorical_cross_entropy", "cce", "softmax"),
)
