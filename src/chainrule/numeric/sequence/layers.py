"""The sequence kernels as layers of a :class:`~chainrule.numeric.layers.Model`.

Batch first, as every layer: a sequence is ``(m, T, n)``, token ids ``(m, T)``. Each layer
keeps its parameters in the views the model binds (one flat vector for the optimizers) and
runs the fast kernels of this package:

=============================  ======================  ============================  =========
layer                          one example in -> out   parameters                    kernel
=============================  ======================  ============================  =========
``Embedding(V, n_e)``          ids (T,) -> (T, n_e)    E (V, n_e)                    embedding
``RNN(n_a)``                   (T, n_x) -> (T, n_a)    Wax, Waa, ba                  rnn
``LSTM(n_a)``                  (T, n_x) -> (T, n_a)    Wf, bf, Wi, bi, Wc, bc, Wo,   lstm_fused
                                                       bo (the course's names)
``Attention(d)``               (T, n) -> (T, d)        Wq, Wk, Wv (d, n)             attention
=============================  ======================  ============================  =========

``RNN`` and ``LSTM`` return every hidden state, or with ``return_sequences=False`` only the
last, (n_a,), which a dense layer then reads (sequence to one). Attention is self-attention,
one head: Q = X Wqᵀ, K = X Wkᵀ, V = X Wvᵀ, out = softmax(QKᵀ/√d) V, optionally causal.
``Flatten`` turns a sequence (T, n) into (T·n,) for a dense layer. In an architecture text
(:mod:`chainrule.numeric.layers.spec`, which reads :data:`SEQUENCE_FORMS`) they are written
``embedding:V:N``, ``rnn:UNITS[:last]``, ``lstm:UNITS[:last]`` and ``attention:DIM[:causal]``,
and saved models holding them load like any other. Gradient clipping runs in
the optimizer (:class:`~chainrule.numeric.sequence.clipping.ClippedOptimizer`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.checks import by_name
from chainrule.numeric.init import INITIALIZERS
from chainrule.numeric.layers.base import NO_GRADIENT, Layer, Shape, positive_int, shape_text
from chainrule.numeric.sequence.attention import (
    AttentionCache,
    attention_backward,
    attention_forward,
)
from chainrule.numeric.sequence.embedding import (
    EmbeddingCache,
    embedding_backward,
    embedding_forward,
)
from chainrule.numeric.sequence.lstm import LSTM_KEYS, lstm_parameter_shapes
from chainrule.numeric.sequence.lstm_fused import LSTMCache, lstm_backward, lstm_forward
from chainrule.numeric.sequence.rnn import RNNCache, rnn_backward, rnn_forward

__all__ = ["LSTM", "RNN", "SEQUENCE_FORMS", "Attention", "Embedding"]

Array = np.ndarray


def _sequence_input(layer: Layer, input_shape: Shape) -> tuple[int, int]:
    """(T, n) of a sequence input, or an InputError naming the layer."""
    if len(input_shape) != 2:
        raise InputError(
            f"layer {layer.describe()!r} takes sequences (T, n) per example, got "
            f"{shape_text(input_shape)}"
        )
    return input_shape[0], input_shape[1]


class Embedding(Layer):
    """Token ids (T,) -> vectors (T, n_e): row ``id`` of E (V, n_e).

    First in a model it takes the integer ids unconverted (``integer_input``); elsewhere
    whole numbers in a float array. The ids must lie in [0, V). Ids have no gradient:
    backward fills dE (a scatter-add, repeated ids summing) and returns zeros for them.
    """

    kind = "embedding"
    decayed = ("E",)
    integer_input = True

    def __init__(self, vocabulary: int, dim: int) -> None:
        super().__init__()
        self.vocabulary = positive_int("vocabulary", vocabulary)
        self.dim = positive_int("dim", dim)
        self._cache: EmbeddingCache | None = None
        self._input_shape_seen: tuple[int, ...] = ()

    def output_shape_for(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 1:
            raise InputError(
                f"layer {self.describe()!r} takes token ids (T,) per example, got "
                f"{shape_text(input_shape)}"
            )
        return (input_shape[0], self.dim)

    def parameter_shapes(self) -> dict[str, Shape]:
        return {"E": (self.vocabulary, self.dim)}

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        self.params["E"][...] = by_name(init, INITIALIZERS, "init")(rng, self.vocabulary, self.dim)

    def config(self) -> dict[str, Any]:
        return {"vocabulary": self.vocabulary, "dim": self.dim}

    def forward(self, X: Array, training: bool) -> Array:
        """X (m, T) ids -> (m, T, n_e)."""
        ids = X
        if X.dtype.kind not in "iu":
            ids = X.astype(np.intp)
            if not np.array_equal(ids, X):
                raise InputError(f"layer {self.describe()!r} takes whole-number token ids")
        self._input_shape_seen = X.shape
        out, self._cache = embedding_forward(ids, self.params["E"])
        return out

    def backward(self, dY: Array) -> Array:
        assert self._cache is not None, "backward() before forward()"
        self.grads["E"][...] = embedding_backward(dY, self._cache)
        if not self.needs_input_gradient:
            return NO_GRADIENT
        return np.zeros(self._input_shape_seen, self.dtype)

    def describe(self) -> str:
        return f"embedding:{self.vocabulary}:{self.dim}"


class _Recurrent(Layer):
    """What RNN and LSTM share: units, all states or the last, the kernel calls."""

    weights: tuple[str, ...] = ()

    def __init__(self, units: int, return_sequences: bool = True) -> None:
        super().__init__()
        self.units = positive_int("units", units)
        self.return_sequences = bool(return_sequences)
        self._cache: Any = None

    def output_shape_for(self, input_shape: Shape) -> Shape:
        T, _ = _sequence_input(self, input_shape)
        return (T, self.units) if self.return_sequences else (self.units,)

    def config(self) -> dict[str, Any]:
        return {"units": self.units, "return_sequences": self.return_sequences}

    def _run(self, X: Array) -> tuple[Array, Any]:
        raise NotImplementedError

    def _back(self, dA: Array, cache: Any) -> tuple[Array, Array, dict[str, Array]]:
        raise NotImplementedError

    def forward(self, X: Array, training: bool) -> Array:
        """X (m, T, n_x) -> every hidden state (m, T, n_a), or the last (m, n_a)."""
        A, self._cache = self._run(X)
        return A if self.return_sequences else A[:, -1]

    def backward(self, dY: Array) -> Array:
        assert self._cache is not None, "backward() before forward()"
        if self.return_sequences:
            dA = dY
        else:
            dA = np.zeros((dY.shape[0], self.input_shape[0], self.units), self.dtype)
            dA[:, -1] = dY
        dX, _, grads = self._back(dA, self._cache)
        for name, gradient in grads.items():
            self.grads[name[1:]][...] = gradient
        return dX if self.needs_input_gradient else NO_GRADIENT

    def describe(self) -> str:
        return f"{self.kind}:{self.units}" + ("" if self.return_sequences else ":last")


class RNN(_Recurrent):
    """The basic RNN: a⟨t⟩ = tanh(x⟨t⟩ Waxᵀ + a⟨t-1⟩ Waaᵀ + ba), a⟨0⟩ = 0."""

    kind = "rnn"
    decayed = ("Wax", "Waa")

    def parameter_shapes(self) -> dict[str, Shape]:
        n_x = self.input_shape[1]
        return {"Wax": (self.units, n_x), "Waa": (self.units, self.units), "ba": (self.units,)}

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        draw = by_name(init, INITIALIZERS, "init")
        self.params["Wax"][...] = draw(rng, self.units, self.input_shape[1])
        self.params["Waa"][...] = draw(rng, self.units, self.units)
        self.params["ba"].fill(0)

    def _run(self, X: Array) -> tuple[Array, RNNCache]:
        return rnn_forward(X, None, self.params)

    def _back(self, dA: Array, cache: RNNCache) -> tuple[Array, Array, dict[str, Array]]:
        return rnn_backward(dA, cache)


class LSTM(_Recurrent):
    """The course's LSTM (forget, update, output gates, candidate), a⟨0⟩ = c⟨0⟩ = 0.

    ``forget_bias`` starts bf at that value (1 by default, so that the forget gate starts
    mostly open and gradients reach early steps; Jozefowicz et al., 2015); the other biases
    start at 0.
    """

    kind = "lstm"
    decayed = ("Wf", "Wi", "Wc", "Wo")

    def __init__(self, units: int, return_sequences: bool = True, forget_bias: float = 1.0):
        super().__init__(units, return_sequences)
        if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)):
            raise InputError(f"'forget_bias' must be a number (got {forget_bias!r})")
        if not np.isfinite(forget_bias):
            raise InputError(f"'forget_bias' must be finite (got {forget_bias!r})")
        self.forget_bias = float(forget_bias)

    def parameter_shapes(self) -> dict[str, Shape]:
        shapes = lstm_parameter_shapes(self.input_shape[1], self.units)
        return {key: shapes[key] for key in LSTM_KEYS}

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        draw = by_name(init, INITIALIZERS, "init")
        for key in LSTM_KEYS:
            if key[0] == "W":
                self.params[key][...] = draw(rng, self.units, self.units + self.input_shape[1])
            else:
                self.params[key].fill(self.forget_bias if key == "bf" else 0.0)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "forget_bias": self.forget_bias}

    def _run(self, X: Array) -> tuple[Array, LSTMCache]:
        return lstm_forward(X, None, self.params)

    def _back(self, dA: Array, cache: LSTMCache) -> tuple[Array, Array, dict[str, Array]]:
        return lstm_backward(dA, cache)


class Attention(Layer):
    """Self-attention, one head: (T, n) -> (T, d), with projections Wq, Wk, Wv (d, n)."""

    kind = "attention"
    decayed = ("Wq", "Wk", "Wv")

    def __init__(self, dim: int, causal: bool = False) -> None:
        super().__init__()
        self.dim = positive_int("dim", dim)
        self.causal = bool(causal)
        self._X: Array | None = None
        self._cache: AttentionCache | None = None

    def output_shape_for(self, input_shape: Shape) -> Shape:
        T, _ = _sequence_input(self, input_shape)
        return (T, self.dim)

    def parameter_shapes(self) -> dict[str, Shape]:
        return {name: (self.dim, self.input_shape[1]) for name in self.decayed}

    def initialize(self, init: str, rng: np.random.Generator) -> None:
        draw = by_name(init, INITIALIZERS, "init")
        for name in self.decayed:
            self.params[name][...] = draw(rng, self.dim, self.input_shape[1])

    def config(self) -> dict[str, Any]:
        return {"dim": self.dim, "causal": self.causal}

    def forward(self, X: Array, training: bool) -> Array:
        """X (m, T, n) -> softmax(QKᵀ/√d) V (m, T, d)."""
        self._X = X
        Q, K, V = (X @ self.params[name].T for name in self.decayed)
        out, self._cache = attention_forward(Q, K, V, self.causal)
        return out

    def backward(self, dY: Array) -> Array:
        assert self._X is not None and self._cache is not None, "backward() before forward()"
        X = self._X
        flat = X.reshape(-1, X.shape[-1])
        dX = None
        for name, d in zip(self.decayed, attention_backward(dY, self._cache), strict=True):
            d_flat = d.reshape(-1, self.dim)
            np.matmul(d_flat.T, flat, out=self.grads[name])
            if self.needs_input_gradient:
                part = d @ self.params[name]
                dX = part if dX is None else dX + part
        return dX if dX is not None else NO_GRADIENT

    def describe(self) -> str:
        return f"attention:{self.dim}" + (":causal" if self.causal else "")


def _whole(text: str) -> int:
    """A positive whole number of an architecture text, or an InputError."""
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"expected a positive integer, got {text!r}")
    return int(text)


def _with_flag(build: Any, flag: str) -> Any:
    """A parser of ``SIZE[:flag]`` calling ``build(size, flagged)``."""

    def parse(args: list[str]) -> Layer:
        if len(args) not in (1, 2) or (len(args) == 2 and args[1] != flag):
            raise InputError(f"expected SIZE or SIZE:{flag}, got {':'.join(args)!r}")
        return build(_whole(args[0]), len(args) == 2)  # type: ignore[no-any-return]

    return parse


def _embedding(args: list[str]) -> Layer:
    if len(args) != 2:
        raise InputError(f"expected VOCABULARY:DIM, got {':'.join(args)!r}")
    return Embedding(_whole(args[0]), _whole(args[1]))


#: Each sequence layer's class -> (its form in an architecture text, the parser of its
#: colon-separated arguments).
SEQUENCE_FORMS: dict[type[Layer], tuple[str, Any]] = {
    Embedding: ("embedding:VOCABULARY:DIM", _embedding),
    RNN: ("rnn:UNITS[:last]", _with_flag(lambda n, last: RNN(n, not last), "last")),
    LSTM: ("lstm:UNITS[:last]", _with_flag(lambda n, last: LSTM(n, not last), "last")),
    Attention: ("attention:DIM[:causal]", _with_flag(Attention, "causal")),
}
