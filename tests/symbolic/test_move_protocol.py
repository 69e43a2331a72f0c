"""A move that does not apply says so with MoveDoesNotApply; any other error inside a move
surfaces instead of reading as "the move did not apply"."""

import ast
from pathlib import Path

import pytest
import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.model import Definition
from chainrule.symbolic.core.symbols import L, a, y, z
from chainrule.symbolic.derivations.expression import derive_expression
from chainrule.symbolic.derivations.pair import derive_pair, steps
from chainrule.symbolic.moves import factors, functions, tidy
from chainrule.symbolic.moves.protocol import MoveDoesNotApply
from chainrule.symbolic.proof.check import Context

SYMBOLIC = Path(moves.__file__).parents[1]


def buggy_move(expr):
    """p = p, with a typo inside."""
    return expr.argz  # AttributeError, as a typo would raise


def test_a_move_that_finds_nothing_says_so():
    with pytest.raises(MoveDoesNotApply, match="sinh"):
        functions.sinh_over_cosh(a + y)
    with pytest.raises(MoveDoesNotApply):
        factors.sum_as_one_fraction(a * y)
    route = RouteBuilder("direct", Context((Definition(L, a + y),)))
    route.state(L, a + y, "given", "start")
    assert not steps.try_move(route, functions.sinh_over_cosh, "sinh(u)/cosh(u) = tanh(u)")
    assert len(route.steps) == 1


def test_a_bug_in_a_tried_move_surfaces(monkeypatch):
    monkeypatch.setattr(moves, "multiply_out", buggy_move)
    with pytest.raises(AttributeError, match="argz"):
        derive_pair("tanh", "mean_squared_error", ["1"])


def test_a_bug_in_a_move_of_the_search_surfaces(monkeypatch):
    monkeypatch.setattr(steps, "_TOWARD", ((buggy_move, "a planted bug"), *steps._TOWARD))
    start = (1 - a**2) * (2 * a - 2 * y) / 2
    route = RouteBuilder("direct", Context((Definition(L, start),)))
    route.state(L, start, "given", "start")
    with pytest.raises(AttributeError, match="argz"):
        steps.reach(route, (a - y) * (1 - a**2))


def test_a_bug_in_a_move_of_the_tidy_plan_surfaces(monkeypatch):
    monkeypatch.setattr(tidy, "_IF_SHORTER", ((buggy_move, "a planted bug"), *tidy._IF_SHORTER))
    with pytest.raises(AttributeError, match="argz"):
        derive_expression(sp.exp(-z) / (1 + sp.exp(-z)) ** 2, z)


def handlers(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ExceptHandler):
            yield ast.unparse(node.type) if node.type is not None else "bare except"


@pytest.mark.parametrize("room", ["moves", "derivations"])
def test_no_broad_except_is_left_around_moves(room):
    for path in sorted((SYMBOLIC / room).rglob("*.py")):
        for caught in handlers(path):
            allowed = {"MoveDoesNotApply"} | (
                {"sp.PolynomialError"} if path.stem == "protocol" else set()
            )
            assert caught in allowed, f"{path.name} catches {caught}"
