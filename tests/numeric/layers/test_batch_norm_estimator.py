"""``MLPClassifier(batch_norm=True)``: the dense stack with batch norm, trained through the
estimator, its gradients checked, dropout in its layers."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from chainrule import MLPClassifier
from chainrule.numeric import gradient_check
from chainrule.numeric.layers import BatchNorm, Dense, Dropout, Model


def _blobs(m: int = 150, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(m) % 3
    X = rng.standard_normal((m, 4)) + 4.0 * np.eye(3, 4)[y]
    return X * 10 + 5, y  # off-centre and wide: what batch norm undoes


def _fit(**kwargs: object) -> MLPClassifier:
    X, y = _blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifier(
            (8, 6), batch_norm=True, max_iter=40, random_state=0, learning_rate_init=0.01,
            **kwargs,
        ).fit(X, y)  # fmt: skip


def test_batch_norm_classifier_learns_and_exposes_its_layers() -> None:
    model = _fit()
    X, y = _blobs(seed=1)
    assert isinstance(model.network_, Model)
    kinds = [layer.kind for layer in model.network_.layers]
    assert kinds == ["dense", "batchnorm", "activation"] * 2 + ["dense"]
    assert model.score(X, y) > 0.9
    assert model.predict_proba(X).shape == (150, 3)
    assert [w.shape for w in model.coefs_] == [(4, 8), (8, 6), (6, 3)]
    assert [b.shape for b in model.intercepts_] == [(8,), (6,), (3,)]
    bn = model.network_.layers[1]
    assert isinstance(bn, BatchNorm) and not np.allclose(bn.running_mean, 0)
    assert isinstance(model.network_.layers[0], Dense) and not model.network_.layers[0].bias


def test_its_gradients_pass_the_check_and_dropout_becomes_layers() -> None:
    model = _fit(keep_prob=0.8, early_stopping=True)
    assert sum(isinstance(layer, Dropout) for layer in model.network_.layers) == 2
    X, y = _blobs(10, seed=2)
    Y = np.eye(3)[y]
    assert gradient_check(model.network_, (X - 5) / 10, Y, l2=0.1).passed
