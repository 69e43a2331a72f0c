"""What a saved model knows about its data, so it can predict from raw rows of a file.

A network reads standardised features in a fixed order and answers with output units; a
person has a CSV file with named columns and wants class names back. :class:`DataSchema`
holds the bridge (feature names, class names, the training standardisation) and
:class:`SavedModel` uses it::

    raw rows (m, n[0])  --standardise-->  X (n[0], m)  --network-->  A[L] (n[L], m)
                        --classes-->  labels (m,), probabilities (m, n_classes)

One output unit means two classes (the unit is the probability of the second, as in the
course); more output units mean one class each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.layers.model import Model
from chainrule.numeric.network import Network

__all__ = ["DataSchema", "SavedModel", "check_schema", "class_count", "schema_problem"]


@dataclass(frozen=True)
class DataSchema:
    """What a model needs to predict from raw rows of a data file.

    Attributes
    ----------
    feature_names : tuple of str
        The n[0] input columns, in the order the network reads them.
    class_names : tuple of str
        The classes: two for one output unit, else one per output unit.
    mean, scale : arrays (n[0], 1) of float64
        The standardisation fitted on the training data: the network sees
        ``(x - mean) / scale``.
    target_name : str or None
        The name of the class column in the training file, if it had one.
    """

    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    target_name: str | None = None

    def standardize(self, X: np.ndarray) -> np.ndarray:
        """Raw features X (n[0], m) -> the network's inputs (n[0], m)."""
        return (X - self.mean) / self.scale


@dataclass(frozen=True)
class SavedModel:
    """A network (or a layered Model) with (when it was saved with one) its data schema."""

    network: Network | Model
    schema: DataSchema | None = None

    @property
    def class_names(self) -> tuple[str, ...]:
        """The schema's class names, or ``"0"``, ``"1"``, ... without a schema."""
        if self.schema is not None:
            return self.schema.class_names
        return tuple(str(k) for k in range(class_count(self.n_outputs)))

    @property
    def n_inputs(self) -> int:
        """The number of features of a raw row (a Model's input shape, flattened)."""
        if isinstance(self.network, Model):
            return math.prod(self.network.input_shape)
        return self.network.layer_sizes[0]

    @property
    def n_outputs(self) -> int:
        """The number of output units."""
        if isinstance(self.network, Model):
            return self.network.n_outputs
        return self.network.layer_sizes[-1]

    def predict_rows(self, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Class names and per-class probabilities of raw examples.

        Parameters
        ----------
        rows : array (m, n[0])
            One raw example per row, features in the schema's order (not standardised).

        Returns
        -------
        labels : list of str, length m
            The predicted class of each row.
        probabilities : array (m, n_classes)
            The output units read as class probabilities (sigmoid: 1 - a and a; softmax:
            the units). For a linear output these are the raw output values (scores).
        """
        X = np.asarray(rows, dtype=np.float64).T  # (n[0], m)
        if self.schema is not None:
            X = self.schema.standardize(X)
        if isinstance(self.network, Model):  # batch-first, one example of input_shape a row
            A = self.network.predict_proba(X.T.reshape(-1, *self.network.input_shape)).T
        else:
            A = self.network.predict_proba(X)  # (n[L], m)
        if A.shape[0] == 1:
            probabilities = np.vstack([1.0 - A, A]).T
            indices = (A[0] >= 0.5).astype(np.int64)
        else:
            probabilities = A.T
            indices = A.argmax(axis=0)
        names = self.class_names
        return [names[k] for k in indices], probabilities


def class_count(n_outputs: int) -> int:
    """Classes that ``n_outputs`` output units stand for: 2 for one unit, else one per unit."""
    return 2 if n_outputs == 1 else n_outputs


def check_schema(schema: object, layer_sizes: Sequence[int]) -> DataSchema:
    """``schema`` with float64 mean and scale, or an InputError saying why it does not fit."""
    if not isinstance(schema, DataSchema):
        raise InputError(f"'schema' must be a DataSchema or None (got {type(schema).__name__})")
    mean = np.asarray(schema.mean, dtype=np.float64)
    scale = np.asarray(schema.scale, dtype=np.float64)
    features, classes = tuple(schema.feature_names), tuple(schema.class_names)
    problem = schema_problem(features, classes, mean, scale, layer_sizes)
    if problem:
        raise InputError(f"'schema' does not fit the network: {problem}")
    return DataSchema(features, classes, mean, scale, schema.target_name)


def schema_problem(
    features: Sequence[object],
    classes: Sequence[object],
    mean: object,
    scale: object,
    layer_sizes: Sequence[int],
) -> str | None:
    """What is wrong with a schema for a network of ``layer_sizes``, or None."""
    n_inputs, n_outputs = layer_sizes[0], layer_sizes[-1]
    n_classes = class_count(n_outputs)
    if len(features) != n_inputs or not all(isinstance(f, str) for f in features):
        return f"expected {n_inputs} feature names (got {len(features)})"
    if len(set(features)) != len(features):
        return "the feature names must differ from each other"
    if len(classes) != n_classes or not all(isinstance(c, str) for c in classes):
        return f"expected {n_classes} class names for {n_outputs} output unit(s) (got {classes!r})"
    for name, value in (("mean", mean), ("scale", scale)):
        array = np.asarray(value)
        if array.shape != (n_inputs, 1) or array.dtype != np.float64:
            return f"{name!r} must be a float64 array of shape ({n_inputs}, 1) (got {array.shape})"
        if not np.isfinite(array).all():
            return f"{name!r} must be finite"
    if not (np.asarray(scale) > 0).all():
        return "'scale' must be positive"
    return None
