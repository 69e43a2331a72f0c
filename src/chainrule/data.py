"""Data sets that ship with the install, split and standardised for a network.

Every set is built offline from what scikit-learn ships (``sklearn.datasets``), plus the
course's planar "flower" set, reimplemented here; a user's CSV file (see
:mod:`chainrule.csvdata` for its rules) loads the same way. :func:`load_dataset` returns a
:class:`Dataset` **in the network's convention: one example per column**::

    X_train (n_features, m_train)    Y_train (n_outputs, m_train)
    X_test  (n_features, m_test)     Y_test  (n_outputs, m_test)

Y is 0/1 of shape (1, m) for two classes and one-hot of shape (n_classes, m) for more. The
split is stratified and seeded; the features are standardised with the mean and standard
deviation of the training part only, so nothing of the test part leaks into training.

==============  =======  ========  =========================================================
name            classes  examples  what
==============  =======  ========  =========================================================
breast_cancer   2        569       Wisconsin diagnostic, 30 features (1 = benign)
digits          10       1797      8x8 hand-written digits, 64 pixel features
digits_parity   2        1797      the same digits labelled even (0) or odd (1)
moons           2        500       two interleaving half circles, 2 features, noise 0.2
circles         2        500       a circle inside a circle, 2 features, noise 0.1
flower          2        400       the course's planar two-colour flower, 2 features
==============  =======  ========  =========================================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from chainrule.csvdata import is_csv_source, read_labelled_csv
from chainrule.errors import DataError

__all__ = [
    "DATASETS",
    "MAX_SEED",
    "Dataset",
    "load_dataset",
    "make_flower",
    "split_and_standardize",
]


@dataclass(frozen=True)
class Dataset:
    """A data set split into training and test parts, examples as columns.

    Attributes
    ----------
    name : str
    X_train, X_test : arrays (n_features, m)
        Standardised features.
    Y_train, Y_test : arrays (n_outputs, m)
        0/1 targets (1, m) for two classes, one-hot (n_classes, m) for more.
    feature_names, class_names : tuple of str
    mean, scale : arrays (n_features, 1)
        The standardisation fitted on the training part: ``(x - mean) / scale``.
    target_name : str or None
        The name of the class column of a CSV file; None for a bundled set.
    """

    name: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    target_name: str | None = None

    @property
    def n_features(self) -> int:
        """n[0], the number of input features."""
        return self.X_train.shape[0]

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    @property
    def n_outputs(self) -> int:
        """n[L] that the targets need: 1 for two classes, else the number of classes."""
        return self.Y_train.shape[0]

    @property
    def default_output(self) -> str:
        """``"sigmoid"`` for two classes, ``"softmax"`` for more."""
        return "sigmoid" if self.n_outputs == 1 else "softmax"


@dataclass(frozen=True)
class _Raw:
    X: np.ndarray  # (m, n_features), rows are examples as scikit-learn gives them
    labels: np.ndarray  # (m,) ints 0..n_classes-1
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]


def _breast_cancer(seed: int) -> _Raw:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    return _Raw(bunch.data, bunch.target, tuple(bunch.feature_names), tuple(bunch.target_names))


def _digits(seed: int) -> _Raw:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return _Raw(bunch.data, bunch.target, _pixel_names(), tuple(str(d) for d in range(10)))


def _digits_parity(seed: int) -> _Raw:
    digits = _digits(seed)
    return _Raw(digits.X, digits.labels % 2, digits.feature_names, ("even", "odd"))


def _moons(seed: int) -> _Raw:
    from sklearn.datasets import make_moons

    X, labels = make_moons(n_samples=500, noise=0.2, random_state=seed)
    return _Raw(X, labels, ("x1", "x2"), ("0", "1"))


def _circles(seed: int) -> _Raw:
    from sklearn.datasets import make_circles

    X, labels = make_circles(n_samples=500, noise=0.1, factor=0.5, random_state=seed)
    return _Raw(X, labels, ("x1", "x2"), ("outer", "inner"))


def _flower(seed: int) -> _Raw:
    X, labels = make_flower(400, np.random.default_rng(seed))
    return _Raw(X, labels, ("x1", "x2"), ("red", "blue"))


def _pixel_names() -> tuple[str, ...]:
    return tuple(f"pixel_{row}_{col}" for row in range(8) for col in range(8))


#: Largest seed (scikit-learn's generators take 32-bit seeds).
MAX_SEED = 2**32 - 1

#: Loaders by name. A CSV file (a path instead of a name) loads beside these.
DATASETS: Mapping[str, Callable[[int], _Raw]] = MappingProxyType(
    {
        "breast_cancer": _breast_cancer,
        "circles": _circles,
        "digits": _digits,
        "digits_parity": _digits_parity,
        "flower": _flower,
        "moons": _moons,
    }
)


def make_flower(
    n_samples: int = 400, rng: np.random.Generator | None = None, petals: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """The course's planar "flower": two classes of points on alternating petals.

    Class j takes n_samples/2 angles t spread over [3.12 j, 3.12 (j+1)] with noise, and
    radius r = 4 sin(petals·t) with noise; the point is (r sin t, r cos t).

    Returns
    -------
    X : array (n_samples, 2)
        Rows are examples (scikit-learn's convention, like ``make_moons``).
    labels : array (n_samples,) of 0/1
    """
    rng = np.random.default_rng(0) if rng is None else rng
    per_class = n_samples // 2
    points, labels = [], []
    for label in (0, 1):
        t = np.linspace(label * 3.12, (label + 1) * 3.12, per_class)
        t = t + rng.standard_normal(per_class) * 0.2
        radius = 4.0 * np.sin(petals * t) + rng.standard_normal(per_class) * 0.2
        points.append(np.column_stack([radius * np.sin(t), radius * np.cos(t)]))
        labels.append(np.full(per_class, label))
    return np.concatenate(points), np.concatenate(labels)


def load_dataset(
    name: str,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    standardize: bool = True,
    target: str | None = None,
) -> Dataset:
    """Load data set ``name`` (see :data:`DATASETS`) or a CSV file, split and standardised.

    Parameters
    ----------
    name : str
        One of ``DATASETS``, or the path of a CSV file (ending in ``.csv``, or any existing
        file) following the rules of :mod:`chainrule.csvdata`. A bundled name wins over a
        file of the same name.
    test_fraction : float
        Share of each class held out for testing, in (0, 1).
    seed : int
        Seeds the split (and the generated sets: moons, circles, flower).
    standardize : bool
        Scale features to mean 0 and standard deviation 1 on the training part.
    target : str, optional
        The class column of a CSV file (default: its last column).
    """
    if isinstance(name, str) and name not in DATASETS and is_csv_source(name):
        return _load_csv(name, target, test_fraction, seed, standardize)
    if not isinstance(name, str) or name not in DATASETS:
        known = ", ".join(sorted(DATASETS))
        raise DataError(f"unknown data set {name!r} (known: {known})")
    if target is not None:
        raise DataError(f"'target' applies to CSV files only (got {target!r} for {name!r})")
    _check_seed(seed)
    raw = DATASETS[name](seed)
    return split_and_standardize(
        name,
        raw.X,
        raw.labels,
        raw.feature_names,
        raw.class_names,
        test_fraction=test_fraction,
        seed=seed,
        standardize=standardize,
    )


def _load_csv(
    path: str, target: str | None, test_fraction: float, seed: int, standardize: bool
) -> Dataset:
    _check_seed(seed)
    rows = read_labelled_csv(path, target)
    return split_and_standardize(
        os.path.basename(path),
        rows.X,
        rows.labels,
        rows.feature_names,
        rows.class_names,
        test_fraction=test_fraction,
        seed=seed,
        standardize=standardize,
        target_name=rows.target_name,
    )


def split_and_standardize(
    name: str,
    X: np.ndarray,
    labels: np.ndarray,
    feature_names: tuple[str, ...],
    class_names: tuple[str, ...],
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    standardize: bool = True,
    target_name: str | None = None,
) -> Dataset:
    """Build a :class:`Dataset` from rows ``X`` (m, n) and integer ``labels`` (m,).

    The split is stratified: each class gives ``round(test_fraction * count)`` examples to
    the test part (at least one to each part when the class has two or more).
    """
    _check_seed(seed)
    if not (isinstance(test_fraction, (int, float)) and 0 < test_fraction < 1):
        raise DataError(f"'test_fraction' must be between 0 and 1 (got {test_fraction!r})")
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    train_rows, test_rows = _stratified_split(labels, test_fraction, np.random.default_rng(seed))
    X_train, X_test = X[train_rows].T, X[test_rows].T  # (n, m): examples as columns
    mean = X_train.mean(axis=1, keepdims=True)
    scale = X_train.std(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    if not standardize:
        mean, scale = np.zeros_like(mean), np.ones_like(scale)
    n_classes = len(class_names)
    return Dataset(
        name=name,
        X_train=np.ascontiguousarray((X_train - mean) / scale),
        Y_train=_targets(labels[train_rows], n_classes),
        X_test=np.ascontiguousarray((X_test - mean) / scale),
        Y_test=_targets(labels[test_rows], n_classes),
        feature_names=tuple(feature_names),
        class_names=tuple(class_names),
        mean=mean,
        scale=scale,
        target_name=target_name,
    )


def _check_seed(seed: object) -> None:
    valid = isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)
    if not valid or not 0 <= int(seed) <= MAX_SEED:  # type: ignore[call-overload]
        raise DataError(f"'seed' must be an integer from 0 to {MAX_SEED} (got {seed!r})")


def _stratified_split(
    labels: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    train, test = [], []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        n_test = int(round(test_fraction * rows.size))
        if rows.size >= 2:
            n_test = min(max(n_test, 1), rows.size - 1)
        test.append(rows[:n_test])
        train.append(rows[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _targets(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(1, m) of 0/1 for two classes, one-hot (n_classes, m) for more."""
    if n_classes <= 2:
        return labels[np.newaxis, :].astype(np.float64)
    return np.eye(n_classes)[:, labels]
