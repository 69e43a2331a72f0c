"""Hidden-layer activations g and their derivatives g', as a table of :class:`Activation` objects.

Each built-in works element-wise on ``Z`` of shape ``(n_l, m)`` and writes into an ``out=``
buffer of the same shape when one is given, so the training loop allocates nothing::

    A = g(Z)            forward(Z, out=A)
    g'(Z)               derivative(Z, A, out=D)   (A = g(Z) is passed in: sigmoid and tanh
                                                   need only A, ReLU only Z)

A custom activation (for example NumPy code generated from a SymPy derivative) is an
``Activation(name, forward, derivative)`` built from two plain callables ``forward(Z)`` and
``derivative(Z, A)``; with ``in_place=True`` the callables must also take ``out=``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from chainrule.errors import InputError
from chainrule.facts import kernel_names
from chainrule.numeric.checks import by_name

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "get_activation",
    "linear",
    "linear_derivative",
    "make_leaky_relu",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
]

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An element-wise activation g with its derivative g'.

    Parameters
    ----------
    name : str
        Name shown in reports and on the command line.
    forward : callable
        ``forward(Z) -> A``, element-wise; with ``in_place=True`` it is called as
        ``forward(Z, out=A)`` and must write into ``A`` (same shape as ``Z``).
    derivative : callable
        ``derivative(Z, A) -> g'(Z)`` where ``A = forward(Z)``; with ``in_place=True`` it is
        called as ``derivative(Z, A, out=D)``.
    in_place : bool
        Whether both callables accept ``out=``. Plain callables are wrapped and their result
        copied into the buffer.
    parameters : mapping of str to float
        Named constants the activation was made with (``{"slope": 0.2}`` for a leaky ReLU of
        :func:`make_leaky_relu`); saved with a model so that it can be rebuilt.
    expression : str or None
        For an activation generated from math (:mod:`chainrule.codegen`), what it was made
        from as ``--activation`` takes it (a catalogue name such as ``"swish"`` or math in z
        such as ``"z*sigmoid(z)"``), which rebuilds it; None for hand-written code.
    """

    name: str
    forward: Callable[..., Array]
    derivative: Callable[..., Array]
    in_place: bool = False
    parameters: Mapping[str, float] = field(default_factory=dict, hash=False)
    expression: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"'name' must be a non-empty string (got {self.name!r})")
        object.__setattr__(self, "parameters", dict(self.parameters))  # a copy of its own
        if self.expression is not None and not isinstance(self.expression, str):
            raise InputError(f"'expression' must be a string or None (got {self.expression!r})")
        for part in ("forward", "derivative"):
            if not callable(getattr(self, part)):
                raise InputError(f"'{part}' must be callable (got {getattr(self, part)!r})")

    def forward_into(self, Z: Array, out: Array) -> Array:
        """Write ``g(Z)`` into ``out`` (shape of ``Z``) and return it."""
        if self.in_place:
            return self.forward(Z, out=out)
        out[...] = self.forward(Z)
        return out

    def derivative_into(self, Z: Array, A: Array, out: Array) -> Array:
        """Write ``g'(Z)`` into ``out`` (shape of ``Z``) and return it; ``A`` is ``g(Z)``."""
        if self.in_place:
            return self.derivative(Z, A, out=out)
        out[...] = self.derivative(Z, A)
        return out


def sigmoid(Z: Array, out: Array | None = None) -> Array:
    """σ(z) = 1/(1+e^{-z}), computed as 0.5·tanh(0.5·z) + 0.5.

    Never overflows or warns, and takes one transcendental call. It is accurate to about
    1e-16 absolute (one rounding of 0.5), which is all a hidden unit or A[L] - Y needs; the
    costs are computed from Z, not from ln σ.
    """
    out = np.multiply(Z, 0.5, out=out)
    np.tanh(out, out=out)
    np.multiply(out, 0.5, out=out)
    np.add(out, 0.5, out=out)
    return out


def sigmoid_derivative(Z: Array, A: Array, out: Array | None = None) -> Array:
    """σ'(z) = a(1 - a) with a = σ(z)."""
    out = np.subtract(1.0, A, out=out)
    np.multiply(out, A, out=out)
    return out


def tanh(Z: Array, out: Array | None = None) -> Array:
    """tanh(z)."""
    return np.tanh(Z, out=out)


def tanh_derivative(Z: Array, A: Array, out: Array | None = None) -> Array:
    """tanh'(z) = 1 - a² with a = tanh(z)."""
    out = np.multiply(A, A, out=out)
    np.subtract(1.0, out, out=out)
    return out


def relu(Z: Array, out: Array | None = None) -> Array:
    """relu(z) = max(z, 0)."""
    return _clip(Z, 0.0, np.inf, out=out)


# NumPy's clip ufunc has a SIMD loop (np.maximum with a scalar 0.0 has none and is slower);
# calling the ufunc itself skips np.clip's Python wrapper, a microsecond per call.
_clip = getattr(getattr(np, "_core", None), "umath", np).clip


def relu_derivative(Z: Array, A: Array, out: Array | None = None) -> Array:
    """relu'(z) = 1 where z > 0, else 0 (0 at the kink z = 0, as in the course)."""
    if out is None:
        return (Z > 0).astype(Z.dtype)
    np.greater(Z, 0.0, out=out)
    return out


def linear(Z: Array, out: Array | None = None) -> Array:
    """Identity g(z) = z."""
    if out is None:
        return Z.copy()
    np.copyto(out, Z)
    return out


def linear_derivative(Z: Array, A: Array, out: Array | None = None) -> Array:
    """g'(z) = 1."""
    if out is None:
        return np.ones_like(Z)
    out.fill(1.0)
    return out


def make_leaky_relu(slope: float = 0.01) -> Activation:
    """Leaky ReLU g(z) = z for z > 0, slope·z otherwise; g'(z) = 1 or slope.

    Parameters
    ----------
    slope : float
        Slope for negative inputs, a finite number in [0, 1).
    """
    slope = _check_slope(slope)

    def forward(Z: Array, out: Array | None = None) -> Array:
        # max(z, slope*z) is z for z > 0 and slope*z otherwise, because 0 <= slope < 1.
        out = np.multiply(Z, slope, out=out)
        np.maximum(Z, out, out=out)
        return out

    def derivative(Z: Array, A: Array, out: Array | None = None) -> Array:
        if out is None:
            out = np.empty_like(Z)
        np.greater(Z, 0.0, out=out)
        # 1 -> 1, 0 -> slope: an affine map of the 0/1 mask, in place.
        np.multiply(out, 1.0 - slope, out=out)
        np.add(out, slope, out=out)
        return out

    name = "leaky_relu" if slope == 0.01 else f"leaky_relu({slope:g})"
    return Activation(name, forward, derivative, in_place=True, parameters={"slope": slope})


def _check_slope(slope: float) -> float:
    try:
        value = float(slope)
    except (TypeError, ValueError):
        raise InputError(f"'slope' must be a number in [0, 1) (got {slope!r})") from None
    if not 0.0 <= value < 1.0:
        raise InputError(f"'slope' must be a number in [0, 1) (got {slope!r})")
    return value


def _built_in(name: str, kernel: str) -> Activation:
    """The hand-written activation that :mod:`chainrule.facts` names ``kernel``: the factory
    ``make_<kernel>`` at its default, or the functions ``<kernel>`` and ``<kernel>_derivative``."""
    kernels = globals()
    factory = kernels.get(f"make_{kernel}")
    if factory is not None:
        return factory()
    forward, derivative = kernels[kernel], kernels[f"{kernel}_derivative"]
    return Activation(name, forward, derivative, in_place=True)


#: Built-in activations by name: every catalogue entry with a hand-written kernel.
ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(
    {name: _built_in(name, kernel) for name, kernel in sorted(kernel_names().items())}
)


def get_activation(activation: str | Activation) -> Activation:
    """Return the :class:`Activation` named ``activation`` (or ``activation`` itself)."""
    return by_name(activation, ACTIVATIONS, "activation", Activation)
