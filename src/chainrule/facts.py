"""Everything chainrule knows about each activation and loss, as plain data (no SymPy, no NumPy).

One entry per activation and per loss is the single source that every table reads:

- the symbolic catalogue (:mod:`chainrule.symbolic.catalog`) reads g(z) or L(a, y) from
  ``formula`` and the form of g' in terms of a = g(z) from ``form`` (both in the safe parser's
  syntax), and the named moves that take the rule result to that form from ``form_steps``;
- the matrix checker (:mod:`chainrule.symbolic.proof.matrix`) takes its hidden activations'
  formulas from the symbolic catalogue, so from here;
- the numeric table (:mod:`chainrule.numeric.activations`) builds one built-in for every entry
  with a ``kernel``, and the estimator (:mod:`chainrule.numeric.estimator`) accepts those names
  and their ``sklearn_name``;
- the README's catalogue tables are written from here by :func:`markdown_tables`.

Adding an activation is adding one :class:`ActivationFacts` here (and, where it has a
hand-written NumPy kernel, that kernel in :mod:`chainrule.numeric.activations`), plus its tests.
The kink convention (``kink_slope``, the value taken for g' where g has a kink) is the one the
notes state, the numeric kernel computes and the generated code uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ACTIVATION_FACTS",
    "LOSS_FACTS",
    "OUTPUT_FACTS",
    "ActivationFacts",
    "Facts",
    "FormStep",
    "LossFacts",
    "kernel_names",
    "markdown_tables",
]


@dataclass(frozen=True)
class FormStep:
    """One named move toward g' in terms of a: the move's registered id, the sentence for its
    line, and its arguments in the safe parser's syntax (variables a and z)."""

    move: str
    text: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What an activation and a loss both have: the name to ask for it by, its name in prose,
    its formula (the safe parser's syntax) and its text in words, one sentence on what it is,
    its derivative as the README writes it, and ``form``, that derivative in the form the
    derivation reaches (parser syntax). ``formula`` and ``form`` are None where the parser
    cannot write the SymPy expression (piecewise functions, the Heaviside step): the symbolic
    catalogue writes those itself. ``notes`` state kinks and domains; ``shown`` is the name
    column of the README's table (the name and aliases by default)."""

    name: str
    title: str
    formula: str | None
    text: str
    description: str
    derivative: str
    form: str | None = None
    notes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    unit_interval: bool = False
    shown: str | None = None


@dataclass(frozen=True)
class ActivationFacts(Facts):
    """One activation g(z): its :class:`Facts`, the named moves that take the rule result for
    g'(z) to ``form``, ``kink_slope`` (g' where g has a kink), ``kernel``, naming the
    hand-written NumPy code in :mod:`chainrule.numeric.activations` (the functions ``kernel``
    and ``kernel_derivative``, or the factory ``make_kernel`` for an activation with a
    parameter), and scikit-learn's name for it."""

    form_steps: tuple[FormStep, ...] = ()
    kink_slope: float | None = None
    kernel: str | None = None
    sklearn_name: str | None = None


@dataclass(frozen=True)
class LossFacts(Facts):
    """One loss L(a, y) for one example (``form`` is dL/da in the form people use), or the
    softmax output pairing (``kind="output"``)."""

    kind: str = "loss"


_ACTIVATIONS = (
    ActivationFacts(
        "sigmoid",
        "sigmoid",
        "sigmoid(z)",
        "σ(z) = 1/(1 + e^(-z))",
        "The logistic function; values in (0, 1), the course's output unit.",
        "a(1 - a)",
        form="a*(1 - a)",
        kernel="sigmoid",
        sklearn_name="logistic",
        unit_interval=True,
    ),
    ActivationFacts(
        "tanh",
        "tanh",
        "tanh(z)",
        "tanh(z)",
        "Hyperbolic tangent; values in (-1, 1).",
        "1 - a²",
        form="1 - a**2",
        kernel="tanh",
        sklearn_name="tanh",
    ),
    ActivationFacts(
        "relu",
        "ReLU",
        "relu(z)",
        "max(0, z)",
        "Rectified linear unit, the usual hidden activation.",
        "H(z), relu'(0) = 0",
        notes=(
            "ReLU is not differentiable at z = 0; relu'(0) is taken as 0 (H(0) = 0: 1 where "
            "z > 0, else 0), as the numeric code's relu_derivative does",
        ),
        kink_slope=0.0,
        kernel="relu",
        sklearn_name="relu",
    ),
    ActivationFacts(
        "leaky_relu",
        "leaky ReLU",
        None,
        "z if z > 0 else 0.01·z",
        "ReLU with a small slope for negative z, so no unit is ever dead.",
        "1 or 0.01 (0.01 at 0)",
        kink_slope=0.01,
        kernel="leaky_relu",
        shown="leaky_relu (slope 0.01; `leaky_relu(0.2)`)",
    ),
    ActivationFacts(
        "linear",
        "linear",
        "z",
        "z",
        "The identity, for regression outputs.",
        "1",
        form="1",
        kernel="linear",
        sklearn_name="identity",
    ),
    ActivationFacts(
        "softplus",
        "softplus",
        "log(1 + exp(z))",
        "ln(1 + e^z)",
        "A smooth ReLU; its derivative is the sigmoid.",
        "σ(z) = 1 - e^(-a)",
        form="1 - exp(-a)",
        form_steps=(
            FormStep(
                "replace_subexpression",
                "1 + e^z = e^a, since a = ln(1 + e^z)",
                ("1 + exp(z)", "exp(a)"),
            ),
            FormStep("replace_subexpression", "so e^z = e^a - 1", ("exp(z)", "exp(a) - 1")),
            FormStep("split_terms", "divide each term by e^a: e^(-a) = 1/e^a"),
        ),
    ),
    ActivationFacts(
        "swish",
        "swish (SiLU)",
        "z*sigmoid(z)",
        "z·σ(z)",
        "Swish with β = 1, also called SiLU: z gated by its own sigmoid.",
        "a + σ(z)(1 - a)",
        form="a + sigmoid(z)*(1 - a)",
        form_steps=(
            FormStep("recognise", "recognise a = z·σ(z) in the product", ("a", "z*sigmoid(z)")),
            FormStep("collect_in", "expand, and collect the terms in σ(z)", ("sigmoid(z)",)),
        ),
        aliases=("silu",),
    ),
    ActivationFacts(
        "elu",
        "ELU",
        None,
        "z if z > 0 else e^z - 1",
        "Exponential linear unit: linear for z > 0, saturating at -α below.",
        "1 or a + 1",
        kink_slope=1.0,
        shown="elu (α = 1; `elu(2)`)",
    ),
    ActivationFacts(
        "gelu",
        "GELU (tanh form)",
        "z/2*(1 + tanh(sqrt(2/pi)*(z + 0.044715*z**3)))",
        "0.5·z·(1 + tanh(√(2/π)(z + 0.044715 z³)))",
        "Gaussian error linear unit in its tanh approximation (BERT, GPT-2).",
        "no form in a",
        notes=("the tanh approximation of GELU; the exact GELU is z·Φ(z)",),
        shown="gelu (tanh form)",
    ),
    ActivationFacts(
        "mish",
        "mish",
        "z*tanh(log(1 + exp(z)))",
        "z·tanh(ln(1 + e^z))",
        "z·tanh(softplus(z)): a smooth, non-monotonic ReLU-like unit.",
        "no form in a",
    ),
)

_LOSSES = (
    LossFacts(
        "binary_cross_entropy",
        "binary cross-entropy",
        None,  # written as the reference writes it: -(y ln a + (1 - y) ln(1 - a)), unexpanded
        "-(y ln a + (1 - y) ln(1 - a))",
        "The negative log-likelihood of a 0/1 label; the course's loss.",
        "-y/a + (1-y)/(1-a)",
        notes=("0 < a < 1, so both logarithms are defined; labels y ∈ {0, 1}",),
        aliases=("bce", "cross_entropy", "log_loss"),
        unit_interval=True,
    ),
    LossFacts(
        "mean_squared_error",
        "mean squared error",
        "(a - y)**2/2",
        "(a - y)²/2",
        "Half the squared error per example, as the numeric code's mean_squared_error, so "
        "that dL/da = a - y.",
        "a - y",
        form="a - y",
        aliases=("mse", "squared_error"),
    ),
    LossFacts(
        "mean_absolute_error",
        "mean absolute error",
        "abs(a - y)",
        "|a - y|",
        "The absolute error per example; robust to outliers.",
        "sign(a - y), 0 at a = y",
        notes=(
            "|a - y| is not differentiable where a = y; its derivative there is taken as "
            "sign(0) = 0, as numpy's sign gives",
        ),
        aliases=("mae", "absolute_error"),
    ),
    LossFacts(
        "log_cosh",
        "log-cosh",
        "log(cosh(a - y))",
        "ln(cosh(a - y))",
        "Smooth: about (a - y)²/2 near a = y and |a - y| - ln 2 far from it.",
        "tanh(a - y)",
        form="tanh(a - y)",
        aliases=("logcosh",),
    ),
    LossFacts(
        "hinge",
        "hinge",
        "max(0, 1 - y*a)",
        "max(0, 1 - y·a)",
        "The margin loss of support vector machines, for labels y ∈ {-1, 1}.",
        "-y H(1 - y a), 0 at the kink",
        notes=(
            "labels y ∈ {-1, 1} (not {0, 1}); a is a raw score",
            "max(0, 1 - y·a) is not differentiable where y·a = 1; its derivative there is "
            "taken as 0 (the convention H(0) = 0)",
        ),
        shown="hinge (y ∈ {-1, 1})",
    ),
)

#: Activations by name, in the catalogue's order.
ACTIVATION_FACTS: Mapping[str, ActivationFacts] = MappingProxyType(
    {f.name: f for f in _ACTIVATIONS}
)
#: Losses by name, in the catalogue's order.
LOSS_FACTS: Mapping[str, LossFacts] = MappingProxyType({f.name: f for f in _LOSSES})

#: Softmax with categorical cross-entropy: an output pairing (its formulas are sums over the
#: units, written by :mod:`chainrule.symbolic.catalog`).
OUTPUT_FACTS = LossFacts(
    "softmax_cross_entropy",
    "softmax + categorical cross-entropy",
    None,
    "-Σ_i y_i ln a_i with a_i = e^(z_i)/Σ_k e^(z_k)",
    "The multi-class output: K softmax units with a one-hot label vector y.",
    "dL/dz_j = a_j - y_j",
    notes=("labels one-hot (y_i ∈ {0, 1}, Σ_i y_i = 1); dL/dz_j = a_j - y_j",),
    aliases=("categorical_cross_entropy", "cce", "softmax"),
    kind="output",
    shown="softmax_cross_entropy",
)


def kernel_names() -> dict[str, str]:
    """The activations with a hand-written NumPy kernel: name -> kernel name."""
    return {f.name: f.kernel for f in _ACTIVATIONS if f.kernel is not None}


def markdown_tables() -> str:
    """The README's catalogue tables: activations (g(z), da/dz) and losses (L(a, y), dL/da)."""
    rows = ["| activation | g(z) | da/dz |", "|---|---|---|"]
    rows += [_row(f, f.aliases) for f in _ACTIVATIONS]
    rows += ["", "| loss | L(a, y) | dL/da |", "|---|---|---|"]
    rows += [_row(f, f.aliases[:1]) for f in (*_LOSSES, OUTPUT_FACTS)]
    return "\n".join(rows) + "\n"


def _row(facts: Facts, aliases: tuple[str, ...]) -> str:
    shown = facts.shown or " / ".join((facts.name, *aliases))
    cells = (shown, facts.text, facts.derivative)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
