"""Generated NumPy code against the hand-written activations and losses, SymPy's own
derivatives (evaluated with mpmath, no NumPy involved), and the stability promises."""

from __future__ import annotations

import copy
import inspect
import pickle
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
import sympy.codegen.cfunctions

from chainrule.codegen import SOFTMAX, compile_activation, compile_loss, source
from chainrule.codegen.kernels import make_kernel
from chainrule.codegen.stable import stabilize
from chainrule.errors import InputError, ProofError
from chainrule.numeric.activations import ACTIVATIONS
from chainrule.numeric.losses import OUTPUTS
from chainrule.symbolic import catalog
from chainrule.symbolic.catalog.parse import parse_expression
from chainrule.symbolic.core.symbols import a, sigma, y, z

#: Every way of writing each built-in activation that the generated code must reproduce.
BUILT_IN_FORMS = {
    "sigmoid": [sigma(z), 1 / (1 + sp.exp(-z)), parse_expression("sigmoid(z)", ["z"])],
    "tanh": [sp.tanh(z)],
    "relu": [sp.Max(0, z), parse_expression("relu(z)", ["z"])],
    "leaky_relu": [sp.Max(z, z / 100), sp.Piecewise((z, z > 0), (z / 100, True))],
    "linear": [z],
}
for _name, _forms in BUILT_IN_FORMS.items():
    _forms.append(catalog.get_activation(_name).expr)  # the catalogue's own form
CASES = [(name, form) for name, forms in BUILT_IN_FORMS.items() for form in forms]

#: Wide range: extremes, the kink at 0, tiny values, and a dense middle.
Z_VALUES = np.concatenate(
    [[-1e4, -1e3, -710.0, -100.0, -89.0, -0.0, 0.0, 1e-300, -1e-300, 89.0, 100.0, 710.0, 1e3, 1e4],
     np.linspace(-40, 40, 801)]
)  # fmt: skip


def tolerance(dtype: type) -> float:
    return 1e-12 if dtype is np.float64 else 1e-6


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize(("name", "form"), CASES, ids=[f"{n}={f}" for n, f in CASES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_generated_activation_matches_the_hand_written_one(name, form, dtype) -> None:
    generated = compile_activation(form, name=name)
    hand = ACTIVATIONS[name]
    Z = Z_VALUES.astype(dtype).reshape(5, -1)
    A, A_hand = generated.forward(Z), hand.forward(Z)
    D, D_hand = generated.derivative(Z, A), hand.derivative(Z, A_hand)
    for mine, theirs in ((A, A_hand), (D, D_hand)):
        assert mine.dtype == dtype
        assert np.all(np.isfinite(mine))
        np.testing.assert_allclose(mine, theirs, rtol=tolerance(dtype), atol=tolerance(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_generated_code_writes_into_the_buffer_it_is_given(dtype) -> None:
    generated = compile_activation(sp.tanh(z), name="tanh")
    Z = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    out = np.empty_like(Z)
    assert generated.forward(Z, out=out) is out
    derivative = np.empty_like(Z)
    assert generated.derivative(Z, out, out=derivative) is derivative
    np.testing.assert_allclose(derivative, 1 - np.tanh(Z) ** 2, rtol=tolerance(dtype))


def test_kinks_take_the_value_from_the_left_as_the_hand_written_code_does() -> None:
    zero = np.zeros((1, 1))
    relu = compile_activation(sp.Max(0, z), name="relu")
    leaky = compile_activation(sp.Max(z, z / 5), name="leaky")
    assert relu.derivative(zero, zero)[0, 0] == 0.0
    assert leaky.derivative(zero, zero)[0, 0] == pytest.approx(0.2)
    assert ACTIVATIONS["relu"].derivative(zero, zero)[0, 0] == 0.0


def test_a_condition_written_with_equality_keeps_its_value_at_the_kink() -> None:
    step_up = compile_activation(sp.Piecewise((2 * z, z >= 0), (z, True)), name="bent")
    assert step_up.derivative(np.zeros((1, 1)), np.zeros((1, 1)))[0, 0] == 2.0


@pytest.mark.parametrize(
    ("text", "value_at_large_z", "slope_at_large_z"),
    [
        ("log(1 + exp(z))", 1e4, 1.0),  # softplus: logaddexp, slope σ(z)
        ("softplus(z)", 1e4, 1.0),
        ("z*sigmoid(z)", 1e4, 1.0),
        ("z*tanh(log(1 + exp(z)))", 1e4, 1.0),  # mish
        ("z/(1 + exp(-z))", 1e4, 1.0),  # swish written out: σ without exp
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_textbook_forms_are_computed_without_overflow(
    text, value_at_large_z, slope_at_large_z, dtype
) -> None:
    activation = compile_activation(parse_expression(text, ["z"]), name="f")
    Z = np.array([[-1e4, -100.0, 0.0, 100.0, 1e4]], dtype=dtype)
    A = activation.forward(Z)
    D = activation.derivative(Z, A)
    assert A.dtype == D.dtype == dtype
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(D))
    assert A[0, -1] == pytest.approx(value_at_large_z)
    assert D[0, -1] == pytest.approx(slope_at_large_z)
    assert A[0, 0] == pytest.approx(0.0, abs=1e-30)


def test_a_piecewise_activation_does_not_warn_about_the_branch_it_does_not_take() -> None:
    elu = compile_activation(sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True)), name="elu")
    Z = np.array([[-1e4, -1.0, 0.0, 1.0, 1e4]])
    np.testing.assert_allclose(elu.forward(Z), [[-1.0, np.expm1(-1.0), 0.0, 1.0, 1e4]])
    np.testing.assert_allclose(elu.derivative(Z, elu.forward(Z)), [[0.0, np.exp(-1.0), 1, 1, 1]])


EPS = {np.float32: float(np.finfo(np.float32).eps), np.float64: float(np.finfo(np.float64).eps)}


#: Points where e^z - 1 cancels: 2e^z - 2 in float32 is 2e-4 off at z = -1e-4 and 0 at -1e-10.
NEAR_ZERO = [-1e-4, -1e-10, -1e-30, 1e-10]


@pytest.mark.parametrize("name", ["elu", "elu(2)", "elu(0.5)", "elu(3)"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_elu_with_any_alpha_is_accurate_near_zero(name, dtype) -> None:
    entry = catalog.get_activation(name)
    activation = compile_activation(entry.expr, name="elu")
    Z = np.array([NEAR_ZERO], dtype=dtype)
    A = activation.forward(Z)
    D = activation.derivative(Z, A)
    slope = sp.diff(entry.expr, z)
    with mpmath.workdps(30):
        for column, point in enumerate(Z[0].astype(float)):  # the point as stored in dtype
            for got, exact in ((A, entry.expr), (D, slope)):
                assert got[0, column] == pytest.approx(mp_value(exact, point), rel=4 * EPS[dtype])


@pytest.mark.parametrize(
    ("expr", "stable"),
    [
        (2 * sp.exp(z) - 2, 2 * sp.codegen.cfunctions.expm1(z)),
        (1 - sp.exp(-a), -sp.codegen.cfunctions.expm1(-a)),  # softplus' in a
        (sp.sqrt(2) * sp.exp(z) - sp.sqrt(2) + z, sp.sqrt(2) * sp.codegen.cfunctions.expm1(z) + z),
        (sp.Rational(1, 3) * (sp.exp(2 * z) - 1), sp.codegen.cfunctions.expm1(2 * z) / 3),
    ],
)
def test_a_constant_times_e_to_the_u_minus_the_constant_is_expm1(expr, stable) -> None:
    assert stabilize(expr) == stable


def test_a_sum_without_cancellation_is_left_alone() -> None:
    assert stabilize(2 * sp.exp(z) - 3) == 2 * sp.exp(z) - 3


def test_constants_never_promote_float32() -> None:
    gelu = parse_expression("z/2*(1 + tanh(sqrt(2/pi)*(z + 0.044715*z**3)))", ["z"])
    activation = compile_activation(gelu * sp.pi / sp.E, name="scaled_gelu")
    Z = np.linspace(-5, 5, 11, dtype=np.float32)[np.newaxis]
    assert activation.forward(Z).dtype == np.float32
    assert activation.derivative(Z, activation.forward(Z)).dtype == np.float32
    text = source(activation)
    assert "numpy.sqrt(2)" not in text and "numpy.pi" not in text and "0.7978845608" in text


# ----------------------------------------------------------------------------- SymPy oracle
ORACLE_EXPRESSIONS = [
    "z*sigmoid(z)",
    "log(1 + exp(z))",
    "z*tanh(log(1 + exp(z)))",
    "z/2*(1 + tanh(sqrt(2/pi)*(z + 0.044715*z**3)))",
    "z/2*(1 + erf(z/sqrt(2)))",
    "exp(-z**2)",
    "z**3/(1 + z**2)",
    "sqrt(1 + z**2) - 1",
    "sin(z) + cosh(z/3)",
    "1/(1 + exp(-2*z))**2",
]


def mp_value(expr: sp.Expr, point: float) -> float:
    """``expr`` at z = point, by mpmath at 30 digits (no NumPy, no generated code)."""
    plain = expr.replace(sigma, lambda u: 1 / (1 + sp.exp(-u)))
    return float(plain.xreplace({z: sp.Float(point, 30)}).evalf(30))


@pytest.mark.parametrize("text", ORACLE_EXPRESSIONS)
def test_generated_derivative_agrees_with_sympy_diff_at_random_points(text) -> None:
    expr = parse_expression(text, ["z"])
    activation = compile_activation(expr, name="f")
    points = np.random.default_rng(len(text)).uniform(-6, 6, size=(1, 9))
    A = activation.forward(points)
    D = activation.derivative(points, A)
    derivative = sp.diff(expr, z)
    with mpmath.workdps(30):
        for column, point in enumerate(points[0]):
            assert A[0, column] == pytest.approx(mp_value(expr, point), rel=1e-12, abs=1e-14)
            assert D[0, column] == pytest.approx(mp_value(derivative, point), rel=1e-11, abs=1e-13)


def test_a_wrong_proven_derivative_is_refused() -> None:
    with pytest.raises(ProofError, match="is not d/dz"):
        compile_activation(sp.tanh(z), name="tanh", derivative=1 + sp.tanh(z) ** 2)


def test_a_right_proven_derivative_is_used_as_given() -> None:
    activation = compile_activation(sigma(z), name="s", derivative=sigma(z) * (1 - sigma(z)))
    assert "numpy.subtract(1, a, out=out), a, out=out)" in source(activation)


# ----------------------------------------------------------------------------- losses
def test_sigmoid_with_cross_entropy_collapses_to_a_minus_y() -> None:
    bce = parse_expression("-(y*log(a) + (1 - y)*log(1 - a))", ["a", "y"])
    output = compile_loss(bce, sigma(z), name="bce", output_name="sigmoid")
    assert "return numpy.subtract(a, y, out=out)" in source(output)
    built_in = OUTPUTS["sigmoid"]
    rng = np.random.default_rng(1)
    Z = rng.normal(0, 30, size=(2, 50))
    Z[0, :4] = [-1e4, 1e4, -800.0, 800.0]
    Y = (rng.random((2, 50)) < 0.5).astype(float)
    A = output.forward(Z)
    np.testing.assert_array_equal(A, built_in.forward(Z))
    cost = output.cost(Z, A, Y, np.empty_like(Z))
    assert cost == pytest.approx(built_in.cost(Z, A, Y, np.empty_like(Z)), rel=1e-12)
    np.testing.assert_allclose(output.delta(Z, A, Y), A - Y, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mean_squared_error_with_a_linear_output_matches_the_built_in(dtype) -> None:
    output = compile_loss((a - y) ** 2 / 2, z, name="mse", output_name="linear")
    built_in = OUTPUTS["linear"]
    rng = np.random.default_rng(2)
    Z, Y = rng.normal(size=(3, 20)).astype(dtype), rng.normal(size=(3, 20)).astype(dtype)
    A = output.forward(Z)
    assert A.dtype == output.delta(Z, A, Y).dtype == dtype
    work = np.empty_like(Z)
    assert output.cost(Z, A, Y, work) == pytest.approx(built_in.cost(Z, A, Y, work), rel=1e-6)
    np.testing.assert_allclose(output.delta(Z, A, Y), Z - Y, rtol=tolerance(dtype))


def test_a_loss_through_any_output_activation_is_its_chain_rule() -> None:
    loss = parse_expression("log(cosh(a - y))", ["a", "y"])
    output = compile_loss(loss, sp.tanh(z), name="log_cosh", output_name="tanh")
    Z = np.linspace(-2, 2, 9)[np.newaxis]
    Y = np.linspace(0, 1, 9)[np.newaxis]
    A = output.forward(Z)
    expected = np.tanh(np.tanh(Z) - Y) * (1 - np.tanh(Z) ** 2)
    np.testing.assert_allclose(output.delta(Z, A, Y), expected, rtol=1e-12)
    assert output.predict is np.copy  # tanh outputs are not probabilities


def test_softmax_with_cross_entropy_collapses_to_a_minus_y_for_one_hot_targets() -> None:
    output = compile_loss(-y * sp.log(a), SOFTMAX, name="cce", output_name="softmax")
    built_in = OUTPUTS["softmax"]
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(4, 30))
    Y = np.eye(4)[rng.integers(0, 4, 30)].T
    A = output.forward(Z)
    np.testing.assert_allclose(output.delta(Z, A, Y), A - Y, atol=1e-12)
    work = np.empty_like(Z)
    assert output.cost(Z, A, Y, work) == pytest.approx(built_in.cost(Z, A, Y, work), rel=1e-12)
    assert output.min_units == 2 and "return numpy.subtract(a, y, out=out)" in source(output)


def test_any_other_softmax_loss_takes_the_jacobian_product() -> None:
    loss = (a - y) ** 2 / 2
    output = compile_loss(loss, SOFTMAX, name="squares", output_name="softmax")
    assert "Jacobian-vector product" in source(output)
    rng = np.random.default_rng(4)
    Z = rng.normal(size=(3, 5))
    Y = rng.random((3, 5))
    A = output.forward(Z)
    delta = output.delta(Z, A, Y)
    for column in range(5):  # J^T g with the softmax Jacobian diag(a) - a a^T
        a_col, g = A[:, column], A[:, column] - Y[:, column]
        jacobian = np.diag(a_col) - np.outer(a_col, a_col)
        np.testing.assert_allclose(delta[:, column], jacobian.T @ g, atol=1e-14)


def test_a_wrong_proven_delta_is_refused() -> None:
    bce = -(y * sp.log(a) + (1 - y) * sp.log(1 - a))
    with pytest.raises(ProofError):
        compile_loss(bce, sigma(z), name="bce", output_name="sigmoid", delta=y - a)
    right = compile_loss(bce, sigma(z), name="bce", output_name="sigmoid", delta=a - y)
    assert "numpy.subtract(a, y, out=out)" in source(right)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compile_activation(a * z, name="f"), "'expr' may only use z"),
        (lambda: compile_activation("z", name="f"), "must be a SymPy expression"),
        (lambda: compile_loss(y**2, z, name="l", output_name="o"), "must depend on a"),
        (lambda: compile_loss(a * z, z, name="l", output_name="o"), "'loss' may only use a, y"),
        (lambda: compile_loss(a, "tanh", name="l", output_name="o"), "or 'softmax'"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(call, message) -> None:
    with pytest.raises(InputError, match=message):
        call()


# ----------------------------------------------------------------------------- the code
def test_the_code_that_runs_is_the_code_shown() -> None:
    activation = compile_activation(z * sigma(z), name="swish")
    shown = source(activation)
    for part in (activation.forward, activation.derivative):
        assert inspect.getsource(part._function) == part.kernel.text
        assert part.kernel.text in shown
    assert shown.startswith("import numpy\n") and "def sigmoid(x, out=None):" in shown
    namespace: dict = {}
    exec(compile(shown, "<shown>", "exec"), namespace)  # the text runs on its own
    Z = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(
        namespace["swish_forward"](Z, np.empty_like(Z)), Z / (1 + np.exp(-Z))
    )


def test_common_subexpressions_are_computed_once() -> None:
    kernel = make_kernel(sp.tanh(z) ** 2 + z * sp.tanh(z), [z], "k")
    assert kernel.text.count("numpy.tanh(") == 1


def test_source_of_an_expression_and_of_hand_written_code() -> None:
    assert "def kernel(a, y, out):" in source(sp.Abs(a - y))
    with pytest.raises(InputError, match="hand-written"):
        source(ACTIVATIONS["relu"])


def test_generated_activations_survive_pickle_and_deepcopy() -> None:
    activation = compile_activation(z * sigma(z), name="swish", expression="z*sigmoid(z)")
    Z = np.linspace(-4, 4, 9)
    for twin in (copy.deepcopy(activation), pickle.loads(pickle.dumps(activation))):
        np.testing.assert_array_equal(twin.forward(Z), activation.forward(Z))
        assert twin.expression == "z*sigmoid(z)"


# ----------------------------------------------------------------------------- the catalogue
def mp_at(expr: sp.Expr, point: dict) -> float:
    """``expr`` at ``point`` by mpmath at 30 digits (σ unfolded; no NumPy involved)."""
    plain = expr.replace(sigma, lambda u: 1 / (1 + sp.exp(-u)))
    exact = {symbol: sp.Float(value, 30) for symbol, value in point.items()}
    return float(plain.xreplace(exact).evalf(30))


def random_away_from_zero(seed: int, size: int) -> np.ndarray:
    """Points in [-6, 6] at least 0.05 from the kinks at 0."""
    values = np.random.default_rng(seed).uniform(0.05, 6, size=size)
    return values * np.where(np.arange(size) % 2, 1, -1)


@pytest.mark.parametrize("name", catalog.names("activation"))
def test_every_catalogue_activation_matches_sympy_and_its_proven_form(name) -> None:
    entry = catalog.get_activation(name)
    activation = compile_activation(entry.expr, name=name)
    points = random_away_from_zero(len(name), 10)[np.newaxis]
    A = activation.forward(points)
    D = activation.derivative(points, A)
    derivative = sp.diff(entry.expr, z)
    for column, point in enumerate(points[0]):
        assert A[0, column] == pytest.approx(mp_at(entry.expr, {z: point}), rel=1e-12, abs=1e-14)
        expected = mp_at(derivative, {z: point})
        assert D[0, column] == pytest.approx(expected, rel=1e-11, abs=1e-13)
        if entry.derivative_form is not None:  # the derivations' form in a = g(z)
            form = entry.derivative_form.xreplace({a: entry.expr})
            assert mp_at(form, {z: point}) == pytest.approx(expected, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("name", catalog.names("loss"))
@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_every_catalogue_loss_matches_sympy_through_an_output(name, output) -> None:
    entry = catalog.get_loss(name)
    g = catalog.get_activation(output).expr
    compiled = compile_loss(entry.expr, g, name=name, output_name=output)
    rng = np.random.default_rng(len(name))
    if output == "linear":
        Z = rng.uniform(0.05, 0.95, size=(1, 8))  # a = z inside (0, 1) for cross-entropy
    else:
        Z = rng.uniform(-3, 3, size=(1, 8))
    labels = {"binary_cross_entropy": [0.0, 1.0], "hinge": [-1.0, 1.0]}.get(name)
    Y = rng.choice(labels, size=(1, 8)) if labels else rng.uniform(-1, 1, size=(1, 8))
    A = compiled.forward(Z)
    delta = compiled.delta(Z, A, Y)
    work = np.empty_like(Z)
    composed = entry.expr.xreplace({a: g})
    slope = sp.diff(composed, z)
    costs = [mp_at(composed, {z: Z[0, k], y: Y[0, k]}) for k in range(8)]
    assert compiled.cost(Z, A, Y, work) == pytest.approx(sum(costs) / 8, rel=1e-12)
    for k in range(8):
        expected = mp_at(slope, {z: Z[0, k], y: Y[0, k]})
        assert delta[0, k] == pytest.approx(expected, rel=1e-11, abs=1e-13)


@pytest.mark.parametrize("name", catalog.names("activation"))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_catalogue_activation_is_finite_and_quiet_at_extreme_z(name, dtype) -> None:
    activation = compile_activation(catalog.get_activation(name).expr, name=name)
    Z = Z_VALUES.astype(dtype).reshape(5, -1)
    A = activation.forward(Z)
    D = activation.derivative(Z, A)
    assert A.dtype == D.dtype == dtype
    assert np.isfinite(A).all() and np.isfinite(D).all()
