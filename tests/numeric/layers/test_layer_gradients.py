"""Every layer's backward pass against central differences, and planted faults caught."""

from __future__ import annotations

import numpy as np
import pytest
from layer_checks import built, worst_error

from chainrule.numeric.layers import (
    ActivationLayer,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool2D,
)
from chainrule.numeric.layers.batchnorm import BatchNorm as BatchNormClass

TOLERANCE = 1e-7


def _X(shape: tuple[int, ...], seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (Dense(4), (3, 5)),
        (Dense(2, bias=False), (4, 3)),
        (ActivationLayer("tanh"), (3, 2, 4)),
        (ActivationLayer("sigmoid"), (3, 5)),
        (ActivationLayer("relu"), (3, 5)),
        (ActivationLayer("leaky_relu"), (3, 5)),
        (Flatten(), (2, 3, 2, 2)),
        (Conv2D(3, 3, 1, 1), (2, 2, 4, 4)),
        (Conv2D(2, 3, 2, 1), (2, 2, 5, 4)),
        (Conv2D(2, 2, 3, 0, bias=False), (1, 3, 7, 8)),
        (MaxPool2D(2), (2, 2, 4, 4)),
        (MaxPool2D(3, 2), (2, 2, 5, 4)),
        (AvgPool2D(2, 1), (2, 2, 4, 4)),
        (AvgPool2D(3, 2), (2, 1, 5, 6)),
        (BatchNorm(), (5, 3)),
        (BatchNorm(), (3, 2, 3, 3)),
        (BatchNorm(), (3, 4, 2)),
    ],
    ids=lambda value: getattr(value, "describe", lambda: None)() or "x".join(map(str, value)),
)
def test_backward_matches_central_differences(layer: object, shape: tuple[int, ...]) -> None:
    layer = built(layer, shape[1:])  # type: ignore[arg-type]
    assert worst_error(layer, _X(shape)) < TOLERANCE


def test_batchnorm_inference_mode_backward_is_dy_gamma_over_root_var() -> None:
    layer = built(BatchNorm(), (3,))
    layer.running_mean[:] = [0.5, -1.0, 2.0]
    layer.running_var[:] = [2.0, 0.5, 1.5]
    assert worst_error(layer, _X((4, 3)), training=False) < TOLERANCE


def test_dropout_scales_the_kept_entries_and_their_gradients() -> None:
    layer = built(Dropout(0.5), (1000,))
    X = np.ones((4, 1000))
    Y = layer.forward(X, True)
    assert set(np.unique(Y)) == {0.0, 2.0} and 0.4 < Y.mean() / 2 < 0.6
    assert np.array_equal(layer.backward(X), Y)
    assert layer.forward(X, False) is X  # prediction keeps everything


class _BesselBatchNorm(BatchNormClass):
    """A planted fault: normalising with the (M - 1) variance while the backward pass
    keeps the derived 1/M form."""

    def forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        inv = 1 / np.sqrt(X.var(axis=0, ddof=1) + self.epsilon)
        self._cache = ((X - X.mean(axis=0)) * inv, inv, True)
        return self.params["gamma"] * self._cache[0] + self.params["beta"]


def test_a_planted_variance_fault_is_caught() -> None:
    assert worst_error(built(_BesselBatchNorm(), (3,)), _X((4, 3))) > 1e-3
