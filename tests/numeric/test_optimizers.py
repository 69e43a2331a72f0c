"""Optimizers: each update against a plain re-statement of its formula and against PyTorch's
optimizers; per-key state, determinism, learning-rate decay, no allocation per step, and the
errors. A planted wrong bias correction must be caught by the same comparison."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from chainrule.errors import InputError
from chainrule.numeric import Network, train
from chainrule.numeric.optimizers import (
    Adam,
    GradientDescent,
    InverseTimeDecay,
    Momentum,
    Optimizer,
    StepDecay,
)


def gradient_sequence(steps: int, size: int = 7, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(size) for _ in range(steps)]


def reference_adam(theta, gradients, rate, beta1, beta2, epsilon, correct_v=True):
    """The course's Adam, step by step with the corrected averages m̂ and v̂."""
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    theta = theta.copy()
    for t, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t) if correct_v else v
        theta = theta - rate * m_hat / (np.sqrt(v_hat) + epsilon)
    return theta


def reference_momentum(theta, gradients, rate, beta):
    v = np.zeros_like(theta)
    theta = theta.copy()
    for g in gradients:
        v = beta * v + (1 - beta) * g
        theta = theta - rate * v
    return theta


def run(optimizer: Optimizer, theta: np.ndarray, gradients: list[np.ndarray]) -> np.ndarray:
    params = {"theta": theta.copy()}
    for g in gradients:
        optimizer.update(params, {"theta": g})
    return params["theta"]


# ----------------------------------------------------------------- formulas
def test_adam_matches_the_course_formula_with_bias_correction() -> None:
    theta, gradients = np.linspace(-1, 1, 7), gradient_sequence(25)
    got = run(Adam(0.01, 0.8, 0.95, 1e-6), theta, gradients)
    expected = reference_adam(theta, gradients, 0.01, 0.8, 0.95, 1e-6)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_a_planted_missing_bias_correction_is_caught() -> None:
    theta, gradients = np.linspace(-1, 1, 7), gradient_sequence(5)
    got = run(Adam(0.01, 0.8, 0.95, 1e-6), theta, gradients)
    wrong = reference_adam(theta, gradients, 0.01, 0.8, 0.95, 1e-6, correct_v=False)
    assert not np.allclose(got, wrong, rtol=1e-6)


def test_first_adam_step_moves_every_entry_by_the_learning_rate() -> None:
    # With bias correction, m̂ = g and v̂ = g² after step 1: the step is α·sign(g).
    params = {"w": np.zeros(4)}
    Adam(0.1, epsilon=1e-12).update(params, {"w": np.array([3.0, -0.2, 1e-3, -50.0])})
    np.testing.assert_allclose(params["w"], [-0.1, 0.1, -0.1, 0.1], rtol=1e-8)


def test_momentum_matches_the_course_formula() -> None:
    theta, gradients = np.linspace(-1, 1, 7), gradient_sequence(30, seed=1)
    got = run(Momentum(0.05, beta=0.9), theta, gradients)
    np.testing.assert_allclose(got, reference_momentum(theta, gradients, 0.05, 0.9), rtol=1e-12)


def test_momentum_with_beta_zero_is_gradient_descent() -> None:
    theta, gradients = np.linspace(-1, 1, 7), gradient_sequence(10, seed=2)
    np.testing.assert_allclose(
        run(Momentum(0.1, beta=0.0), theta, gradients),
        run(GradientDescent(0.1), theta, gradients),
        rtol=1e-14,
    )


def test_adam_against_torch_optim_adam() -> None:
    torch = pytest.importorskip("torch")
    theta, gradients = np.linspace(-1, 1, 7), gradient_sequence(40, seed=3)
    weight = torch.tensor(theta.copy(), dtype=torch.float64, requires_grad=True)
    reference = torch.optim.Adam([weight], lr=0.02, betas=(0.85, 0.99), eps=1e-7)
    for g in gradients:
        weight.grad = torch.tensor(g)
        reference.step()
    got = run(Adam(0.02, 0.85, 0.99, 1e-7), theta, gradients)
    np.testing.assert_allclose(got, weight.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_momentum_against_torch_sgd_with_dampening() -> None:
    # torch's SGD with momentum β and dampening β is the course's v ← βv + (1-β)g, except
    # that its first velocity is g itself, not (1-β)g: start both from a zero gradient.
    torch = pytest.importorskip("torch")
    theta = np.linspace(-1, 1, 7)
    gradients = [np.zeros(7), *gradient_sequence(20, seed=4)]
    weight = torch.tensor(theta.copy(), dtype=torch.float64, requires_grad=True)
    reference = torch.optim.SGD([weight], lr=0.1, momentum=0.9, dampening=0.9)
    for g in gradients:
        weight.grad = torch.tensor(g)
        reference.step()
    got = run(Momentum(0.1, beta=0.9), theta, gradients)
    np.testing.assert_allclose(got, weight.detach().numpy(), rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------- state and determinism
def test_state_is_kept_per_key() -> None:
    together = Adam(0.1)
    a, b = {"a": np.ones(3)}, {"b": np.ones(5)}
    alone_a, alone_b = Adam(0.1), Adam(0.1)
    ref_a, ref_b = {"a": np.ones(3)}, {"b": np.ones(5)}
    for g in gradient_sequence(6, size=3):
        together.update(a, {"a": g})
        alone_a.update(ref_a, {"a": g})
    for g in gradient_sequence(2, size=5, seed=9):
        together.update(b, {"b": g})
        alone_b.update(ref_b, {"b": g})
    assert together.steps == {"a": 6, "b": 2}
    np.testing.assert_array_equal(a["a"], ref_a["a"])
    np.testing.assert_array_equal(b["b"], ref_b["b"])


def test_reset_starts_afresh() -> None:
    theta, gradients = np.linspace(-1, 1, 7), gradient_sequence(5)
    optimizer = Adam(0.01)
    run(optimizer, theta, gradients)
    optimizer.reset()
    np.testing.assert_array_equal(
        run(optimizer, theta, gradients), run(Adam(0.01), theta, gradients)
    )


@pytest.mark.parametrize("make", [lambda: Momentum(0.1), lambda: Adam(0.01)])
def test_training_with_an_optimizer_is_bit_for_bit_repeatable(make) -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 40)), (rng.random((1, 40)) < 0.5).astype(float)

    def trained() -> bytes:
        network = Network([3, 5, 1], "tanh", seed=1)
        train(network, X, Y, epochs=5, batch_size=8, optimizer=make(), verbose=False)
        return network.parameter_vector.tobytes()

    assert trained() == trained()


@pytest.mark.parametrize("optimizer", [GradientDescent(0.1), Momentum(0.1), Adam(0.01)], ids=repr)
def test_updates_allocate_nothing_after_the_first(optimizer: Optimizer) -> None:
    params = {"theta": np.zeros(20_000)}
    grads = {"theta": np.full(20_000, 0.5)}
    optimizer.update(params, grads)  # makes the buffers
    state_before = [id(a) for a in optimizer._state["theta"].values()]  # type: ignore[attr-defined]
    tracemalloc.start()
    try:
        for _ in range(5):
            optimizer.update(params, grads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000 * 8 // 4  # far less than one temporary array of the vector
    assert [id(a) for a in optimizer._state["theta"].values()] == state_before  # type: ignore[attr-defined]


def test_float32_parameters_stay_float32() -> None:
    params = {"w": np.ones(5, dtype=np.float32)}
    for optimizer in (GradientDescent(0.1), Momentum(0.1), Adam(0.1)):
        optimizer.update(params, {"w": np.full(5, 0.5, dtype=np.float32)})
    assert params["w"].dtype == np.float32


def test_adam_minimises_a_quadratic() -> None:
    target = np.array([3.0, -2.0, 0.5])
    params = {"w": np.zeros(3)}
    optimizer = Adam(0.1)
    for _ in range(500):
        optimizer.update(params, {"w": 2 * (params["w"] - target)})
    np.testing.assert_allclose(params["w"], target, atol=1e-3)


# ----------------------------------------------------------------- learning-rate decay
def test_inverse_time_decay_is_the_course_formula() -> None:
    schedule = InverseTimeDecay(0.5)
    assert [schedule(1.0, t) for t in range(4)] == [1.0, 1 / 1.5, 1 / 2.0, 1 / 2.5]
    fixed_interval = InverseTimeDecay(1.0, interval=10)
    assert [fixed_interval(0.3, t) for t in (0, 9, 10, 25)] == pytest.approx([0.3, 0.3, 0.15, 0.1])


def test_step_decay() -> None:
    schedule = StepDecay(factor=0.5, every=2)
    assert [schedule(0.8, t) for t in range(5)] == [0.8, 0.8, 0.4, 0.4, 0.2]


def test_a_number_as_decay_is_inverse_time_decay_per_epoch_of_training() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((2, 30)), (rng.random((1, 30)) < 0.5).astype(float)
    optimizer = GradientDescent(0.4, decay=1.0)
    rates = []
    train(
        Network([2, 3, 1], seed=0),
        X,
        Y,
        epochs=4,
        optimizer=optimizer,
        callbacks=[lambda epoch, cost, net: rates.append(optimizer.current_learning_rate)],
        verbose=False,
    )
    assert rates == pytest.approx([0.4 / 2, 0.4 / 3, 0.4 / 4, 0.4 / 5])
    assert optimizer.epochs_done == 4


def test_decayed_gradient_descent_equals_hand_steps() -> None:
    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((2, 12)), (rng.random((1, 12)) < 0.5).astype(float)
    network = Network([2, 3, 1], "tanh", seed=0)
    by_hand = network.copy()
    train(network, X, Y, epochs=3, optimizer=GradientDescent(0.3, decay=0.5), verbose=False)
    for epoch in range(3):
        by_hand.train_step(X, Y, 0.3 / (1 + 0.5 * epoch))
    np.testing.assert_allclose(network.parameter_vector, by_hand.parameter_vector, rtol=1e-13)


# ----------------------------------------------------------------- errors and repr
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Adam(0.0), r"'learning_rate' must be a positive number \(got 0.0\)"),
        (lambda: Adam(beta1=1.0), r"'beta1' must be a number in \[0, 1\) \(got 1.0\)"),
        (lambda: Adam(beta2=-0.1), r"'beta2' must be a number in \[0, 1\)"),
        (lambda: Adam(epsilon=0), r"'epsilon' must be a positive number"),
        (lambda: Momentum(beta="0.9"), r"'beta' must be a number in \[0, 1\) \(got '0.9'\)"),
        (lambda: GradientDescent(decay=-1), r"'decay' must be a number >= 0 \(got -1\)"),
        (lambda: InverseTimeDecay(0.1, interval=0), r"'interval' must be a positive integer"),
        (lambda: StepDecay(factor=1.5), r"'factor' must be a number in \(0, 1\]"),
        (lambda: GradientDescent(float("nan")), r"'learning_rate' must be a positive number"),
    ],
)
def test_bad_settings_name_the_parameter(make, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make()


def test_reprs() -> None:
    assert repr(GradientDescent(0.5)) == "GradientDescent(learning_rate=0.5)"
    assert repr(Momentum(0.1, 0.8)) == "Momentum(learning_rate=0.1, beta=0.8)"
    assert repr(Adam(0.001)) == ("Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)")
    assert repr(GradientDescent(0.1, decay=0.5)) == (
        "GradientDescent(learning_rate=0.1, decay=InverseTimeDecay(decay_rate=0.5, interval=1))"
    )
    assert math.isclose(Adam(0.01, decay=StepDecay()).current_learning_rate, 0.01)
