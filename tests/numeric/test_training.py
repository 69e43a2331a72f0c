"""Training: full batch and mini-batches, determinism, divergence errors, callbacks,
optimizers, data validation and the progress bar."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from numeric_problems import random_problem

from chainrule.errors import InputError, TrainingError
from chainrule.numeric import GradientDescent, Network, Optimizer, train


def two_blobs(m: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (2, m) in two separable clouds, Y (1, m) their 0/1 labels."""
    rng = np.random.default_rng(seed)
    Y = (np.arange(m) % 2).astype(float)[np.newaxis, :]
    X = rng.standard_normal((2, m)) * 0.5 + np.where(Y > 0, 1.5, -1.5)
    return X, Y


def test_full_batch_training_lowers_the_cost_and_records_it() -> None:
    X, Y = two_blobs()
    network = Network([2, 4, 1], "tanh", "sigmoid", "xavier", seed=0)
    start_cost = network.cost(X, Y)
    history = train(network, X, Y, epochs=200, learning_rate=0.5, verbose=False)
    assert len(history.costs) == history.epochs == 200 and not history.stopped_early
    assert history.costs[0] == pytest.approx(start_cost, rel=1e-14)
    assert history.costs[-1] < 0.1 * history.costs[0]
    assert np.all(np.diff(history.costs) <= 0)
    assert network.accuracy(X, Y) == 1.0
    assert history.seconds > 0


@pytest.mark.parametrize("batch_size", [7, 16, 60, 1000])
def test_mini_batches_learn_and_cover_every_example(batch_size: int) -> None:
    X, Y = two_blobs()
    network = Network([2, 4, 1], "relu", "sigmoid", "he", seed=1)
    history = train(
        network, X, Y, epochs=40, learning_rate=0.3, batch_size=batch_size, verbose=False
    )
    assert len(history.costs) == 40
    assert history.costs[-1] < history.costs[0]
    assert network.accuracy(X, Y) == 1.0


def test_a_batch_as_large_as_the_data_is_the_full_batch() -> None:
    X, Y = two_blobs()
    full = Network([2, 3, 1], seed=2)
    batched = Network([2, 3, 1], seed=2)
    train(full, X, Y, epochs=20, learning_rate=0.1, verbose=False)
    train(batched, X, Y, epochs=20, learning_rate=0.1, batch_size=60, verbose=False)
    np.testing.assert_array_equal(full.parameter_vector, batched.parameter_vector)


@pytest.mark.parametrize("batch_size", [None, 8])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seed_gives_bit_identical_weights(batch_size: int | None, dtype: str) -> None:
    X, Y = two_blobs(m=50)

    def trained(seed: int) -> np.ndarray:
        network = Network([2, 5, 3, 1], "tanh", "sigmoid", "xavier", dtype, seed=seed)
        train(network, X, Y, epochs=15, learning_rate=0.2, batch_size=batch_size, verbose=False)
        return network.parameter_vector.copy()

    first, second = trained(7), trained(7)
    assert first.tobytes() == second.tobytes()
    assert first.dtype == dtype
    assert trained(8).tobytes() != first.tobytes()


def test_mini_batch_shuffles_come_from_the_model_generator() -> None:
    X, Y = two_blobs(m=40)
    a = Network([2, 3, 1], seed=3)
    b = Network([2, 3, 1], seed=3)
    b.rng.random()  # same weights, but the generator has moved on: other shuffles
    train(a, X, Y, epochs=3, learning_rate=0.1, batch_size=10, verbose=False)
    train(b, X, Y, epochs=3, learning_rate=0.1, batch_size=10, verbose=False)
    assert not np.array_equal(a.parameter_vector, b.parameter_vector)


def test_divergence_names_the_epoch() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 20)) * 10, rng.standard_normal((1, 20)) * 10
    network = Network([3, 8, 1], "linear", "linear", "he", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the error reports the overflow; no warnings on the way
        with pytest.raises(TrainingError, match=r"training diverged at epoch \d+: the cost became"):
            train(network, X, Y, epochs=500, learning_rate=5.0, verbose=False)


def test_non_finite_parameters_are_caught_after_the_step() -> None:
    class Poison:
        def update(self, params, grads):
            params["theta"][0] = np.inf

    X, Y = two_blobs(m=10)
    network = Network([2, 2, 1], seed=0)
    with pytest.raises(TrainingError, match="at epoch 1: parameter W1 became nan or infinite"):
        train(network, X, Y, epochs=5, optimizer=Poison(), verbose=False)


def test_huge_but_finite_parameters_are_not_called_divergent() -> None:
    class Inflate:  # θ·θ overflows to inf, yet every parameter is finite
        def update(self, params, grads):
            params["theta"][0] = 1e200

    X, Y = two_blobs(m=10)
    network = Network([2, 2, 1], "relu", seed=0)
    network.set_params({**network.params, "b1": np.array([[-1e300], [-1e300]])})  # dead units
    history = train(network, X, Y, epochs=2, optimizer=Inflate(), verbose=False)
    assert history.epochs == 2
    assert network.params["W1"][0, 0] == 1e200


def test_saturated_output_trains_with_finite_cost_and_gradients() -> None:
    X, Y = two_blobs(m=10)
    network = Network([2, 1], "linear", "sigmoid", seed=0)
    network.set_params({"W1": np.array([[-3000.0, -3000.0]]), "b1": np.zeros((1, 1))})
    _, caches = network.forward(X)
    assert np.all(np.abs(caches["Z1"]) > 1000)  # every unit saturated, half of them wrong
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grads = network.backward(Y, caches)
        history = train(network, X, Y, epochs=3, learning_rate=0.01, verbose=False)
    assert all(np.all(np.isfinite(value)) for value in grads.values())
    assert all(np.isfinite(history.costs)) and history.costs[0] > 1000


def test_callbacks_see_every_epoch_and_can_stop() -> None:
    X, Y = two_blobs()
    network = Network([2, 3, 1], seed=0)
    seen = []

    def record(epoch: int, cost: float, net: Network) -> None:
        seen.append((epoch, cost, net is network))

    def stop_at_five(epoch: int, cost: float, net: Network) -> bool:
        return epoch == 5

    history = train(network, X, Y, epochs=50, callbacks=[record, stop_at_five], verbose=False)
    assert history.epochs == 5 and history.stopped_early
    assert [epoch for epoch, _, _ in seen] == [1, 2, 3, 4, 5]
    assert [cost for _, cost, _ in seen] == history.costs
    assert all(same for _, _, same in seen)


def test_a_custom_optimizer_gets_the_parameter_and_gradient_vectors() -> None:
    class HalfStep:
        def __init__(self) -> None:
            self.calls = 0

        def update(self, params, grads):
            self.calls += 1
            assert params.keys() == grads.keys()
            for name in params:
                params[name] -= 0.05 * grads[name]

    X, Y = two_blobs(m=30)
    optimizer = HalfStep()
    assert isinstance(optimizer, Optimizer)
    network = Network([2, 3, 1], seed=4)
    train(network, X, Y, epochs=4, batch_size=10, optimizer=optimizer, verbose=False)
    assert optimizer.calls == 12  # three mini-batches per epoch
    fresh = Network([2, 3, 1], seed=4)
    train(fresh, X, Y, epochs=4, batch_size=10, optimizer=GradientDescent(0.05), verbose=False)
    np.testing.assert_allclose(network.parameter_vector, fresh.parameter_vector, rtol=1e-12)


def test_gradient_descent_update() -> None:
    params = {"theta": np.array([1.0, 2.0, 3.0])}
    grads = {"theta": np.array([10.0, -10.0, 0.0])}
    GradientDescent(0.1).update(params, grads)
    np.testing.assert_allclose(params["theta"], [0.0, 3.0, 3.0])
    np.testing.assert_array_equal(grads["theta"], [10.0, -10.0, 0.0])
    assert repr(GradientDescent(0.5)) == "GradientDescent(learning_rate=0.5)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, r"'epochs' must be a positive integer \(got 0\)"),
        ({"epochs": 2.5}, r"'epochs' must be a positive integer"),
        ({"batch_size": 0}, r"'batch_size' must be a positive integer"),
        ({"learning_rate": -0.1}, r"'learning_rate' must be a positive number \(got -0.1\)"),
        ({"learning_rate": float("inf")}, r"'learning_rate' must be a positive number"),
        (
            {"learning_rate": 0.1, "optimizer": GradientDescent(0.1)},
            "give either 'learning_rate' or 'optimizer', not both",
        ),
        ({"optimizer": object()}, r"'optimizer' must have an update\(params, grads\) method"),
    ],
)
def test_bad_training_options(kwargs: dict, message: str) -> None:
    X, Y = two_blobs(m=10)
    with pytest.raises(InputError, match=message):
        train(Network([2, 1], seed=0), X, Y, verbose=False, **kwargs)


def test_bad_data() -> None:
    X, Y = two_blobs(m=10)
    network = Network([2, 1], seed=0)
    with pytest.raises(InputError, match=r"'Y' must hold targets in \[0, 1\] for a sigmoid"):
        train(network, X, Y * 2, verbose=False)
    with pytest.raises(InputError, match="'X' must be finite"):
        train(network, np.where(X > 0, np.nan, X), Y, verbose=False)
    softmax = Network([2, 3], output="softmax", seed=0)
    with pytest.raises(InputError, match="'Y' must have one-hot columns"):
        train(softmax, X, np.full((3, 10), 0.5), verbose=False)
    with pytest.raises(InputError, match=r"Y \(the targets of output layer 1\)"):
        train(network, X, Y.ravel(), verbose=False)


def test_float32_training_keeps_float32() -> None:
    network, X, Y = random_problem([3, 4, 2], "relu", "softmax", m=12, seed=5, init="he")
    narrow = network.astype("float32")
    history = train(narrow, X, Y, epochs=5, learning_rate=0.1, batch_size=5, verbose=False)
    assert narrow.parameter_vector.dtype == np.float32
    assert all(isinstance(cost, float) for cost in history.costs)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    X, Y = two_blobs(m=10)
    train(Network([2, 1], seed=0), X, Y, epochs=3, verbose=True)
    assert capsys.readouterr().out == ""  # captured stdout is not a terminal
    terminal = FakeTerminal()
    train(Network([2, 1], seed=0), X, Y, epochs=3, verbose=True, stream=terminal)
    assert "train" in terminal.getvalue()
    quiet = FakeTerminal()
    train(Network([2, 1], seed=0), X, Y, epochs=3, verbose=False, stream=quiet)
    assert quiet.getvalue() == ""
