"""The issue's examples of untidy or mislabelled output, each with its bad form gone, and the
defect planted back to see the test catch it."""

from __future__ import annotations

import pytest
import sympy as sp

from chainrule.errors import MislabelledStep
from chainrule.render.text import to_text
from chainrule.symbolic.catalog.parse import parse_expression
from chainrule.symbolic.core.symbols import z
from chainrule.symbolic.derivations.expression import derive_expression
from chainrule.symbolic.moves import tidy as tidy_module


def _derive(text: str):
    return derive_expression(parse_expression(text, ["z"]), z)


def _cancellation_labelled_honestly(derivation) -> bool:
    steps = derivation.routes[0].steps
    zeros = [s for s in steps if s.after == 0 and s.before != 0]
    return bool(zeros) and all("cancel" in s.text and "cancel" in s.move for s in zeros)


def test_log_cosh_ends_at_tanh_not_sinh_over_cosh():
    derivation = _derive("log(cosh(z))")
    assert derivation.result == sp.tanh(z)
    assert "= tanh(z)" in to_text([derivation])


def test_a_cancellation_to_zero_says_the_terms_cancel():
    derivation = _derive("sin(z)**2 + cos(z)**2")
    assert derivation.result == 0
    assert _cancellation_labelled_honestly(derivation)
    assert "= 0  ✓ multiply out the factors\n" not in to_text([derivation])


def test_planted_defects_are_caught(monkeypatch):
    """Without the tanh move the result stays sinh/cosh; without the honest sentence the
    cancellation labelled 'multiply out' is refused by the engine."""
    plan = tuple(m for m in tidy_module._IF_SHORTER if m[0].__name__ != "sinh_over_cosh")
    monkeypatch.setattr(tidy_module, "_IF_SHORTER", plan)
    assert _derive("log(cosh(z))").result != sp.tanh(z)
    monkeypatch.undo()
    original = tidy_module._step

    def dishonest(move, text, before, after):
        step = original(move, text, before, after)
        return tidy_module.TidyStep(step.after, "multiply_out_keeping_brackets", text)

    monkeypatch.setattr(tidy_module, "_step", dishonest)
    with pytest.raises(MislabelledStep, match="cancel to 0"):
        _derive("sin(z)**2 + cos(z)**2")
