"""Export to JAX: an activation or a loss as a ``jax.custom_vjp`` function whose VJP is
chainrule's proven derivative, in its stable form, with only what that derivative needs as
its residuals (the same choice as the PyTorch export, :mod:`~chainrule.codegen.backward`).

:func:`jax_source` prints a module that needs only JAX; :func:`jax_function` and
:func:`jax_loss` compile it in this process. For an activation g the module holds
``<g>_value(z)`` and ``<g>_derivative(s)`` (plain ``jax.numpy``) and ``<g>(z)``, the
``custom_vjp`` function; for a loss, J = (1/m) Σ L(a, y) with m = a.shape[0], its VJP
(grad/m)·dL/da from the proven dL/da and (grad/m)·dL/dy for y. The VJP is itself written in
``jax.numpy``, so ``jax.grad`` of it (second derivatives), ``jit`` and ``vmap`` work.
"""

from __future__ import annotations

import types
from collections.abc import Callable

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
    compile_module,
    docstring,
    function_text,
    loss_doc,
    module_doc,
)
from chainrule.codegen.jax_printer import JaxPrinter
from chainrule.errors import InputError
from chainrule.symbolic.catalog import CatalogEntry

__all__ = ["jax_function", "jax_loss", "jax_module", "jax_source"]


def jax_source(
    activation: str | CatalogEntry | None = None,
    loss: str | CatalogEntry | None = None,
    *,
    name: str | None = None,
) -> str:
    """The JAX module of an activation, a loss or both, as text (JAX is not needed); the
    parameters are those of :func:`~chainrule.codegen.torch_export.torch_source`."""
    if activation is None and loss is None:
        raise InputError("'activation' or 'loss' must be given (got neither)")
    if name is not None and activation is not None and loss is not None:
        raise InputError("'name' names one export; leave it out for an activation and a loss")
    return _source(
        None if activation is None else activation_backward(activation, name),
        None if loss is None else loss_backward(loss, name),
    )


def jax_function(activation: str | CatalogEntry, *, name: str | None = None) -> Callable:
    """The exported activation ``a = g(z)``, a ``jax.custom_vjp`` function compiled in this
    process.

    Raises
    ------
    ModuleNotFoundError
        Where JAX is not installed (one line; :func:`jax_source` works without it).
    """
    backward = activation_backward(activation, name)
    return getattr(jax_module(_source(backward, None)), backward.identifier)


def jax_loss(loss: str | CatalogEntry, *, name: str | None = None) -> Callable:
    """The exported loss ``J(a, y)``, a ``jax.custom_vjp`` function compiled in this process."""
    backward = loss_backward(loss, name)
    return getattr(jax_module(_source(None, backward)), backward.identifier)


def jax_module(text: str) -> types.ModuleType:
    """The module ``text`` (from :func:`jax_source`), run in this process."""
    try:
        import jax  # noqa: F401 - the module imports it
    except ImportError:
        raise ModuleNotFoundError(
            "compiling a JAX export needs jax (pip install jax); jax_source() prints the same "
            "code without it"
        ) from None
    return compile_module(text, "chainrule_jax_export")


def _source(activation: ActivationBackward | None, loss: LossBackward | None) -> str:
    printer = JaxPrinter()
    exports = [export for export in (activation, loss) if export is not None]
    parts = []
    if activation is not None:
        parts.append(_activation_text(activation, printer))
    if loss is not None:
        parts.append(_loss_text(loss, printer))
    imports = ["import jax", "import jax.numpy"]
    if any("jax.scipy.special." in part for part in parts):
        imports.append("import jax.scipy.special")
    head = module_doc(exports, "JAX", "jax.custom_vjp functions whose VJP") + "\n\n"
    return "\n\n\n".join(part.strip("\n") for part in [head + "\n".join(imports), *parts]) + "\n"


_ACTIVATION = """@jax.custom_vjp
def {ident}(z):
{doc}
    return {ident}_value(z)


def _{ident}_forward(z):
    a = {ident}_value(z)
    return a, ({residuals})


def _{ident}_backward(saved, grad):
{unpack}    return ({vjp},)


{ident}.defvjp(_{ident}_forward, _{ident}_backward)
"""

#: What each choice keeps as the VJP's residuals, in words and in code.
_RESIDUALS = {
    SAVES_OUTPUT: ("the output a", "a,"),
    SAVES_INPUT: ("the input z", "z,"),
    SAVES_NOTHING: ("nothing (da/dz is a constant)", ""),
}


def _activation_text(backward: ActivationBackward, printer: JaxPrinter) -> str:
    ident, saved, derivative = backward.identifier, backward.saves, backward.derivative
    functions = [function_text(f"{ident}_value", ["z"], backward.forward, printer, "a = g(z).")]
    if saved == SAVES_NOTHING:
        unpack, vjp = "", "grad" if derivative == 1 else f"grad * {printer.doprint(derivative)}"
    else:
        functions.append(function_text(f"{ident}_derivative", [saved], derivative, printer,
                                       f"da/dz, from {saved}."))  # fmt: skip
        unpack, vjp = f"    ({saved},) = saved\n", f"grad * {ident}_derivative({saved})"
    what, residuals = _RESIDUALS[saved]
    doc = docstring(activation_doc(backward, what, "The VJP"))
    text = _ACTIVATION.format(ident=ident, doc=doc, residuals=residuals, unpack=unpack, vjp=vjp)
    return "\n\n".join([*functions, text])


_LOSS = '''def _batch(a):
    """m, the number of examples: the length of the first dimension (1 for a scalar)."""
    return a.shape[0] if a.ndim > 0 else 1


@jax.custom_vjp
def {ident}(a, y):
{doc}
    if a.shape != y.shape:
        shapes = f"{{a.shape}} and {{y.shape}}"
        raise ValueError(f"{ident}: a and y must have the same shape (got {{shapes}})")
    return jax.numpy.sum({ident}_value(a, y)) / _batch(a)


def _{ident}_forward(a, y):
    return {ident}(a, y), (a, y)


def _{ident}_backward(saved, grad):
    a, y = saved
    scale = grad / _batch(a)
    return scale * {ident}_gradient(a, y), scale * {ident}_label_gradient(a, y)


{ident}.defvjp(_{ident}_forward, _{ident}_backward)
'''


def _loss_text(backward: LossBackward, printer: JaxPrinter) -> str:
    ident, both = backward.identifier, ["a", "y"]
    parts = [
        ("value", backward.loss, "L(a, y)."),
        ("gradient", backward.gradient, "dL/da."),
        ("label_gradient", backward.label_gradient, "dL/dy."),
    ]
    functions = [
        function_text(f"{ident}_{part}", both, expr, printer, doc) for part, expr, doc in parts
    ]
    text = _LOSS.format(ident=ident, doc=docstring(loss_doc(backward, "The VJP")))
    return "\n\n".join([*functions, text])
