"""The sequence layers in a Model: the gradient check passes through every one of them and
catches a planted fault, training with the shared loop learns, and clipping runs inside any
optimizer."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from chainrule.errors import InputError
from chainrule.numeric import Adam, GradientDescent, gradient_check, train
from chainrule.numeric.layers import Dense, Flatten, Model
from chainrule.numeric.layers.spec import describe_architecture, parse_architecture
from chainrule.numeric.persist import load, save
from chainrule.numeric.sequence.clipping import ClippedOptimizer
from chainrule.numeric.sequence.layers import LSTM, RNN, Attention, Embedding
from chainrule.sequence_data import adding_problem, load_sequence_task

STACKS = {
    "lstm last": lambda: [LSTM(3, return_sequences=False), Dense(2)],
    "rnn all": lambda: [RNN(3), Flatten(), Dense(2)],
    "causal attention": lambda: [Attention(3, causal=True), Flatten(), Dense(2)],
    "lstm, attention, rnn": lambda: [LSTM(4), Attention(3), RNN(2, False), Dense(2)],
}


@pytest.mark.parametrize("name", sorted(STACKS))
def test_gradient_check_passes_through_the_sequence_layers(rng, name) -> None:
    X, Y = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 2))
    model = Model(STACKS[name](), (5, 3), "linear", init="xavier", seed=0)
    report = gradient_check(model, X, Y, l2=0.1)
    assert report.passed, [(row.name, row.relative_error) for row in report.rows]


def test_embedding_takes_ids_and_its_gradient_checks(rng) -> None:
    ids = rng.integers(0, 6, size=(5, 4))
    model = Model([Embedding(6, 3), LSTM(3, False), Dense(3)], (4,), "softmax", seed=0)
    Y = np.eye(3)[rng.integers(0, 3, 5)]
    assert gradient_check(model, ids, Y).passed
    with pytest.raises(InputError, match="X must be an array of integers"):
        model.forward(ids + 0.5)
    embedding = Embedding(6, 3)
    embedding.build((4,), np.dtype("float64"), rng)
    embedding.bind({"E": np.ones((6, 3))}, {"E": np.zeros((6, 3))})
    np.testing.assert_array_equal(embedding.forward(ids.astype(float), False), 1.0)
    with pytest.raises(InputError, match="whole-number token ids"):
        embedding.forward(ids + 0.5, False)


class _ForgetfulLSTM(LSTM):
    """A planted fault: the gradient of the forget gate's bias halved."""

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dX = super().backward(dY)
        self.grads["bf"] *= 0.5
        return dX


def test_gradient_check_catches_a_planted_fault(rng) -> None:
    X, Y = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 2))
    model = Model([_ForgetfulLSTM(3, False), Dense(2)], (5, 3), "linear", seed=0)
    failed = {row.name for row in gradient_check(model, X, Y).rows if not row.passed}
    assert failed == {"lstm1.bf"}


def test_layers_refuse_inputs_they_cannot_take() -> None:
    with pytest.raises(InputError, match=r"layer 'lstm:3' takes sequences \(T, n\)"):
        Model([LSTM(3), Dense(1)], (5,), "linear")
    with pytest.raises(InputError, match="'units' must be a positive integer"):
        RNN(0)
    with pytest.raises(InputError, match=r"takes token ids \(T,\)"):
        Model([Embedding(4, 2), Flatten(), Dense(1)], (3, 2), "linear")


def test_an_lstm_learns_the_adding_problem_with_clipping() -> None:
    task = load_sequence_task("adding", seed=1, length=8, n_train=256, n_test=128)
    model = Model([LSTM(8, False), Dense(1)], (8, 2), "linear", init="xavier", seed=0)
    optimizer = ClippedOptimizer(Adam(0.02), max_norm=1.0)
    history = train(model, task.X_train, task.Y_train, optimizer=optimizer, epochs=12,
                    batch_size=32, verbose=False)  # fmt: skip
    mse = float(np.mean((model.predict(task.X_test) - task.Y_test) ** 2))
    assert history.costs[-1] < 0.5 * history.costs[0]
    assert mse < 0.5 * task.baseline_mse


def test_clipped_optimizer_clips_then_steps() -> None:
    params = {"theta": np.zeros(2)}
    grads = {"theta": np.array([30.0, -40.0])}
    ClippedOptimizer(GradientDescent(1.0), max_norm=5.0).update(params, grads)
    np.testing.assert_allclose(params["theta"], [-3.0, 4.0])
    grads = {"theta": np.array([30.0, -0.5])}
    ClippedOptimizer(GradientDescent(1.0), max_value=1.0).update(params, grads)
    np.testing.assert_allclose(params["theta"], [-4.0, 4.5])
    with pytest.raises(InputError, match="give 'max_value', 'max_norm' or both"):
        ClippedOptimizer(GradientDescent(1.0))


def test_the_adding_problem_is_as_described() -> None:
    X, Y = adding_problem(50, 7, np.random.default_rng(0))
    assert X.shape == (50, 7, 2) and Y.shape == (50, 1)
    markers = X[:, :, 1]
    assert (markers.sum(axis=1) == 2).all()
    assert (markers[:, :3].sum(axis=1) == 1).all()
    np.testing.assert_allclose(Y[:, 0], (X[:, :, 0] * markers).sum(axis=1))
    again = load_sequence_task("adding", seed=3, length=7)
    np.testing.assert_array_equal(again.X_train, load_sequence_task("adding", 3, 7).X_train)
    with pytest.raises(InputError, match="'length' must be an integer >= 2"):
        load_sequence_task("adding", length=1)


def test_architecture_text_and_model_files_carry_the_sequence_layers(rng, tmp_path) -> None:
    text = "embedding:5:3,lstm:4,attention:3:causal,rnn:2:last,dense:2"
    layers = parse_architecture(text)
    assert describe_architecture(layers) == text
    model = Model(layers, (6,), "linear", seed=0)
    path = tmp_path / "sequence.npz"
    save(model, path)
    loaded = load(path)
    ids = rng.integers(0, 5, size=(3, 6))
    np.testing.assert_array_equal(loaded.forward(ids), model.forward(ids))
    with pytest.raises(InputError, match=r"'arch': layer 1 'lstm:4:first' must be written"):
        parse_architecture("lstm:4:first")


def test_the_sequence_layers_do_not_import_sympy() -> None:
    code = (
        "import sys, chainrule.numeric.sequence.layers, chainrule.numeric.layers.spec\n"
        "assert 'sympy' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
