"""Every activation and loss spelling the command line takes works in Network and the
estimators, with the command line's messages; one activation per hidden layer in every
place a network goes (training, the reference, pickles, .npz files, the CLI)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numeric_problems import random_targets

from chainrule.cli import main
from chainrule.custom import resolve_activation as cli_activation
from chainrule.custom import resolve_output as cli_output
from chainrule.errors import InputError
from chainrule.numeric import OUTPUTS, Network, gradient_check, reference
from chainrule.numeric.estimator import MLPClassifier, ParameterError
from chainrule.numeric.persist import load, save

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SPELLINGS = [
    "relu",
    "tanh",
    "sigmoid",
    "linear",
    "leaky_relu",
    "leaky_relu(0.2)",
    "swish",
    "mish",
    "gelu",
    "z*sigmoid(z)",
    "z*tanh(log(1 + exp(z)))",
]
BAD = ["swoosh", "log(z)", "y*z", "leaky_relu(2)", ""]


def same(one, other) -> bool:
    """The same activation: name, parameters and the math it was generated from."""
    return (one.name, one.parameters, one.expression) == (
        other.name,
        other.parameters,
        other.expression,
    )


def same_output(one, other) -> bool:
    """The same output layer: names and the math it was generated from."""
    fields = ("name", "loss", "output_expression", "loss_expression")
    return all(getattr(one, key) == getattr(other, key) for key in fields)


def problem(sizes, output="sigmoid", m=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((sizes[0], m)), random_targets(output, sizes[-1], m, rng)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_builds_a_network_whose_gradients_check(spelling: str) -> None:
    network = Network([3, 4, 1], spelling, init="xavier", seed=1)
    assert same(network.activation, cli_activation(spelling, "--activation"))
    X, Y = problem([3, 4, 1])
    assert gradient_check(network, X, Y).passed


@pytest.mark.parametrize("spelling", BAD)
def test_bad_spellings_get_the_command_line_message(spelling, capsys) -> None:
    with pytest.raises(InputError) as error:
        Network([3, 4, 1], spelling)
    assert main(["train", "--activation", spelling, "--epochs", "1", "--quiet"]) == 2
    cli_line = capsys.readouterr().err.strip().removeprefix("chainrule: error: ")
    assert str(error.value) == cli_line.replace("'--activation'", "'activation'")


def test_built_in_spellings_never_import_sympy() -> None:
    code = (
        "import sys\n"
        "from chainrule.numeric import Network\n"
        "Network([2, 3, 3, 1], ['leaky_relu(0.2)', 'tanh'], seed=0)\n"
        "Network([2, 3, 1], 'leaky_relu(0.25)', output='linear', seed=0)\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ----------------------------------------------------------------- losses and outputs
@pytest.mark.parametrize(
    ("loss", "output", "chosen"),
    [
        ("log_cosh", "auto", "linear"),
        ("mae", "auto", "linear"),
        ("bce", "auto", "sigmoid"),
        ("(a - y)**2 / 2", "auto", "linear"),
        ("-(y*log(a) + (1-y)*log(1-a))", "auto", "sigmoid"),
        ("hinge", "tanh", "tanh"),
    ],
)
def test_a_loss_by_name_or_formula_picks_the_output_the_command_line_picks(loss, output, chosen):
    network = Network([3, 4, 1], "tanh", output, loss=loss, seed=0)
    assert network.output.name == chosen
    assert same_output(network.output, cli_output(loss, output, parameter="loss"))
    assert f"output={chosen!r}" in repr(network)
    X, Y = problem([3, 4, 1], seed=2)
    assert gradient_check(network, X, Y).passed


def test_a_pairing_the_command_line_refuses_is_refused_alike(capsys) -> None:
    with pytest.raises(InputError) as error:
        Network([3, 4, 1], "tanh", "linear", loss="bce")
    assert str(error.value) == (
        "'loss' 'binary_cross_entropy' does not fit the linear output: the loss or its "
        "derivative is not a real number at a = -3, y = 1, a value this output gives "
        "(try output='sigmoid' for a loss of probabilities)"
    )
    argv = ["train", "--loss", "bce", "--output", "linear", "--epochs", "1", "--quiet"]
    assert main(argv) == 2
    assert "(try '--output sigmoid' for a loss of probabilities)" in capsys.readouterr().err


def test_auto_is_never_implied_when_resolving_a_loss() -> None:
    with pytest.raises(TypeError):
        cli_output("log_cosh")  # type: ignore[call-arg]
    assert cli_output("log_cosh", "auto").name == "linear"


def test_an_output_object_brings_its_own_loss() -> None:
    with pytest.raises(InputError, match=r"'loss' cannot be given with an Output object"):
        Network([3, 1], output=OUTPUTS["linear"], loss="mae")


# ----------------------------------------------------------------- one activation per layer
def test_per_layer_activations_run_each_layer_its_own_g() -> None:
    network = Network([3, 5, 4, 2], ["relu", "swish"], "softmax", init="xavier", seed=3)
    assert [g.name for g in network.activations] == ["relu", "swish"]
    assert network.activation_name == "relu,swish"
    assert "activation=['relu', 'swish']" in repr(network)
    X, Y = problem([3, 5, 4, 2], "softmax", m=7)
    params = {name: value.copy() for name, value in network.params.items()}
    _, caches = network.forward(X, keep_prob=(0.6, 0.8))
    masks = {name: value for name, value in caches.items() if name.startswith("D")}
    hidden, out = network.activations, network.output
    keep = (0.6, 0.8)
    _, plain = reference.forward(X, params, hidden, out, keep_prob=keep, masks=masks)
    grads = network.backward(Y, caches, keep_prob=keep)
    expected = reference.backward(plain, Y, params, hidden, out, keep_prob=keep)
    for name, value in expected.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-10, atol=1e-12, err_msg=name)
    assert gradient_check(network, X, Y).passed
    swapped = Network([3, 5, 4, 2], ["swish", "relu"], "softmax", init="xavier", seed=3)
    assert not np.allclose(swapped.forward(X)[0], network.forward(X)[0])


def test_per_layer_activations_survive_pickles_and_files(tmp_path: Path) -> None:
    network = Network([3, 5, 4, 1], ["leaky_relu(0.2)", "z*sigmoid(z)"], seed=4)
    X, _ = problem([3, 5, 4, 1])
    twin = pickle.loads(pickle.dumps(network))
    save(network, tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    for other in (twin, loaded):
        assert other.activation_name == network.activation_name
        np.testing.assert_array_equal(other.predict_proba(X), network.predict_proba(X))


def test_a_generated_output_survives_a_pickle() -> None:
    network = Network([3, 4, 1], "tanh", loss="log_cosh", seed=5)
    twin = pickle.loads(pickle.dumps(network))
    assert twin.output.loss == "log-cosh" and twin.output.name == "linear"
    X, Y = problem([3, 4, 1], "linear")
    assert twin.cost(X, Y) == network.cost(X, Y)


def test_the_command_line_trains_saves_and_predicts_per_layer(tmp_path: Path, capsys) -> None:
    model = tmp_path / "m.npz"
    argv = ["train", "--data", "moons", "--layers", "8,6", "--activation", "relu,tanh"]
    assert main([*argv, "--epochs", "20", "--quiet", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert "network: 2-8-6-1, relu,tanh hidden units, sigmoid output" in out
    assert load(model).activation_name == "relu,tanh"
    assert main(["train", "--layers", "8", "--activation", "relu,tanh", "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == (
        "chainrule: error: '--activation' must be one activation or a list of one per hidden "
        "layer (1) (got 2: ['relu', 'tanh'])"
    )


# ----------------------------------------------------------------- the classifier
@pytest.mark.parametrize("spelling", ["swish", "leaky_relu(0.2)", "z*tanh(log(1 + exp(z)))"])
def test_the_classifier_takes_every_spelling(spelling: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = MLPClassifier((5,), spelling, max_iter=5, random_state=0).fit(X, y)
    assert same(model.network_.activation, cli_activation(spelling))
    assert model.predict(X).shape == (40,)


def test_the_classifier_takes_one_activation_per_layer_and_checks_the_count() -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int)
    model = MLPClassifier((5, 4), ["logistic", "mish"], max_iter=5, random_state=0).fit(X, y)
    assert model.network_.activation_name == "sigmoid,mish"
    with pytest.raises(ParameterError, match=r"one per hidden layer \(2\) \(got 3"):
        MLPClassifier((5, 4), ["relu", "relu", "tanh"]).fit(X, y)
    with pytest.raises(ParameterError, match=r"'activation' must be one of .* \(got 'swoosh'\)"):
        MLPClassifier((5,), "swoosh").fit(X, y)


@pytest.mark.parametrize(("loss", "n_classes"), [("mse", 2), ("(a - y)**2", 3), ("hinge", 2)])
def test_the_classifier_takes_a_loss_on_its_sigmoid_or_softmax(loss, n_classes) -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((45, 3))
    y = np.digitize(X[:, 0], [-0.4, 0.4]) % n_classes
    model = MLPClassifier((5,), "tanh", loss=loss, max_iter=20, random_state=0).fit(X, y)
    network = model.network_
    assert network.output.name == ("sigmoid" if n_classes == 2 else "softmax")
    assert same_output(network.output, cli_output(loss, network.output.name, parameter="loss"))
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert gradient_check(network, X[:6].T, model._targets(y[:6])).passed


def test_the_classifier_refuses_a_loss_its_output_cannot_take() -> None:
    X = np.random.default_rng(3).standard_normal((20, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ParameterError, match=r"'loss' 'softmax_cross_entropy' is for a softmax"):
        MLPClassifier((3,), loss="softmax_cross_entropy", max_iter=1).fit(X, y)
