"""One id per move: the registry lists every move once, and derivations emit only its ids."""

import importlib
import pkgutil
from types import FunctionType, SimpleNamespace

import pytest

from chainrule.symbolic import moves
from chainrule.symbolic.catalog import ACTIVATIONS, LOSSES
from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.symbols import a
from chainrule.symbolic.derivations.pair import derive_pair
from chainrule.symbolic.moves import registry
from chainrule.symbolic.moves.registry import (
    HELPERS,
    MOVES,
    UnregisteredMove,
    moves_in,
    require_registered,
)
from chainrule.symbolic.proof.check import Context


def move_modules():
    """Every module of the moves package, found on disk (not from the registry's list), but
    the registry and the protocol, which are the machinery and hold no moves."""
    for info in pkgutil.iter_modules(moves.__path__):
        if info.name not in ("registry", "protocol"):
            yield importlib.import_module(f"{moves.__name__}.{info.name}")


def test_no_two_moves_share_an_id():
    seen = {}
    for module in move_modules():
        for name, value in vars(module).items():
            defined_here = isinstance(value, FunctionType) and value.__module__ == module.__name__
            if not defined_here or name.startswith("_") or name in HELPERS:
                continue
            assert name not in seen, f"{name} is defined in {seen[name]} and {module.__name__}"
            seen[name] = module.__name__
            assert MOVES[name].function is value, f"{module.__name__}.{name} is not registered"
    assert {i for i, m in MOVES.items() if m.kind == "rewrite"} == set(seen)


def test_the_registry_refuses_a_second_move_of_an_id():
    def factor_out(expr):
        """c p = p c."""
        return expr

    planted = SimpleNamespace(__all__=["factor_out"], factor_out=factor_out)
    found = {}
    for move in registry._rewrites(registry.MODULES):
        registry._add(found, registry.MoveInfo(move.__name__, "rewrite", "", move))
    with pytest.raises(ValueError, match="two moves share the id 'factor_out'"):
        for move in registry._rewrites([planted]):
            registry._add(found, registry.MoveInfo(move.__name__, "rewrite", "", move))


def test_every_move_says_what_it_does():
    for info in MOVES.values():
        assert info.kind in registry.KINDS
        assert info.sentence and "\n" not in info.sentence, info.id
        assert (info.function is not None) == (info.kind == "rewrite"), info.id


def test_the_engine_refuses_an_unregistered_move():
    route = RouteBuilder("direct", Context())
    with pytest.raises(UnregisteredMove, match="'chain'"):
        route.state(a, a, "chain", "the old id of the chain rule")
    route.state(a, a, "given", "the activation")
    with pytest.raises(UnregisteredMove, match="'tidy_up'"):
        route.claim(a, "multiply_out+tidy_up", "an id joined from a registered and a typo")


def test_moves_joined_by_plus_are_each_checked():
    require_registered("distribute_minus+multiply_out")
    with pytest.raises(UnregisteredMove):
        require_registered("distribute_minus+nothing")


def test_the_layer_families_emit_registered_moves_only(layer_derivations):
    assert moves_in(layer_derivations.values()) <= set(MOVES)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation_route_emits_registered_moves_only(name):
    assert moves_in(derive_pair(name, "mean_squared_error", ["2"])) <= set(MOVES)


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_route_emits_registered_moves_only(name):
    assert moves_in(derive_pair("linear", name, ["1"])) <= set(MOVES)


def test_the_json_field_move_is_documented_as_the_registry():
    doc = importlib.import_module("chainrule.render.json").__doc__
    assert "chainrule.symbolic.moves.registry" in doc
