"""Fixtures: the hand-built derivations of :mod:`render_cases`."""

from __future__ import annotations

import pytest
import render_cases

from chainrule.symbolic.core.model import Derivation


@pytest.fixture
def sigmoid() -> Derivation:
    return render_cases.sigmoid()


@pytest.fixture
def cost() -> Derivation:
    return render_cases.cost()


@pytest.fixture
def bias() -> Derivation:
    return render_cases.bias()


@pytest.fixture
def all_derivations(sigmoid, cost, bias) -> list[Derivation]:
    return [sigmoid, cost, bias]
