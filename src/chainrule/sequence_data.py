"""Synthetic sequence tasks, generated from a seed: nothing to download, the same data for
the same seed.

``adding``, the adding problem (Hochreiter and Schmidhuber, 1997): each example is a sequence
of T steps with two features, a value drawn uniformly from [0, 1) and a marker that is 1 at
exactly two steps, one in each half of the sequence, and 0 elsewhere. The target is the sum of
the two marked values. Predicting the mean of the targets gives a mean squared error of about
1/6 (the variance of a sum of two uniform values); a network beats that only by carrying the
first marked value across the steps in between, which a plain RNN finds hard for long T and an
LSTM learns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.errors import InputError

__all__ = ["MIN_LENGTH", "SEQUENCE_TASKS", "SequenceTask", "adding_problem", "load_sequence_task"]

Array = np.ndarray

#: The tasks and what they are; ``chainrule train --data NAME`` runs them.
SEQUENCE_TASKS = {"adding": "the adding problem: sum the two marked values of a sequence"}
#: The smallest length with a marked step in each half.
MIN_LENGTH = 2


@dataclass(frozen=True)
class SequenceTask:
    """A generated task: X (m, T, n) sequences, Y (m, K) targets, for training and testing,
    and the mean squared error of the best constant prediction (the training targets' mean)
    on the test part."""

    name: str
    X_train: Array
    Y_train: Array
    X_test: Array
    Y_test: Array
    baseline_mse: float

    @property
    def length(self) -> int:
        """T, the number of steps of every sequence."""
        return int(self.X_train.shape[1])


def adding_problem(m: int, length: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """X (m, T, 2): values in [0, 1) and a marker at one step of each half; Y (m, 1) the sum
    of the two marked values."""
    X = np.zeros((m, length, 2))
    X[:, :, 0] = rng.random((m, length))
    half = length // 2
    rows = np.arange(m)
    first, second = rng.integers(0, half, m), rng.integers(half, length, m)
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    return X, (X[rows, first, 0] + X[rows, second, 0])[:, None]


def load_sequence_task(
    name: str, seed: int = 0, length: int = 20, n_train: int = 1000, n_test: int = 500
) -> SequenceTask:
    """The task ``name`` of sequences of ``length`` steps, drawn from ``seed``."""
    if name not in SEQUENCE_TASKS:
        raise InputError(f"'data' must be one of {', '.join(SEQUENCE_TASKS)} (got {name!r})")
    for option, value, least in (("length", length, MIN_LENGTH), ("n_train", n_train, 1),
                                 ("n_test", n_test, 1)):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError(f"'{option}' must be an integer >= {least} (got {value!r})")
    rng = np.random.default_rng(seed)
    X_train, Y_train = adding_problem(n_train, length, rng)
    X_test, Y_test = adding_problem(n_test, length, rng)
    baseline = float(np.mean((Y_test - Y_train.mean()) ** 2))
    return SequenceTask(name, X_train, Y_train, X_test, Y_test, baseline)
