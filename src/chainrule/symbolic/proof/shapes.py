"""Layer matrices by name, and the shape check of matrix (layer) equations.

A matrix symbol means what its name says: ``<kind>^{[<layer>]}`` with kind one of ``W b Z A dZ
dA dW db`` and layer ``l``, ``l-1``, ``l+1`` or ``L``; ``g^{[l]}(Z^{[l]})`` and
``g'^{[l]}(Z^{[l]})`` are the activation and its derivative applied entry by entry; ``Y`` is
the labels. Each has its symbolic shape (``W^{[l]}`` is ``(n^{[l]}, n^{[l-1]})``).

:func:`shape_of` walks an equation's side symbolically: products must conform, sums and
element-wise products need equal shapes (a column may be broadcast over the examples only
where the equation says so). A mismatch raises :class:`~chainrule.errors.ProofError`. The
entry-wise half of the proof is :mod:`chainrule.symbolic.proof.matrix`.
"""

from __future__ import annotations

import re

import sympy as sp

from chainrule.errors import ProofError

__all__ = [
    "EXAMPLES",
    "Shape",
    "layer_matrix",
    "layer_number",
    "layer_size",
    "matrix_role",
    "plain",
    "shape_of",
    "shape_text",
]

#: m, the number of examples (the columns of Z, A, Y).
EXAMPLES = sp.Symbol("m", positive=True, integer=True)

Shape = tuple[sp.Expr, sp.Expr]
_NAME = re.compile(
    r"^(?P<kind>dZ|dA|dW|db|W|b|Z|A|g'|g)\^\{\[(?P<label>l|l-1|l\+1|L)\]\}"
    r"(?P<arg>\(Z\^\{\[(?P=label)\]\}\))?$"
)
_PREVIOUS = {"l": "l-1", "l+1": "l", "L": "L-1"}


# --- notation: what a matrix symbol means -----------------------------------------------------


def layer_size(label: str) -> sp.Symbol:
    """n^{[label]}: the number of units in the layer called ``label`` (``l``, ``l-1``, ``l+1``,
    ``L``)."""
    return sp.Symbol(f"n^{{[{label}]}}", positive=True, integer=True)


def layer_matrix(kind: str, label: str = "l") -> sp.MatrixSymbol:
    """The matrix symbol ``kind^{[label]}`` with its symbolic shape.

    ``W, dW``: (n[l], n[l-1]); ``b, db``: (n[l], 1); ``Z A dZ dA`` and ``g``/``g'`` (which name
    g[l](Z[l]) and g[l]'(Z[l])): (n[label], m); ``Y``: (n[L], m).
    """
    if kind == "Y":
        return sp.MatrixSymbol("Y", layer_size("L"), EXAMPLES)
    name = f"{kind}^{{[{label}]}}" + (f"(Z^{{[{label}]}})" if kind in ("g", "g'") else "")
    if _NAME.match(name) is None or (kind in ("W", "dW", "b", "db") and label not in _PREVIOUS):
        raise ValueError(f"no layer matrix {kind!r} at layer {label!r}")
    if kind in ("W", "dW"):
        columns = layer_size(_PREVIOUS[label])
    elif kind in ("b", "db"):
        columns = sp.Integer(1)
    else:
        columns = EXAMPLES
    return sp.MatrixSymbol(name, layer_size(label), columns)


def matrix_role(symbol: sp.MatrixSymbol) -> tuple[str, str]:
    """(kind, layer label) of a matrix symbol, read from its name."""
    if symbol.name == "Y":
        return "Y", "L"
    match = _NAME.match(symbol.name)
    if match is None or (match["kind"] in ("g", "g'")) != (match["arg"] is not None):
        raise ProofError(f"the matrix checker does not know what {symbol.name} means")
    return match["kind"], match["label"]


def layer_number(label: str, instance: int, depth: int) -> int:
    """The layer a label names when l = ``instance`` in a network of ``depth`` layers."""
    return {
        "l": instance,
        "l-1": instance - 1,
        "l+1": instance + 1,
        "L": depth,
        "L-1": depth - 1,
    }[label]


def plain(expr: sp.Expr) -> str:
    """Text form of a name or size: n^{[l-1]} -> n[l-1]."""
    return re.sub(r"\^\{(.*?)\}", r"\1", sp.sstr(expr))


# --- shapes -----------------------------------------------------------------------------------


def shape_of(expr: sp.Expr, broadcast: bool = False) -> Shape | None:
    """The symbolic shape of a matrix expression (None for a scalar).

    Raises ProofError where a product does not conform, where the terms of a sum or the factors
    of an element-wise product differ in shape, or (``broadcast`` off) where a column is added
    to a wider matrix.
    """
    if not isinstance(expr, sp.MatrixExpr):
        return None
    if isinstance(expr, (sp.MatrixSymbol, sp.OneMatrix)):
        return expr.shape
    if isinstance(expr, sp.Transpose):
        rows, cols = _matrix_shape(expr.arg, broadcast)
        return cols, rows
    shapes = [s for s in (shape_of(arg, broadcast) for arg in expr.args) if s is not None]
    if isinstance(expr, sp.MatMul):
        for left, right in zip(shapes[:-1], shapes[1:], strict=True):
            if left[1] != right[0]:
                raise ProofError(f"{plain(expr)}: the product does not conform: {_joined(expr)}")
        return shapes[0][0], shapes[-1][1]
    if isinstance(expr, (sp.MatAdd, sp.HadamardProduct)):
        full = next((s for s in shapes if s[1] != 1), shapes[0])
        column = (full[0], sp.Integer(1))
        for shape in shapes:
            spread = broadcast and isinstance(expr, sp.MatAdd) and shape == column
            if shape != full and not spread:
                raise ProofError(f"{plain(expr)}: the shapes differ: {_joined(expr)}")
        return full
    raise ProofError(f"the matrix checker cannot handle {type(expr).__name__} in {plain(expr)}")


def _matrix_shape(expr: sp.MatrixExpr, broadcast: bool) -> Shape:
    shape = shape_of(expr, broadcast)
    assert shape is not None, "a matrix expression has a shape"
    return shape


def _shape_str(shape: Shape) -> str:
    return f"({plain(shape[0])}, {plain(shape[1])})"


def _joined(expr: sp.MatrixExpr) -> str:
    """The shapes of the parts of ``expr`` joined by its operator, e.g. (n, m)·(m, 1)."""
    if isinstance(expr, sp.MatMul):
        factors = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        return "·".join(_shape_str(_matrix_shape(a, True)) for a in factors)
    if isinstance(expr, sp.HadamardProduct):
        return " ⊙ ".join(_term_text(a) for a in expr.args)
    if isinstance(expr, sp.MatAdd):
        terms = sorted(expr.args, key=_is_negative)
        text = _term_text(terms[0])
        for term in terms[1:]:
            text += (" - " if _is_negative(term) else " + ") + _term_text(term)
        return text
    return _shape_str(_matrix_shape(expr, True))


def _term_text(term: sp.MatrixExpr) -> str:
    if isinstance(term, sp.MatMul) and _is_negative(term):
        term = -term
    return _joined(term)


def _is_negative(term: sp.MatrixExpr) -> bool:
    return bool(isinstance(term, sp.MatMul) and term.args[0].is_number and term.args[0] < 0)


def shape_text(lhs: sp.MatrixExpr, rhs: sp.MatrixExpr) -> str:
    """The shape sentence of ``lhs = rhs``: "(n[l], n[l-1]) = (n[l], m)·(m, n[l-1])"."""
    return f"{_shape_str(_matrix_shape(lhs, False))} = {_joined(rhs)}"
