"""From a (proven) SymPy expression to the numeric objects the network runs.

- :func:`compile_activation`: g(z) -> :class:`~chainrule.numeric.activations.Activation`, with
  ``forward(Z, out=A)`` from g and ``derivative(Z, A, out=D)`` from g'(z) (the proven
  derivative when one is given, else ``sympy.diff``), written in terms of ``a = g(z)`` where g
  appears in it (σ' = a(1 - a), tanh' = 1 - a²), so that the network's cached A is reused.
- :func:`compile_loss`: L(a, y) and an output activation g ->
  :class:`~chainrule.numeric.losses.Output`, with the cost (1/m) Σ L(g(z), y) and the output
  delta dZ[L] = dL/da · g'(z), differentiated in z as one function so that it collapses where
  the derivation says it does (``a - y`` for σ with cross-entropy). A softmax output takes
  the Jacobian-vector product dz_k = a_k (g_k - Σ_j a_j g_j) with g = dL/da, collapsed to
  one element-wise expression where the loss allows it for one-hot targets (``a - y`` for the
  categorical cross-entropy).
- :func:`source`: the NumPy code of any of these, as text.
"""

from __future__ import annotations

import keyword
import random
import re

import numpy as np
import sympy as sp

from chainrule.codegen.kernels import GeneratedFunction, Kernel, MeanCost, SoftmaxDelta, make_kernel
from chainrule.codegen.printer import HELPERS
from chainrule.codegen.stable import stabilize
from chainrule.errors import InputError, ProofError
from chainrule.numeric.activations import Activation
from chainrule.numeric.losses import Output, argmax_labels, softmax, threshold_labels
from chainrule.symbolic.core.symbols import a, sigma, y, z
from chainrule.symbolic.proof.check import off_the_jumps

__all__ = ["SOFTMAX", "compile_activation", "compile_loss", "source"]

#: The output activation that is not element-wise.
SOFTMAX = "softmax"

_CHECK_POINTS = 5
#: Names the generated module already uses (the helpers, numpy, the buffer).
_RESERVED = frozenset({"numpy", "scipy", "sigmoid", "step", "assign", "out"})


def compile_activation(
    expr: sp.Expr,
    *,
    name: str,
    derivative: sp.Expr | None = None,
    expression: str | None = None,
) -> Activation:
    """An :class:`Activation` generated from g(z).

    Parameters
    ----------
    expr : sympy.Expr
        g as a function of the symbol ``z`` of :mod:`chainrule.symbolic.core.symbols`.
    name : str
        The activation's name.
    derivative : sympy.Expr, optional
        The proven g'(z) (from a derivation), in z or in the form with a = g(z) such as
        a(1 - a); checked against ``sympy.diff`` at random points. Default:
        ``sympy.diff(expr, z)``.
    expression : str, optional
        The text ``expr`` was read from, kept on the activation so a saved model can rebuild
        it.

    Raises
    ------
    InputError
        If ``expr`` is not a function of z alone.
    ProofError
        If ``derivative`` is not the derivative of ``expr``.
    """
    expr = _function_of(expr, {z}, "expr")
    slope = _checked_derivative(off_the_jumps(sp.diff(expr, z)), derivative, {a: expr})
    identifier = _identifier(name, "activation")
    forward = make_kernel(expr, [z], f"{identifier}_forward", z)
    in_terms_of_a = _in_terms_of_output(forward.expression, slope)
    backward = make_kernel(in_terms_of_a, [z, a], f"{identifier}_derivative", z)
    return Activation(
        name,
        GeneratedFunction(forward),
        GeneratedFunction(backward),
        in_place=True,
        expression=expression,
    )


def compile_loss(
    loss: sp.Expr,
    output_activation: sp.Expr | str,
    *,
    name: str,
    output_name: str,
    delta: sp.Expr | None = None,
    loss_expression: str | None = None,
    output_expression: str | None = None,
) -> Output:
    """An :class:`Output` generated from the loss L(a, y) and the output activation g.

    Parameters
    ----------
    loss : sympy.Expr
        L as a function of the symbols ``a`` and ``y``; the cost J sums it over the output
        units and averages it over the m examples.
    output_activation : sympy.Expr or "softmax"
        g(z), or :data:`SOFTMAX`.
    name, output_name : str
        Names of the loss and of the output activation.
    delta : sympy.Expr, optional
        The proven dL/dz (a function of z, a, y, with a = g(z)); checked against
        ``sympy.diff`` at random points. Default: ``sympy.diff`` of L(g(z), y), in its
        shortest form. Not used with softmax.
    loss_expression, output_expression : str, optional
        The texts the loss and g were read from, kept for saving.
    """
    loss = _function_of(loss, {a, y}, "loss")
    if not loss.has(a):
        raise InputError(f"'loss' must depend on a (got {loss})")
    identifier = _identifier(name, "loss")
    texts = (output_expression, loss_expression)
    if isinstance(output_activation, str):
        if output_activation != SOFTMAX:
            raise InputError(
                f"'output_activation' must be an expression or 'softmax' "
                f"(got {output_activation!r})"
            )
        return _softmax_output(loss, identifier, name, texts)
    g = _function_of(output_activation, {z}, "output_activation")
    forward = make_kernel(g, [z], f"{_identifier(output_name, 'output')}_output", z)
    composed = loss.xreplace({a: g})
    slope = _checked_derivative(_shortest(off_the_jumps(sp.diff(composed, z))), delta, {a: g})
    cost = make_kernel(_in_terms_of_output(forward.expression, composed), [z, a, y],
                       f"{identifier}_cost", z)  # fmt: skip
    backward = make_kernel(_in_terms_of_output(forward.expression, slope), [z, a, y],
                           f"{identifier}_delta", z)  # fmt: skip
    return Output(
        output_name,
        name,
        GeneratedFunction(forward),
        MeanCost(GeneratedFunction(cost)),
        GeneratedFunction(backward),
        predict=threshold_labels if _within_unit_interval(g) else np.copy,
        output_expression=output_expression,
        loss_expression=loss_expression,
    )


def _softmax_output(
    loss: sp.Expr, identifier: str, name: str, texts: tuple[str | None, str | None]
) -> Output:
    cost = make_kernel(loss, [a, y], f"{identifier}_cost")
    slope = off_the_jumps(sp.diff(loss, a))
    collapsed = _one_hot_delta(slope)
    if collapsed is not None:
        delta: object = GeneratedFunction(make_kernel(collapsed, [z, a, y], f"{identifier}_delta"))
    else:
        delta = SoftmaxDelta(
            GeneratedFunction(make_kernel(slope, [a, y], f"{identifier}_gradient"))
        )
    return Output(
        SOFTMAX,
        name,
        softmax,
        MeanCost(GeneratedFunction(cost), inputs=2),
        delta,  # type: ignore[arg-type]
        min_units=2,
        predict=argmax_labels,
        output_expression=texts[0],
        loss_expression=texts[1],
    )


def _one_hot_delta(slope: sp.Expr) -> sp.Expr | None:
    """dz_k of a softmax layer as one element-wise expression, when it has one.

    With h = a·dL/da free of a and h(0) = 0, Σ_j a_j g_j = Σ_j h(y_j) = h(1) for a one-hot
    column y, so dz_k = a_k (g_k - Σ_j a_j g_j) = h(y_k) - a_k h(1): ``a - y`` for the
    categorical cross-entropy -y ln a. None otherwise (the general product is used).
    """
    h = sp.cancel(a * slope)
    if h.has(a) or h.xreplace({y: 0}) != 0:
        return None
    return _shortest(h - a * h.xreplace({y: 1}))


# ----------------------------------------------------------------------------- source text
def source(*items: sp.Expr | Activation | Output, name: str = "kernel") -> str:
    """The generated NumPy code of ``items``, as one module's text: ``import numpy``, the
    helpers the code calls, then the functions, in order.

    Each item is a compiled :class:`Activation` or :class:`Output`, or a SymPy expression (a
    function of its free symbols, in alphabetical order, named ``name``).
    """
    kernels: list[Kernel] = []
    notes: list[str] = []
    for item in items:
        if isinstance(item, (Activation, Output)):
            found = _kernels_of(item)
            if not found:
                raise InputError(f"{item.name!r} is hand-written NumPy code, not generated code")
            kernels.extend(found)
            if isinstance(item, Output) and item.name == SOFTMAX:
                jacobian = isinstance(item.delta, SoftmaxDelta)
                notes.append(_SOFTMAX_NOTE + (_JACOBIAN_NOTE if jacobian else ""))
        else:
            expr = sp.sympify(item)
            inputs = sorted(expr.free_symbols, key=str)
            identifier = _identifier(name, "kernel")
            identifier = "kernel" if identifier in _RESERVED else identifier
            kernels.append(make_kernel(expr, inputs, identifier))
    kernels = list({kernel.text: kernel for kernel in kernels}.values())  # each once
    helpers = sorted({helper for kernel in kernels for helper in kernel.helpers})
    parts = ["import numpy\n"]
    if "scipy" in helpers:
        parts.append("import scipy.special\n")
    parts.extend(HELPERS[helper] for helper in helpers if helper in HELPERS)
    parts.extend(kernel.text for kernel in kernels)
    parts.extend(notes)
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


_SOFTMAX_NOTE = "# softmax output: A = softmax(Z), column by column (chainrule.numeric.losses)"
_JACOBIAN_NOTE = """
# its delta is the Jacobian-vector product dZ = A * (G - sum(A * G, axis=0)), G the gradient
# above"""


def _kernels_of(item: Activation | Output) -> list[Kernel]:
    parts: list[object] = (
        [item.forward, item.derivative]
        if isinstance(item, Activation)
        else [item.forward, getattr(item.cost, "loss", None), item.delta]
    )
    kernels = []
    for part in parts:
        part = getattr(part, "gradient", part)
        if isinstance(part, GeneratedFunction):
            kernels.append(part.kernel)
    return kernels


# ----------------------------------------------------------------------------- helpers
def _function_of(expr: object, allowed: set[sp.Symbol], parameter: str) -> sp.Expr:
    if not isinstance(expr, sp.Expr):
        raise InputError(f"{parameter!r} must be a SymPy expression (got {type(expr).__name__})")
    extra = expr.free_symbols - allowed
    if extra:
        names = ", ".join(sorted(str(s) for s in allowed))
        found = ", ".join(sorted(str(s) for s in extra))
        raise InputError(f"{parameter!r} may only use {names} (got {expr}, which uses {found})")
    return expr


def _identifier(name: str, default: str) -> str:
    text = re.sub(r"\W+", "_", name).strip("_").lower()
    usable = text.isidentifier() and not keyword.iskeyword(text)
    return text if usable else default


def _in_terms_of_output(g: sp.Expr, expr: sp.Expr) -> sp.Expr:
    """``expr`` in its stable form, with each occurrence of g(z) (also stable) written as a;
    unchanged when g is z itself."""
    expr = stabilize(expr)
    return expr if g == z else expr.subs(g, a)


def _shortest(expr: sp.Expr) -> sp.Expr:
    """The shortest of a few equal forms of ``expr`` (as given, expanded, factored)."""
    forms = [expr]
    for rewrite in (sp.expand, sp.factor, sp.cancel):
        try:
            forms.append(rewrite(expr))
        except (sp.PolynomialError, NotImplementedError, TypeError):
            continue
    return min(forms, key=sp.count_ops)


def _checked_derivative(
    computed: sp.Expr, proven: sp.Expr | None, meaning: dict[sp.Symbol, sp.Expr]
) -> sp.Expr:
    """``proven`` if given and equal to ``computed`` at random points, else ``computed``."""
    if proven is None:
        return computed
    if not isinstance(proven, sp.Expr):
        raise InputError(f"'derivative' must be a SymPy expression (got {type(proven).__name__})")
    claim = proven.xreplace(meaning)
    chooser = random.Random(0)
    for _ in range(_CHECK_POINTS):
        point = {
            z: sp.Rational(chooser.randint(-300, 300), 97),
            y: sp.Rational(chooser.randint(0, 8), 8),
        }
        left, right = (_value(e, point) for e in (claim, computed))
        if left is None or right is None:
            continue
        if abs(left - right) > 1e-9 * (1 + abs(right)):
            raise ProofError(f"the given derivative {proven} is not d/dz of the expression "
                             f"(at z = {point[z]}: {left} against {right})")  # fmt: skip
    return proven


def _value(expr: sp.Expr, point: dict) -> float | None:
    value = expr.xreplace(point).replace(sigma, lambda u: 1 / (1 + sp.exp(-u))).evalf(30)
    try:
        return float(value)
    except TypeError:
        return None


def _within_unit_interval(g: sp.Expr) -> bool:
    """Whether g(z) lies in [0, 1] at a spread of points (its outputs read as probabilities)."""
    values = [_value(g, {z: sp.Integer(point)}) for point in (-40, -3, 0, 3, 40)]
    return all(value is not None and 0.0 <= value <= 1.0 for value in values)
