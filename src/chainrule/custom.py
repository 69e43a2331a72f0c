"""Activations and losses by name or by math text, for the network and the command line.

``--activation`` and ``--loss`` take a name or the math itself::

    relu                    built-in: the hand-written NumPy code of chainrule.numeric
    leaky_relu(0.2)         built-in too, with its slope
    swish, silu, gelu       catalogue entries (chainrule.symbolic.catalog): generated code
    "z*sigmoid(z)"          math in z: parsed safely, differentiated, generated code

and the same for the loss L(a, y) (``mse``, ``hinge``, ``"(a - y)**2 / 2"``) with its output
activation (``--output``: ``auto``, ``softmax``, or any activation above).

Each loss is checked against its output activation: at a spread of z the output gives values
a, and L(a, y) and dL/da must be real numbers there for the targets y = 0 and 1. So binary
cross-entropy (ln a, ln(1 - a)) with a linear output (a = -3 has no logarithm) is refused with
a message that says why. ``auto`` picks sigmoid for a catalogue loss of probabilities, linear
for the other catalogue losses, and for math text the first of linear, sigmoid that passes.
Pairs that a built-in output implements (sigmoid with binary cross-entropy, linear with the
mean squared error, softmax with categorical cross-entropy) run the hand-written code.

Targets are 0/1 (one-hot for several classes) throughout chainrule. The catalogue's hinge
loss is written for labels y ∈ {-1, 1}, so it is generated with y read as 2y - 1.

Only what is asked for imports SymPy: a built-in name never does.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from chainrule.errors import InputError
from chainrule.numeric.activations import ACTIVATIONS, Activation, make_leaky_relu
from chainrule.numeric.losses import OUTPUTS, Output
from chainrule.numeric.resolve import AUTO, built_in_output

__all__ = [
    "AUTO",
    "activation_from_expression",
    "output_from_expressions",
    "pair_source",
    "resolve_activation",
    "resolve_output",
]

_SOFTMAX = "softmax"
#: z values where an activation must be defined and where an output's values are taken.
_PROBES = ("-3", "-1", "-1/4", "1/4", "1", "3")
_TARGETS = (0, 1)
#: Catalogue losses written for labels y ∈ {-1, 1}; generated with y read as 2y - 1.
_PLUS_MINUS_ONE_LABELS = frozenset({"hinge"})
#: (catalogue loss, output) pairs that a built-in output implements by hand.
_BUILT_IN_PAIRS = {("binary_cross_entropy", "sigmoid"), ("mean_squared_error", "linear")}
_LEAKY = re.compile(r"leaky_relu\((?P<slope>[0-9./]+)\)")


def resolve_activation(spec: str | Activation, parameter: str = "activation") -> Activation:
    """The hidden activation that ``spec`` names or writes.

    Parameters
    ----------
    spec : str or Activation
        A built-in name (hand-written code), a catalogue name or math text in z (generated
        code), or an :class:`Activation` (returned as it is).
    parameter : str
        The option's name in error messages (``"--activation"`` on the command line).

    Raises
    ------
    InputError
        For an unknown name, text the parser refuses, or an activation that ignores z or is
        not a real number at some z (``log(z)``).
    """
    if isinstance(spec, Activation):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(f"'{parameter}' must be a name or math in z (got {spec!r})")
    if spec in ACTIVATIONS:
        return ACTIVATIONS[spec]
    return _activation_from_text(spec, parameter)


@functools.lru_cache(maxsize=64)
def _activation_from_text(spec: str, parameter: str) -> Activation:
    """The activation of a spelling that is not a built-in name, generated once per
    spelling (a failure is not cached: it raises every time)."""
    entry = _activation_entry(spec, parameter)
    leaky = _LEAKY.fullmatch(entry.name)
    if leaky is not None:
        from sympy import Rational

        return make_leaky_relu(float(Rational(leaky["slope"])))
    if entry.name in ACTIVATIONS:
        return ACTIVATIONS[entry.name]  # an alias or another spelling of a built-in
    return _compiled_activation(entry, spec if entry.custom else entry.name)


@functools.lru_cache(maxsize=64)
def resolve_output(
    loss: str | None,
    output: str,
    *,
    default: str = "sigmoid",
    parameter: str = "loss",
    output_parameter: str = "--output",
) -> Output:
    """The output layer for ``loss`` and ``output``.

    Parameters
    ----------
    loss : str or None
        None for a built-in output with its own loss; else a catalogue name or math text in a
        and y.
    output : str
        ``"auto"``, ``"softmax"``, or an activation as :func:`resolve_activation` takes it.
        There is no default, so that "auto" is always asked for: it picks sigmoid for a
        catalogue loss of probabilities, linear for the other catalogue losses (log_cosh,
        mae, ...) and, for math text, the first of linear and sigmoid the loss accepts.
    default : str
        The built-in output that ``"auto"`` means when there is no loss.
    parameter, output_parameter : str
        The options' names in error messages (``'--loss'``, ``'--output'`` on the command
        line; ``'loss'``, ``'output'`` in Python).

    Each spelling is generated once (a failure is not cached: it raises every time).
    """
    if loss is None:
        return built_in_output(
            output, default=default, output_parameter=output_parameter, loss_parameter=parameter
        )
    from chainrule.symbolic import catalog

    if catalog.is_softmax(loss):
        if output not in (AUTO, _SOFTMAX):
            raise InputError(f"{parameter!r} {loss!r} is for a softmax output (got {output!r})")
        return OUTPUTS[_SOFTMAX]
    entry = catalog.get_loss(loss, parameter)
    spec = loss if entry.custom else entry.name
    return _output_for(entry, spec, output, parameter, output_parameter)


def activation_from_expression(text: str, name: str | None = None) -> Activation:
    """The activation that ``text`` (a catalogue name or math in z, as saved with a model)
    makes, named ``name``."""
    activation = resolve_activation(text, "activation")
    if name is None or name == activation.name:
        return activation
    import dataclasses

    return dataclasses.replace(activation, name=name)


def output_from_expressions(
    output_text: str, loss_text: str, name: str | None = None, loss_name: str | None = None
) -> Output:
    """The output that the texts of its activation and loss make (as saved with a model)."""
    output = resolve_output(loss_text, output_text, parameter="loss")
    if name is None and loss_name is None:
        return output
    import dataclasses

    return dataclasses.replace(output, name=name or output.name, loss=loss_name or output.loss)


def pair_source(activation: str | None, loss: str) -> str:
    """The generated NumPy code of one activation and loss, as ``chainrule derive
    --activation A --loss L --show-code`` prints it: g(z) and g'(z) of the activation, then the
    cost and output delta of the loss with that activation as the output, a = g(z). With the
    softmax cross-entropy the output is the softmax, and ``activation`` (None or "softmax"
    for the output alone) is shown as a hidden activation. Always generated from the
    catalogue's math, built-in names included; the loss as the catalogue writes it (the
    hinge with y ∈ {-1, 1}).
    """
    from chainrule.codegen import SOFTMAX, compile_activation, compile_loss, source
    from chainrule.symbolic import catalog

    parts: list[Any] = []
    g = None
    if activation is not None and not catalog.is_softmax(activation):
        g = catalog.get_activation(activation, "--activation")
        parts.append(compile_activation(g.expr, name=g.name))
    if catalog.is_softmax(loss):
        a, y = _symbol("a"), _symbol("y")
        parts.append(
            compile_loss(-y * _log(a), SOFTMAX, name="cross_entropy", output_name="softmax")
        )
    else:
        entry = catalog.get_loss(loss, "--loss")
        g = g or catalog.get_activation("sigmoid")
        parts.append(compile_loss(entry.expr, g.expr, name=entry.name, output_name=g.name))
    return source(*parts)


def _log(value: Any) -> Any:
    import sympy as sp

    return sp.log(value)


# ----------------------------------------------------------------------------- entries
def _activation_entry(spec: str, parameter: str) -> Any:
    """The catalogue entry ``spec`` names or writes, checked to be real for every z."""
    from chainrule.symbolic import catalog

    entry = catalog.get_activation(spec, parameter)
    if entry.custom:
        _check_real(entry.expr, spec, parameter)
    return entry


def _output_for(
    loss: Any, loss_spec: str, output: str, parameter: str, output_parameter: str
) -> Output:
    """The output ``output`` (or the first that fits, for auto) with the loss entry."""
    from chainrule.symbolic import catalog

    if output != AUTO:
        candidates = [output]
    elif loss.custom:
        candidates = ["linear", "sigmoid"]
    else:
        candidates = ["sigmoid" if loss.unit_interval else "linear"]
    expr = _labels_as_zero_one(loss)
    problems = []
    for candidate in candidates:
        g_expr: Any = _SOFTMAX
        if candidate != _SOFTMAX:
            g_expr = catalog.get_activation(candidate, output_parameter).expr
        problem = _domain_problem(expr, g_expr)
        if problem is None:
            if (loss.name, candidate) in _BUILT_IN_PAIRS and not loss.custom:
                return OUTPUTS[candidate]
            shown = loss_spec if loss.custom else loss.title
            return _compiled_output(candidate, g_expr, loss_spec, shown, expr)
        problems.append((candidate, problem))
    name, problem = problems[0]
    hint = ""
    if name != "sigmoid":
        option = output_parameter
        suggestion = f"'{option} sigmoid'" if option.startswith("--") else f"{option}='sigmoid'"
        hint = f" (try {suggestion} for a loss of probabilities)"
    raise InputError(f"{parameter!r} {loss_spec!r} does not fit the {name} output: {problem}{hint}")


def _labels_as_zero_one(loss: Any) -> Any:
    """The loss's expression, with y read as 2y - 1 for a loss of ±1 labels."""
    if loss.custom or loss.name not in _PLUS_MINUS_ONE_LABELS:
        return loss.expr
    y = _symbol("y")
    return loss.expr.xreplace({y: 2 * y - 1})


# ----------------------------------------------------------------------------- checks
def _symbol(name: str) -> Any:
    from chainrule.symbolic.core.symbols import BASE_SYMBOLS

    return BASE_SYMBOLS[name]


def _check_real(expr: Any, text: str, parameter: str) -> None:
    """Refuse an activation, or its derivative, that is not a real number at some z."""
    import sympy as sp

    z = _symbol("z")
    slope = sp.diff(expr, z)
    for probe in ("-3", "-1", "0", "1", "3"):
        for part, value in (("value", expr), ("derivative", slope)):
            problem = _value_problem(value, {z: sp.Rational(probe)})
            if problem is not None:
                raise InputError(
                    f"'{parameter}' {text!r}: its {part} {problem} at z = {probe}; "
                    f"an activation must be a finite real number for every z"
                )


def _domain_problem(loss: Any, g: Any) -> str | None:
    """Why L(g(z), y) or dL/da is not real somewhere the output reaches, or None."""
    import sympy as sp

    a, y, z = _symbol("a"), _symbol("y"), _symbol("z")
    slope = sp.diff(loss, a)
    for probe in _PROBES:
        value = sp.Rational(1, 3) if g == _SOFTMAX else g.xreplace({z: sp.Rational(probe)})
        for target in _TARGETS:
            point = {a: value, y: sp.Integer(target)}
            if _real_value(loss, point) is None or _real_value(slope, point) is None:
                shown = _real_value(value, {})
                return (
                    f"the loss or its derivative is not a real number at a = {shown:.4g}, "
                    f"y = {target}, a value this output gives"
                )
    return None


def _value_problem(expr: Any, point: dict) -> str | None:
    """What is wrong with ``expr`` at ``point`` as a float: not a real number, or a real
    too large for floating point (``exp(exp(exp(3)))``); None when it is a finite float."""
    if _real_value(expr, point) is not None:
        return None
    if _real_value(expr, point, overflow=True) is not None:
        return "overflows (is beyond the range of floating point)"
    return "is not a real number"


def _real_value(expr: Any, point: dict, *, overflow: bool = False) -> float | None:
    """``expr`` at ``point`` as a finite float, or None when it is not a finite real (with
    ``overflow``, a real too large for a float is ``inf`` rather than None)."""
    import sympy as sp

    from chainrule.symbolic.core.symbols import sigma

    plain = expr.xreplace(point).replace(sigma, lambda u: 1 / (1 + sp.exp(-u)))
    value = plain.evalf(20)
    if not value.is_number or value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    real, imaginary = value.as_real_imag()
    if abs(imaginary) > 1e-15:
        return None
    try:
        number = float(real)
    except TypeError:
        return None
    return number if overflow or abs(number) < float("inf") else None


# ----------------------------------------------------------------------------- codegen
def _compiled_activation(entry: Any, spec: str) -> Activation:
    from chainrule.codegen import compile_activation

    return compile_activation(entry.expr, name=entry.name, expression=spec)


def _compiled_output(g_spec: str, g: Any, loss_spec: str, loss_name: str, loss: Any) -> Output:
    from chainrule.codegen import compile_loss

    return compile_loss(
        loss,
        g,
        name=loss_name,
        output_name=g_spec,
        loss_expression=loss_spec,
        output_expression=g_spec,
    )
