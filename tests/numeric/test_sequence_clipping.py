"""The course's clip and clipping by the global norm."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.errors import InputError
from chainrule.numeric.sequence.clipping import clip, clip_by_global_norm, global_norm


def test_clip_bounds_every_entry_in_place() -> None:
    grads = {"dWaa": np.array([[10.0, -2.0], [0.3, 4.0]]), "db": np.array([-5.0, 3.0])}
    kept = grads["dWaa"]
    assert clip(grads, 2) is grads
    assert grads["dWaa"] is kept
    np.testing.assert_array_equal(grads["dWaa"], [[2.0, -2.0], [0.3, 2.0]])
    np.testing.assert_array_equal(grads["db"], [-2.0, 2.0])


def test_clip_by_global_norm_keeps_the_direction() -> None:
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}
    assert clip_by_global_norm(grads, 1.0) == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])
    np.testing.assert_allclose(grads["b"], [[0.0, 0.8]])
    assert clip_by_global_norm(grads, 10.0) == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "5", True])
def test_bad_bounds_are_refused(bad) -> None:
    with pytest.raises(InputError, match="must be"):
        clip({"a": np.ones(2)}, bad)
    with pytest.raises(InputError, match="'max_norm'"):
        clip_by_global_norm({"a": np.ones(2)}, bad)
