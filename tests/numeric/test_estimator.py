"""MLPClassifier: the same numbers as scikit-learn's MLPClassifier from the same weights (plain
SGD and Adam, with L2), the scikit-learn interface (labels, probabilities, partial_fit,
warm_start, early stopping, parameters and their errors), what scikit-learn's MLP cannot do
(a custom activation, dropout, float32), pickling and the lazy export."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.utils._param_validation import InvalidParameterError
from sklearn_twins import train_alike

import chainrule
from chainrule.errors import InputError
from chainrule.numeric.activations import Activation
from chainrule.numeric.estimator import MLPClassifier, ParameterError

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def blobs(n_classes: int, m: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_blobs(m, n_features=4, centers=n_classes, cluster_std=3.0, random_state=seed)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


# ----------------------------------------------------------------- scikit-learn as the oracle
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_same_weights_same_updates_as_scikit_learn(solver: str, n_classes: int) -> None:
    X, y = blobs(n_classes)
    ours, theirs, rtol = train_alike(MLPClassifier, SklearnMLP, X, y, solver)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=rtol)


def test_accuracy_like_scikit_learn_on_digits(digits) -> None:
    X, y = digits
    ours = MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, random_state=0).fit(X, y)
    theirs = SklearnMLP(hidden_layer_sizes=(32,), max_iter=30, random_state=0).fit(X, y)
    assert abs(ours.score(X, y) - theirs.score(X, y)) < 0.03
    assert ours.score(X, y) > 0.9


# ----------------------------------------------------------------- the interface
def test_string_labels_probabilities_and_attributes() -> None:
    X, y = blobs(3)
    names = np.array(["cat", "dog", "emu"])[y]
    model = MLPClassifier(hidden_layer_sizes=8, max_iter=60, random_state=1)
    model.set_params(learning_rate_init=0.02).fit(X, names)
    assert list(model.classes_) == ["cat", "dog", "emu"]
    proba = model.predict_proba(X)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= set(model.classes_)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(proba))
    assert model.score(X, names) > 0.8
    assert model.n_features_in_ == 4 and model.n_outputs_ == 3 and model.n_layers_ == 3
    assert model.out_activation_ == "softmax"
    assert model.n_iter_ == len(model.loss_curve_) == 60
    assert model.t_ == 60 * 90
    assert model.validation_scores_ is None and model.best_loss_ == min(model.loss_curve_)


def test_binary_problems_use_one_sigmoid_unit() -> None:
    X, y = blobs(2)
    model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0).fit(X, y + 7)
    assert model.n_outputs_ == 1 and model.out_activation_ == "logistic"
    assert model.network_.output.name == "sigmoid"
    proba = model.predict_proba(X)
    assert proba.shape == (90, 2)
    np.testing.assert_allclose(proba[:, 1], model.network_.predict_proba(X.T)[0])
    np.testing.assert_array_equal(model.predict(X), np.where(proba[:, 1] > 0.5, 8, 7))


def test_coefs_and_intercepts_are_live_views_in_scikit_learn_layout() -> None:
    X, y = blobs(3)
    model = MLPClassifier(hidden_layer_sizes=(5, 4), max_iter=2, random_state=0).fit(X, y)
    assert [c.shape for c in model.coefs_] == [(4, 5), (5, 4), (4, 3)]
    assert [b.shape for b in model.intercepts_] == [(5,), (4,), (3,)]
    model.coefs_[0][0, 0] = 42.0
    model.intercepts_[2][1] = -7.0
    assert model.network_.params["W1"][0, 0] == 42.0 and model.network_.params["b3"][1, 0] == -7.0


def test_partial_fit_needs_classes_first_and_keeps_the_optimizer_state() -> None:
    X, y = blobs(3)
    model = MLPClassifier(hidden_layer_sizes=(6,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(InputError, match="classes must be passed on the first call"):
        model.partial_fit(X, y)
    model.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # a batch without class 2
    assert list(model.classes_) == [0, 1, 2] and model.n_outputs_ == 3
    model.partial_fit(X, y)
    assert model.n_iter_ == 2 and len(model.loss_curve_) == 2
    assert model._optimizer.steps == {"theta": 1 + 1}  # one batch per call (auto: 90 rows)
    with pytest.raises(InputError, match=r"'y' has classes \[7\] not in classes_"):
        model.partial_fit(X[:3], [0, 1, 7])
    with pytest.raises(InputError, match=r"'classes' = \[0, 1\] differs"):
        model.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(InputError, match="partial_fit does not support early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_epochs_equal_fit_epochs() -> None:
    X, y = blobs(2)
    settings = dict(hidden_layer_sizes=(4,), solver="momentum", random_state=3, tol=0.0)
    fitted = MLPClassifier(max_iter=5, n_iter_no_change=100, **settings).fit(X, y)
    stepped = MLPClassifier(**settings)
    for _ in range(5):
        stepped.partial_fit(X, y, classes=[0, 1])
    np.testing.assert_array_equal(
        fitted.network_.parameter_vector, stepped.network_.parameter_vector
    )


def test_warm_start_continues_and_checks_the_classes() -> None:
    X, y = blobs(3)
    model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=3, warm_start=True, random_state=0)
    model.fit(X, y)
    before = model.network_.parameter_vector.copy()
    network = model.network_
    model.fit(X, y)
    assert model.network_ is network and not np.array_equal(before, network.parameter_vector)
    assert len(model.loss_curve_) == 6 and model.n_iter_ == 3
    with pytest.raises(InputError, match="warm_start needs the classes of the previous fit"):
        model.fit(X[y < 2], y[y < 2])


def test_tol_and_n_iter_no_change_stop_like_scikit_learn() -> None:
    X, y = blobs(2)
    model = MLPClassifier(hidden_layer_sizes=(4,), tol=10.0, n_iter_no_change=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopped: no warning
        model.fit(X, y)
    # the first epoch sets the best loss, then 3 + 1 epochs fail to beat it by tol
    reference = SklearnMLP(hidden_layer_sizes=(4,), tol=10.0, n_iter_no_change=3).fit(X, y)
    assert model.n_iter_ == reference.n_iter_ == 5
    never = MLPClassifier(hidden_layer_sizes=(4,), max_iter=7, n_iter_no_change=np.inf, tol=10.0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(7\) reached"):
        never.fit(X, y)
    assert never.n_iter_ == 7


def test_early_stopping_keeps_the_best_validation_epoch(digits) -> None:
    X, y = digits
    model = MLPClassifier(
        hidden_layer_sizes=(32,),
        learning_rate_init=0.02,
        early_stopping=True,
        n_iter_no_change=4,
        max_iter=200,
        random_state=0,
    ).fit(X, y % 2)
    scores = model.validation_scores_
    assert len(model.validation_loss_curve_) == len(scores) == model.n_iter_ < 200
    best = int(np.argmax(scores))  # the first epoch with the highest validation accuracy
    assert model.n_iter_ >= best + 1 + 5  # at least 4 + 1 epochs after it failed to beat it
    assert model.best_validation_score_ == scores[best]
    assert model.best_loss_ is None and model.best_validation_score_ > 0.9


def test_verbose_prints_every_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = blobs(2)
    MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["Iteration 1", "Iteration 2", "Iteration 3"]
    assert lines[0].startswith("Iteration 1, loss = ")


def test_same_random_state_same_model_other_state_other_model() -> None:
    X, y = blobs(3)

    def weights(seed: int) -> bytes:
        model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=seed)
        return model.fit(X, y).network_.parameter_vector.tobytes()

    assert weights(4) == weights(4) != weights(5)


def test_batch_size_larger_than_the_data_warns() -> None:
    X, y = blobs(2)
    with pytest.warns(UserWarning, match=r"`batch_size` = 500 larger than the 90 training"):
        MLPClassifier(hidden_layer_sizes=(3,), batch_size=500, max_iter=1).fit(X, y)


# ----------------------------------------------------------------- beyond scikit-learn's MLP
def test_a_custom_activation_trains() -> None:
    softplus = Activation(
        "softplus",
        lambda Z: np.logaddexp(0.0, Z),
        lambda Z, A: 1.0 / (1.0 + np.exp(-Z)),
    )
    X, y = blobs(3)
    model = MLPClassifier(hidden_layer_sizes=(8,), activation=softplus, learning_rate_init=0.02)
    model.set_params(max_iter=80, random_state=0).fit(X, y)
    assert model.network_.activation is softplus
    assert model.score(X, y) > 0.8
    assert model.get_params()["activation"] is softplus


def test_dropout_float32_and_other_solvers(digits) -> None:
    X, y = digits
    model = MLPClassifier(
        hidden_layer_sizes=(64, 32),
        keep_prob=(0.9, 0.8),
        dtype="float32",
        solver="momentum",
        learning_rate_init=0.2,
        lr_decay=0.01,
        max_iter=15,
        random_state=0,
    ).fit(X, y)
    assert model.network_.dtype == np.float32 and model.predict_proba(X).dtype == np.float32
    assert model._optimizer.current_learning_rate == pytest.approx(0.2 / (1 + 0.01 * 15))
    assert model.score(X, y) > 0.9


def test_sklearn_activation_names_map_to_chainrule_ones() -> None:
    X, y = blobs(2)
    for name, expected in [("identity", "linear"), ("logistic", "sigmoid"), ("tanh", "tanh")]:
        model = MLPClassifier(hidden_layer_sizes=(3,), activation=name, max_iter=1).fit(X, y)
        assert model.network_.activation.name == expected
        assert model.network_.init == "xavier"
    relu = MLPClassifier(hidden_layer_sizes=(3,), max_iter=1).fit(X, y)
    assert relu.network_.init == "he"


# ----------------------------------------------------------------- parameters and errors
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"alpha": -1.0}, r"The 'alpha' parameter of MLPClassifier must be a float in the range"),
        ({"solver": "lbfgs"}, r"The 'solver' parameter of MLPClassifier must be a str among"),
        ({"keep_prob": 0.0}, r"The 'keep_prob' parameter of MLPClassifier must be"),
        ({"keep_prob": (0.5, 0.5)}, r"'keep_prob' must have one value per hidden layer \(1\)"),
        ({"hidden_layer_sizes": (10, 0)}, r"must be positive integers. Got \(10, 0\) instead"),
        ({"validation_fraction": 1.0}, r"The 'validation_fraction' parameter"),
        ({"activation": "swoosh"}, r"'activation' must be one of sigmoid, .* \(got 'swoosh'\)"),
        ({"activation": 3}, r"The 'activation' parameter of MLPClassifier must be"),
    ],
)
def test_bad_parameters_say_what_arrived(params: dict, message: str) -> None:
    X, y = blobs(2)
    with pytest.raises(ParameterError, match=message) as error:
        MLPClassifier(**params).fit(X, y)
    assert isinstance(error.value, InputError) and isinstance(error.value, InvalidParameterError)


def test_one_class_is_refused_with_a_clear_message() -> None:
    X, _ = blobs(2)
    with pytest.raises(InputError, match=r"needs at least 2 classes in 'y' \(got 1 class: \[3\]\)"):
        MLPClassifier().fit(X, np.full(90, 3))


# ----------------------------------------------------------------- pickling and the export
def test_pickled_models_predict_the_same_and_keep_training() -> None:
    X, y = blobs(3)
    model = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict_proba(X), model.predict_proba(X))
    network = copy.network_
    assert np.shares_memory(network.params["W1"], network.parameter_vector)
    model.partial_fit(X, y)
    copy.partial_fit(X, y)  # the optimizer state travelled too
    np.testing.assert_array_equal(copy.network_.parameter_vector, model.network_.parameter_vector)


def test_import_chainrule_stays_light_and_exports_the_estimator_lazily() -> None:
    code = (
        "import sys, chainrule\n"
        "assert 'sklearn' not in sys.modules and 'chainrule.numeric' not in sys.modules\n"
        "assert 'MLPClassifier' in dir(chainrule)\n"
        "from chainrule import MLPClassifier\n"
        "assert MLPClassifier.__module__ == 'chainrule.numeric.estimator'\n"
        "assert 'sympy' not in sys.modules\n"
        "import importlib; importlib.reload(chainrule)\n"
        "try:\n    chainrule.Nothing\nexcept AttributeError as e:\n    print(e)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "module 'chainrule' has no attribute 'Nothing'"
    assert chainrule.MLPClassifier is MLPClassifier
    assert "MLPClassifier" in chainrule.__all__


def test_import_chainrule_numeric_does_not_import_scikit_learn() -> None:
    code = "import sys, chainrule.numeric; assert 'sklearn' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
