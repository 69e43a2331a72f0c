"""Kernels: one SymPy expression turned into one NumPy function that writes into ``out``.

:func:`make_kernel` runs the whole pipeline on an expression::

    stabilize  ->  kink_steps  ->  fold_constants  ->  lambdify(..., cse=True, KernelPrinter)

and keeps the generated source text: the function that runs is compiled from exactly the text
that :attr:`Kernel.text` shows, in a namespace holding only ``numpy`` and the helpers the text
calls. A kernel has the signature ``kernel(*inputs, out)`` and returns ``out``; ``out`` must not
share memory with the inputs. :class:`GeneratedFunction` wraps it for callers that may not
pass ``out`` (it then allocates one like the first input); :class:`MeanCost` and
:class:`SoftmaxDelta` put generated functions together into an output layer's cost and delta.

Selections (piecewise functions, max, min, steps) evaluate every branch everywhere, so a branch
that is discarded may overflow (``e^z`` of ELU at z = 1e4); kernels with a selection run
under ``numpy.errstate(over="ignore")`` (an inf that is kept still shows in the result).
Other kernels warn as NumPy does: an overflow there is real.
"""

from __future__ import annotations

import inspect
import itertools
import linecache
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from chainrule.codegen.printer import HELPERS, Into, KernelPrinter, fold_constants
from chainrule.codegen.stable import Step, kink_steps, stabilize

__all__ = ["GeneratedFunction", "Kernel", "MeanCost", "SoftmaxDelta", "make_kernel"]

_OUT = sp.Symbol("out")
_COUNTER = itertools.count()


@dataclass(frozen=True)
class Kernel:
    """A generated NumPy function and the code it was compiled from.

    Attributes
    ----------
    name : str
        The function's name in :attr:`text`.
    inputs : tuple of str
        Names of its array arguments, in order; ``out`` follows them.
    expression : sympy.Expr
        What it computes, after the stability rewrites.
    text : str
        Its Python source.
    helpers : tuple of str
        Names of the helper definitions (:data:`~chainrule.codegen.printer.HELPERS`) it calls.
    """

    name: str
    inputs: tuple[str, ...]
    expression: sp.Expr
    text: str
    helpers: tuple[str, ...]


class GeneratedFunction:
    """A compiled kernel as a callable: ``f(*arrays, out=None) -> out``.

    Without ``out`` a buffer like the first array is allocated (float64 for integer input).
    Pickling recompiles the source text, so networks with generated activations can be copied.
    """

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self._function = _compile(kernel)

    def __call__(self, *arrays: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            first = np.asarray(arrays[0])
            dtype = first.dtype if first.dtype.kind == "f" else np.float64
            out = np.empty(first.shape, dtype=dtype)
        return self._function(*arrays, out)

    def __reduce__(self) -> tuple[Any, ...]:
        return (GeneratedFunction, (self.kernel,))

    def __repr__(self) -> str:
        return f"<generated {self.kernel.name}({', '.join(self.kernel.inputs)}, out)>"


class MeanCost:
    """``cost(Z, A, Y, work) -> float``: a generated L summed into ``work``, / m columns."""

    def __init__(self, loss: GeneratedFunction, inputs: int = 3) -> None:
        self.loss = loss
        self.inputs = inputs

    def __call__(self, Z: np.ndarray, A: np.ndarray, Y: np.ndarray, work: np.ndarray) -> float:
        arrays = (Z, A, Y) if self.inputs == 3 else (A, Y)
        return float(self.loss(*arrays, out=work).sum()) / Z.shape[1]

    def __reduce__(self) -> tuple[Any, ...]:
        return (MeanCost, (self.loss, self.inputs))


class SoftmaxDelta:
    """``delta(Z, A, Y, out=dZ)`` of a softmax layer: dz_k = a_k (g_k - Σ_j a_j g_j), where
    g = dL/da is generated; columns are examples, shapes ``(n_L, m)``."""

    def __init__(self, gradient: GeneratedFunction) -> None:
        self.gradient = gradient

    def __call__(self, Z: np.ndarray, A: np.ndarray, Y: np.ndarray, out=None) -> np.ndarray:
        out = self.gradient(A, Y, out=out)  # (n_L, m)
        weighted = np.einsum("km,km->m", A, out)  # (m,)
        np.subtract(out, weighted, out=out)
        return np.multiply(out, A, out=out)

    def __reduce__(self) -> tuple[Any, ...]:
        return (SoftmaxDelta, (self.gradient,))


def make_kernel(
    expr: sp.Expr,
    inputs: Sequence[sp.Symbol],
    name: str,
    variable: sp.Symbol | None = None,
) -> Kernel:
    """Generate the kernel ``name(*inputs, out)`` computing ``expr`` element-wise.

    Parameters
    ----------
    expr : sympy.Expr
        A function of ``inputs`` (symbols).
    inputs : sequence of sympy.Symbol
        The arguments, in order; every free symbol of ``expr`` must be one of them.
    name : str
        A Python identifier for the generated function.
    variable : sympy.Symbol, optional
        The variable whose kinks take their value from the left (see
        :func:`~chainrule.codegen.stable.kink_steps`).
    """
    extra = expr.free_symbols - set(inputs)
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise ValueError(f"the expression uses {names}, which is not an input of {name}")
    stable = kink_steps(stabilize(sp.sympify(expr)), variable)
    printer = KernelPrinter()
    generated = sp.lambdify(
        [*inputs, _OUT], Into(fold_constants(stable)), modules="numpy", printer=printer, cse=True
    )
    text = _renamed(inspect.getsource(generated), name)
    if stable.has(sp.Piecewise, sp.Max, sp.Min, Step):
        text = _ignoring_overflow(text)
    return Kernel(name, tuple(str(s) for s in inputs), stable, text, tuple(sorted(printer.helpers)))


def _renamed(text: str, name: str) -> str:
    """The lambdify source with its function named ``name`` and no docstring."""
    lines = text.splitlines()
    header = lines[0].replace("_lambdifygenerated", name, 1)
    body = [line for line in lines[1:] if line.strip()]
    return "\n".join([header, *body]) + "\n"


def _ignoring_overflow(text: str) -> str:
    header, body = text.split("\n", 1)
    note = "    # every branch of a selection is evaluated; the ones it discards may overflow\n"
    guarded = '    with numpy.errstate(over="ignore"):\n' + textwrap.indent(body, "    ")
    return f"{header}\n{note}{guarded}"


def _compile(kernel: Kernel) -> Any:
    """Compile the kernel's text in a namespace of numpy and its helpers only."""
    namespace: dict[str, Any] = {"numpy": np}
    for helper in kernel.helpers:
        if helper == "scipy":
            import scipy.special

            namespace["scipy"] = scipy
        else:
            exec(HELPERS[helper], namespace)  # noqa: S102 - our own fixed helper text
    filename = f"<chainrule-generated-{kernel.name}-{next(_COUNTER)}>"
    linecache.cache[filename] = (len(kernel.text), None, kernel.text.splitlines(True), filename)
    exec(compile(kernel.text, filename, "exec"), namespace)  # noqa: S102 - printed from SymPy
    return namespace[kernel.name]
