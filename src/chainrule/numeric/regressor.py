"""``MLPRegressor``: a chainrule network for regression behind scikit-learn's interface.

A drop-in for :class:`sklearn.neural_network.MLPRegressor` for the stochastic solvers,
with everything :class:`~chainrule.numeric.estimator.MLPClassifier` adds (any activation,
one per hidden layer, dropout, float32) and any loss chainrule derives: a linear output
unit per target, half the squared error by default, or a catalogue loss (``mae``,
``log_cosh``, ...) or a formula in a and y (a Huber loss, say), read and checked as
``chainrule train --loss`` reads them. y may have several columns (one output unit each).

The loss is the mean over the m examples of the loss summed over the output units:
J = (1/m) Σ_examples Σ_units L(a, y). For one output and squared error that is
scikit-learn's loss; with several outputs scikit-learn also divides by their number.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_is_fitted

from chainrule.errors import InputError
from chainrule.numeric.estimator import BaseMLP, ParameterError, validate_data
from chainrule.numeric.losses import OUTPUTS, Output
from chainrule.numeric.network import Network
from chainrule.numeric.resolve import resolve_output

__all__ = ["MLPRegressor"]

#: scikit-learn's name of the default loss: the built-in linear output's half squared error.
SQUARED_ERROR = "squared_error"


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor trained by chainrule's derived backpropagation.

    Parameters
    ----------
    loss : str, default="squared_error"
        ``"squared_error"`` (½(a - y)², hand-written code), or a loss as ``--loss`` takes
        it: a catalogue name (``"mse"``, ``"mae"``, ``"log_cosh"``) or math in a and y such
        as ``"min(abs(a - y), 1)**2/2 + abs(a - y) - min(abs(a - y), 1)"`` (Huber, δ = 1).
        The output is linear; a loss that is not a real number for some output value
        (cross-entropy) is refused with the command line's message.

    Every other parameter is :class:`~chainrule.numeric.estimator.MLPClassifier`'s, with
    the validation score of ``early_stopping`` being R² (as in scikit-learn).

    Attributes
    ----------
    loss_curve_, validation_scores_ (R²), validation_loss_curve_, best_loss_,
    best_validation_score_, n_iter_, t_, n_features_in_, n_layers_, n_outputs_,
    out_activation_ ("identity"), network_, coefs_, intercepts_
        As for the classifier.
    """

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
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
        super().__init__(
            hidden_layer_sizes,
            activation,
            loss=loss,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            lr_decay=lr_decay,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            keep_prob=keep_prob,
            init=init,
            dtype=dtype,
            batch_norm=batch_norm,
        )

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y):
        """Train on X (n_samples, n_features) and y (n_samples,) or (n_samples, n_outputs);
        return self."""
        return super().fit(X, y)

    def partial_fit(self, X, y):
        """One epoch over X, y, continuing from the current weights and optimizer state."""
        self._check_parameters()
        if self.early_stopping:
            raise InputError("partial_fit does not support early_stopping=True")
        return self._fit(X, y, incremental=True)

    def _check_parameters(self) -> None:
        super()._check_parameters()
        self._output_layer()

    # ----------------------------------------------------------------- prediction
    def predict(self, X) -> np.ndarray:
        """Predicted targets, (n_samples,) for one output, else (n_samples, n_outputs)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        outputs = self._forward_rows(X)  # (n_samples, n_outputs)
        return outputs[:, 0] if outputs.shape[1] == 1 else outputs

    # ----------------------------------------------------------------- hooks
    def _validate_rows(self, X, y, reset: bool):
        return validate_data(
            self,
            X,
            y,
            reset=reset,
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
        )

    def _targets_for(self, y: np.ndarray, incremental: bool, first_pass: bool) -> np.ndarray:
        Y = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1).T  # (n_outputs, m)
        if not first_pass and Y.shape[0] != self.n_outputs_:
            raise InputError(
                f"'y' must have the {self.n_outputs_} output column(s) of the first fit "
                f"(got {Y.shape[0]})"
            )
        return Y

    def _output_for(self, n_outputs: int) -> Output:
        self.out_activation_ = "identity"
        return self._output_layer()

    def _output_layer(self) -> Output:
        """The linear output with ``loss``, as ``--output linear --loss LOSS`` makes it."""
        if self.loss == SQUARED_ERROR:
            return OUTPUTS["linear"]
        try:
            return resolve_output("linear", self.loss)
        except InputError as error:
            raise ParameterError(str(error)) from None

    def _score_columns(self, network: Network, X: np.ndarray, Y: np.ndarray) -> float:
        """R² of the predictions, averaged over the outputs, as scikit-learn scores them."""
        return float(r2_score(Y.T, network.predict_proba(X).T))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
