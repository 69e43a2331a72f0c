"""Benchmark cases: architectures, data sets, settings and targets.

Each case is trained with the same architecture, data, initial weights, optimizer, learning
rate and number of epochs by every framework. The data and the initial weights are made once, in the
parent process, and written to one ``.npz`` file that every worker process reads, so that all
frameworks start from the very same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Run:
    """One measured configuration of a case: a dtype and a batch size (None: full batch)."""

    dtype: str
    batch_size: int | None

    @property
    def label(self) -> str:
        """Short human label, e.g. ``float32, batch 256``."""
        batch = "full batch" if self.batch_size is None else f"batch {self.batch_size}"
        return f"{self.dtype}, {batch}"


@dataclass(frozen=True)
class Case:
    """A benchmark case.

    ``targets`` maps a peer framework to the largest allowed time ratio chainrule / peer;
    ``matmul_targets`` maps a batch size (None: full batch) to the smallest allowed fraction of
    the machine's matmul rate reached by chainrule's training. ``optimizer`` is ``"gd"`` (plain
    gradient descent) or ``"adam"`` (β1 0.9, β2 0.999, ε 1e-8 everywhere);
    ``accuracy_tolerance``, when set, is the largest allowed difference of a peer's final
    training accuracy from chainrule's.
    """

    key: str
    title: str
    layer_sizes: list[int]
    dataset: str
    runs: list[Run]
    learning_rate: float
    epochs: int
    quick_epochs: int
    frameworks: list[str]
    activation: str = "relu"
    output: str = "sigmoid"
    targets: dict[str, float] = field(default_factory=dict)
    matmul_targets: dict[int | None, float] = field(default_factory=dict)
    optimizer: str = "gd"
    accuracy_tolerance: float | None = None


CASES: dict[str, Case] = {
    "a": Case(
        key="a",
        title="breast_cancer (standardised)",
        layer_sizes=[30, 16, 1],
        dataset="breast_cancer",
        runs=[Run("float64", None)],
        learning_rate=0.1,
        epochs=3000,
        quick_epochs=60,
        frameworks=["chainrule", "torch", "sklearn"],
        targets={"torch": 0.6, "sklearn": 0.5},
    ),
    "b": Case(
        key="b",
        title="digits even/odd (pixels / 16)",
        layer_sizes=[64, 128, 64, 1],
        dataset="digits_parity",
        runs=[Run("float32", None), Run("float64", None)],
        learning_rate=0.1,
        epochs=600,
        quick_epochs=20,
        frameworks=["chainrule", "torch", "sklearn"],
        targets={"torch": 1.0, "sklearn": 0.65},
    ),
    "c": Case(
        key="c",
        title="random data, m = 4096, labels from a random linear teacher",
        layer_sizes=[784, 1024, 1024, 1],
        dataset="random_4096",
        runs=[Run("float32", None), Run("float32", 256)],
        learning_rate=0.01,
        epochs=10,
        quick_epochs=2,
        frameworks=["chainrule", "torch", "sklearn"],
        matmul_targets={None: 0.85, 256: 0.70},
    ),
    "d": Case(
        key="d",
        title="digits even/odd (pixels / 16), Adam, shuffled mini-batches",
        layer_sizes=[64, 128, 64, 1],
        dataset="digits_parity",
        runs=[Run("float32", 256), Run("float64", 256)],
        learning_rate=0.001,
        epochs=100,
        quick_epochs=10,
        frameworks=["chainrule", "torch", "sklearn"],
        targets={"torch": 0.9, "sklearn": 0.6},
        optimizer="adam",
        accuracy_tolerance=0.01,
    ),
}


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X, y)``: X of shape (m, n0) float64, y of shape (m,) with labels 0/1.

    Rows are examples here (scikit-learn's layout); workers transpose for chainrule.
    """
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer

        X, y = load_breast_cancer(return_X_y=True)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        return X, y.astype(np.int64)
    if name == "digits_parity":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        return X / 16.0, (y % 2).astype(np.int64)
    if name == "random_4096":
        rng = np.random.default_rng(0)
        X = rng.standard_normal((4096, 784))
        teacher = rng.standard_normal(784)
        return X, (X @ teacher > 0).astype(np.int64)
    raise ValueError(f"unknown dataset {name!r}")


def matmul_flops_per_epoch(layer_sizes: list[int], m: int) -> float:
    """Floating-point operations of the matmuls of one training epoch over m examples.

    Each layer l does three matmuls of 2 m n[l] n[l-1] flops (forward Z, dW, dA_prev), except
    the first, which needs no dA0.
    """
    total = 0.0
    for index, (n_prev, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:], strict=True)):
        matmuls = 2 if index == 0 else 3
        total += matmuls * 2.0 * m * n_out * n_prev
    return total
