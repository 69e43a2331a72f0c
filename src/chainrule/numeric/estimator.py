"""``MLPClassifier``: a chainrule network behind scikit-learn's estimator interface, and
:class:`BaseMLP`, what it shares with :class:`~chainrule.numeric.regressor.MLPRegressor`.

A drop-in for :class:`sklearn.neural_network.MLPClassifier` for the stochastic solvers, that
also takes every activation the command line takes (scikit-learn's MLP accepts four
built-in names only), one per hidden layer if wanted, inverted dropout, a choice of
initialisation and float32.

At this boundary rows are examples, as everywhere in scikit-learn: ``X`` is (n_samples,
n_features). Inside, the network sees X transposed, (n_features, n_samples), one example per
column as in the course. Two classes use one sigmoid output unit with binary cross-entropy;
more classes a softmax layer with categorical cross-entropy.

Parameters that differ from scikit-learn's
------------------------------------------
- ``solver``: ``"sgd"`` is plain mini-batch gradient descent, ``"momentum"`` the course's
  momentum v ← βv + (1-β)g with β = ``momentum``, ``"adam"`` Adam. (scikit-learn's ``"sgd"``
  includes a PyTorch-style momentum of 0.9; ``"lbfgs"`` is not offered.)
- ``tol``, ``n_iter_no_change`` and ``early_stopping`` stop training exactly as in
  scikit-learn (:mod:`chainrule.numeric.stopping`): the training loss against its running
  minimum, or with early stopping the validation score (accuracy; R² for the regressor)
  against its running maximum, whose weights are kept and put back at the end.
- Extras: ``lr_decay`` (inverse-time decay α0 / (1 + d·epoch)), ``keep_prob`` (dropout),
  ``init``, ``dtype``, ``validation_loss_curve_``. Not offered: ``learning_rate``,
  ``power_t``, ``nesterovs_momentum``, ``max_fun``, ``sample_weight``, sparse input.
"""

from __future__ import annotations

import sys
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted

from chainrule.errors import InputError
from chainrule.facts import ACTIVATION_FACTS
from chainrule.numeric.activations import Activation
from chainrule.numeric.early_stopping import split_validation
from chainrule.numeric.layers.model import Model
from chainrule.numeric.layers.stacks import batch_norm_stack
from chainrule.numeric.losses import OUTPUTS, Output
from chainrule.numeric.network import Network
from chainrule.numeric.optimizers import Adam, GradientDescent, Momentum
from chainrule.numeric.regularization import check_keep_prob
from chainrule.numeric.resolve import resolve_hidden, resolve_output
from chainrule.numeric.stopping import NoImprovementCount
from chainrule.numeric.training import train

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - older scikit-learn

    def validate_data(estimator, X, y="no_validation", **kwargs):  # type: ignore[no-redef]
        return estimator._validate_data(X, y, **kwargs)


__all__ = ["BaseMLP", "MLPClassifier", "ParameterError"]

#: scikit-learn's activation names, and chainrule's, for the hidden layers: every catalogue
#: entry with a hand-written kernel, by its name and by scikit-learn's.
ACTIVATION_NAMES = {
    alias: facts.name
    for facts in ACTIVATION_FACTS.values()
    if facts.kernel is not None
    for alias in dict.fromkeys((facts.sklearn_name or facts.name, facts.name))
}
#: The classifier's default loss, scikit-learn's name for the cross-entropy.
LOG_LOSS = "log_loss"
#: Rows predicted per forward pass, so prediction memory stays bounded.
PREDICT_CHUNK = 4096


class ParameterError(InvalidParameterError, InputError):
    """A constructor parameter of the estimator with a bad type or value (both scikit-learn's
    InvalidParameterError and chainrule's InputError)."""


class BaseMLP(BaseEstimator):
    """What the two estimators share: the parameters, the training loop, scikit-learn's
    stopping rule and the views of the weights. A subclass says how targets become the
    output layer's Y (n_outputs, m), which output layer and loss it trains, and what its
    validation score is (:meth:`_targets_for`, :meth:`_output_for`, :meth:`_score_columns`).
    """

    loss_curve_: list[float]
    validation_scores_: list[float] | None
    validation_loss_curve_: list[float] | None
    best_loss_: float | None
    best_validation_score_: float | None

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [str, Activation, list, tuple],
        "loss": [str],
        "solver": [StrOptions({"sgd", "momentum", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "lr_decay": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "keep_prob": [Interval(Real, 0, 1, closed="right"), "array-like"],
        "init": [StrOptions({"auto", "he", "xavier", "random", "zeros"})],
        "dtype": [StrOptions({"float64", "float32"})],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="log_loss",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        lr_decay=0.0,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        keep_prob=1.0,
        init="auto",
        dtype="float64",
        batch_norm=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.lr_decay = lr_decay
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.keep_prob = keep_prob
        self.init = init
        self.dtype = dtype
        self.batch_norm = batch_norm

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y):
        """Train on X (n_samples, n_features) and targets y; return self."""
        self._check_parameters()
        return self._fit(X, y, incremental=False)

    def _fit(self, X, y, incremental: bool):
        first_pass = not hasattr(self, "network_") or not (incremental or self.warm_start)
        X, y = self._validate_rows(X, y, first_pass)
        Y = self._targets_for(y, incremental, first_pass)  # (n_outputs, m)
        if first_pass:
            self._start(X.shape[1], Y.shape[0])
        if first_pass or not incremental:
            self._optimizer = self._make_optimizer()
        X_cols = X.T  # (n_features, m): examples as columns from here on
        validation = None
        if self.early_stopping:
            X_cols, Y, X_val, Y_val = split_validation(
                np.ascontiguousarray(X_cols),
                Y,
                self.validation_fraction,
                self.network_.rng,
                self._stratify_by(y),
            )
            validation = (X_val, Y_val)
        self._run(X_cols, Y, validation, incremental)
        return self

    def _run(self, X, Y, validation, incremental: bool) -> None:
        m = X.shape[1]
        if not incremental:
            self.n_iter_ = 0
        # The count and the best carry on across warm starts; tol and patience are read
        # afresh, as scikit-learn reads them every epoch.
        self._no_improvement.tol = float(self.tol)
        self._no_improvement.n_iter_no_change = self.n_iter_no_change
        keep_prob = self._keep_probs()
        if isinstance(self.network_, Model):  # batch-first, its dropout in its layers
            X, Y, keep_prob = X.T, Y.T, None
            validation = None if validation is None else (validation[0].T, validation[1].T)
        recorder = _EpochRecorder(self, validation)
        history = train(
            self.network_,
            X,
            Y,
            epochs=1 if incremental else self.max_iter,
            batch_size=self._batch_size(m),
            optimizer=self._optimizer,
            callbacks=[recorder],
            verbose=False,
            l2=float(self.alpha),
            keep_prob=keep_prob,
            shuffle=bool(self.shuffle),
            validation_data=validation,
        )
        self.n_iter_ = (self.n_iter_ + history.epochs) if incremental else history.epochs
        self.t_ += m * history.epochs
        self.loss_ = history.costs[-1]
        self.loss_curve_.extend(history.costs)
        counter = self._no_improvement
        if validation is None:
            self.best_loss_ = counter.best
        else:
            self.validation_loss_curve_.extend(history.validation_costs)  # type: ignore[union-attr]
            self.best_validation_score_ = counter.best
            if recorder.best_parameters is not None:  # scikit-learn keeps the best weights
                np.copyto(self.network_.parameter_vector, recorder.best_parameters)
        if not incremental and not recorder.stopped:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                f"optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )

    # ----------------------------------------------------------------- prediction
    def _forward_rows(self, X: np.ndarray) -> np.ndarray:
        network = self.network_
        outputs = np.empty((X.shape[0], self.n_outputs_), dtype=network.dtype)
        for start in range(0, X.shape[0], PREDICT_CHUNK):
            rows = slice(start, start + PREDICT_CHUNK)
            if isinstance(network, Model):
                outputs[rows] = network.forward(X[rows])
            else:
                outputs[rows] = network.predict_proba(X[rows].T).T
        return outputs

    # ----------------------------------------------------------------- views
    @property
    def coefs_(self) -> list[np.ndarray]:
        """W[l]ᵀ of every layer, (n[l-1], n[l]): live views of the network's weights."""
        check_is_fitted(self)
        if isinstance(self.network_, Model):
            return [layer.params["W"].T for layer in self.network_.layers if layer.kind == "dense"]
        return [self.network_.params[f"W{layer}"].T for layer in self._layers()]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """b[l] of every layer, (n[l],): live views of the network's biases."""
        check_is_fitted(self)
        if isinstance(self.network_, Model):  # a batch norm's β is the shift of its layer
            layers = self.network_.layers
            return [
                layer.params["b"] if "b" in layer.params else layers[index + 1].params["beta"]
                for index, layer in enumerate(layers)
                if layer.kind == "dense"
            ]
        return [self.network_.params[f"b{layer}"][:, 0] for layer in self._layers()]

    def _layers(self) -> range:
        return range(1, self.n_layers_)

    # ----------------------------------------------------------------- set-up
    def _check_parameters(self) -> None:
        try:
            self._validate_params()
        except InvalidParameterError as error:
            raise ParameterError(str(error)) from None
        sizes = self._hidden_sizes()
        if any(not isinstance(n, (Integral, np.integer)) or n < 1 for n in sizes):
            raise ParameterError(
                f"The 'hidden_layer_sizes' parameter of {type(self).__name__} must be "
                f"positive integers. Got {self.hidden_layer_sizes!r} instead."
            )
        self._keep_probs()
        self._hidden_activations()

    def _hidden_activations(self) -> Activation | tuple[Activation, ...]:
        """The hidden activation(s) that ``activation`` spells, as the command line's
        ``--activation`` reads them, scikit-learn's names (identity, logistic) included."""
        spec = self.activation
        if isinstance(spec, (list, tuple)):
            spec = [_sklearn_alias(item) for item in spec]
        try:
            return resolve_hidden(_sklearn_alias(spec), len(self._hidden_sizes()))
        except InputError as error:
            raise ParameterError(str(error)) from None

    def _hidden_sizes(self) -> list:
        sizes = self.hidden_layer_sizes
        return [sizes] if isinstance(sizes, (Integral, np.integer)) else list(sizes)

    def _keep_probs(self):
        try:
            return check_keep_prob(self.keep_prob, len(self._hidden_sizes()))
        except InputError as error:
            raise ParameterError(str(error)) from None

    def _start(self, n_features: int, n_outputs: int) -> None:
        """A fresh network and the fitted attributes that ``partial_fit`` extends."""
        activation = self._hidden_activations()
        init = self.init
        if init == "auto":
            init = "he" if _relu_family(activation) else "xavier"
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        sizes = [n_features, *(int(n) for n in self._hidden_sizes()), n_outputs]
        output = self._output_for(n_outputs)
        self.network_: Network | Model
        if self.batch_norm:
            if not isinstance(activation, Activation):
                raise ParameterError(
                    f"batch_norm=True takes one activation for every hidden layer "
                    f"(got {self.activation!r})"
                )
            layers = batch_norm_stack(sizes[1:-1], activation, n_outputs, self._keep_probs())
            self.network_ = Model(layers, (n_features,), output, init, self.dtype, seed=int(seed))
        else:
            self.network_ = Network(sizes, activation, output, init, self.dtype, seed=int(seed))
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_outputs
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        early = bool(self.early_stopping)
        watch = "score" if early else "loss"
        self._no_improvement = NoImprovementCount(self.tol, self.n_iter_no_change, watch)
        self.best_loss_ = None if early else self._no_improvement.best
        self.validation_scores_ = [] if early else None
        self.validation_loss_curve_ = [] if early else None
        self.best_validation_score_ = self._no_improvement.best if early else None

    def _make_optimizer(self):
        rate, decay = float(self.learning_rate_init), float(self.lr_decay) or None
        if self.solver == "sgd":
            return GradientDescent(rate, decay=decay)
        if self.solver == "momentum":
            return Momentum(rate, beta=float(self.momentum), decay=decay)
        return Adam(rate, float(self.beta_1), float(self.beta_2), float(self.epsilon), decay)

    def _batch_size(self, m: int) -> int:
        if self.batch_size == "auto":
            return min(200, m)
        if self.batch_size > m:
            warnings.warn(
                f"Got `batch_size` = {self.batch_size} larger than the {m} training examples; "
                f"using {m}",
                stacklevel=5,
            )
        return min(int(self.batch_size), m)

    # ----------------------------------------------------------------- subclass hooks
    def _validate_rows(self, X, y, reset: bool):
        """X (n_samples, n_features) and y, checked as scikit-learn checks them."""
        raise NotImplementedError

    def _targets_for(self, y: np.ndarray, incremental: bool, first_pass: bool) -> np.ndarray:
        """The output layer's targets Y (n_outputs, m) for y."""
        raise NotImplementedError

    def _output_for(self, n_outputs: int) -> Output:
        """The output layer (and loss) for ``n_outputs`` units; sets ``out_activation_``."""
        raise NotImplementedError

    def _stratify_by(self, y: np.ndarray) -> np.ndarray | None:
        """Labels (m,) the validation split keeps the shares of, or None."""
        return None

    def _score_columns(self, network: Network, X: np.ndarray, Y: np.ndarray) -> float:
        """The validation score of X (n_features, m) against Y (n_outputs, m)."""
        raise NotImplementedError


def _sklearn_alias(spec: Any) -> Any:
    """chainrule's name for one of scikit-learn's activation names; anything else as it is."""
    return ACTIVATION_NAMES.get(spec, spec) if isinstance(spec, str) else spec


def _relu_family(activation: Activation | tuple[Activation, ...]) -> bool:
    """Whether every hidden layer is a ReLU or leaky ReLU (He initialisation suits them)."""
    layers = (activation,) if isinstance(activation, Activation) else activation
    return all(g.name == "relu" or g.name.startswith("leaky_relu") for g in layers)


class _EpochRecorder:
    """Callback: the validation score of every epoch, scikit-learn's stopping rule, the
    best weights under early stopping, and the verbose lines."""

    def __init__(self, estimator: BaseMLP, validation) -> None:
        self.estimator = estimator
        self.validation = validation
        self.best_parameters: np.ndarray | None = None
        self.stopped = False

    def __call__(self, epoch: int, cost: float, network: Network, validation_cost=None) -> bool:
        estimator = self.estimator
        line = f"Iteration {estimator.n_iter_ + epoch}, loss = {cost:.8f}"
        counter = estimator._no_improvement
        if self.validation is None:
            counter.update(cost)
        else:
            score = estimator._score_columns(network, *self.validation)
            estimator.validation_scores_.append(score)  # type: ignore[union-attr]
            if counter.update(score):
                self.best_parameters = network.parameter_vector.copy()
            line += f", validation loss = {validation_cost:.8f}, validation score = {score:f}"
        if estimator.verbose:
            print(line, file=sys.stdout, flush=True)
        self.stopped = counter.exhausted
        return self.stopped


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier trained by chainrule's derived backpropagation.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer; ``()`` is logistic (or softmax) regression.
    activation : str, Activation or list of them, default="relu"
        Hidden activation, one for every hidden layer or a list of one per hidden layer
        (``["relu", "tanh"]``): scikit-learn's names (``"identity"``, ``"logistic"``,
        ``"tanh"``, ``"relu"``), any spelling ``chainrule train --activation`` takes (a
        built-in name, ``"leaky_relu(0.2)"``, a catalogue name such as ``"swish"``, ``"mish"``,
        ``"gelu"``, math in z such as ``"z*tanh(log(1 + exp(z)))"``), or an ``Activation``.
    loss : str, default="log_loss"
        The cross-entropy of the sigmoid unit (two classes) or the softmax layer (more), or
        any loss ``--loss`` takes (``"mse"``, ``"hinge"``, math in a and y) on that output,
        refused where it is not a real number there, as the command line refuses it.
    solver : {"sgd", "momentum", "adam"}, default="adam"
    alpha : float, default=0.0001
        L2 strength λ: the loss gets (λ/2m) Σ‖W‖² per mini-batch of m examples.
    batch_size : int or "auto", default="auto"
        Examples per mini-batch; "auto" is min(200, n_samples).
    learning_rate_init : float, default=0.001
    lr_decay : float, default=0.0
        Inverse-time decay d: the rate of epoch t is learning_rate_init / (1 + d·t).
    max_iter : int, default=200
        Epochs (passes over the data) at most.
    shuffle : bool, default=True
    random_state : int, RandomState or None, default=None
        Seeds the weights, the shuffles, the dropout masks and the validation split.
    tol : float, default=1e-4
        The improvement that counts: training stops once ``n_iter_no_change`` + 1 epochs in
        a row failed to beat the lowest loss so far by more than ``tol`` (with early
        stopping: the highest validation accuracy), as in scikit-learn.
    verbose : bool, default=False
        Print the loss (and validation loss and score) of every epoch.
    warm_start : bool, default=False
        Continue from the previous fit's weights.
    momentum : float, default=0.9
        β of ``solver="momentum"``, in [0, 1).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified), stop when its accuracy
        stops improving (``tol``, ``n_iter_no_change``) and keep the weights of its best
        epoch, as scikit-learn does.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's β1, β2 and ε.
    n_iter_no_change : int or inf, default=10
    keep_prob : float or sequence of float, default=1.0
        Inverted dropout: probability of keeping a hidden unit (one per hidden layer, or one
        for all); 1 is no dropout.
    init : {"auto", "he", "xavier", "random", "zeros"}, default="auto"
        "auto" is He when every hidden layer is relu or leaky_relu, Xavier otherwise.
    dtype : {"float64", "float32"}, default="float64"
    batch_norm : bool, default=False
        Batch-normalise every hidden layer (a dense layer without bias, batch norm, the
        activation): ``network_`` is then a batch-first
        :class:`~chainrule.numeric.layers.Model` (see
        :func:`~chainrule.numeric.layers.stacks.batch_norm_stack`), and ``coefs_`` are its
        dense layers' weights.
        Takes one activation for every hidden layer.

    Attributes
    ----------
    classes_ : array (n_classes,)
    loss_curve_ : list of float
        Training loss of every epoch (with the L2 term).
    validation_scores_ : list of float or None
        Validation accuracy of every epoch (early stopping only).
    validation_loss_curve_ : list of float or None
        Validation loss of every epoch (early stopping only).
    best_loss_ : float or None
        The lowest training loss so far (None with early stopping).
    best_validation_score_ : float or None
        The highest validation accuracy so far (early stopping only).
    n_iter_ : int
        Epochs run by the last ``fit`` (counted on by ``partial_fit``).
    t_ : int
        Training examples seen.
    n_features_in_ : int
    n_layers_, n_outputs_ : int
    out_activation_ : str
    network_ : Network or Model
        The trained network (examples as columns), or with ``batch_norm`` the Model
        (examples as rows).
    coefs_, intercepts_ : lists of arrays
        Views of the weights in scikit-learn's layout: W[l]ᵀ (n[l-1], n[l]) and b[l] (n[l],).
    """

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y):
        """Train on X (n_samples, n_features) and class labels y (n_samples,); return self."""
        return super().fit(X, y)

    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y, continuing from the current weights and optimizer state.

        ``classes`` (every label that will ever occur) is required on the first call.
        """
        self._check_parameters()
        if self.early_stopping:
            raise InputError("partial_fit does not support early_stopping=True")
        known = getattr(self, "classes_", None)
        if known is None and classes is None:
            raise InputError("classes must be passed on the first call to partial_fit")
        if classes is not None:
            labels = unique_labels(classes)
            if known is not None and not np.array_equal(known, labels):
                raise InputError(
                    f"'classes' = {labels.tolist()} differs from the first call's {known.tolist()}"
                )
            if known is None:
                if labels.size < 2:
                    raise InputError(
                        f"{type(self).__name__} needs at least 2 classes in 'classes' "
                        f"(got 1 class: {labels.tolist()})"
                    )
                self.classes_ = labels
        return self._fit(X, y, incremental=True)

    # ----------------------------------------------------------------- prediction
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, (n_samples, n_classes), columns in the order of ``classes_``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        outputs = self._forward_rows(X)  # (n_samples, n_outputs)
        if outputs.shape[1] == 1:
            return np.hstack([1.0 - outputs, outputs])
        return outputs

    def predict_log_proba(self, X) -> np.ndarray:
        """The logarithm of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row of X, (n_samples,)."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # ----------------------------------------------------------------- hooks
    def _validate_rows(self, X, y, reset: bool):
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        return X, y

    def _targets_for(self, y: np.ndarray, incremental: bool, first_pass: bool) -> np.ndarray:
        self._set_classes(y, incremental, first_pass)
        return self._targets(y)

    def _output_for(self, n_outputs: int) -> Output:
        """A sigmoid unit for two classes, a softmax layer for more; with their
        cross-entropy, or with ``loss`` checked against them as ``--output sigmoid`` (or
        ``softmax``) ``--loss LOSS`` checks it."""
        self.out_activation_ = "logistic" if n_outputs == 1 else "softmax"
        output = "sigmoid" if n_outputs == 1 else "softmax"
        if self.loss == LOG_LOSS:
            return OUTPUTS[output]
        try:
            return resolve_output(output, self.loss)
        except InputError as error:
            raise ParameterError(str(error)) from None

    def _stratify_by(self, y: np.ndarray) -> np.ndarray | None:
        return np.searchsorted(self.classes_, y)

    def _score_columns(self, network: Network, X: np.ndarray, Y: np.ndarray) -> float:
        """Accuracy, as scikit-learn's MLPClassifier scores its validation split."""
        return network.accuracy(X, Y)

    def _set_classes(self, y: np.ndarray, incremental: bool, first_pass: bool) -> None:
        present = unique_labels(y)
        if incremental and hasattr(self, "classes_"):
            unknown = np.setdiff1d(present, self.classes_)
            if unknown.size:
                raise InputError(
                    f"'y' has classes {unknown.tolist()} not in classes_ {self.classes_.tolist()}"
                )
            return
        if not first_pass and not np.array_equal(present, self.classes_):
            raise InputError(
                f"warm_start needs the classes of the previous fit {self.classes_.tolist()} "
                f"(got {present.tolist()})"
            )
        if present.size < 2:
            raise InputError(
                f"{type(self).__name__} needs at least 2 classes in 'y' "
                f"(got 1 class: {present.tolist()})"
            )
        self.classes_ = present

    def _targets(self, y: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.classes_, y)  # (m,)
        if self.classes_.size == 2:
            return (index == 1).astype(np.float64)[np.newaxis, :]  # (1, m)
        return np.eye(self.classes_.size)[:, index]  # (n_classes, m), one-hot columns
