"""Bundled data sets: shapes in the column convention, targets, the seeded stratified split,
standardisation fitted on the training part only, and errors."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.data import DATASETS, Dataset, load_dataset, make_flower, split_and_standardize
from chainrule.errors import DataError

EXPECTED = {
    # name: (features, classes, examples)
    "breast_cancer": (30, 2, 569),
    "digits": (64, 10, 1797),
    "digits_parity": (64, 2, 1797),
    "moons": (2, 2, 500),
    "circles": (2, 2, 500),
    "flower": (2, 2, 400),
}


def test_the_table_lists_every_set() -> None:
    assert sorted(DATASETS) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shapes_follow_the_column_convention(name: str) -> None:
    n_features, n_classes, m = EXPECTED[name]
    data = load_dataset(name)
    assert isinstance(data, Dataset) and data.name == name
    n_outputs = 1 if n_classes == 2 else n_classes
    assert data.X_train.shape[0] == data.X_test.shape[0] == n_features == data.n_features
    assert data.Y_train.shape[0] == data.Y_test.shape[0] == n_outputs == data.n_outputs
    assert data.X_train.shape[1] == data.Y_train.shape[1]
    assert data.X_test.shape[1] == data.Y_test.shape[1]
    assert data.X_train.shape[1] + data.X_test.shape[1] == m
    assert data.X_test.shape[1] == pytest.approx(0.2 * m, abs=n_classes)
    assert data.n_classes == len(data.class_names) == n_classes
    assert len(data.feature_names) == n_features
    assert data.X_train.flags.c_contiguous and data.X_train.dtype == np.float64
    assert data.default_output == ("sigmoid" if n_classes == 2 else "softmax")


@pytest.mark.parametrize("name", ["breast_cancer", "digits", "moons"])
def test_targets_are_labels_or_one_hot(name: str) -> None:
    data = load_dataset(name)
    for Y in (data.Y_train, data.Y_test):
        assert set(np.unique(Y)) <= {0.0, 1.0}
        if Y.shape[0] > 1:
            np.testing.assert_array_equal(Y.sum(axis=0), 1.0)


def test_standardisation_is_fitted_on_the_training_part_only() -> None:
    data = load_dataset("breast_cancer")
    np.testing.assert_allclose(data.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=1), 1.0, rtol=1e-12)
    # The test part went through the training mean and scale, so its own are not 0 and 1.
    assert np.abs(data.X_test.mean(axis=1)).max() > 0.01
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer().data.T  # (30, 569)
    restored = data.X_test * data.scale + data.mean
    matches = [
        np.flatnonzero(np.all(np.isclose(raw, column[:, None]), axis=0)) for column in restored.T
    ]
    assert all(len(match) == 1 for match in matches)


def test_constant_features_are_left_unscaled() -> None:
    data = load_dataset("digits")  # a few border pixels are always 0
    constant = data.scale[:, 0] == 1.0
    assert constant.any()
    assert np.all(data.X_train[constant] == 0.0)


def test_raw_features_without_standardisation() -> None:
    data = load_dataset("digits", standardize=False)
    assert data.X_train.max() == 16.0 and data.X_train.min() == 0.0


def test_split_is_seeded_and_stratified() -> None:
    first, again, other = (load_dataset("breast_cancer", seed=s) for s in (0, 0, 1))
    np.testing.assert_array_equal(first.X_test, again.X_test)
    assert not np.array_equal(first.X_test, other.X_test)
    # 212 malignant (0) and 357 benign (1): 20% of each class goes to the test part.
    assert int((first.Y_test == 0).sum()) == round(0.2 * 212)
    assert int((first.Y_test == 1).sum()) == round(0.2 * 357)


def test_no_example_is_in_both_parts() -> None:
    X = np.arange(40.0).reshape(20, 2)
    labels = np.arange(20) % 3
    data = split_and_standardize(
        "toy", X, labels, ("a", "b"), ("x", "y", "z"), test_fraction=0.25, standardize=False
    )
    train_rows = {tuple(column) for column in data.X_train.T}
    test_rows = {tuple(column) for column in data.X_test.T}
    assert not train_rows & test_rows and len(train_rows | test_rows) == 20
    assert data.Y_train.shape == (3, len(train_rows))


def test_digit_parity_labels() -> None:
    from sklearn.datasets import load_digits

    digits = load_digits()
    label_of = {row.tobytes(): label for row, label in zip(digits.data, digits.target, strict=True)}
    parity = load_dataset("digits_parity", standardize=False)
    digit = np.array([label_of[column.tobytes()] for column in parity.X_train.T])
    np.testing.assert_array_equal(parity.Y_train[0], digit % 2)
    assert parity.class_names == ("even", "odd")


def test_flower_is_the_course_generator() -> None:
    X, labels = make_flower(400, np.random.default_rng(1))
    assert X.shape == (400, 2) and labels.shape == (400,)
    assert np.bincount(labels).tolist() == [200, 200]
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() < 5.0  # petals of radius 4, plus noise
    again, _ = make_flower(400, np.random.default_rng(1))
    np.testing.assert_array_equal(X, again)


def test_generated_sets_follow_the_seed() -> None:
    for name in ("moons", "circles", "flower"):
        a, b = load_dataset(name, seed=3), load_dataset(name, seed=3)
        np.testing.assert_array_equal(a.X_train, b.X_train)


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(DataError) as error:
        load_dataset("iris")
    assert str(error.value) == (
        "unknown data set 'iris' (known: breast_cancer, circles, digits, digits_parity, "
        "flower, moons)"
    )


@pytest.mark.parametrize("fraction", [0, 1, -0.2, 1.5])
def test_bad_test_fraction(fraction: float) -> None:
    with pytest.raises(DataError, match="'test_fraction' must be between 0 and 1"):
        load_dataset("moons", test_fraction=fraction)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "0"])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(DataError, match=r"'seed' must be an integer from 0 to 4294967295"):
        load_dataset("moons", seed=seed)  # type: ignore[arg-type]
