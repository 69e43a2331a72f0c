"""The layer framework: one parameter vector, the training loop, the gradient check."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.errors import InputError, ShapeError
from chainrule.numeric import Adam, EarlyStopping, gradient_check, train
from chainrule.numeric.layers import ActivationLayer, Dense, Dropout, Flatten, Model


def _data(m: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2, 3))
    labels = (X[:, 0, 0] > 0).astype(int) + (X[:, 1, 2] > 0).astype(int)
    return X, np.eye(3)[labels]


def _model(**kwargs: object) -> Model:
    layers = [Flatten(), Dense(5), ActivationLayer("tanh"), Dropout(0.8), Dense(3)]
    return Model(layers, (2, 3), "softmax", seed=0, **kwargs)  # type: ignore[arg-type]


def test_parameters_are_views_of_one_vector_weights_first() -> None:
    model = _model()
    assert list(model.params) == ["dense2.W", "dense2.b", "dense5.W", "dense5.b"]
    assert model.parameter_vector.size == 5 * 6 + 5 + 3 * 5 + 3
    model.parameter_vector[:] = 0.5
    assert all((value == 0.5).all() for value in model.params.values())
    # the weights (the decayed arrays) lead the vector, so L2 is one slice
    assert np.shares_memory(model.params["dense5.W"], model.parameter_vector[30:45])


class _WrongBiasDense(Dense):
    """A planted fault: db one per cent too large."""

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dX = super().backward(dY)
        self.grads["b"] *= 1.01
        return dX


def test_gradient_check_passes_and_catches_a_planted_fault() -> None:
    X, Y = _data(8)
    assert gradient_check(_model(), X, Y, l2=0.3).passed
    layers = [Flatten(), _WrongBiasDense(5), ActivationLayer("tanh"), Dense(3)]
    report = gradient_check(Model(layers, (2, 3), seed=0), X, Y)
    rows = {row.name: row.passed for row in report.rows}
    assert rows == {"dense2.W": True, "dense2.b": False, "dense4.W": True, "dense4.b": True}


def test_trains_with_the_shared_loop_optimizers_and_early_stopping() -> None:
    X, Y = _data(120)
    model = _model()
    history = train(
        model, X, Y, optimizer=Adam(0.02), epochs=60, batch_size=16, l2=0.01,
        validation_fraction=0.25, early_stopping=EarlyStopping(10), verbose=False,
    )  # fmt: skip
    assert history.costs[-1] < 0.7 * history.costs[0]
    assert len(history.validation_costs) == history.epochs
    assert model.accuracy(X, Y) > 0.8
    again = _model()
    train(again, X, Y, optimizer=Adam(0.02), epochs=3, batch_size=16, verbose=False)
    twin = _model()
    train(twin, X, Y, optimizer=Adam(0.02), epochs=3, batch_size=16, verbose=False)
    assert np.array_equal(again.parameter_vector, twin.parameter_vector)  # same seed, same run


def test_l2_adds_its_term_to_cost_and_gradient() -> None:
    X, Y = _data(10)
    model = _model().without_dropout()
    plain = model.compute_gradients(X, Y)
    dW = model.grads["dense2.W"].copy()
    cost = model.compute_gradients(X, Y, l2=0.5)
    weights = model.parameter_vector[:45]
    assert cost == pytest.approx(plain + 0.25 * float(weights @ weights) / 10)
    assert np.allclose(model.grads["dense2.W"], dW + 0.05 * model.params["dense2.W"])


def test_bad_input_names_what_was_expected() -> None:
    model = _model()
    with pytest.raises(ShapeError, match=r"X must have shape \(m, 2, 3\)"):
        model.forward(np.zeros((4, 6)))
    with pytest.raises(ShapeError, match=r"Y must have shape \(m, K\) = \(4, 3\)"):
        model.cost(np.zeros((4, 2, 3)), np.zeros((4, 2)))
    with pytest.raises(InputError, match="takes flat inputs"):
        Model([Dense(3)], (2, 3))
    with pytest.raises(InputError, match="keep_prob"):
        train(model, *_data(10), keep_prob=0.5, epochs=1, verbose=False)


class _Lookup(Dense):
    """A first layer that reads token ids: one row of W per id (a tiny embedding)."""

    integer_input = True

    def output_shape_for(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (self.units,)

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W": (5, self.units)}

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        self.params["W"][...] = rng.standard_normal((5, self.units))

    def forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        assert X.dtype.kind == "i"
        self._ids = X[:, 0]
        return self.params["W"][self._ids]

    def backward(self, dY: np.ndarray) -> np.ndarray:
        self.grads["W"].fill(0)
        np.add.at(self.grads["W"], self._ids, dY)
        return dY


def test_a_first_layer_can_take_integer_token_ids() -> None:
    model = Model([_Lookup(3), ActivationLayer("tanh"), Dense(2)], (1,), "softmax", seed=0)
    ids = np.array([[0], [3], [4], [3]])
    Y = np.eye(2)[[0, 1, 1, 0]]
    assert gradient_check(model, ids, Y).passed
    train(model, ids, Y, epochs=2, batch_size=2, verbose=False)
    with pytest.raises(InputError, match="X must be an array of integers"):
        model.forward(ids.astype(float))
