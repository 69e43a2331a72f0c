"""The engine refuses wrong steps: a planted wrong move, a planted wrong rule."""

import pytest
import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic import moves
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.symbols import L, a, y, z
from chainrule.symbolic.core.trees import replace
from chainrule.symbolic.derivations.reference import direct, reference_derivations
from chainrule.symbolic.derivations.reference.givens import COST, network_context


def test_a_correct_script_proves_every_step():
    _, context = network_context()
    route = RouteBuilder("direct", context)
    route.state(L, COST.expr, "given", "cost function")
    route.apply(moves.distribute_minus, "distribute the minus sign")
    assert [s.verdict for s in route.steps] == [Verdict.PROVED, Verdict.PROVED]


def test_a_planted_wrong_step_is_refused():
    _, context = network_context()
    route = RouteBuilder("direct", context)
    route.state(L, COST.expr, "given", "cost function")

    def distribute_wrongly(expr):  # forgets the sign of the second term
        return -y * sp.log(a) + (1 - y) * sp.log(1 - a)

    with pytest.raises(ProofError, match="distribute the minus sign"):
        route.apply(distribute_wrongly, "distribute the minus sign")
    assert len(route.steps) == 1


def test_a_planted_wrong_rule_stops_the_derivation(monkeypatch):
    def wrong_log_of_quotient(expr):  # ln(p/q) = ln p + ln q is false
        def rule(node):
            if isinstance(node, sp.log):
                p, q = sp.fraction(node.args[0], exact=True)
                if q != 1:
                    return sp.log(p) + sp.log(q)
            return None

        return replace(expr, rule)

    monkeypatch.setattr(direct.moves, "log_of_quotient", wrong_log_of_quotient)
    with pytest.raises(ProofError, match="log of a quotient"):
        direct.direct_route_dw()


def test_a_wrong_stated_line_is_refused():
    _, context = network_context()
    route = RouteBuilder("chain rule", context)
    with pytest.raises(ProofError):
        route.state(sp.Derivative(L, z), y - a, "chain_rule", "chain rule")


def test_routes_that_disagree_are_refused():
    _, context = network_context()
    first = RouteBuilder("chain rule", context)
    first.state(sp.Derivative(L, z), a - y, "given", "result [3]")
    second = RouteBuilder("direct", context)
    second.state(a, a, "given", "something else")
    with pytest.raises(ProofError, match="different results"):
        finish("x", "x", sp.Derivative(L, z), (), [first.route(), second.route()], context)


def test_unknown_reference_id_names_the_choices():
    with pytest.raises(ValueError, match="'derivation' must be one of 1, ln, 2"):
        reference_derivations(["7"])
