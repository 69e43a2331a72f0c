"""JSON: fixed key order, and every expression string reads back with sympy.sympify."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from chainrule.errors import InputError
from chainrule.render import to_document, to_json
from chainrule.symbolic.core.symbols import sigma

DERIVATION_KEYS = [
    "id",
    "title",
    "goal",
    "givens",
    "routes",
    "result",
    "routes_agree",
    "oracle",
    "notes",
    "symbols",
]
STEP_KEYS = [
    "lhs",
    "lhs_latex",
    "expr",
    "latex",
    "move",
    "text",
    "verdict",
    "method",
    "subderivations",
]


def _reads_back(text: str, original: sp.Basic, symbols: dict[str, str] | None = None) -> bool:
    """True when ``text``, read with the document's declared ``symbols`` (or, with none, with
    the original's symbols matched by name), equals ``original``."""
    if symbols is None:
        names = {s.name: s for s in original.free_symbols}
    else:
        names = {name: sp.sympify(text) for name, text in symbols.items()}
    parsed = sp.sympify(text, locals=names | {"sigma": sigma})
    return sp.simplify(parsed.doit() - original.doit()) == 0


def _walk(derivation_doc, derivation):
    """(text, original, the derivation's declared symbols) for every expression string."""
    symbols = derivation_doc["symbols"]
    yield derivation_doc["goal"], derivation.goal, symbols
    yield derivation_doc["result"], derivation.result, symbols
    for given_doc, given in zip(derivation_doc["givens"], derivation.givens, strict=True):
        yield given_doc["expr"], given.expr, symbols
    for route_doc, route in zip(derivation_doc["routes"], derivation.routes, strict=True):
        yield route_doc["result"], route.result, symbols
        for step_doc, step in zip(route_doc["steps"], route.steps, strict=True):
            yield step_doc["lhs"], step.lhs, symbols
            yield step_doc["expr"], step.after, symbols
            for sub_doc, sub in zip(step_doc["subderivations"], step.subderivations, strict=True):
                yield from _walk(sub_doc, sub)


def test_document_shape_and_key_order(all_derivations):
    document = json.loads(to_json(all_derivations, version="9.9.9"))
    assert list(document) == ["chainrule", "derivations"]
    assert document["chainrule"] == "9.9.9"
    first = document["derivations"][0]
    assert list(first) == DERIVATION_KEYS
    assert list(first["routes"][0]) == ["name", "steps", "result"]
    assert list(first["routes"][0]["steps"][0]) == STEP_KEYS
    assert first["givens"][0] == {
        "symbol": "a",
        "expr": "sigma(z)",
        "latex": r"a = \sigma\left(z\right)",
    }
    assert first["oracle"] == {"verdict": "proved", "method": "exact: result - diff(goal) == 0"}
    assert document["derivations"][2]["oracle"] is None


def test_step_fields(sigmoid, bias):
    document = to_document([sigmoid, bias], version="0")
    step = document["derivations"][0]["routes"][0]["steps"][2]
    assert step == {
        "lhs": "Derivative(sigma(z), z)",
        "lhs_latex": r"\sigma'\left(z\right)",
        "expr": "-(1 + exp(-z))**(-2)*(-exp(-z))",
        "latex": r"-\left(1 + e^{-z}\right)^{-2} \cdot \left(-e^{-z}\right)",
        "move": "chain_rule",
        "text": "chain rule: outer derivative × inner derivative",
        "verdict": "proved",
        "method": "exact: cancel",
        "subderivations": [],
    }
    numeric = document["derivations"][1]["routes"][1]["steps"][1]
    assert numeric["verdict"] == "checked-numerically"


def test_sub_derivations_nest_inside_their_step(cost):
    document = to_document([cost], version="0")
    step = document["derivations"][0]["routes"][0]["steps"][2]
    (sub,) = step["subderivations"]
    assert list(sub) == DERIVATION_KEYS
    assert sub["id"] == "ln" and sub["goal"] == "Derivative(log(x), x)"


def test_every_expression_reads_back_with_sympify(all_derivations):
    document = json.loads(to_json(all_derivations, version="0"))
    pairs = [
        pair
        for doc, derivation in zip(document["derivations"], all_derivations, strict=True)
        for pair in _walk(doc, derivation)
    ]
    assert len(pairs) > 40
    wrong = [text for text, original, symbols in pairs if not _reads_back(text, original, symbols)]
    assert wrong == []


def test_round_trip_check_catches_a_wrong_string(sigmoid):
    assert not _reads_back("exp(z)/(1 + exp(-z))**2", sigmoid.routes[0].steps[3].after)


def test_text_is_stable_unicode_with_indent_two(sigmoid):
    text = to_json([sigmoid], version="0")
    assert text == to_json([sigmoid], version="0")
    assert '\n  "derivations": [\n    {\n      "id": "2",' in text
    assert "σ is smooth everywhere" in text and text.endswith("}\n")


@pytest.mark.parametrize("version", ["", None, 1])
def test_version_must_be_a_non_empty_string(sigmoid, version):
    with pytest.raises(InputError, match="'version' must be a non-empty string"):
        to_document([sigmoid], version=version)
