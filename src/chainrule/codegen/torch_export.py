"""Export to PyTorch: an activation or a loss as a ``torch.autograd.Function`` whose backward
is chainrule's proven derivative, in its stable form, saving only what that derivative needs.

:func:`torch_source` prints a module that needs only torch (save it, import it, train with
it, in any of torch's distributed set-ups); :func:`torch_function` and :func:`torch_loss`
compile the same text in this process. The module holds, for an activation g:

- ``<g>_value(z)`` and ``<g>_derivative(s)``: g and g' as plain torch expressions, the
  readable path (the derivative is differentiable, for ``create_graph=True``);
- ``<g>_forward(z, out)`` and ``<g>_backward(s, grad, out)``: the same written into one
  buffer along the heaviest chain of operations, the fast path;
- ``class <G>(torch.autograd.Function)`` and ``<g>(z)``, which calls ``<G>.apply``.

Here s is what the backward saves (:mod:`~chainrule.codegen.backward`): the output a where
g' has a form in a alone, else the input z, nothing for a constant g'. A loss L(a, y) becomes
J = (1/m) Σ L(a, y), summed over every element and divided by the batch size m = a.shape[0]
(rows are examples), with the gradient (grad/m)·dL/da from the proven dL/da, and
(grad/m)·dL/dy (from ``sympy.diff``) where y needs a gradient; it saves a and y.
"""

from __future__ import annotations

import types

import sympy as sp

from chainrule.codegen.backward import (
    SAVES_INPUT,
    SAVES_NOTHING,
    SAVES_OUTPUT,
    ActivationBackward,
    LossBackward,
    activation_backward,
    loss_backward,
)
from chainrule.codegen.emit import (
    activation_doc,
    class_name,
    compile_module,
    docstring,
    function_text,
    loss_doc,
    module_doc,
)
from chainrule.codegen.torch_printer import TORCH_HELPERS, TorchPrinter, fused_backward
from chainrule.errors import InputError
from chainrule.symbolic.catalog import CatalogEntry
from chainrule.symbolic.core.symbols import a, z

__all__ = ["torch_function", "torch_loss", "torch_source"]

_GRAD = sp.Symbol("grad")


def torch_source(
    activation: str | CatalogEntry | None = None,
    loss: str | CatalogEntry | None = None,
    *,
    name: str | None = None,
) -> str:
    """The PyTorch module of an activation, a loss or both, as text (torch is not needed).

    Parameters
    ----------
    activation : str or CatalogEntry, optional
        A catalogue name (``"swish"``, ``"elu(2)"``), a formula in z or an entry.
    loss : str or CatalogEntry, optional
        A catalogue name (``"mse"``), a formula in a and y or an entry, as the catalogue
        writes it (the hinge loss for labels y ∈ {-1, 1}).
    name : str, optional
        The name of the one thing exported (default: its own name).

    Raises
    ------
    InputError
        For neither, or an unknown activation or loss.
    """
    if activation is None and loss is None:
        raise InputError("'activation' or 'loss' must be given (got neither)")
    if name is not None and activation is not None and loss is not None:
        raise InputError("'name' names one export; leave it out for an activation and a loss")
    return _source(
        None if activation is None else activation_backward(activation, name),
        None if loss is None else loss_backward(loss, name),
    )


def torch_function(activation: str | CatalogEntry, *, name: str | None = None) -> type:
    """The exported activation's ``torch.autograd.Function``, compiled in this process from
    the text :func:`torch_source` prints; call ``.apply(z)``.

    Raises
    ------
    ModuleNotFoundError
        Where torch is not installed (one line; :func:`torch_source` works without it).
    """
    backward = activation_backward(activation, name)
    return getattr(torch_module(_source(backward, None)), class_name(backward.identifier))


def torch_loss(loss: str | CatalogEntry, *, name: str | None = None) -> type:
    """The exported loss's ``torch.autograd.Function``, compiled in this process; call
    ``.apply(a, y)``."""
    backward = loss_backward(loss, name)
    return getattr(torch_module(_source(None, backward)), class_name(backward.identifier))


def torch_module(text: str) -> types.ModuleType:
    """The module ``text`` (from :func:`torch_source`), run in this process."""
    try:
        import torch  # noqa: F401 - the module imports it
    except ImportError:
        raise ModuleNotFoundError(
            "compiling a PyTorch export needs torch (pip install torch); torch_source() "
            "prints the same code without it"
        ) from None
    return compile_module(text, "chainrule_torch_export")


def _source(activation: ActivationBackward | None, loss: LossBackward | None) -> str:
    printer = TorchPrinter()
    exports: list[ActivationBackward | LossBackward] = []
    parts = []
    if activation is not None:
        parts.append(_activation_text(activation, printer))
        exports.append(activation)
    if loss is not None:
        parts.append(_loss_text(loss, printer))
        exports.append(loss)
    helpers = [TORCH_HELPERS[helper] for helper in sorted(printer.helpers)]
    head = [
        module_doc(exports, "PyTorch", "autograd Functions whose backward") + "\n\nimport torch"
    ]
    return "\n\n\n".join(part.strip("\n") for part in [*head, *helpers, *parts]) + "\n"


# ----------------------------------------------------------------------------- activation
_ACTIVATION_CLASS = '''class {cls}(torch.autograd.Function):
{doc}

    @staticmethod
    def forward(z):
        if not torch.is_floating_point(z):
            raise TypeError(f"{ident}: z must be a floating-point tensor (got {{z.dtype}})")
        {forward}

    @staticmethod
    def setup_context(ctx, inputs, output):
        {save}

    @staticmethod
    def backward(ctx, grad):
{backward}


def {ident}(z):
    """a = g(z) with the proven derivative as its backward ({cls}.apply)."""
    return {cls}.apply(z)
'''

#: What each choice saves, in words and in code.
_SAVED = {
    SAVES_OUTPUT: ("the output a", "ctx.save_for_backward(output)"),
    SAVES_INPUT: ("the input z", "ctx.save_for_backward(*inputs)"),
    SAVES_NOTHING: ("nothing (da/dz is a constant)", "pass"),
}

_BACKWARD = """({saved},) = ctx.saved_tensors
if torch.is_grad_enabled():  # create_graph=True: a differentiable backward
    return grad * {ident}_derivative({saved})
return {call}"""

_FUSED = '''def {ident}_backward(a, grad):
    """grad * da/dz by torch's own fused kernel for the form
    da/dz = {derivative}."""
    return {call}
'''


def _activation_text(backward: ActivationBackward, printer: TorchPrinter) -> str:
    ident, saved, derivative = backward.identifier, backward.saves, backward.derivative
    functions = [function_text(f"{ident}_value", ["z"], backward.forward, printer, "a = g(z).")]
    if backward.forward == z:  # the identity: a view, no copy
        forward = "return z.view_as(z)"
    else:
        into = "a = g(z), written into out."
        functions.append(function_text(f"{ident}_forward", ["z", "out"], backward.forward,
                                       printer, into, into=True))  # fmt: skip
        forward = f"return {ident}_forward(z, torch.empty_like(z))"
    if saved == SAVES_NOTHING:  # a view of grad: autograd may then keep it as z.grad
        body = "return grad.view_as(grad)" if derivative == 1 else (
            f"return grad * {printer.doprint(derivative)}")  # fmt: skip
    else:
        functions.append(function_text(f"{ident}_derivative", [saved], derivative, printer,
                                       f"da/dz, from {saved}."))  # fmt: skip
        fused = fused_backward(derivative, a) if saved == SAVES_OUTPUT else None
        if fused is None:
            functions.append(function_text(f"{ident}_backward", [saved, "grad", "out"],
                             _GRAD * derivative, printer, "grad * da/dz, written into out.",
                             into=True))  # fmt: skip
            call = f"{ident}_backward({saved}, grad, torch.empty_like({saved}))"
        else:
            functions.append(_FUSED.format(ident=ident, derivative=derivative, call=fused))
            call = f"{ident}_backward(a, grad)"
        body = _BACKWARD.format(saved=saved, ident=ident, call=call)
    what, save = _SAVED[saved]
    cls = _ACTIVATION_CLASS.format(
        cls=class_name(ident), ident=ident, doc=docstring(activation_doc(backward, what)),
        forward=forward, save=save, backward=_indented(body, 8),
    )  # fmt: skip
    return "\n\n".join([*functions, cls])


# ----------------------------------------------------------------------------- loss
_LOSS_CLASS = '''def _batch(a):
    """m, the number of examples: the length of the first dimension (1 for a scalar)."""
    return a.shape[0] if a.dim() > 0 else 1


class {cls}(torch.autograd.Function):
{doc}

    @staticmethod
    def forward(a, y):
        if a.shape != y.shape:
            shapes = f"{{tuple(a.shape)}} and {{tuple(y.shape)}}"
            raise ValueError(f"{ident}: a and y must have the same shape (got {{shapes}})")
        if not torch.is_floating_point(a):
            raise TypeError(f"{ident}: a must be a floating-point tensor (got {{a.dtype}})")
        return {ident}_forward(a, y.to(a.dtype), torch.empty_like(a)).sum() / _batch(a)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        y, scale = y.to(a.dtype), grad / _batch(a)
        grad_y = None
        if torch.is_grad_enabled():  # create_graph=True: a differentiable backward
            grad_a = scale * {ident}_gradient(a, y)
            if ctx.needs_input_grad[1]:
                grad_y = scale * {ident}_label_gradient(a, y)
            return grad_a, grad_y
        grad_a = {ident}_backward(a, y, scale, torch.empty_like(a))
        if ctx.needs_input_grad[1]:
            grad_y = {ident}_label_backward(a, y, scale, torch.empty_like(a))
        return grad_a, grad_y


def {ident}(a, y):
    """J(a, y) with the proven dL/da as its backward ({cls}.apply)."""
    return {cls}.apply(a, y)
'''


def _loss_text(backward: LossBackward, printer: TorchPrinter) -> str:
    ident, both, into = backward.identifier, ["a", "y"], ["a", "y", "grad", "out"]
    parts = [
        ("value", both, backward.loss, "L(a, y)."),
        ("forward", [*both, "out"], backward.loss, "L(a, y), written into out."),
        ("gradient", both, backward.gradient, "dL/da."),
        ("backward", into, _GRAD * backward.gradient, "grad * dL/da, written into out."),
        ("label_gradient", both, backward.label_gradient, "dL/dy."),
        ("label_backward", into, _GRAD * backward.label_gradient, "grad * dL/dy, into out."),
    ]
    functions = [
        function_text(f"{ident}_{part}", parameters, expr, printer, doc, into="out" in parameters)
        for part, parameters, expr, doc in parts
    ]
    cls = _LOSS_CLASS.format(cls=class_name(ident), ident=ident, doc=docstring(loss_doc(backward)))
    return "\n\n".join([*functions, cls])


def _indented(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())
