"""Optimizers: objects that move the parameters along their gradients, in place.

Every optimizer has one method, ``update(params, grads)``, taking two dicts with the same keys
whose arrays have matching shapes, and changes ``params`` in place. The training loop passes
the network's whole parameter vector and gradient vector under one key, so one update moves
every W and b at once; momentum and Adam keep their running averages per key the same way.

==================  ==========================================================================
optimizer           update of every parameter θ with gradient g = dJ/dθ (step t = 1, 2, ...)
==================  ==========================================================================
GradientDescent     θ ← θ - α g
Momentum            v ← β v + (1-β) g;  θ ← θ - α v
Adam                m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²;
                    θ ← θ - α m̂ / (√v̂ + ε)  with m̂ = m / (1-β1ᵗ), v̂ = v / (1-β2ᵗ)
==================  ==========================================================================

Momentum is the course's form (an exponentially weighted average of the gradients, so β = 0
is plain gradient descent), not PyTorch's v ← μ v + g. Adam folds the bias corrections into
the step size, α √(1-β2ᵗ) / (1-β1ᵗ), and ε into ε √(1-β2ᵗ); that is the same update exactly,
with five array operations instead of seven. Every update works in reused buffers: after the
first step, an update allocates nothing.

Learning-rate decay: each optimizer takes ``decay``, a schedule giving the rate of epoch t
(t = epochs finished) from the initial rate α0. A number is the course's inverse-time decay
α0 / (1 + decay·t). The training loop calls :meth:`end_epoch` after every epoch (an optimizer
without that method keeps its rate), so the decay carries over from one call of ``train`` to
the next, as ``partial_fit`` needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

import numpy as np

from chainrule.errors import InputError

__all__ = [
    "Adam",
    "GradientDescent",
    "InverseTimeDecay",
    "Momentum",
    "Optimizer",
    "Schedule",
    "StepDecay",
    "check_learning_rate",
]

Array = np.ndarray

#: ``schedule(initial_rate, epochs_finished) -> rate``.
Schedule = Callable[[float, int], float]


@runtime_checkable
class Optimizer(Protocol):
    """Anything with ``update(params, grads)`` that changes ``params`` in place."""

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Move every ``params[name]`` using ``grads[name]`` (same shape), in place."""


def check_learning_rate(learning_rate: float) -> float:
    """A finite learning rate > 0, as a float."""
    return _positive("learning_rate", learning_rate)


# ----------------------------------------------------------------- schedules
class InverseTimeDecay:
    """α_t = α0 / (1 + decay_rate · ⌊t / interval⌋), t = epochs finished.

    With ``interval=1`` this is the course's ``lr / (1 + decay·epoch)``; a larger interval is
    its "fixed interval scheduling", which lowers the rate only every ``interval`` epochs.
    """

    def __init__(self, decay_rate: float, interval: int = 1) -> None:
        self.decay_rate = _non_negative("decay", decay_rate)
        self.interval = _positive_count("interval", interval)

    def __call__(self, learning_rate: float, epoch: int) -> float:
        return learning_rate / (1.0 + self.decay_rate * (epoch // self.interval))

    def __repr__(self) -> str:
        return f"InverseTimeDecay(decay_rate={self.decay_rate!r}, interval={self.interval!r})"


class StepDecay:
    """α_t = α0 · factor^⌊t / every⌋: the rate drops by ``factor`` every ``every`` epochs."""

    def __init__(self, factor: float = 0.5, every: int = 10) -> None:
        self.factor = _non_negative("factor", factor)
        if not 0.0 < self.factor <= 1.0:
            raise InputError(f"'factor' must be a number in (0, 1] (got {factor!r})")
        self.every = _positive_count("every", every)

    def __call__(self, learning_rate: float, epoch: int) -> float:
        return learning_rate * self.factor ** (epoch // self.every)

    def __repr__(self) -> str:
        return f"StepDecay(factor={self.factor!r}, every={self.every!r})"


# ----------------------------------------------------------------- optimizers
class _Scheduled:
    """The learning rate, its decay and the per-key buffers shared by every optimizer."""

    def __init__(self, learning_rate: float, decay: float | Schedule | None) -> None:
        self.learning_rate = check_learning_rate(learning_rate)
        self.decay = _check_decay(decay)
        self.epochs_done = 0
        self.current_learning_rate = self.learning_rate
        self._state: dict[str, dict[str, Array]] = {}

    def end_epoch(self) -> None:
        """Count one finished epoch and set the rate of the next one from the schedule."""
        self.epochs_done += 1
        if self.decay is not None:
            rate = float(self.decay(self.learning_rate, self.epochs_done))
            if not (math.isfinite(rate) and rate >= 0):
                raise InputError(f"the decay schedule gave learning rate {rate!r}")
            self.current_learning_rate = rate

    def reset(self) -> None:
        """Forget every running average and the epoch count (start afresh)."""
        self.epochs_done = 0
        self.current_learning_rate = self.learning_rate
        self._state.clear()

    def _buffers(self, name: str, like: Array, names: tuple[str, ...]) -> dict[str, Array]:
        """Zeroed buffers of ``like``'s shape and dtype for key ``name``, kept between calls."""
        state = self._state.get(name)
        if state is None or state["step"].shape != like.shape or state["step"].dtype != like.dtype:
            state = {"step": np.empty_like(like), **{key: np.zeros_like(like) for key in names}}
            self._state[name] = state
            self._new_key(name)
        return state

    def _new_key(self, name: str) -> None:
        """Called when the averages of ``name`` start from zero (a subclass resets counts)."""

    def _describe(self, extra: str = "") -> str:
        decay = "" if self.decay is None else f", decay={self.decay!r}"
        return f"{type(self).__name__}(learning_rate={self.learning_rate!r}{extra}{decay})"


class GradientDescent(_Scheduled):
    """Plain gradient descent: θ ← θ - α g.

    Parameters
    ----------
    learning_rate : float
        The step size α > 0 (the initial one when decaying).
    decay : float or schedule, optional
        A number d is inverse-time decay α0 / (1 + d·epoch); or any ``schedule(α0, epoch)``
        such as :class:`InverseTimeDecay` or :class:`StepDecay`.
    """

    def __init__(self, learning_rate: float = 0.01, decay: float | Schedule | None = None) -> None:
        super().__init__(learning_rate, decay)

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """θ ← θ - α g for every array, through a reused buffer (no temporaries)."""
        rate = self.current_learning_rate
        for name, theta in params.items():
            step = self._buffers(name, theta, ())["step"]
            np.multiply(grads[name], rate, out=step)
            np.subtract(theta, step, out=theta)

    def __repr__(self) -> str:
        return self._describe()


class Momentum(_Scheduled):
    """Gradient descent with momentum: v ← β v + (1-β) g;  θ ← θ - α v.

    Parameters
    ----------
    learning_rate : float
        The step size α > 0.
    beta : float
        Weight β in [0, 1) of the past gradients; 0 is plain gradient descent. The average
        covers about 1 / (1-β) steps (10 for the usual 0.9).
    decay : float or schedule, optional
        As for :class:`GradientDescent`.
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        beta: float = 0.9,
        decay: float | Schedule | None = None,
    ) -> None:
        super().__init__(learning_rate, decay)
        self.beta = _unit_interval("beta", beta)

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """One momentum step for every array; the velocity v is kept per key."""
        beta, rate = self.beta, self.current_learning_rate
        for name, theta in params.items():
            state = self._buffers(name, theta, ("velocity",))
            step, velocity = state["step"], state["velocity"]
            np.multiply(velocity, beta, out=velocity)
            np.multiply(grads[name], 1.0 - beta, out=step)
            np.add(velocity, step, out=velocity)
            np.multiply(velocity, rate, out=step)
            np.subtract(theta, step, out=theta)

    def __repr__(self) -> str:
        return self._describe(f", beta={self.beta!r}")


class Adam(_Scheduled):
    """Adam: momentum and RMSprop with bias correction (Kingma and Ba, 2015).

    Parameters
    ----------
    learning_rate : float
        The step size α > 0 (0.001 is the usual start).
    beta1 : float
        Decay β1 in [0, 1) of the first-moment average m.
    beta2 : float
        Decay β2 in [0, 1) of the second-moment average v.
    epsilon : float
        ε > 0 added to √v̂ so the step stays finite.
    decay : float or schedule, optional
        As for :class:`GradientDescent`.

    Attributes
    ----------
    steps : dict of str to int
        The step count t of each key (the bias corrections use it).
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        decay: float | Schedule | None = None,
    ) -> None:
        super().__init__(learning_rate, decay)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.epsilon = _positive("epsilon", epsilon)
        self.steps: dict[str, int] = {}

    def reset(self) -> None:
        super().reset()
        self.steps.clear()

    def _new_key(self, name: str) -> None:
        self.steps[name] = 0

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """One Adam step for every array; m, v and t are kept per key."""
        beta1, beta2 = self.beta1, self.beta2
        for name, theta in params.items():
            state = self._buffers(name, theta, ("m", "v"))
            t = self.steps[name] = self.steps.get(name, 0) + 1
            step, m, v, g = state["step"], state["m"], state["v"], grads[name]
            # m ← m + (1-β1)(g - m) is β1 m + (1-β1) g with one buffer.
            np.subtract(g, m, out=step)
            np.multiply(step, 1.0 - beta1, out=step)
            np.add(m, step, out=m)
            np.multiply(g, g, out=step)
            np.subtract(step, v, out=step)
            np.multiply(step, 1.0 - beta2, out=step)
            np.add(v, step, out=v)
            correction2 = math.sqrt(1.0 - beta2**t)
            rate = self.current_learning_rate * correction2 / (1.0 - beta1**t)
            np.sqrt(v, out=step)
            np.add(step, self.epsilon * correction2, out=step)
            np.divide(m, step, out=step)
            np.multiply(step, rate, out=step)
            np.subtract(theta, step, out=theta)

    def __repr__(self) -> str:
        return self._describe(
            f", beta1={self.beta1!r}, beta2={self.beta2!r}, epsilon={self.epsilon!r}"
        )


# ----------------------------------------------------------------- validation
def _number(name: str, value: object, expected: str) -> float:
    valid = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not valid or not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise InputError(f"{name!r} must be {expected} (got {value!r})")
    return float(value)  # type: ignore[arg-type]


def _positive(name: str, value: object) -> float:
    number = _number(name, value, "a positive number")
    if number <= 0:
        raise InputError(f"{name!r} must be a positive number (got {value!r})")
    return number


def _non_negative(name: str, value: object) -> float:
    number = _number(name, value, "a number >= 0")
    if number < 0:
        raise InputError(f"{name!r} must be a number >= 0 (got {value!r})")
    return number


def _unit_interval(name: str, value: object) -> float:
    number = _number(name, value, "a number in [0, 1)")
    if not 0.0 <= number < 1.0:
        raise InputError(f"{name!r} must be a number in [0, 1) (got {value!r})")
    return number


def _positive_count(name: str, value: object) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise InputError(f"{name!r} must be a positive integer (got {value!r})")
    return int(value)


def _check_decay(decay: float | Schedule | None) -> Schedule | None:
    if decay is None:
        return None
    if callable(decay):
        return decay
    rate = _non_negative("decay", decay)
    return InverseTimeDecay(rate) if rate > 0 else None
