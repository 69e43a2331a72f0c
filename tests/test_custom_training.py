"""Networks with generated activations and losses: every activation × loss pair passes the
gradient check, a custom activation learns, and models save and load by their math.

Kinks: relu, leaky_relu (and an ELU written with max/min), mae and hinge are not
differentiable everywhere, and central differences across a kink measure neither one-sided
derivative. The check therefore runs on data and weights drawn (from a fixed list of seeds)
so that every kink argument stays at least ``MARGIN`` away from 0 at every hidden unit and
every output: :func:`kink_arguments` finds the arguments (of |u|, sign(u), H(u), max and min,
piecewise conditions) symbolically, and the seed is taken only if all of them clear the margin.
The steps of the differences (1e-5 in each parameter) move them far less than that.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from chainrule.custom import pair_source, resolve_activation, resolve_output
from chainrule.data import load_dataset
from chainrule.errors import InputError
from chainrule.numeric import Network, gradient_check, make_leaky_relu, train
from chainrule.numeric.losses import OUTPUTS
from chainrule.numeric.persist import load, save
from chainrule.symbolic import catalog
from chainrule.symbolic.catalog.parse import parse_expression
from chainrule.symbolic.core.symbols import a, y, z

#: Activations written as text, beside the catalogue's (ELU and leaky ReLU by max and min).
ACTIVATION_TEXTS = {
    "swish_text": "z*sigmoid(z)",
    "elu_by_min": "relu(z) + min(0, exp(z) - 1)",
    "leaky_by_max": "max(z, 0.01*z)",
    "gelu_text": "z/2*(1 + tanh(sqrt(2/pi)*(z + 0.044715*z**3)))",
    "mish_text": "z*tanh(softplus(z))",
}
LOSS_TEXTS = {"hinge_text": "max(0, 1 - (2*y - 1)*a)", "quartic": "(a - y)**4"}
ACTIVATION_NAMES = catalog.names("activation")
LOSS_NAMES = catalog.names("loss")
CLASSIFICATION_LOSSES = {"binary_cross_entropy", "hinge", "hinge_text"}
MARGIN = 1e-3
SIZES = [3, 5, 4, 2]


@functools.cache
def activation(spec: str):
    return resolve_activation(ACTIVATION_TEXTS.get(spec, spec))


@functools.cache
def output(spec: str, output_name: str = "auto"):
    return resolve_output(LOSS_TEXTS.get(spec, spec), output_name)


def activation_expr(spec: str) -> sp.Expr:
    if spec in ACTIVATION_TEXTS:
        return parse_expression(ACTIVATION_TEXTS[spec], ["z"])
    return catalog.get_activation(spec).expr


def loss_expr(spec: str) -> sp.Expr:
    """L(a, y) as the network computes it, on 0/1 targets (the hinge reads y as 2y - 1)."""
    if spec in LOSS_TEXTS:
        return parse_expression(LOSS_TEXTS[spec], ["a", "y"])
    expr = catalog.get_loss(spec).expr
    return expr.xreplace({y: 2 * y - 1}) if spec == "hinge" else expr


def kink_arguments(expr: sp.Expr) -> list[sp.Expr]:
    """Expressions that are 0 exactly where ``expr`` may have a kink."""
    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            found.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            found.extend(p - q for p in node.args for q in node.args if p is not q)
        elif isinstance(node, sp.Piecewise):
            found.extend(c.lhs - c.rhs for _, c in node.args if isinstance(c, sp.Rel))
    return found


def clearance(expr: sp.Expr, symbols: list[sp.Symbol], *arrays: np.ndarray) -> float:
    """Smallest |kink argument| of ``expr`` over the arrays (inf without kinks)."""
    smallest = np.inf
    for argument in kink_arguments(expr):
        values = sp.lambdify(symbols, argument, "numpy")(*arrays)
        smallest = min(smallest, float(np.min(np.abs(values))))
    return smallest


def away_from_kinks(
    activation_spec: str, loss_spec: str, out
) -> tuple[Network, np.ndarray, np.ndarray]:
    """A small float64 network and data whose hidden units and outputs clear every kink."""
    g, loss = activation_expr(activation_spec), loss_expr(loss_spec)
    for seed in range(50):
        rng = np.random.default_rng(seed)
        network = Network(SIZES, activation(activation_spec), out, "xavier", seed=seed)
        X = rng.normal(size=(SIZES[0], 6))
        if loss_spec in CLASSIFICATION_LOSSES:
            Y = (rng.random((SIZES[-1], 6)) < 0.5).astype(float)
        else:
            Y = rng.uniform(-1, 1, size=(SIZES[-1], 6))
        A_L, caches = network.forward(X)
        hidden = [caches[f"Z{layer}"] for layer in range(1, len(SIZES) - 1)]
        margins = [clearance(g, [z], Z) for Z in hidden] + [clearance(loss, [a, y], A_L, Y)]
        if min(margins) > MARGIN:
            return network, X, Y
    raise AssertionError(f"no seed keeps {activation_spec} x {loss_spec} away from its kinks")


def check_pair(activation_spec: str, loss_spec: str) -> None:
    network, X, Y = away_from_kinks(activation_spec, loss_spec, output(loss_spec))
    report = gradient_check(network, X, Y)
    assert report.passed, str(report)


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("activation_name", ACTIVATION_NAMES)
def test_every_catalogue_pair_passes_the_gradient_check(activation_name, loss_name):
    check_pair(activation_name, loss_name)


@pytest.mark.parametrize("loss_spec", [*LOSS_TEXTS, "log_cosh"])
@pytest.mark.parametrize("activation_spec", sorted(ACTIVATION_TEXTS))
def test_activations_and_losses_written_as_text_pass_the_gradient_check(activation_spec, loss_spec):
    check_pair(activation_spec, loss_spec)


@pytest.mark.parametrize("activation_name", ACTIVATION_NAMES)
def test_every_catalogue_activation_with_softmax_cross_entropy_passes(activation_name):
    rng = np.random.default_rng(5)
    for seed in range(50):
        network = Network([3, 6, 4], activation(activation_name), "softmax", "xavier", seed=seed)
        X = rng.normal(size=(3, 7))
        Z1 = network.forward(X)[1]["Z1"]
        if clearance(activation_expr(activation_name), [z], Z1) > MARGIN:
            break
    Y = np.eye(4)[rng.integers(0, 4, 7)].T
    assert resolve_output("softmax_cross_entropy", "auto") is OUTPUTS["softmax"]
    assert gradient_check(network, X, Y).passed


@pytest.mark.parametrize("activation_name", ["swish", "gelu", "tanh"])
def test_a_softmax_output_with_a_custom_loss_passes_the_gradient_check(activation_name):
    out = resolve_output("-y*log(a) + (a - y)**2", "softmax")
    rng = np.random.default_rng(5)
    network = Network([3, 6, 4], activation(activation_name), out, "xavier", seed=3)
    X = rng.normal(size=(3, 7))
    Y = np.eye(4)[rng.integers(0, 4, 7)].T
    assert gradient_check(network, X, Y).passed


def test_the_gradient_check_catches_a_planted_wrong_derivative():
    good = activation("swish")
    wrong = type(good)("swish", good.forward, lambda Z, A: 2 * good.derivative(Z, A))
    rng = np.random.default_rng(0)
    network = Network([3, 4, 1], wrong, "sigmoid", "xavier", seed=0)
    X, Y = rng.normal(size=(3, 5)), (rng.random((1, 5)) < 0.5).astype(float)
    assert not gradient_check(network, X, Y).passed


def test_a_custom_activation_learns_the_moons():
    data = load_dataset("moons", seed=0)
    network = Network([2, 16, 1], resolve_activation("z*sigmoid(z)"), "sigmoid", "xavier", seed=0)
    train(network, data.X_train, data.Y_train, epochs=1500, learning_rate=0.5, verbose=False)
    assert network.accuracy(data.X_train, data.Y_train) > 0.95
    assert network.accuracy(data.X_test, data.Y_test) > 0.95


def test_a_float32_network_with_generated_code_stays_float32():
    data = load_dataset("moons", seed=1)
    out = resolve_output("log(cosh(a - y))", "tanh")
    network = Network([2, 8, 1], activation("mish"), out, "xavier", "float32", seed=1)
    history = train(network, data.X_train, data.Y_train, epochs=50, verbose=False)
    A, caches = network.forward(data.X_test.astype(np.float32))
    assert A.dtype == caches["A1"].dtype == np.float32
    assert np.isfinite(history.costs).all()


# ----------------------------------------------------------------------------- saving
def architecture(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        raw = np.load(archive.open("architecture.npy"), allow_pickle=False)
    return json.loads(str(raw))


def test_a_generated_network_saves_by_its_math_and_loads_exactly(tmp_path):
    out = resolve_output("hinge", "tanh")
    network = Network([3, 5, 2], activation("swish"), out, "xavier", seed=4)
    path = tmp_path / "model.npz"
    save(network, path)
    spec = architecture(path)
    assert spec["activation"] == {"name": "swish", "expression": "swish"}
    assert spec["output"]["loss_expression"] == "hinge"
    assert spec["output"]["output_expression"] == "tanh"
    loaded = load(path)
    X = np.random.default_rng(0).normal(size=(3, 9))
    np.testing.assert_array_equal(loaded.predict_proba(X), network.predict_proba(X))
    assert loaded.activation.name == network.activation.name
    assert (loaded.output.name, loaded.output.loss) == (out.name, out.loss)


def test_a_leaky_relu_saves_its_slope_from_its_parameters(tmp_path):
    leaky = make_leaky_relu(0.2)
    assert dict(leaky.parameters) == {"slope": 0.2}
    save(Network([2, 3, 1], leaky, "sigmoid", seed=0), tmp_path / "m.npz")
    assert architecture(tmp_path / "m.npz")["activation"] == {"name": "leaky_relu", "slope": 0.2}
    assert load(tmp_path / "m.npz").activation.name == "leaky_relu(0.2)"


def test_a_saved_expression_that_does_not_parse_is_a_model_file_error(tmp_path):
    network = Network([2, 3, 1], activation("swish"), "sigmoid", seed=0)
    path = tmp_path / "m.npz"
    save(network, path)
    with np.load(path) as archive:
        entries = {key: archive[key] for key in archive.files}
    spec = json.loads(str(entries["architecture"]))
    spec["activation"]["expression"] = "__import__('os')"
    entries["architecture"] = np.array(json.dumps(spec))
    np.savez(path, **entries)
    with pytest.raises(InputError, match="cannot load model"):
        load(path)


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_saving_and_loading_built_in_models_never_imports_sympy(tmp_path):
    code = (
        "import sys\n"
        "from chainrule.numeric import Network\n"
        "from chainrule.numeric.persist import save, load\n"
        f"path = {str(tmp_path / 'm.npz')!r}\n"
        "save(Network([2, 3, 1], 'relu', 'sigmoid', seed=0), path)\n"
        "load(path)\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_a_model_with_a_generated_activation_loads_in_a_fresh_process(tmp_path):
    save(Network([2, 3, 1], activation("gelu"), "sigmoid", seed=0), tmp_path / "m.npz")
    code = (
        "from chainrule.numeric.persist import load\n"
        f"print(load({str(tmp_path / 'm.npz')!r}).activation.expression)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "gelu"


# ----------------------------------------------------------------------------- pair code
@pytest.mark.parametrize(
    ("activation_name", "loss_name", "delta_line"),
    [
        ("sigmoid", "binary_cross_entropy", "return numpy.subtract(a, y, out=out)"),
        ("linear", "mean_squared_error", "return numpy.subtract(z, y, out=out)"),
        ("tanh", "softmax_cross_entropy", "return numpy.subtract(a, y, out=out)"),
    ],
)
def test_the_code_of_a_pair_shows_the_collapsed_delta_and_runs(
    activation_name, loss_name, delta_line
):
    text = pair_source(activation_name, loss_name)
    assert delta_line in text
    namespace: dict = {}
    exec(compile(text, "<pair>", "exec"), namespace)
    Z = np.linspace(-2, 2, 5)
    forward = namespace[f"{activation_name}_forward"]
    hand = resolve_activation(activation_name)
    np.testing.assert_allclose(forward(Z, np.empty_like(Z)), hand.forward(Z), atol=1e-15)


def test_the_estimator_takes_a_generated_activation_and_clones_it():
    from sklearn.base import clone
    from sklearn.datasets import make_moons

    from chainrule.numeric.estimator import MLPClassifier

    X, labels = make_moons(300, noise=0.1, random_state=0)
    model = MLPClassifier(
        hidden_layer_sizes=(16,), activation=resolve_activation("swish"), solver="adam",
        learning_rate_init=0.05, max_iter=200, random_state=0,
    )  # fmt: skip
    twin = clone(model)
    assert twin.activation.expression == "swish"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning is not the point here
        twin.fit(X, labels)
    assert twin.score(X, labels) > 0.95
