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

The kernels work on a 2-D view (M, C) when the feature is the last axis and on a 3-D view
(m, C, H·W) for images, without copying; sums over the batch are a product with a vector of
ones (2-D) or einsum contractions, which read their operands once and allocate nothing of
the input's size. Element-wise passes of the 2-D view run on a wider view (M/k, k·C) of the
same memory, against the per-feature vector repeated k times: NumPy pays a fixed cost per
row of a broadcast operation, which on rows shorter than :data:`LINE` values costs more than
the arithmetic. Every pass writes into buffers kept between calls. The textbook version (the
staged route) is in :mod:`.textbook`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.layers.base import Layer, Shape
from chainrule.numeric.layers.buffers import Buffers

__all__ = ["BatchNorm"]

Array = np.ndarray
#: Values per row of the wide view: NumPy's inner-loop buffer size, from which the per-row
#: cost of a broadcast operation no longer shows.
LINE = 8192


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

    # ----------------------------------------------------------------- views
    def _view(self, X: Array) -> Array:
        """(M, C) for features last, (m, C, H·W) for images: views when X is contiguous."""
        if len(self.input_shape) == 3:
            return X.reshape(X.shape[0], X.shape[1], -1)
        return X.reshape(-1, X.shape[-1])

    def _column(self, vector: Array, view: Array) -> Array:
        """A per-feature vector (C,) shaped to broadcast against ``view``."""
        return vector[:, np.newaxis] if view.ndim == 3 else vector

    def _wide(self, view: Array) -> Array:
        """The 2-D view (M, C) as (M/k, k·C), rows of at least :data:`LINE` values where a
        divisor k of M allows it (a view when ``view`` is contiguous); images unchanged."""
        if view.ndim == 3:
            return view
        M, C = view.shape
        k = _rows_per_line(M, C)
        return view.reshape(M // k, k * C)

    def _per_feature(self, name: str, vector: Array, wide: Array) -> Array:
        """A per-feature vector (C,) shaped to broadcast against ``wide`` (from :meth:`_wide`):
        a column for images, else the vector repeated along a wide row (buffer ``name``)."""
        if wide.ndim == 3:
            return vector[:, np.newaxis]
        C = vector.shape[0]
        tile = self._buffers.get(name, (wide.shape[1] // C, C), self.dtype)
        tile[...] = vector
        return tile.reshape(-1)

    # ----------------------------------------------------------------- passes
    def _sum(self, x: Array) -> Array:
        """Σ over the batch of every feature, (C,): a matrix-vector product with ones for
        the 2-D view (several times faster than a reduction), einsum for images."""
        if x.ndim == 3:
            return np.einsum("ijk->j", x)
        ones = self._buffers.get("ones", (x.shape[0],), self.dtype)
        if ones[0] != 1 or ones[-1] != 1:
            ones.fill(1)
        return np.matmul(ones, x)

    def _dot(self, x: Array, y: Array) -> Array:
        """Σ over the batch of x ⊙ y for every feature, (C,), without a temporary."""
        return np.einsum("ijk,ijk->j" if x.ndim == 3 else "ij,ij->j", x, y)

    def forward(self, X: Array, training: bool) -> Array:
        """y = γ x̂ + β with batch statistics (training) or the running ones.

        Training keeps c = x - μ and r = 1/√(σ² + ε) and writes y = c · γr + β, so x̂
        itself is never stored (the backward pass folds r into per-feature factors)."""
        x = self._view(X)
        Y = self._buffers.get("Y", X.shape, self.dtype)
        y = self._wide(self._view(Y))
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            inv = 1.0 / np.sqrt(self.running_var + self.epsilon)
            scale = gamma * inv
            shift = beta - self.running_mean * scale
            np.multiply(self._wide(x), self._per_feature("scale", scale, y), out=y)
            np.add(y, self._per_feature("shift", shift, y), out=y)
            self._cache = (x, inv, False)
            return Y
        M = x.size // x.shape[1]
        mean = self._sum(x) / M
        centred = self._view(self._buffers.get("centred", X.shape, self.dtype))
        c = self._wide(centred)
        np.subtract(self._wide(x), self._per_feature("mean", mean, c), out=c)
        var = self._dot(centred, centred) / M
        inv = 1.0 / np.sqrt(var + self.epsilon)
        np.multiply(c, self._per_feature("scale", gamma * inv, c), out=y)
        np.add(y, self._per_feature("shift", beta, y), out=y)
        self._update_running(mean, var, M)
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
        dx = γr (dy - dβ/M - c · r dγ/M): four passes, into dx alone."""
        assert self._cache is not None, "backward() before forward()"
        cached, inv, training = self._cache
        dy = self._view(dY)
        gamma = self.params["gamma"]
        dX = self._buffers.get("dX", dY.shape, self.dtype)
        dx = self._wide(self._view(dX))
        if not training:  # cached is x itself: x̂ from the running statistics
            xhat = (cached - self._column(self.running_mean, cached)) * self._column(inv, cached)
            self.grads["gamma"][...] = self._dot(dy, xhat)
            self.grads["beta"][...] = self._sum(dy)
            np.multiply(self._wide(dy), self._per_feature("k", gamma * inv, dx), out=dx)
            return dX
        centred = cached
        M = dy.size // dy.shape[1]
        dbeta, dgamma = self.grads["beta"], self.grads["gamma"]
        dbeta[...] = self._sum(dy)
        np.multiply(self._dot(dy, centred), inv, out=dgamma)
        dx_hat_part = self._per_feature("s", inv * dgamma / M, dx)  # r dγ/M
        np.multiply(self._wide(centred), dx_hat_part, out=dx)
        np.subtract(self._wide(dy), dx, out=dx)
        np.subtract(dx, self._per_feature("row", dbeta / M, dx), out=dx)
        np.multiply(dx, self._per_feature("k", gamma * inv, dx), out=dx)
        return dX

    def describe(self) -> str:
        return "batchnorm" if self.momentum == 0.9 else f"batchnorm:{self.momentum:g}"


@lru_cache(maxsize=64)
def _rows_per_line(M: int, C: int) -> int:
    """The least divisor k of M with k·C >= LINE (M itself when there is none)."""
    return next((k for k in range(1, M + 1) if M % k == 0 and k * C >= LINE), M)


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
