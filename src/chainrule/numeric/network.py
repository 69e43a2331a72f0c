"""A fully connected network that runs exactly the layer equations of the derivations.

Columns are examples; layers are numbered 1..L; ``A[0] = X`` has shape ``(n[0], m)``::

    forward    Z[l] = W[l] A[l-1] + b[l]        A[l] = g[l](Z[l])
    backward   dZ[L] = A[L] - Y                   dZ[l] = dA[l] * g'(Z[l])
               dW[l] = (1/m) dZ[l] A[l-1]ᵀ        db[l] = (1/m) Σ_columns dZ[l]
               dA[l-1] = W[l]ᵀ dZ[l]

(the kernels that run them are in :mod:`chainrule.numeric.passes`).

Speed: every parameter lives in one contiguous vector (``parameter_vector``) that W1, b1, ...
are views of, and every gradient in another (``gradient_vector``), so an optimizer updates
the whole network with one or two array operations. Each layer's W and b sit side by side as
one block [W | b], so that one matrix product gives Z and one gives dW with db. The
activations and gradients of each batch width m live in a preallocated
:class:`~chainrule.numeric.workspace.Workspace`; the passes write into it with ``out=`` and
allocate nothing.

What the public methods return is the caller's: :meth:`Network.forward`,
:meth:`Network.backward`, :meth:`Network.compute_gradients` (or its ``out=``),
:meth:`Network.predict_proba` and :meth:`Network.predict` hand back new arrays, so the next
pass cannot overwrite them. Three things are live by design: :attr:`Network.params` and
:attr:`Network.parameter_vector` (writing into them changes the network) and
:attr:`Network.gradient_vector`, the gradient buffer that every backward pass, every call of
:meth:`Network.compute_gradients` and every training step overwrites.

One convention for the gradients, the course's (:mod:`chainrule.numeric.reference`): dZ[l]
and dA[l] are per example (dZ[L] = A[L] - Y), dW[l] and db[l] are derivatives of the mean
cost J. Inside, the 1/m is applied once, to dZ[L] (:func:`~chainrule.numeric.passes.
backward_into`), so the buffers hold derivatives of J throughout.

Regularisation (see :mod:`chainrule.numeric.regularization`): ``l2=λ`` adds (λ/2m) Σ‖W‖² to
the cost and (λ/m) W to dW; ``keep_prob`` turns on inverted dropout in the hidden layers of a
training pass, with masks drawn from the model's own Generator. Prediction, :meth:`cost` and
the gradient check never drop units.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.activations import Activation
from chainrule.numeric.checks import (
    as_generator,
    check_caches,
    check_dtype,
    check_input,
    check_layer_sizes,
    check_parameters,
    check_target,
)
from chainrule.numeric.init import initialize_parameters
from chainrule.numeric.losses import OUTPUTS, Output
from chainrule.numeric.optimizers import check_learning_rate
from chainrule.numeric.passes import Dropout, backward_into, forward_into
from chainrule.numeric.regularization import (
    KeepProbs,
    add_l2_gradient,
    check_keep_prob,
    check_l2,
    l2_penalty,
    masks_from_caches,
)
from chainrule.numeric.resolve import HiddenSpec, per_layer, resolve_hidden, resolve_output
from chainrule.numeric.workspace import (
    Workspace,
    WorkspaceCache,
    packed_parameter_arrays,
)

__all__ = ["Network"]

Array = np.ndarray


class Network:
    """An L-layer network: an activation g[l] for each hidden layer 1..L-1, an output layer L.

    Parameters
    ----------
    layer_sizes : list of int
        ``[n0, n1, ..., nL]``: inputs, hidden units per layer, outputs.
    activation : str, Activation, or list of them
        Hidden-layer activation, one for every hidden layer or a list of one per hidden
        layer (``["relu", "tanh"]``). Each is spelled as ``chainrule train --activation``
        takes it: a built-in name (``relu``, ``tanh``, ``sigmoid``, ``linear``,
        ``leaky_relu``, ``leaky_relu(0.2)``: hand-written NumPy code), a catalogue name
        (``swish``, ``mish``, ``gelu``, ...) or math in z (``"z*tanh(log(1 + exp(z)))"``):
        generated code, which imports SymPy once, to build it; or an :class:`Activation`.
    output : str or Output
        Without ``loss``: ``"auto"`` (the default, sigmoid), ``"sigmoid"`` (binary
        cross-entropy), ``"softmax"`` (categorical cross-entropy), ``"linear"`` (mean squared
        error), or an :class:`Output`. With ``loss``: ``"auto"`` picks the output as
        ``--output auto`` does (sigmoid for binary cross-entropy, linear for the other
        catalogue losses, for math the first of linear and sigmoid the loss accepts), or any
        activation spelling names it; :attr:`output` says what was chosen.
    init : str
        ``"zeros"``, ``"random"`` (x0.01), ``"xavier"`` or ``"he"``.
    dtype : str
        ``"float64"`` (default) or ``"float32"``; every array of the network has this dtype.
    seed : int, numpy.random.Generator or None
        Source of all randomness of this model (initial weights, mini-batch shuffles).
        None draws fresh entropy.
    loss : str, optional
        The output's loss as ``--loss`` takes it: a catalogue name (``mse``, ``mae``,
        ``log_cosh``, ``hinge``, ...) or math in a and y (``"(a - y)**2 / 2"``).

    Attributes
    ----------
    activation : Activation or tuple of Activation
        As given, resolved: one for every hidden layer, or one per hidden layer.
    activations : tuple of Activation
        g[1], ..., g[L-1].
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: HiddenSpec = "relu",
        output: str | Output = "auto",
        init: str = "he",
        dtype: str | np.dtype = "float64",
        seed: int | np.random.Generator | None = None,
        *,
        loss: str | None = None,
    ) -> None:
        self.layer_sizes = check_layer_sizes(layer_sizes)
        self.activation = resolve_hidden(activation, self.n_layers - 1)
        self.activations = per_layer(self.activation, self.n_layers - 1)
        self.output = resolve_output(output, loss)
        if self.layer_sizes[-1] < self.output.min_units:
            raise InputError(
                f"output {self.output.name!r} needs at least {self.output.min_units} output "
                f"units (got layer_sizes[-1] = {self.layer_sizes[-1]})"
            )
        self.init = init
        self.dtype = check_dtype(dtype)
        self.rng = as_generator(seed)
        sizes, dtype = self.layer_sizes, self.dtype
        self._theta, self._P, self._W, self._b = packed_parameter_arrays(sizes, dtype)
        self._grad, self._dP, self._dW, self._db = packed_parameter_arrays(sizes, dtype)
        self._step, _, self._step_W, _ = packed_parameter_arrays(sizes, dtype)
        self._g: list[Activation | None] = [None, *self.activations]  # g[l] by layer number
        self._workspaces = WorkspaceCache(self.layer_sizes, self.dtype)
        self.set_params(initialize_parameters(self.layer_sizes, init, self.rng))

    @property
    def activation_name(self) -> str:
        """The hidden activation's name, or the names of one per layer joined by commas
        (as ``--activation`` takes them)."""
        if isinstance(self.activation, Activation):
            return self.activation.name
        return ",".join(g.name for g in self.activation)

    # ----------------------------------------------------------------- parameters
    @property
    def n_layers(self) -> int:
        """L, the number of layers with parameters."""
        return len(self.layer_sizes) - 1

    @property
    def params(self) -> dict[str, Array]:
        """``{"W1": (n1, n0), "b1": (n1, 1), ...}``: the live arrays (views of the vector)."""
        named: dict[str, Array] = {}
        for layer in range(1, self.n_layers + 1):
            named[f"W{layer}"] = self._W[layer]
            named[f"b{layer}"] = self._b[layer]
        return named

    @property
    def parameter_vector(self) -> Array:
        """Every parameter in one live 1-D array: the blocks [W1 | b1], [W2 | b2], ... each in
        C order (row i of W[l], then b[l][i])."""
        return self._theta

    @property
    def gradient_vector(self) -> Array:
        """The last computed dJ/dθ, laid out like :attr:`parameter_vector`: a live buffer,
        overwritten by every backward pass, :meth:`compute_gradients` and training step."""
        return self._grad

    def parameter_shapes(self) -> dict[str, tuple[int, int]]:
        """``{"W1": (n1, n0), "b1": (n1, 1), ...}``."""
        return {name: value.shape for name, value in self.params.items()}

    def set_params(self, params: Mapping[str, Array]) -> None:
        """Copy ``params`` (every W[l], b[l], of the right shapes) into the network."""
        checked = check_parameters(params, self.parameter_shapes())
        for name, value in self.params.items():
            np.copyto(value, checked[name], casting="unsafe")

    def copy(self) -> Network:
        """An independent copy (parameters, random state and all)."""
        return self.astype(self.dtype)

    def astype(self, dtype: str | np.dtype) -> Network:
        """A copy of this network with every array cast to ``dtype``."""
        twin = Network(
            self.layer_sizes, self.activation, self.output, "zeros", dtype, copy.deepcopy(self.rng)
        )
        twin.init = self.init
        np.copyto(twin._theta, self._theta, casting="unsafe")
        return twin

    # ----------------------------------------------------------------- public passes
    def forward(
        self, X: Array, *, keep_prob: float | Sequence[float] | None = None
    ) -> tuple[Array, dict[str, Array]]:
        """Forward propagation.

        Parameters
        ----------
        X : array (n[0], m)
        keep_prob : float or sequence of float, optional
            Inverted dropout for a training pass: the probability of keeping a hidden unit,
            one value for all hidden layers or one per hidden layer. None (or 1) keeps all.

        Returns
        -------
        AL : array (n[L], m)
            The output activations.
        caches : dict
            ``{"A0": X, "Z1": (n1, m), "A1": (n1, m), ..., "ZL", "AL"}``; with dropout also
            the 0/1 masks ``"D1"`` (n1, m), ... of the hidden layers that drop units, and
            A[l] is the activation after its mask. ``AL`` and every cache but ``A0`` (the
            ``X`` given, as an array of the network's dtype) are new arrays the caller owns.
        """
        X = check_input(X, self.layer_sizes[0], self.dtype)
        keep_probs = self._check_keep_prob(keep_prob)
        workspace = self._workspaces.get(X.shape[1])
        self._forward_into(workspace.inputs_with_ones(X), workspace, keep_probs)
        caches = {"A0": X}
        for layer in range(1, self.n_layers + 1):
            caches[f"Z{layer}"] = workspace.Z[layer].copy()
            caches[f"A{layer}"] = workspace.A[layer].copy()
            if keep_probs is not None and layer < self.n_layers and keep_probs[layer - 1] < 1:
                caches[f"D{layer}"] = workspace.dropout_buffers()[0][layer].copy()
        return caches[f"A{self.n_layers}"], caches

    def backward(
        self,
        Y: Array,
        caches: Mapping[str, Array],
        *,
        l2: float = 0.0,
        keep_prob: float | Sequence[float] | None = None,
    ) -> dict[str, Array]:
        """Backward propagation from the caches of :meth:`forward`, in the course's
        convention (that of :mod:`chainrule.numeric.reference`).

        dZ[l] and dA[l] are per example: column j is the derivative of example j's loss,
        so dZ[L] = A[L] - Y. dW[l] and db[l] are derivatives of the mean cost J:
        dW[l] = (1/m) dZ[l] A[l-1]ᵀ (+ (λ/m) W[l]), db[l] = (1/m) Σ dZ[l].

        Parameters
        ----------
        Y : array (n[L], m)
            Targets: 0/1 (sigmoid), one-hot columns (softmax) or values (linear).
        caches : dict
            As returned by :meth:`forward`.
        l2 : float
            L2 strength λ >= 0: adds (λ/m) W[l] to every dW[l].
        keep_prob : float or sequence of float, optional
            The ``keep_prob`` given to :meth:`forward`; its masks ``D[l]`` (from the caches)
            then scale dA[l] as they scaled A[l].

        Returns
        -------
        dict
            ``"dZ1".."dZL"`` (n[l], m), ``"dW1"..`` (n[l], n[l-1]), ``"db1"..`` (n[l], 1),
            ``"dA0".."dA{L-1}"`` (n[l], m): new arrays the caller owns. dW and db are also
            left in :attr:`gradient_vector`.
        """
        Z, A = check_caches(caches, self.layer_sizes, self.dtype)
        m = A[0].shape[1]
        Y = check_target(Y, self.layer_sizes[-1], m, self.n_layers, self.dtype)
        l2 = check_l2(l2)
        keep_probs = self._check_keep_prob(keep_prob)
        workspace = self._workspaces.get(m)
        X1 = self._load_caches(Z, A, workspace)
        dropout = self._cached_dropout(caches, Z, keep_probs, workspace)
        self._backward_into((Y, X1), workspace, True, dropout)
        add_l2_gradient(self._W, self._dW, self._step_W, l2, m)
        grads: dict[str, Array] = {}
        for layer in range(1, self.n_layers + 1):
            # The buffers hold derivatives of J (see passes); per example is m times that.
            grads[f"dZ{layer}"] = np.multiply(workspace.dZ[layer], m)
            grads[f"dW{layer}"] = self._dW[layer].copy()
            grads[f"db{layer}"] = self._db[layer].copy()
            grads[f"dA{layer - 1}"] = np.multiply(workspace.dA[layer - 1], m)
        return grads

    def cost(self, X: Array, Y: Array, *, l2: float = 0.0) -> float:
        """The mean cost J over the m columns of ``X`` (n[0], m) and ``Y`` (n[L], m), plus
        the L2 term (λ/2m) Σ‖W[l]‖² when ``l2`` = λ > 0. Never drops units."""
        X = check_input(X, self.layer_sizes[0], self.dtype)
        Y = check_target(Y, self.layer_sizes[-1], X.shape[1], self.n_layers, self.dtype)
        l2 = check_l2(l2)
        workspace = self._workspaces.get(X.shape[1])
        self._forward_into(workspace.inputs_with_ones(X), workspace)
        cost = self.output.cost(workspace.Z[-1], workspace.A[-1], Y, workspace.scratch)
        return cost + l2_penalty(self._W, l2, X.shape[1])

    def predict_proba(self, X: Array) -> Array:
        """Output activations A[L], shape (n[L], m), as a new array."""
        return self._output_activations(X).copy()

    def predict(self, X: Array) -> Array:
        """Labels: 0/1 of shape (n[L], m) for sigmoid, class indices (1, m) for softmax,
        the values (n[L], m) for a linear output; a new array."""
        return np.array(self.output.predict(self._output_activations(X)))

    def accuracy(self, X: Array, Y: Array) -> float:
        """Fraction of columns classified right: the arg-max unit against the arg-max target
        when n[L] > 1, else the output thresholded at 0.5 against the target."""
        A = self._output_activations(X)
        Y = check_target(Y, self.layer_sizes[-1], A.shape[1], self.n_layers, self.dtype)
        if A.shape[0] > 1:
            return float(np.mean(A.argmax(axis=0) == Y.argmax(axis=0)))
        return float(np.mean((A >= 0.5) == (Y >= 0.5)))

    # ----------------------------------------------------------------- fused training pass
    def compute_gradients(
        self,
        X: Array,
        Y: Array,
        *,
        l2: float = 0.0,
        keep_prob: float | Sequence[float] | None = None,
        out: Array | None = None,
    ) -> tuple[float, Array]:
        """Forward pass, cost and backward pass in one go.

        Parameters
        ----------
        X : array (n[0], m)
        Y : array (n[L], m)
        l2 : float
            L2 strength λ >= 0 (the cost gets its term, dW[l] gets (λ/m) W[l]).
        keep_prob : float or sequence of float, optional
            Inverted dropout, as in :meth:`forward`; the cost is then the thinned network's.
        out : array, optional
            Where to write the gradient: a 1-D array of the network's dtype shaped like
            :attr:`parameter_vector`.

        Returns
        -------
        cost : float
            J before any update, with its L2 term when ``l2`` > 0.
        gradient : array
            dJ/dθ laid out like :attr:`parameter_vector`: ``out``, or a new array.
        """
        X = check_input(X, self.layer_sizes[0], self.dtype)
        Y = check_target(Y, self.layer_sizes[-1], X.shape[1], self.n_layers, self.dtype)
        if out is not None and (
            not isinstance(out, np.ndarray)
            or out.shape != self._grad.shape
            or out.dtype != self.dtype
        ):
            raise InputError(
                f"'out' must be a {self.dtype.name} array of shape {self._grad.shape} "
                f"(got {getattr(out, 'dtype', type(out).__name__)} {getattr(out, 'shape', '')})"
            )
        workspace = self._workspaces.get(X.shape[1])
        cost = self._gradients_with_ones(
            workspace.inputs_with_ones(X), Y, check_l2(l2), self._check_keep_prob(keep_prob)
        )
        if out is None:
            return cost, self._grad.copy()
        np.copyto(out, self._grad)
        return cost, out

    def _gradients_with_ones(self, X1: Array, Y: Array, l2: float, keep_probs: KeepProbs) -> float:
        """The training loop's pass: fills :attr:`gradient_vector` and returns the cost,
        without checks and without dA[0].

        The caller promises that ``X1`` = [X; 1] (n[0] + 1, m) (see
        :func:`~chainrule.numeric.workspace.append_ones_row`) and Y (n[L], m) have the
        network's dtype, that ``l2`` is a float >= 0 and that ``keep_probs`` is None or what
        :func:`~chainrule.numeric.regularization.check_keep_prob` returns.
        """
        m = X1.shape[1]
        workspace = self._workspaces.get(m)
        self._forward_into(X1, workspace, keep_probs)
        cost = self.output.cost(workspace.Z[-1], workspace.A[-1], Y, workspace.scratch)
        dropout = None if keep_probs is None else (keep_probs, *workspace.dropout_buffers())
        self._backward_into((Y, X1), workspace, False, dropout)
        if l2 == 0.0:
            return cost
        add_l2_gradient(self._W, self._dW, self._step_W, l2, m)
        return cost + l2_penalty(self._W, l2, m)

    def train_step(self, X: Array, Y: Array, learning_rate: float) -> float:
        """One step of plain gradient descent, θ ← θ - α dJ/dθ; returns J before the step."""
        learning_rate = check_learning_rate(learning_rate)
        X = check_input(X, self.layer_sizes[0], self.dtype)
        Y = check_target(Y, self.layer_sizes[-1], X.shape[1], self.n_layers, self.dtype)
        cost = self._gradients_with_ones(
            self._workspaces.get(X.shape[1]).inputs_with_ones(X), Y, 0.0, None
        )
        np.multiply(self._grad, learning_rate, out=self._step)
        np.subtract(self._theta, self._step, out=self._theta)
        return cost

    # ----------------------------------------------------------------- kernels
    def _forward_into(self, X1: Array, workspace: Workspace, keep_probs: KeepProbs = None) -> None:
        """See :func:`~chainrule.numeric.passes.forward_into`; X1 is [X; 1]."""
        forward_into(self._P, self._g, self.output, self.rng, X1, workspace, keep_probs)

    def _backward_into(
        self,
        targets: tuple[Array, Array],
        workspace: Workspace,
        input_gradient: bool,
        dropout: Dropout | None = None,
    ) -> None:
        """See :func:`~chainrule.numeric.passes.backward_into`; ``targets`` is (Y, [X; 1])."""
        backward_into(
            self._W, self._dP, self._g, self.output,
            targets, workspace, input_gradient, dropout,
        )  # fmt: skip

    # ----------------------------------------------------------------- helpers
    def _check_keep_prob(self, keep_prob: float | Sequence[float] | None) -> KeepProbs:
        return None if keep_prob is None else check_keep_prob(keep_prob, self.n_layers - 1)

    def _output_activations(self, X: Array) -> Array:
        """A[L] (n[L], m) for X (n[0], m): the workspace's buffer, which the next pass
        overwrites."""
        X = check_input(X, self.layer_sizes[0], self.dtype)
        workspace = self._workspaces.get(X.shape[1])
        self._forward_into(workspace.inputs_with_ones(X), workspace)
        return workspace.A[-1]

    def _load_caches(self, Z: Sequence[Array], A: Sequence[Array], workspace: Workspace) -> Array:
        """Copy the cached Z[l], A[l] (l = 1..L) into ``workspace`` and return [A[0]; 1]
        (n[0] + 1, m)."""
        for layer in range(1, self.n_layers + 1):
            np.copyto(workspace.Z[layer], Z[layer])
            np.copyto(workspace.A[layer], A[layer])
        return workspace.inputs_with_ones(A[0])

    def _cached_dropout(
        self,
        caches: Mapping[str, Array],
        Z: Sequence[Array],
        keep_probs: KeepProbs,
        workspace: Workspace,
    ) -> Dropout | None:
        """``(keep_probs, D, G)`` for :meth:`backward`: the masks from ``caches`` and
        g(Z[l]) recomputed from the cached Z[l]; None without dropout."""
        masks = masks_from_caches(caches, keep_probs, self.layer_sizes, self.dtype)
        if keep_probs is None:
            return None
        _, G = workspace.dropout_buffers()
        for layer in range(1, self.n_layers):
            if masks[layer] is not None:
                self.activations[layer - 1].forward_into(Z[layer], G[layer])
        return keep_probs, masks, G

    def __getstate__(self) -> dict:
        """Pickle the architecture, the random state and a copy of every named parameter
        array (the vector and its views are rebuilt on loading). The activations and the
        output go as a saved model file writes them (names, slopes, math texts, rebuilt on
        loading); those made from one's own callables go as they are."""
        from chainrule.numeric import persist

        return {
            "layer_sizes": self.layer_sizes,
            "activation": _as_data(persist.hidden_spec, self.activation),
            "output": _as_data(persist.output_spec, self.output),
            "init": self.init,
            "dtype": self.dtype.name,
            "rng": self.rng,
            "params": {name: value.copy() for name, value in self.params.items()},
        }

    def __setstate__(self, state: dict) -> None:
        from chainrule.numeric import persist

        hidden, output = state["activation"], state["output"]
        n_hidden = len(state["layer_sizes"]) - 2
        self.__init__(  # type: ignore[misc]
            state["layer_sizes"],
            hidden[1] if hidden[0] == _OBJECT else persist.hidden_from(hidden[1], n_hidden),
            output[1] if output[0] == _OBJECT else persist.output_from(output[1]),
            "zeros",
            state["dtype"],
            state["rng"],
        )
        self.init = state["init"]
        self.set_params(state["params"])

    def __repr__(self) -> str:
        if isinstance(self.activation, Activation):
            activation = repr(self.activation.name)
        else:
            activation = repr([g.name for g in self.activation])
        loss = (
            "" if OUTPUTS.get(self.output.name) == self.output else f", loss={self.output.loss!r}"
        )
        return (
            f"Network(layer_sizes={self.layer_sizes}, activation={activation}, "
            f"output={self.output.name!r}{loss}, init={self.init!r}, dtype={self.dtype.name!r})"
        )


#: How a pickle marks an activation or output kept as the object itself.
_OBJECT = "object"


def _as_data(spec: Callable[[Any], Any], value: Any) -> tuple[str, Any]:
    """``("spec", what a model file writes)``, or ``("object", value)`` for what a model file
    cannot hold (an activation or output of one's own callables)."""
    try:
        return "spec", spec(value)
    except InputError:
        return _OBJECT, value
