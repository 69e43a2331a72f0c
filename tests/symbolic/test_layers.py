"""The layer equations: every step proven entry by entry; wrong equations and shapes refused;
the formulas checked against central differences with NumPy (an independent oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.errors import InputError, ProofError
from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.derivations.layers.dense import (
    backward_equations,
    forward_equations,
    layer_equations,
)
from chainrule.symbolic.proof.check import Context
from chainrule.symbolic.proof.matrix import (
    LayerNetwork,
    check_backward_pass,
    check_equation,
    evaluate,
)
from chainrule.symbolic.proof.shapes import EXAMPLES, layer_matrix, shape_of, shape_text

m = EXAMPLES
W, b, A_prev, Z = layer_matrix("W"), layer_matrix("b"), layer_matrix("A", "l-1"), layer_matrix("Z")
dZ, dA, dW, db = layer_matrix("dZ"), layer_matrix("dA"), layer_matrix("dW"), layer_matrix("db")
dA_prev, g, g_prime = layer_matrix("dA", "l-1"), layer_matrix("g"), layer_matrix("g'")
A_L, Y, dZ_L = layer_matrix("A", "L"), layer_matrix("Y"), layer_matrix("dZ", "L")
W_next, dZ_next = layer_matrix("W", "l+1"), layer_matrix("dZ", "l+1")


@pytest.fixture(scope="module")
def network() -> LayerNetwork:
    return LayerNetwork((3, 2, 1), 4, "tanh")


@pytest.fixture(scope="module")
def derivation():
    return layer_equations()


# --- the derivation --------------------------------------------------------------------------


def test_every_step_is_proved_in_the_order_of_the_course(derivation):
    (route,) = derivation.routes
    assert route.name == "chain rule"
    lhs = [step.lhs for step in route.steps]
    assert lhs == [Z, layer_matrix("A"), dZ_L, dZ, dZ, dW, db, dA_prev]
    assert all(step.verdict is Verdict.PROVED for step in route.steps)
    equations = [step.after for k, step in enumerate(route.steps) if k >= 2 and k != 4]
    assert equations == [r for _, r in backward_equations()]
    assert derivation.oracle is not None and derivation.oracle.verdict is Verdict.PROVED
    assert "11 entries" in derivation.oracle.method


def test_dz_of_a_hidden_layer_is_the_three_factor_chain(derivation):
    """dZ[l] = (W[l+1]ᵀ dZ[l+1]) ⊙ g'[l](Z[l]), proven at the hidden layers only."""
    step = derivation.routes[0].steps[4]
    assert step.move == "substitute" and step.lhs == dZ
    assert step.after == sp.HadamardProduct(W_next.T * dZ_next, g_prime)
    assert "(l = 1: 8 entries)" in step.check.method
    deeper = layer_equations((3, 2, 2, 1), 4, ("relu", "tanh")).routes[0].steps[4]
    assert deeper.verdict is Verdict.PROVED
    assert "(l = 2: 8, l = 1: 8 entries)" in deeper.check.method


def test_result_pairs_the_backward_equations(derivation):
    lhs, rhs = zip(*backward_equations(), strict=True)
    assert derivation.id == "layers"
    assert derivation.title == "Wrap-up — the layer equations"
    assert derivation.goal == sp.Tuple(*lhs)
    assert derivation.result == derivation.routes[0].result == sp.Tuple(*rhs)
    assert derivation.routes_agree and derivation.givens == ()


def test_checks_say_what_was_compared(derivation):
    methods = {sp.sstr(step.lhs): step.check.method for step in derivation.steps()}
    assert methods["Z^{[l]}"].startswith("definition;")
    assert "∂J/∂W[l] (l = 2: 2, l = 1: 6 entries) at n = (3, 2, 1), m = 4" in methods["dW^{[l]}"]
    assert methods["dZ^{[l]}"].startswith("exact: every entry equals m·∂J/∂Z[l]")
    assert "m·∂J/∂A[l-1] (l = 2: 8 entries)" in methods["dA^{[l-1]}"]


@pytest.mark.parametrize(
    ("index", "words", "notes"),
    [
        (
            0,
            ["A[0] = X", "every column"],
            ["broadcasting", "(n[l], n[l-1])·(n[l-1], m) + (n[l], 1)"],
        ),
        (2, ["result [3]"], ["m·∂J/∂Z[l]", "dZ[L] (n[L], m) = (n[L], m) - (n[L], m)"]),
        (3, ["result [2]"], ["diagonal", "element-wise", "(n[l], m) = (n[l], m) ⊙ (n[l], m)"]),
        (4, ["W[l+1]ᵀ dZ[l+1]"], ["(n[l], m) = (n[l], n[l+1])·(n[l+1], m) ⊙ (n[l], m)"]),
        (5, ["divided by m"], ["1/m", "dW[l] (n[l], n[l-1]) = (n[l], m)·(m, n[l-1])"]),
        (6, ["result [6]"], ["np.sum(dZ, axis=1, keepdims=True)", "(n[l], 1) = (n[l], m)·(m, 1)"]),
        (7, ["transposed"], ["dA[l-1] (n[l-1], m) = (n[l-1], n[l])·(n[l], m)"]),
    ],
)
def test_one_sentence_a_step_the_reasons_and_shapes_in_the_notes(derivation, index, words, notes):
    text = derivation.routes[0].steps[index].text
    assert text.endswith(".") and ". " not in text and "Shapes" not in text
    assert all(word in text for word in words)
    every_note = " ".join(derivation.notes)
    assert all(piece in every_note for piece in notes)


def test_every_expression_prints(derivation):
    expressions = [derivation.goal, derivation.result]
    for step in derivation.steps():
        expressions += [step.lhs, step.before, step.after]
    for expr in expressions:
        assert sp.sstr(expr) and sp.latex(expr)
    assert "1/m*dZ^{[l]}*A^{[l-1]}.T" in sp.sstr(derivation.result)
    assert r"\circ" in sp.latex(derivation.result)
    assert any("1/m" in note for note in derivation.notes)


def test_the_derivation_is_reused_for_the_same_sizes():
    assert layer_equations([3, 2, 1], 4) is layer_equations((3, 2, 1), 4, "tanh")


@pytest.mark.parametrize("hidden", ["sigmoid", "relu"])
def test_other_hidden_activations_are_proved_too(hidden):
    derivation = layer_equations((2, 3, 1), 2, hidden)
    assert all(step.verdict is Verdict.PROVED for step in derivation.steps())
    assert derivation.oracle.verdict is Verdict.PROVED
    assert any("ReLU" in note for note in derivation.notes) == (hidden == "relu")


def test_each_hidden_layer_may_have_its_own_activation():
    derivation = layer_equations((2, 1, 1, 1), 2, ("relu", "tanh"))
    assert all(step.verdict is Verdict.PROVED for step in derivation.steps())
    assert derivation.oracle.verdict is Verdict.PROVED
    assert any("g[1] = relu, g[2] = tanh, and g[3] = σ" in note for note in derivation.notes)
    assert any("relu then tanh hidden layers" in note for note in derivation.notes)
    network = LayerNetwork((2, 1, 1, 1), 2, ("relu", "tanh"))
    t = sp.Symbol("t", real=True)
    one = sp.ImmutableMatrix([[t]])
    assert network.activate(1, one)[0] == sp.Max(0, t)
    assert network.activate(2, one)[0] == sp.tanh(t)
    with pytest.raises(InputError, match=r"'hidden' must be one activation or one per hidden"):
        layer_equations((2, 1, 1, 1), 2, ("relu",))


def test_a_deeper_network_checks_every_layer():
    network = LayerNetwork((1, 2, 3, 1), 2, "tanh")
    check = check_equation(dW, (1 / m) * dZ * A_prev.T, network)
    assert check.verdict is Verdict.PROVED
    assert "l = 3: 3, l = 2: 6, l = 1: 2 entries" in check.method
    assert check_backward_pass(backward_equations(), network).verdict is Verdict.PROVED


@pytest.mark.parametrize(
    ("sizes", "m_", "hidden"),
    [
        ((3, 1), 4, "tanh"),
        ((3, 0, 1), 4, "tanh"),
        ((3, 2.0, 1), 4, "tanh"),
        ("321", 4, "tanh"),
        ((3, 2, 1), 0, "tanh"),
        ((3, 2, 1), 4, "softmax"),
    ],
)
def test_bad_sizes_are_refused_by_name(sizes, m_, hidden):
    with pytest.raises(InputError, match="'(sizes|m|hidden)'"):
        layer_equations(sizes, m_, hidden)


# --- planted wrong equations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (dW, dZ * A_prev.T),  # the 1/m forgotten
        (db, dZ * sp.OneMatrix(m, 1)),  # the 1/m forgotten
        (dZ, sp.HadamardProduct(dA, g)),  # g instead of g'
        (dZ_L, Y - A_L),  # the sign
        (dA_prev, 2 * W.T * dZ),  # a stray factor
        (dZ, sp.HadamardProduct(W_next.T * dZ_next, g)),  # g instead of g', one layer up
        (dZ, sp.HadamardProduct(W_next.T * dZ_next, layer_matrix("A"))),  # A[l] for g'
    ],
    ids=[
        "dW-without-1/m",
        "db-without-1/m",
        "g-for-g'",
        "y-minus-a",
        "factor-2",
        "three-factors-g",
        "three-factors-A",
    ],
)
def test_a_wrong_equation_fails_its_entry_check(network, lhs, rhs):
    check = check_equation(lhs, rhs, network)
    assert check.verdict is Verdict.FAILED
    assert "differs from" in check.method and "entry (" in check.method


@pytest.mark.parametrize(
    ("lhs", "rhs", "message"),
    [
        (dA_prev, W * dZ, "does not conform"),  # W not transposed
        (dZ, sp.HadamardProduct(W_next * dZ_next, g_prime), "does not conform"),
        (dZ, dA * g_prime, "does not conform"),  # a matrix product for ⊙
        (dW, (1 / m) * dZ * layer_matrix("A").T, "differ in shape"),  # A[l] for A[l-1]
        (dZ, sp.HadamardProduct(dA, W), "shapes differ"),
        (Z, W * A_prev + b, "shapes differ"),  # broadcast not declared
    ],
)
def test_a_shape_mismatch_raises(network, lhs, rhs, message):
    with pytest.raises(ProofError, match=message):
        check_equation(lhs, rhs, network)


def test_a_failed_check_is_never_recorded(network):
    route = RouteBuilder("chain rule", Context())
    check = check_equation(dW, dZ * A_prev.T, network)
    with pytest.raises(ProofError, match="failed its check"):
        route.record(dW, dZ * A_prev.T, "average_over_examples", "planted", check)
    assert route.steps == []


def test_a_wrong_equation_fails_the_chained_backward_pass(network):
    equations = [(lhs, rhs) for lhs, rhs in backward_equations() if lhs != dA_prev]
    check = check_backward_pass([*equations, (dA_prev, 2 * W.T * dZ)], network)
    assert check.verdict is Verdict.FAILED and "dW[1]" in check.method
    with pytest.raises(ProofError, match="needs an equation"):
        check_backward_pass(equations, network)


def test_an_unknown_symbol_is_refused(network):
    with pytest.raises(ProofError, match="does not know"):
        check_equation(dW, sp.MatrixSymbol("Q^{[l]}", *dW.shape), network)
    with pytest.raises(ValueError, match="no layer matrix"):
        layer_matrix("W", "l-1")


def test_shapes_of_the_equations():
    assert shape_of(W.T * dZ) == dA_prev.shape
    assert shape_of(W * A_prev + b, broadcast=True) == Z.shape
    assert shape_of((1 / m) * dZ * sp.OneMatrix(m, 1)) == db.shape
    assert shape_of(m) is None
    assert shape_text(dW, (1 / m) * dZ * A_prev.T) == "(n[l], n[l-1]) = (n[l], m)·(m, n[l-1])"
    for lhs, rhs in forward_equations()[1:] + backward_equations():
        assert shape_of(lhs) == shape_of(rhs)


# --- an independent oracle: NumPy and central differences ------------------------------------


def _forward(params, inputs, labels):
    """Z, A (lists indexed by layer) and the cross-entropy cost J; tanh hidden, σ output."""
    depth = len(params)
    As, Zs = [inputs], [None]
    for layer, (W_, b_) in enumerate(params, start=1):
        Zs.append(W_ @ As[-1] + b_)
        As.append(1 / (1 + np.exp(-Zs[-1])) if layer == depth else np.tanh(Zs[-1]))
    cost = -np.mean(np.sum(labels * np.log(As[-1]) + (1 - labels) * np.log(1 - As[-1]), axis=0))
    return Zs, As, cost


def _formula_gradients(params, inputs, labels):
    """dW[l], db[l] from the shipped backward equations, evaluated with floats."""
    Zs, As, _ = _forward(params, inputs, labels)
    depth, examples = len(params), inputs.shape[1]
    equations = dict(backward_equations())
    values = {dZ_L: sp.Matrix(As[-1] - labels)}
    values[dZ] = values[dZ_L]
    grads = {}
    for layer in range(depth, 0, -1):
        values |= {
            W: sp.Matrix(params[layer - 1][0]),
            A_prev: sp.Matrix(As[layer - 1]),
            A_L: sp.Matrix(As[-1]),
            Y: sp.Matrix(labels),
        }
        bind, sizes = values.__getitem__, {m: examples}
        grads[layer] = [
            np.array(evaluate(equations[lhs], bind, sizes), dtype=float) for lhs in (dW, db)
        ]
        if layer > 1:
            values[dA] = evaluate(equations[dA_prev], bind, sizes)
            values[g_prime] = sp.Matrix(1 - np.tanh(Zs[layer - 1]) ** 2)
            values[dZ] = evaluate(equations[dZ], bind, sizes)
    return grads


def _central_differences(params, inputs, labels, h=1e-6):
    grads = {}
    for layer, pair in enumerate(params, start=1):
        grads[layer] = []
        for array in pair:
            grad = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                saved = array[index]
                array[index] = saved + h
                up = _forward(params, inputs, labels)[2]
                array[index] = saved - h
                down = _forward(params, inputs, labels)[2]
                array[index] = saved
                grad[index] = (up - down) / (2 * h)
            grads[layer].append(grad)
    return grads


@settings(max_examples=12, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=3, max_size=4),
    examples=st.integers(1, 5),
    seed=st.integers(0, 2**31),
)
def test_the_formulas_match_central_differences(sizes, examples, seed):
    rng = np.random.default_rng(seed)
    params = [
        [rng.normal(size=(sizes[k], sizes[k - 1])), rng.normal(size=(sizes[k], 1))]
        for k in range(1, len(sizes))
    ]
    inputs = rng.normal(size=(sizes[0], examples))
    labels = rng.integers(0, 2, size=(sizes[-1], examples)).astype(float)
    formulas, numeric = (
        _formula_gradients(params, inputs, labels),
        _central_differences(params, inputs, labels),
    )
    for layer, pair in numeric.items():
        for by_formula, by_differences in zip(formulas[layer], pair, strict=True):
            np.testing.assert_allclose(by_formula, by_differences, rtol=1e-5, atol=1e-7)
