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

Public API: :func:`compile_activation`, :func:`compile_loss`, :func:`source`, :data:`SOFTMAX`.
"""

from chainrule.codegen.compiled import SOFTMAX, compile_activation, compile_loss, source

__all__ = ["SOFTMAX", "compile_activation", "compile_loss", "source"]
