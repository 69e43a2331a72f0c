"""Softmax with categorical cross-entropy: the Jacobian, dL/dz_j = a_j - y_j, the output layer."""

import functools

import pytest
import sympy as sp

from chainrule.errors import InputError
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.trees import evaluate
from chainrule.symbolic.derivations.softmax import (
    JACOBIAN,
    SOFTMAX_IDS,
    a_i,
    a_j,
    check_jacobian,
    delta,
    softmax_derivations,
    y_j,
)
from chainrule.symbolic.derivations.softmax_layer import A_L, Y, check_softmax_layer
from chainrule.symbolic.proof.check import Context, prove_equal
from chainrule.symbolic.proof.indexed import check_instances, concrete, softmax_context


@functools.cache
def built() -> dict:
    return {d.id: d for d in softmax_derivations()}


def softmax(size: int):
    z = [sp.Symbol(f"z_{k}", real=True) for k in range(1, size + 1)]
    total = sum(sp.exp(v) for v in z)
    return z, [sp.exp(v) / total for v in z]


def test_the_set_and_its_ids():
    assert list(built()) == list(SOFTMAX_IDS)
    for derivation in built().values():
        assert derivation.routes_agree and derivation.oracle.verdict is Verdict.PROVED
        assert all(step.verdict is Verdict.PROVED for step in derivation.steps())


def test_diagonal_and_off_diagonal_are_derived():
    assert evaluate(built()["s1"].result) == a_i * (1 - a_i)
    assert evaluate(built()["s2"].result) == -a_i * a_j
    assert len(built()["s1"].routes[0].steps) >= 5  # quotient rule, split, recognise ...
    (case,) = built()["s3"].routes[0].steps
    assert [d.id for d in case.subderivations] == ["s1", "s2"]


@pytest.mark.parametrize("size", [2, 3, 4])
def test_jacobian_formula_against_sympy_diff(size):
    z, a = softmax(size)
    for i in range(size):
        for j in range(size):
            formula = a[i] * (int(i == j) - a[j])
            assert sp.simplify(sp.diff(a[i], z[j]) - formula) == 0
            shown = concrete(JACOBIAN, {"i": i + 1, "j": j + 1}, size)
            values = {sp.Symbol(f"a_{k + 1}", real=True): a[k] for k in range(size)}
            assert sp.simplify(shown.xreplace(values) - formula) == 0


def test_jacobian_check_passes_and_planted_errors_fail():
    assert check_jacobian(JACOBIAN).verdict is Verdict.PROVED
    off_diagonal_flipped = a_i * (delta - a_j * (2 * delta - 1))
    failed = check_jacobian(off_diagonal_flipped)
    assert failed.verdict is Verdict.FAILED and "i = 1, j = 2" in failed.method
    diagonal_wrong = a_i * (delta + a_j * (2 * delta - 1))
    assert check_jacobian(diagonal_wrong).verdict is Verdict.FAILED


def test_gradient_collapses_to_a_minus_y():
    derivation = built()["s4"]
    assert derivation.result == a_j - y_j
    texts = [step.text for step in derivation.steps()]
    assert any("Σ_i y_i = 1" in t for t in texts)
    assert any("given: Σ_i y_i = 1" in note for note in derivation.notes)


@pytest.mark.parametrize("size", [2, 3, 4])
def test_gradient_against_sympy_diff_with_one_hot_labels(size):
    z, a = softmax(size)
    y = [sp.Symbol(f"y_{k}", real=True) for k in range(1, size + 1)]
    labels = y[:-1] + [1 - sum(y[:-1])]
    loss = -sum(yk * sp.log(ak) for yk, ak in zip(labels, a, strict=True))
    for j in range(size):
        expected = a[j] - labels[j]
        assert sp.simplify(sp.diff(loss, z[j]) - expected) == 0


def test_the_last_step_needs_the_one_hot_given():
    last = built()["s4"].routes[0].steps[-1]
    loss = sp.Symbol("L", real=True)
    assert check_instances(last.before, last.after, ("j",), loss=loss).verdict is Verdict.PROVED
    before = concrete(last.before, {"j": 1}, 2)
    after = concrete(last.after, {"j": 1}, 2)
    unconstrained = Context(softmax_context(2, loss).definitions[:-1], unit_interval=())
    assert prove_equal(before, after, unconstrained).verdict is Verdict.FAILED


def test_output_layer():
    layer = built()["layers"]
    assert layer.result == A_L - Y and layer.oracle.verdict is Verdict.PROVED
    assert check_softmax_layer(A_L + Y).verdict is Verdict.FAILED
    assert check_softmax_layer(A_L * (1 - A_L) * (A_L - Y)).verdict is Verdict.FAILED


def test_ids_are_validated():
    with pytest.raises(InputError, match="'derivation' must be one of s1"):
        softmax_derivations(["3"])
    assert [d.id for d in softmax_derivations(["s2"])] == ["s2"]
