"""Fixtures shared by the test folders."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Every test gets an empty cache of proven derivations of its own (and never the
    user's), in-process and in the processes it starts."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(folder))
    return folder


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
    """Every derivation of :data:`LAYER_FAMILIES`, by id (a family's first has the family's
    name: lstm, then lstm_bptt), built once for the session (each takes about a second)."""
    from chainrule.symbolic.derivations.layers import FAMILIES

    return {
        derivation.id: derivation
        for name in LAYER_FAMILIES
        for derivation in FAMILIES[name].derivations().build()
    }
