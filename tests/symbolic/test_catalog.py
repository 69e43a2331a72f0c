"""The catalogue of activations and losses: formulas, derivative forms, conventions, lookup."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.errors import InputError, ParseError
from chainrule.numeric import activations as numeric
from chainrule.numeric.losses import binary_cross_entropy, mean_squared_error
from chainrule.symbolic.catalog import (
    ACTIVATIONS,
    LOSSES,
    SOFTMAX_CROSS_ENTROPY,
    activation_from_text,
    elu,
    get_activation,
    get_loss,
    is_softmax,
    leaky_relu,
    lookup,
    loss_from_text,
    names,
)
from chainrule.symbolic.core.symbols import a, sigma, y, z

POINTS = (-1.7, -0.6, 0.35, 0.9, 2.3)  # no kink (0) among them
LABELS = (0.0, 1.0, 0.3)


def value(expr, point):
    """``expr`` at ``point`` (numbers), σ written out, to 30 digits."""
    return complex(expr.xreplace(point).rewrite(sigma, sp.exp).evalf(30))


def slope_in_g(entry, point):
    """The catalogue's g'(z) form with a = g(z) put in, at z = point."""
    g_value = entry.expr.xreplace({z: point})
    return value(entry.derivative_form, {a: g_value, z: point})


def test_the_catalogue_names():
    assert names("activation") == [
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "linear",
        "softplus",
        "swish",
        "elu",
        "gelu",
        "mish",
    ]
    assert names("loss") == [
        "binary_cross_entropy",
        "mean_squared_error",
        "mean_absolute_error",
        "log_cosh",
        "hinge",
    ]
    with pytest.raises(InputError, match="'kind'"):
        names("output")


@pytest.mark.parametrize("entry", ACTIVATIONS.values(), ids=list(ACTIVATIONS))
def test_activation_entries_are_complete(entry):
    assert entry.kind == "activation" and not entry.custom
    assert entry.expr.has(z) and entry.variable == z
    assert entry.description and entry.text and entry.title


@pytest.mark.parametrize("entry", LOSSES.values(), ids=list(LOSSES))
def test_loss_entries_are_complete(entry):
    assert entry.kind == "loss" and not entry.custom
    assert entry.expr.has(a) and entry.variable == a
    assert entry.description and entry.text and entry.title


@pytest.mark.parametrize(
    "entry",
    [e for e in ACTIVATIONS.values() if e.derivative_form is not None],
    ids=lambda e: e.name,
)
def test_form_in_g_equals_sympy_diff(entry):
    derivative = sp.diff(entry.expr, z)
    for point in POINTS:
        expected = value(derivative, {z: sp.Float(point, 30)})
        assert abs(slope_in_g(entry, sp.Float(point, 30)) - expected) < 1e-20


@pytest.mark.parametrize("entry", LOSSES.values(), ids=list(LOSSES))
def test_loss_derivative_form_equals_sympy_diff(entry):
    derivative = sp.diff(entry.expr, a)
    for point in (0.15, 0.45, 0.8):
        for label in LABELS:
            at = {a: sp.Float(point, 30), y: sp.Float(label, 30)}
            assert abs(value(entry.derivative_form, at) - value(derivative, at)) < 1e-20


def test_gelu_and_mish_have_no_form_in_g():
    assert ACTIVATIONS["gelu"].derivative_form is None
    assert ACTIVATIONS["mish"].derivative_form is None


def test_the_forms_people_use():
    assert ACTIVATIONS["sigmoid"].derivative_form == a * (1 - a)
    assert ACTIVATIONS["tanh"].derivative_form == 1 - a**2
    assert ACTIVATIONS["relu"].derivative_form == sp.Heaviside(z, 0)
    assert ACTIVATIONS["linear"].derivative_form == 1
    assert ACTIVATIONS["swish"].expr == z * sigma(z)


def test_gelu_uses_the_tanh_form_with_exact_constants():
    gelu = ACTIVATIONS["gelu"].expr
    u = sp.sqrt(2 / sp.pi) * (z + sp.Rational(44715, 1000000) * z**3)
    assert sp.expand(gelu - z / 2 * (1 + sp.tanh(u))) == 0
    assert not gelu.atoms(sp.Float)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_forms_agree_with_the_numeric_code(name):
    Z = np.array([[-1.3, -0.2, 0.0, 0.4, 2.1]])
    built_in = numeric.ACTIVATIONS[name]
    A = built_in.forward(Z)
    expected = built_in.derivative(Z, A)
    entry = ACTIVATIONS[name]
    got = [
        float(sp.re(value(entry.derivative_form, {a: sp.Float(av), z: sp.Float(zv)})))
        for zv, av in zip(Z[0], A[0], strict=True)
    ]
    assert np.allclose(got, expected[0], atol=1e-12)  # kinks included: relu'(0) = 0 etc.


def test_kink_conventions_are_stated():
    assert "relu'(0) is taken as 0" in ACTIVATIONS["relu"].notes[0]
    assert "1/100" in ACTIVATIONS["leaky_relu"].notes[0]
    assert "elu'(0) = 1" in ACTIVATIONS["elu"].notes[0]
    assert "sign(0) = 0" in LOSSES["mean_absolute_error"].notes[0]
    hinge = " ".join(LOSSES["hinge"].notes)
    assert "{-1, 1}" in hinge and "H(0) = 0" in hinge


def test_losses_follow_the_numeric_conventions():
    Z = np.array([[-0.7, 0.3, 1.9]])
    Y = np.array([[0.0, 1.0, 1.0]])
    A = numeric.sigmoid(Z)
    work = np.empty_like(Z)
    for loss, numeric_cost in (
        ("binary_cross_entropy", binary_cross_entropy),
        ("mean_squared_error", mean_squared_error),
    ):
        expr = LOSSES[loss].expr
        per_example = [
            float(sp.re(value(expr, {a: sp.Float(av), y: sp.Float(yv)})))
            for av, yv in zip(A[0], Y[0], strict=True)
        ]
        assert np.isclose(np.mean(per_example), numeric_cost(Z, A, Y, work))


def test_lookup_by_alias_case_and_dash():
    assert lookup("activation", "SiLU") is ACTIVATIONS["swish"]
    assert lookup("activation", "Leaky-ReLU") is ACTIVATIONS["leaky_relu"]
    assert lookup("loss", "bce") is LOSSES["binary_cross_entropy"]
    assert lookup("loss", "MSE") is LOSSES["mean_squared_error"]
    assert lookup("loss", "nope") is None and lookup("loss", 3) is None


def test_parameterised_entries():
    entry = lookup("activation", "leaky_relu(0.2)")
    assert entry.name == "leaky_relu(0.2)"
    assert entry.derivative_form == sp.Piecewise((1, z > 0), (sp.Rational(1, 5), True))
    assert elu(2).derivative_form == sp.Piecewise((1, z > 0), (a + 2, True))
    assert "not differentiable" in elu("1/2").notes[0]
    with pytest.raises(InputError, match="'slope'"):
        leaky_relu(1.5)
    with pytest.raises(InputError, match="'alpha'"):
        elu(-1)


@settings(max_examples=15, deadline=None)
@given(st.fractions(min_value=0, max_value=0.99))
def test_leaky_relu_slope_is_exact(slope):
    entry = leaky_relu(sp.Rational(slope.numerator, slope.denominator))
    below = entry.expr.xreplace({z: sp.Integer(-3)})
    assert below == -3 * sp.Rational(slope.numerator, slope.denominator)
    assert entry.derivative_form.xreplace({z: sp.Integer(0)}) == sp.Rational(
        slope.numerator, slope.denominator
    )


def test_custom_entries_from_text():
    act = activation_from_text("z*sigmoid(z)")
    assert act.custom and act.kind == "activation" and act.expr == z * sigma(z)
    assert act.name == "z*sigmoid(z)" and act.derivative_form is None
    loss = loss_from_text("(a - y)**4")
    assert loss.custom and loss.expr == (a - y) ** 4
    kinked = activation_from_text("max(0, z)")
    assert any("not differentiable" in note for note in kinked.notes)


def test_get_by_name_or_text():
    assert get_activation("tanh") is ACTIVATIONS["tanh"]
    assert get_activation("z**3").custom
    assert get_loss("hinge") is LOSSES["hinge"]
    assert get_loss(LOSSES["hinge"]) is LOSSES["hinge"]
    with pytest.raises(InputError, match="must be an activation entry"):
        get_activation(LOSSES["hinge"])


@pytest.mark.parametrize(
    "reader, text, fragment",
    [
        (get_activation, "foo", "'activation' must be one of sigmoid, tanh"),
        (get_activation, "z +", "invalid syntax"),
        (get_activation, "__import__('os').system('true')", "'activation'"),
        (get_activation, "5", "must depend on z"),
        (get_loss, "bogus", "'loss' must be one of binary_cross_entropy"),
        (get_loss, "y**2", "must depend on the output a"),
        (get_activation, 7, "must be a name or math text"),
    ],
)
def test_bad_names_and_text_are_refused(reader, text, fragment):
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        reader(text)


def test_text_readers_raise_parse_errors():
    with pytest.raises(ParseError):
        activation_from_text("a + z")
    with pytest.raises(ParseError):
        loss_from_text("z")


def test_softmax_entry():
    assert is_softmax("softmax_cross_entropy") and is_softmax("Categorical-Cross-Entropy")
    assert not is_softmax("bce") and not is_softmax(None)
    assert SOFTMAX_CROSS_ENTROPY.kind == "output"
    assert str(SOFTMAX_CROSS_ENTROPY.derivative_form) == "a_j - y_j"
