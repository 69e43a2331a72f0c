"""The JSON document's readable names: each a Python name, each declared once, and the
declarations rebuild every symbol exactly (assumptions and shapes included)."""

from __future__ import annotations

import pytest
import sympy as sp

from chainrule.render.json_names import DocumentNames, readable_name


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("W^{[l]}", "W_l"),
        ("A^{[l-1]}", "A_lm1"),
        ("dZ^{[l+1]}", "dZ_lp1"),
        ("g'^{[l]}(Z^{[l]})", "gprime_l_of_Z_l"),
        ("n^{[L]}", "n_L"),
        ("c'", "cprime"),
        ("gamma", "gamma_"),  # SymPy's function
        ("lambda", "lambda_"),  # a keyword
        ("x", "x"),
    ],
)
def test_a_course_name_becomes_a_python_name(label: str, name: str) -> None:
    assert readable_name(label) == name
    assert name.isidentifier()


def _read(text: str, names: DocumentNames) -> sp.Basic:
    declared = {name: sp.sympify(text) for name, text in names.declarations.items()}
    return sp.sympify(text, locals=declared)


def test_matrices_arrays_and_assumptions_read_back_exactly() -> None:
    m = sp.Symbol("m", positive=True, integer=True)
    n = sp.Symbol("n^{[l]}", positive=True, integer=True)
    W, A = sp.MatrixSymbol("W^{[l]}", n, n), sp.MatrixSymbol("A^{[l-1]}", n, m)
    x, j = sp.IndexedBase("x"), sp.Symbol("j")
    gamma = sp.Symbol("gamma")
    names = DocumentNames()
    printer = names.printer()
    matrix = sp.HadamardProduct(W * A, W.T * A) + sp.OneMatrix(n, m)
    array = sp.Sum(gamma * x[j] / m, (j, 1, m))
    assert printer.doprint(matrix) == "HadamardProduct(W_l*A_lm1, W_l.T*A_lm1) + OneMatrix(n_l, m)"
    assert printer.doprint(array) == "Sum(gamma_*x[j]/m, (j, 1, m))"
    assert _read(printer.doprint(matrix), names) == matrix
    assert _read(printer.doprint(array), names) == array
    assert names.declarations["m"] == "Symbol('m', integer=True, positive=True)"
    assert names.declarations["x"] == "IndexedBase('x')"


def test_two_symbols_with_one_readable_name_get_two_names() -> None:
    names = DocumentNames()
    plain, positive = sp.Symbol("n^{[l]}"), sp.Symbol("n_l", positive=True)
    text = names.printer().doprint(plain + positive)
    assert sorted(names.declarations) == ["n_l", "n_l_2"]
    assert _read(text, names) == plain + positive


def test_a_wrong_declaration_is_caught_by_the_round_trip() -> None:
    """The check the document tests rely on fails when a declaration is planted wrong."""
    n, m = sp.Symbol("n", positive=True), sp.Symbol("m", positive=True)
    W = sp.MatrixSymbol("W^{[l]}", n, m)
    names = DocumentNames()
    text = names.printer().doprint(W.T)
    names.declarations["W_l"] = "MatrixSymbol('W^{[l]}', m, n)"  # the shape swapped
    assert _read(text, names) != W.T
