"""Fixtures shared by the test folders."""

from __future__ import annotations

import pytest

#: The layer families whose derivations several test modules read.
LAYER_FAMILIES = (
    "batchnorm",
    "conv",
    "maxpool",
    "avgpool",
    "embedding",
    "rnn",
    "lstm",
    "attention",
)


@pytest.fixture(scope="session")
def layer_derivations():
    """The derivations of :data:`LAYER_FAMILIES`, by name, built once for the session (each
    takes about a second)."""
    from chainrule.symbolic.derivations.layers import FAMILIES

    return {name: FAMILIES[name].derivations().build()[0] for name in LAYER_FAMILIES}
