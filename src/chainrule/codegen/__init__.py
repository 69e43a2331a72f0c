"""From derivation to code: a proven SymPy derivative becomes a NumPy function.

This package is the one place where SymPy and NumPy meet (``chainrule.symbolic`` never imports
NumPy code of the network, ``chainrule.numeric`` never imports SymPy). The pipeline:

1. :mod:`~chainrule.codegen.stable` rewrites the expression into forms that do not overflow
   (``ln(1 + e^z)`` -> ``logaddexp(0, z)``, e^z/(1 + e^z) -> σ(z), σ without exp) and fixes
   each Heaviside step's value at its kink (from the left: relu'(0) = 0);
2. :mod:`~chainrule.codegen.printer` prints NumPy code that keeps float32 float32 and writes
   into the caller's buffer;
3. :mod:`~chainrule.codegen.kernels` compiles it with ``sympy.lambdify(..., cse=True)``;
4. :mod:`~chainrule.codegen.compiled` wraps the kernels as the network's
   :class:`~chainrule.numeric.activations.Activation` and
   :class:`~chainrule.numeric.losses.Output`.

The same proven derivatives also leave chainrule: :mod:`~chainrule.codegen.backward` decides
what an autograd backward computes and saves, and :mod:`~chainrule.codegen.torch_export`
prints it as a ``torch.autograd.Function`` (a module that needs only torch),
:mod:`~chainrule.codegen.jax_export` as a ``jax.custom_vjp`` function.

Public API: :func:`compile_activation`, :func:`compile_loss`, :func:`source`, :data:`SOFTMAX`;
:func:`torch_source`, :func:`torch_function`, :func:`torch_loss`; :func:`jax_source`,
:func:`jax_function`, :func:`jax_loss`.
"""

from chainrule.codegen.compiled import SOFTMAX, compile_activation, compile_loss, source
from chainrule.codegen.jax_export import jax_function, jax_loss, jax_source
from chainrule.codegen.torch_export import torch_function, torch_loss, torch_source

__all__ = [
    "SOFTMAX",
    "compile_activation",
    "compile_loss",
    "jax_function",
    "jax_loss",
    "jax_source",
    "source",
    "torch_function",
    "torch_loss",
    "torch_source",
]
