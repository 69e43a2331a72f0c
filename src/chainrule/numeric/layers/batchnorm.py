"""Batch normalisation, from the equations of ``chainrule derive batchnorm``.

Each feature (a unit of flat data, a channel of images) is normalised over the M values it
takes in the batch: M = m for (m, n), m·H·W for (m, C, H, W) (spatial batch norm), m·T
for sequences (m, T, n). With γ, β one per feature, in training mode::

    μ = (1/M) Σ x          σ² = (1/M) Σ (x - μ)²      (the biased variance, as derived)
    x̂ = (x - μ)/√(σ² + ε)   y = γ x̂ + β

    dβ = Σ dy     dγ = Σ dy ⊙ x̂
    dx = γ/(M √(σ² + ε)) · (M dy - Σ dy - x̂ Σ dy ⊙ x̂)        (the one-line form)

and the running estimates for inference, μ_run ← ρ μ_run + (1 - ρ) μ and
σ²_run ← ρ σ²_run + (1 - ρ) σ² M/(M - 1) (Bessel-corrected, as the frameworks keep it; ρ
is ``momentum``, 0.9 by default, PyTorch's momentum 0.1). In inference mode μ and σ² are
those constants, y = x · γ/√(σ²_run + ε) + (β - μ_run γ/√(σ²_run + ε)) and
dx = dy γ/√(σ²_run + ε).

The passes are compiled loops (:mod:`.batchnorm_kernels`), on a 2-D view (M, C) when the
feature is the last axis and on a 3-D view (m, C, H·W) for images, without copying: training
is three passes forward (μ, then c = x - μ with σ², then y = c · γ/√(σ² + ε) + β) and two
backward (Σ dy and Σ dy ⊙ c together, then dx), each writing into buffers kept between
calls. The kernels are imported (and compiled, the first time) when a batch is first
normalised. The textbook version (the staged route) is in :mod:`.textbook`.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.layers.base import Layer, Shape
from chainrule.numeric.layers.buffers import Buffers

__all__ = ["BatchNorm"]

Array = np.ndarray


class BatchNorm(Layer):
    """Batch normalisation with a scale γ (ones) and a shift β (zeros) per feature.

    Parameters
    ----------
    momentum : float
        ρ in [0, 1): weight of the old running statistics in each update.
    epsilon : float
        ε > 0 under the square root.
    """

    kind = "batchnorm"

    def __init__(self, momentum: float = 0.9, epsilon: float = 1e-5) -> None:
        super().__init__()
        self.momentum = _number("momentum", momentum, 0.0, 1.0, closed=False)
        self.epsilon = _number("epsilon", epsilon, 0.0, math.inf, closed=False, open_low=True)
        self._buffers = Buffers()
        self.running_mean = np.zeros(0)
        self.running_var = np.ones(0)
        # (x - μ) in training or x in inference (view form), 1/√(σ² + ε), training?
        self._cache: tuple[Array, Array, bool] | None = None

    def output_shape_for(self, input_shape: Shape) -> Shape:
        if len(input_shape) not in (1, 2, 3):
            raise InputError(
                f"layer 'batchnorm' takes (n,), (T, n) or (C, H, W) examples (got {input_shape})"
            )
        return input_shape

    def build(self, input_shape: Shape, dtype: np.dtype, rng: np.random.Generator) -> Shape:
        shape = super().build(input_shape, dtype, rng)
        n = self.features
        self.running_mean = np.zeros(n, self.dtype)
        self.running_var = np.ones(n, self.dtype)
        return shape

    @property
    def features(self) -> int:
        """C, the number of features normalised separately."""
        return self.input_shape[0] if len(self.input_shape) == 3 else self.input_shape[-1]

    def parameter_shapes(self) -> dict[str, Shape]:
        return {"gamma": (self.features,), "beta": (self.features,)}

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        self.params["gamma"].fill(1)
        self.params["beta"].fill(0)

    def state(self) -> dict[str, Array]:
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def config(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "epsilon": self.epsilon}

    # ----------------------------------------------------------------- passes
    def _view(self, X: Array) -> Array:
        """(M, C) for features last, (m, C, H·W) for images: views when X is contiguous."""
        if len(self.input_shape) == 3:
            return X.reshape(X.shape[0], X.shape[1], -1)
        return X.reshape(-1, X.shape[-1])

    def _pass(self, name: str, view: Array) -> Any:
        """The kernel ``name`` for the layout of ``view`` (rows or channels)."""
        return getattr(_kernels(), f"{name}_{'channels' if view.ndim == 3 else 'rows'}")

    def forward(self, X: Array, training: bool) -> Array:
        """y = γ x̂ + β with batch statistics (training) or the running ones.

        Training keeps c = x - μ and r = 1/√(σ² + ε) and writes y = c · γr + β, so x̂
        itself is never stored (the backward pass folds r into per-feature factors)."""
        x = self._view(X)
        Y = self._buffers.get("Y", X.shape, self.dtype)
        y = self._view(Y)
        gamma = self.params["gamma"].astype(np.float64)
        beta = self.params["beta"].astype(np.float64)
        if not training:
            inv = 1.0 / np.sqrt(self.running_var.astype(np.float64) + self.epsilon)
            scale = gamma * inv
            self._pass("affine", x)(x, scale, beta - self.running_mean * scale, y)
            self._cache = (x, inv, False)
            return Y
        centred = self._view(self._buffers.get("centred", X.shape, self.dtype))
        mean, var = self._pass("centre", x)(x, centred)
        inv = 1.0 / np.sqrt(var + self.epsilon)
        self._pass("affine", x)(centred, gamma * inv, beta, y)
        self._update_running(mean, var, x.size // x.shape[1])
        self._cache = (centred, inv, True)
        return Y

    def _update_running(self, mean: Array, var: Array, M: int) -> None:
        rho = self.momentum
        unbiased = var * (M / (M - 1)) if M > 1 else var
        self.running_mean *= rho
        self.running_mean += (1.0 - rho) * mean
        self.running_var *= rho
        self.running_var += (1.0 - rho) * unbiased

    def backward(self, dY: Array) -> Array:
        """dγ = Σ dy x̂, dβ = Σ dy and the one-line dx (training) or dy γ/√(σ²_run + ε).

        With c = x - μ and r = 1/√(σ² + ε), so x̂ = c r: dγ = r Σ dy c, and the one-line
        form dx = γr/M (M dy - Σ dy - x̂ Σ dy ⊙ x̂) is, in per-feature factors,
        dx = k (dy - a c - b) with k = γr, a = r dγ/M and b = dβ/M (the difference first,
        so that the terms of size 1/√ε of a feature that does not vary cancel exactly
        before the scaling). In inference x̂ =
        (x - μ_run) r, so dγ = r Σ dy (x - μ_run), and dx = k dy."""
        assert self._cache is not None, "backward() before forward()"
        cached, inv, training = self._cache
        dy = self._view(dY)
        k = self.params["gamma"].astype(np.float64) * inv
        dX = self._buffers.get("dX", dY.shape, self.dtype)
        dx = self._view(dX)
        zero = np.zeros_like(k)
        centre = zero if training else self.running_mean.astype(np.float64)
        dbeta, dy_c = self._pass("sums", dy)(dy, cached, centre)
        dgamma = inv * dy_c
        if training:
            M = dy.size // dy.shape[1]
            self._pass("combine", dy)(dy, cached, k, inv * dgamma / M, dbeta / M, dx)
        else:  # cached is x itself, x̂ = (x - μ_run) r
            self._pass("combine", dy)(dy, cached, k, zero, zero, dx)
        self.grads["gamma"][...] = dgamma
        self.grads["beta"][...] = dbeta
        return dX

    def describe(self) -> str:
        return "batchnorm" if self.momentum == 0.9 else f"batchnorm:{self.momentum:g}"


def _kernels() -> ModuleType:
    """The compiled passes, imported on first use so that a network without batch norm
    never loads the compiler."""
    from chainrule.numeric.layers import batchnorm_kernels

    return batchnorm_kernels


def _number(
    name: str, value: object, low: float, high: float, *, closed: bool, open_low: bool = False
) -> float:
    valid = isinstance(value, (int, float)) and not isinstance(value, bool)
    number = float(value) if valid else math.nan  # type: ignore[arg-type]
    inside = (number > low if open_low else number >= low) and (
        number <= high if closed else number < high
    )
    if not (math.isfinite(number) and inside):
        interval = f"{'(' if open_low else '['}{low:g}, {high:g}{']' if closed else ')'}"
        raise InputError(f"{name!r} must be a number in {interval} (got {value!r})")
    return number
