"""A model: a stack of layers, batch-first, with an output layer and its loss.

Examples lie along axis 0 everywhere: X is ``(m, *input_shape)`` (``(m, n)`` for flat data,
``(m, C, H, W)`` for images, ``(m, T, n)`` for sequences, ``(m, T)`` token ids), the last
layer gives the logits Z ``(m, K)`` and the output (an :class:`~chainrule.numeric.losses.Output`:
sigmoid with binary cross-entropy, softmax with categorical cross-entropy, linear with squared
error) turns them into A ``(m, K)``. Targets Y are ``(m, K)``. The cost is the mean over the
m examples, and its output delta is ``dZ = (A - Y) / m``, which the layers pass back.

Every parameter lives in one vector (:attr:`Model.parameter_vector`) and every gradient in
another (:attr:`Model.gradient_vector`); the layers' arrays are views of them, so the
optimizers of :mod:`chainrule.numeric.optimizers` update the whole model at once, and
:func:`chainrule.numeric.train` trains it as it trains a
:class:`~chainrule.numeric.network.Network`. The weights L2 regularisation applies to sit at
the front of the vector, so its term is one slice::

    J_reg = J + (λ / 2m) Σ ||W||²       dW ← dW + (λ / m) W

Passes write into buffers kept between calls (see :mod:`.buffers`): what
:meth:`Model.forward` returns is overwritten by the next pass over the same batch size.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence

import numpy as np

from chainrule.errors import InputError, ShapeError
from chainrule.numeric.checks import (
    _as_float_array,
    as_generator,
    check_dtype,
    check_target_values,
)
from chainrule.numeric.init import INITIALIZERS
from chainrule.numeric.layers.base import Layer, Shape, shape_text
from chainrule.numeric.layers.buffers import Buffers
from chainrule.numeric.losses import Output, get_output
from chainrule.numeric.memory import check_memory, training_bytes
from chainrule.numeric.regularization import check_l2

__all__ = ["Model"]

Array = np.ndarray


class Model:
    """A stack of layers ending in K units, then an output layer with its loss.

    Parameters
    ----------
    layers : sequence of Layer
        Built here, in order, for inputs of one example's shape ``input_shape``; the last
        must give flat outputs (K,), the logits of the output layer.
    input_shape : sequence of int
        One example's shape, without the batch axis: ``(n,)``, ``(C, H, W)``, ...
    output : str or Output
        ``"softmax"``, ``"sigmoid"`` or ``"linear"`` (or an Output).
    init : str
        Weight initialisation of every layer with weights (``he``, ``xavier``, ...).
    dtype : str
        ``"float64"`` or ``"float32"``.
    seed : int, numpy.random.Generator or None
        The model's source of randomness (initial weights, dropout masks, shuffles).
    """

    example_axis = 0

    def __init__(
        self,
        layers: Sequence[Layer],
        input_shape: Sequence[int],
        output: str | Output = "softmax",
        init: str = "he",
        dtype: str | np.dtype = "float64",
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.layers = _check_layers(layers)
        self.input_shape = _check_shape(input_shape)
        self.output = get_output(output)
        if init not in INITIALIZERS:
            known = ", ".join(sorted(INITIALIZERS))
            raise InputError(f"'init' must be one of {known} (got {init!r})")
        self.init = init
        self.dtype = check_dtype(dtype)
        self.rng = as_generator(seed)
        shape = self.input_shape
        #: Every layer's output shape for one example, in order.
        self.layer_shapes: list[tuple[int, ...]] = []
        for layer in self.layers:
            shape = layer.build(shape, self.dtype, self.rng)
            self.layer_shapes.append(tuple(shape))
        if len(shape) != 1:
            raise InputError(
                f"the last layer must give flat outputs (K,) for the {self.output.name} output "
                f"(got {shape_text(shape)}; end with 'flatten' and a dense layer)"
            )
        self.n_outputs = shape[0]
        if self.n_outputs < self.output.min_units:
            raise InputError(
                f"output {self.output.name!r} needs at least {self.output.min_units} output "
                f"units (the last layer gives {self.n_outputs})"
            )
        self._bind_parameters()
        self._buffers = Buffers()
        for layer in self.layers:
            layer.initialize(init, self.rng)

    # ----------------------------------------------------------------- parameters
    def _bind_parameters(self) -> None:
        """Lay every layer's parameters out in one vector, the decayed weights first."""
        slots = []  # (decayed?, layer index, name, shape)
        for index, layer in enumerate(self.layers):
            for name, shape in layer.parameter_shapes().items():
                slots.append((name not in layer.decayed, index, name, tuple(shape)))
        slots.sort(key=lambda slot: slot[0])  # stable: weights first, then the rest
        total = sum(math.prod(shape) for *_, shape in slots)
        needed = training_bytes(total, 0, self.dtype.itemsize)
        check_memory(needed, f"a model of {total} parameters")
        self._theta = np.zeros(total, self.dtype)
        self._grad = np.zeros(total, self.dtype)
        self._step = np.zeros(total, self.dtype)
        self._n_decayed = sum(math.prod(shape) for decayed, *_, shape in slots if not decayed)
        views: list[tuple[dict[str, Array], dict[str, Array]]] = [({}, {}) for _ in self.layers]
        self._names: dict[str, tuple[int, str]] = {}
        offset = 0
        for _, index, name, shape in slots:
            size = math.prod(shape)
            views[index][0][name] = self._theta[offset : offset + size].reshape(shape)
            views[index][1][name] = self._grad[offset : offset + size].reshape(shape)
            offset += size
        for index, (layer, (params, grads)) in enumerate(zip(self.layers, views, strict=True)):
            ordered = {name: params[name] for name in layer.parameter_shapes()}
            layer.bind(ordered, {name: grads[name] for name in ordered})
            for name in ordered:
                self._names[f"{layer.kind}{index + 1}.{name}"] = (index, name)

    @property
    def parameter_vector(self) -> Array:
        """Every parameter in one live 1-D array (the layers' arrays are views of it)."""
        return self._theta

    @property
    def gradient_vector(self) -> Array:
        """The last computed gradients, laid out like :attr:`parameter_vector`."""
        return self._grad

    @property
    def params(self) -> dict[str, Array]:
        """``{"conv1.W": ..., "conv1.b": ..., "dense5.W": ...}``: live views, layer by layer
        (the layer's kind and its position from 1, then the parameter's name)."""
        return {key: self.layers[i].params[name] for key, (i, name) in self._names.items()}

    @property
    def grads(self) -> dict[str, Array]:
        """The gradients named as :attr:`params`."""
        return {key: self.layers[i].grads[name] for key, (i, name) in self._names.items()}

    def states(self) -> dict[str, Array]:
        """Arrays saved with the model that are not trained (batch norm's running
        statistics), named as :attr:`params` are."""
        named = {}
        for index, layer in enumerate(self.layers):
            for name, value in layer.state().items():
                named[f"{layer.kind}{index + 1}.{name}"] = value
        return named

    def set_params(self, params: Mapping[str, Array]) -> None:
        """Copy every named parameter (exactly the names of :attr:`params`) into the model."""
        current = self.params
        _check_named(params, current, "params")
        for name, value in current.items():
            np.copyto(value, params[name], casting="unsafe")

    def set_states(self, states: Mapping[str, Array]) -> None:
        """Copy every named state array (the names of :meth:`states`) into the model."""
        current = self.states()
        _check_named(states, current, "states")
        for name, value in current.items():
            np.copyto(value, states[name], casting="unsafe")

    def copy(self) -> Model:
        """An independent copy: layers, parameters, running statistics, random state."""
        return self.astype(self.dtype)

    def astype(self, dtype: str | np.dtype) -> Model:
        """A copy with every array cast to ``dtype``."""
        layers = [layer.fresh() for layer in self.layers]
        twin = Model(layers, self.input_shape, self.output, "zeros", dtype, copy.deepcopy(self.rng))
        twin.init = self.init
        np.copyto(twin._theta, self._theta, casting="unsafe")
        twin.set_states(self.states())
        return twin

    def without_dropout(self) -> Model:
        """A float64 copy whose dropout layers keep everything: the function the gradient
        check differentiates (a random mask would change J between evaluations)."""
        twin = self.astype("float64")
        for layer in twin.layers:
            if hasattr(layer, "keep_prob"):
                layer.keep_prob = 1.0  # type: ignore[attr-defined]
        return twin

    # ----------------------------------------------------------------- passes
    def logits(self, X: Array, training: bool = False) -> Array:
        """Z of the last layer, (m, K), for X (m, *input_shape) checked and cast."""
        return self._logits(self.check_input(X), training)

    def _logits(self, X: Array, training: bool) -> Array:
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def forward(self, X: Array, training: bool = False) -> Array:
        """The output activations A (m, K) (a reused buffer). ``training`` uses batch
        statistics (and updates the running ones) and dropout."""
        Z = self.logits(X, training)
        return self._activate(Z)

    def _activate(self, Z: Array) -> Array:
        A = self._buffers.get("A", Z.shape, self.dtype)
        self.output.forward(Z.T, out=A.T)
        return A

    def cost(self, X: Array, Y: Array, *, l2: float = 0.0, training: bool = False) -> float:
        """The mean cost J over the m examples, plus (λ/2m) Σ‖W‖² when ``l2`` = λ > 0.
        Inference mode unless ``training`` (batch statistics, dropout)."""
        X, Y = self.check_data(X, Y)
        Z = self._logits(X, training)
        A = self._activate(Z)
        work = self._buffers.get("work", Z.shape, self.dtype)
        cost = self.output.cost(Z.T, A.T, Y.T, work.T)
        return cost + self._l2_penalty(check_l2(l2), X.shape[0])

    def compute_gradients(self, X: Array, Y: Array, *, l2: float = 0.0) -> float:
        """A training pass: fills :attr:`gradient_vector` with ∂J/∂θ of the mean cost for
        X (m, *input_shape) and Y (m, K) and returns J before any update."""
        X, Y = self.check_data(X, Y)
        return self.gradients_unchecked(X, Y, check_l2(l2))

    def gradients_unchecked(self, X: Array, Y: Array, l2: float) -> float:
        """:meth:`compute_gradients` for data :meth:`check_data` has passed, ``l2`` >= 0."""
        m = X.shape[0]
        Z = self._logits(X, True)
        A = self._activate(Z)
        dZ = self._buffers.get("dZ", Z.shape, self.dtype)
        cost = self.output.cost(Z.T, A.T, Y.T, dZ.T)
        self.output.delta(Z.T, A.T, Y.T, out=dZ.T)
        np.multiply(dZ, 1.0 / m, out=dZ)
        self.backward(dZ, input_gradient=False)
        if l2 == 0.0:
            return cost
        decayed, dW = self._theta[: self._n_decayed], self._grad[: self._n_decayed]
        step = self._step[: self._n_decayed]
        np.multiply(decayed, l2 / m, out=step)
        np.add(dW, step, out=dW)
        return cost + self._l2_penalty(l2, m)

    def backward(self, dZ: Array, *, input_gradient: bool = True) -> Array:
        """Back through every layer from dZ = ∂J/∂Z (m, K) of the last forward pass;
        fills the gradients and returns ∂J/∂X (empty unless ``input_gradient``)."""
        self.layers[0].needs_input_gradient = input_gradient
        dY = dZ
        for layer in reversed(self.layers):
            dY = layer.backward(dY)
        return dY

    def _l2_penalty(self, l2: float, m: int) -> float:
        if l2 == 0.0:
            return 0.0
        weights = self._theta[: self._n_decayed]
        return 0.5 * l2 * float(np.dot(weights, weights)) / m

    def predict_proba(self, X: Array) -> Array:
        """The output activations (m, K) in inference mode, as a new array."""
        return self.forward(X).copy()

    def predict(self, X: Array) -> Array:
        """Class indices (m,) for softmax, 0/1 labels (m,) for one sigmoid unit ((m, K)
        for several), the values (m, K) for a linear output."""
        labels = np.asarray(self.output.predict(self.forward(X).T)).T
        return labels[:, 0] if labels.shape[1] == 1 and self.output.name != "linear" else labels

    def accuracy(self, X: Array, Y: Array) -> float:
        """Share of examples classified right (arg-max for K > 1, else a >= 0.5)."""
        X, Y = self.check_data(X, Y)
        A = self._activate(self._logits(X, False))
        if A.shape[1] > 1:
            return float(np.mean(A.argmax(axis=1) == Y.argmax(axis=1)))
        return float(np.mean((A >= 0.5) == (Y >= 0.5)))

    # ----------------------------------------------------------------- checks
    def check_input(self, X: object) -> Array:
        """X as an array of the model's dtype and shape (m, *input_shape), m >= 1 (an
        integer array, unconverted, when the first layer takes integers)."""
        if self.layers[0].integer_input:
            X = np.asarray(X)
            if X.dtype.kind not in "iu":
                raise InputError(
                    f"X must be an array of integers for layer {self.layers[0].describe()!r} "
                    f"(got {X.dtype})"
                )
        else:
            X = _as_float_array(X, "X", self.dtype)
        if X.shape[1:] != self.input_shape or X.ndim == 0 or X.shape[0] < 1:
            raise ShapeError(
                f"X must have shape (m, {', '.join(map(str, self.input_shape))}) with m >= 1, "
                f"one example per row (got {X.shape})"
            )
        return X

    def check_data(self, X: object, Y: object) -> tuple[Array, Array]:
        """X as :meth:`check_input` takes it and Y (m, K) (or (m,) for K = 1), both finite,
        Y within [0, 1] for a probability output and one-hot rows for softmax."""
        X = self.check_input(X)
        Y = _as_float_array(Y, "Y", self.dtype)
        m, K = X.shape[0], self.n_outputs
        if Y.ndim == 1 and K == 1:
            Y = Y[:, np.newaxis]
        if Y.shape != (m, K):
            raise ShapeError(
                f"Y must have shape (m, K) = ({m}, {K}), one example per row (got {Y.shape})"
            )
        check_target_values(X, Y, self.output.name, example_axis=0)
        return X, Y

    @property
    def is_classifier(self) -> bool:
        """Whether the targets are classes (a stratified validation split keeps their shares)."""
        return self.output.name == "softmax" or (
            self.output.name == "sigmoid" and self.n_outputs == 1
        )

    def describe(self) -> str:
        """The architecture string of the layers (without the output layer's activation)."""
        return ",".join(layer.describe() for layer in self.layers)

    def __repr__(self) -> str:
        return (
            f"Model({self.describe()!r}, input_shape={self.input_shape}, "
            f"output={self.output.name!r}, dtype={self.dtype.name!r})"
        )


def _check_layers(layers: object) -> list[Layer]:
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or not layers:
        raise InputError(f"'layers' must be a non-empty list of Layer objects (got {layers!r})")
    for position, layer in enumerate(layers, 1):
        if not isinstance(layer, Layer):
            raise InputError(f"layer {position} must be a Layer (got {type(layer).__name__})")
    if len({id(layer) for layer in layers}) != len(layers):
        raise InputError("'layers' holds the same Layer object twice (make one per position)")
    return list(layers)


def _check_shape(shape: object) -> Shape:
    sizes = list(shape) if isinstance(shape, (tuple, list)) else []
    valid = bool(sizes) and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in sizes
    )
    if not valid:
        raise InputError(
            f"'input_shape' must be one example's shape, positive integers such as (1, 8, 8) "
            f"(got {shape!r})"
        )
    return tuple(int(n) for n in sizes)


def _check_named(given: Mapping[str, Array], current: Mapping[str, Array], what: str) -> None:
    if not isinstance(given, Mapping):
        raise InputError(f"{what!r} must be a dict of arrays (got {type(given).__name__})")
    expected = ", ".join(current) or "none"
    for name in given:
        if name not in current:
            raise InputError(f"unknown entry {name!r} of {what!r} (expected {expected})")
    for name, value in current.items():
        if name not in given:
            raise InputError(f"missing entry {name!r} of {what!r} (expected {expected})")
        shape = np.shape(given[name])
        if shape != value.shape:
            raise ShapeError(f"{what} entry {name!r} must have shape {value.shape} (got {shape})")
        if not np.isfinite(np.asarray(given[name], dtype=np.float64)).all():
            raise InputError(f"{what} entry {name!r} must be finite (got nan or inf)")
