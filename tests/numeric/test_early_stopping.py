"""Early stopping and validation: the stopping rule on scripted costs, the validation cost of
every epoch, the best weights restored, callbacks that take the validation cost (and old ones
that do not), the stratified split, the progress bar, and the errors."""

from __future__ import annotations

import io

import numpy as np
import pytest

from chainrule.errors import DataError, InputError
from chainrule.numeric import Network, train
from chainrule.numeric.early_stopping import EarlyStopping, class_labels, split_validation


def blobs(m: int = 80, seed: int = 0, noise: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """X (2, m) in two overlapping clouds, Y (1, m) their 0/1 labels."""
    rng = np.random.default_rng(seed)
    Y = (np.arange(m) % 2).astype(float)[np.newaxis, :]
    X = rng.standard_normal((2, m)) * noise + np.where(Y > 0, 1.0, -1.0)
    return X, Y


# ----------------------------------------------------------------- the rule itself
def test_stops_after_patience_epochs_without_improvement() -> None:
    network = Network([2, 1], seed=0)
    stopper = EarlyStopping(patience=3)
    costs = [1.0, 0.8, 0.7, 0.75, 0.71, 0.72]
    decisions = [stopper.update(epoch, cost, network) for epoch, cost in enumerate(costs, 1)]
    assert decisions == [False, False, False, False, False, True]
    assert stopper.best == 0.7 and stopper.best_epoch == 3 and stopper.stopped_epoch == 6


def test_min_delta_decides_what_counts_as_improvement() -> None:
    network = Network([2, 1], seed=0)
    stopper = EarlyStopping(patience=2, min_delta=0.05)
    assert not stopper.update(1, 1.0, network)
    assert not stopper.update(2, 0.97, network)  # better, but by less than min_delta
    assert stopper.update(3, 0.96, network)
    assert stopper.best_epoch == 1


def test_restore_puts_the_best_parameters_back() -> None:
    network = Network([2, 3, 1], seed=0)
    stopper = EarlyStopping(patience=5)
    stopper.update(1, 0.5, network)
    best = network.parameter_vector.copy()
    network.parameter_vector[:] += 1.0
    stopper.update(2, 0.9, network)
    assert stopper.restore(network)
    np.testing.assert_array_equal(network.parameter_vector, best)
    assert not EarlyStopping(restore_best=False).restore(network)


# ----------------------------------------------------------------- in training
def test_validation_costs_are_recorded_and_the_best_epoch_restored() -> None:
    X, Y = blobs(m=60, noise=1.5)
    X_val, Y_val = blobs(m=40, seed=1, noise=1.5)
    network = Network([2, 32, 1], "relu", seed=0)
    snapshots = {}

    def keep(epoch: int, cost: float, net: Network) -> None:
        snapshots[epoch] = net.parameter_vector.copy()

    history = train(
        network,
        X,
        Y,
        epochs=400,
        learning_rate=1.0,
        validation_data=(X_val, Y_val),
        early_stopping=EarlyStopping(patience=15),
        callbacks=[keep],
        verbose=False,
    )
    assert history.stopped_early and history.epochs < 400
    assert len(history.validation_costs) == len(history.costs) == history.epochs
    best = history.best_epoch
    assert best == int(np.argmin(history.validation_costs)) + 1
    assert history.epochs == best + 15
    np.testing.assert_array_equal(network.parameter_vector, snapshots[best])
    assert network.cost(X_val, Y_val) == pytest.approx(history.validation_costs[best - 1])


def test_validation_cost_has_no_l2_term_and_no_dropout() -> None:
    X, Y = blobs(m=40)
    X_val, Y_val = blobs(m=20, seed=2)
    network = Network([2, 6, 1], "tanh", seed=0)
    seen = []
    history = train(
        network,
        X,
        Y,
        epochs=3,
        learning_rate=0.1,
        l2=10.0,
        keep_prob=0.5,
        validation_data=(X_val, Y_val),
        callbacks=[lambda epoch, cost, net: seen.append(net.cost(X_val, Y_val))],
        verbose=False,
    )
    assert history.validation_costs == seen


def test_callbacks_with_a_validation_cost_parameter_get_it_by_keyword() -> None:
    X, Y = blobs(m=50)
    received: list = []
    old_style: list = []

    def new_style(epoch, cost, network, validation_cost=None):
        received.append(validation_cost)

    history = train(
        Network([2, 3, 1], seed=0),
        X,
        Y,
        epochs=4,
        validation_fraction=0.2,
        callbacks=[new_style, lambda epoch, cost, network: old_style.append(epoch)],
        verbose=False,
    )
    assert received == history.validation_costs and len(received) == 4
    assert old_style == [1, 2, 3, 4]
    received.clear()
    train(Network([2, 1], seed=0), X, Y, epochs=2, callbacks=[new_style], verbose=False)
    assert received == [None, None]


def test_validation_fraction_holds_out_a_stratified_share() -> None:
    X, Y = blobs(m=100)
    network = Network([2, 1], seed=0)
    history = train(network, X, Y, epochs=2, validation_fraction=0.2, verbose=False)
    assert len(history.validation_costs) == 2
    X_train, Y_train, X_val, Y_val = split_validation(X, Y, 0.2, np.random.default_rng(0), Y[0])
    assert X_val.shape == (2, 20) and X_train.shape == (2, 80)
    assert Y_val.mean() == 0.5 and Y_train.mean() == 0.5  # the classes keep their shares
    together = np.sort(np.concatenate([X_train[0], X_val[0]]))
    np.testing.assert_array_equal(together, np.sort(X[0]))  # a partition of the columns


def test_early_stopping_on_the_training_cost() -> None:
    X, Y = blobs(m=40, noise=0.2)
    stopper = EarlyStopping(patience=2, min_delta=0.5, monitor="cost", restore_best=False)
    history = train(
        Network([2, 1], seed=0), X, Y, epochs=100, learning_rate=0.1, early_stopping=stopper
    )
    assert history.stopped_early and history.epochs == 3


def test_a_tiny_fraction_still_holds_out_one_example() -> None:
    X, Y = blobs(m=20)
    _, _, X_val, _ = split_validation(X, Y, 0.001, np.random.default_rng(0), Y[0])
    assert X_val.shape == (2, 1)
    _, _, X_val, _ = split_validation(X, Y, 0.001, np.random.default_rng(0))
    assert X_val.shape == (2, 1)


def test_class_labels() -> None:
    np.testing.assert_array_equal(class_labels(np.array([[0.0, 1.0, 1.0]])), [0, 1, 1])
    np.testing.assert_array_equal(class_labels(np.eye(3)[:, [2, 0, 1]]), [2, 0, 1])


def test_progress_bar_shows_the_validation_cost() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    X, Y = blobs(m=30)
    terminal = Terminal()
    train(Network([2, 1], seed=0), X, Y, epochs=3, validation_fraction=0.3, stream=terminal)
    assert "val" in terminal.getvalue() and "cost" in terminal.getvalue()


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"early_stopping": EarlyStopping()}, InputError, "needs 'validation_data' or"),
        (
            {"validation_fraction": 0.2, "validation_data": blobs(10)},
            InputError,
            "give either 'validation_data' or 'validation_fraction', not both",
        ),
        ({"validation_fraction": 1.0}, InputError, r"'validation_fraction' must be a number in"),
        ({"validation_fraction": 0.99}, DataError, "of 20 examples leaves none to train on"),
        ({"validation_data": (np.zeros((2, 3)),)}, InputError, "must be a pair"),
        ({"early_stopping": 3}, InputError, r"'early_stopping' must be an EarlyStopping"),
    ],
)
def test_bad_validation_settings(kwargs: dict, error: type, message: str) -> None:
    X, Y = blobs(m=20)
    with pytest.raises(error, match=message):
        train(Network([2, 1], seed=0), X, Y, epochs=2, verbose=False, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience": 0}, r"'patience' must be a positive integer \(got 0\)"),
        ({"min_delta": -1.0}, r"'min_delta' must be a number >= 0"),
        ({"monitor": "accuracy"}, r"'monitor' must be one of validation_cost, cost"),
    ],
)
def test_bad_early_stopping_settings(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        EarlyStopping(**kwargs)
