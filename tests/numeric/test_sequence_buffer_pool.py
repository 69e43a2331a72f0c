"""The buffer pool behind the fused LSTM and attention: a block comes back only once nothing
refers to it, the caps hold, several threads never share a block, and the kernels' results
stay right while older caches and results are alive. A planted fault (a pool that ignores
references) is caught by the same checks."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sequence_problems import lstm_params

from chainrule.numeric.sequence import buffer_pool
from chainrule.numeric.sequence.attention import (
    attention_backward,
    attention_backward_jacobian,
    attention_forward,
)
from chainrule.numeric.sequence.buffer_pool import SEQUENCE_POOL, BufferPool
from chainrule.numeric.sequence.lstm import lstm_backward_cells, lstm_forward_cells
from chainrule.numeric.sequence.lstm_fused import lstm_backward, lstm_forward

SHAPE = (3, 5)
DTYPE = np.dtype("float64")


def address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


def test_a_released_block_is_handed_out_again() -> None:
    pool = BufferPool()
    first = pool.take(SHAPE, DTYPE)
    kept = address(first)
    del first
    assert address(pool.take(SHAPE, DTYPE)) == kept


@pytest.mark.parametrize("holder", ["name", "view", "container", "transpose of a view"])
def test_a_referenced_block_is_not_handed_out(holder) -> None:
    pool = BufferPool()
    block = pool.take(SHAPE, DTYPE)
    held: object = {
        "name": block,
        "view": block[1:],
        "container": [block],
        "transpose of a view": block[:, 1:].T,
    }[holder]
    del block
    other = pool.take(SHAPE, DTYPE)
    assert not np.shares_memory(other, np.asarray(held[0] if isinstance(held, list) else held))


def test_at_most_per_key_blocks_are_kept() -> None:
    pool = BufferPool(per_key=2)
    held = [pool.take(SHAPE, DTYPE) for _ in range(3)]
    assert pool.kept_bytes == 2 * held[0].nbytes
    assert pool.holds(held[0]) and pool.holds(held[1]) and not pool.holds(held[2])
    del held
    assert len({address(pool.take(SHAPE, DTYPE)) for _ in range(3)}) == 1


def test_the_byte_limit_drops_the_least_recently_used_free_block() -> None:
    pool = BufferPool(max_bytes=300)  # float64: (3, 5) 120 bytes, (2, 5) 80, (4, 5) 160
    pool.take((3, 5), DTYPE)
    recent = address(pool.take((2, 5), DTYPE))
    newest = pool.take((4, 5), DTYPE)  # 360 bytes would exceed 300: (3, 5) goes
    assert pool.holds(newest) and pool.kept_bytes == 80 + 160
    assert address(pool.take((2, 5), DTYPE)) == recent
    assert not pool.holds(BufferPool(max_bytes=100).take(SHAPE, DTYPE))


def test_a_block_in_use_is_never_dropped_for_room() -> None:
    nbytes = np.empty(SHAPE, DTYPE).nbytes
    pool = BufferPool(max_bytes=nbytes)
    held = pool.take(SHAPE, DTYPE)
    other = pool.take((5, 3), DTYPE)  # no room: the held block stays, the new one is plain
    assert pool.holds(held) and not pool.holds(other)


def test_threads_never_share_a_block() -> None:
    pool = BufferPool(per_key=3)
    clashes: list[int] = []

    def work(mark: int) -> None:
        for _ in range(300):
            block = pool.take(SHAPE, DTYPE)
            block.fill(mark)
            np.sqrt(np.ones(2000))  # let the other threads run
            if not np.all(block == mark):
                clashes.append(mark)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clashes == []


def problem(rng: np.random.Generator, m: int = 3, T: int = 5, n_x: int = 4, n_a: int = 6):
    params = lstm_params(rng, n_x, n_a)
    x, dA = rng.standard_normal((m, T, n_x)), rng.standard_normal((m, T, n_a))
    return params, x, dA


def stale_cache_error(rng: np.random.Generator) -> float:
    """The largest error of an LSTM forward output and backward taken from a cache after two
    later calls on other inputs, against the course's cells."""
    params, x, dA = problem(rng)
    A, cache = lstm_forward(x, None, params)
    A_kept = A.copy()
    for _ in range(2):
        _, later = lstm_forward(rng.standard_normal(x.shape), None, params)
        lstm_backward(rng.standard_normal(dA.shape), later)
    dx, _, grads = lstm_backward(dA, cache)
    A_cells, caches = lstm_forward_cells(x, None, params)
    dx_cells, _, grads_cells = lstm_backward_cells(dA, caches)
    errors = [np.abs(A - A_kept).max(), np.abs(A - A_cells).max(), np.abs(dx - dx_cells).max()]
    errors += [np.abs(grads[key] - grads_cells[key]).max() for key in grads]
    return float(max(errors))


def stale_attention_error(rng: np.random.Generator) -> float:
    """The same for attention, against the textbook backward (row-by-row Jacobians)."""
    Q, K, V, dO = (rng.standard_normal((2, 4, 3)) for _ in range(4))
    out, cache = attention_forward(Q, K, V, True)
    out_kept = out.copy()
    for _ in range(2):
        _, later = attention_forward(*(rng.standard_normal(Q.shape) for _ in range(3)), True)
        attention_backward(rng.standard_normal(dO.shape), later)
    fast = attention_backward(dO, cache)
    _, fresh = attention_forward(Q, K, V, True)
    slow = attention_backward_jacobian(dO, fresh)
    errors = [np.abs(out - out_kept).max(), np.abs(fresh.P - cache.P).max()]
    errors += [np.abs(a - b).max() for a, b in zip(fast, slow, strict=True)]
    return float(max(errors))


@pytest.mark.parametrize("error", [stale_cache_error, stale_attention_error])
def test_a_live_cache_survives_later_calls(rng, error) -> None:
    assert error(rng) < 1e-12


@pytest.mark.parametrize("error", [stale_cache_error, stale_attention_error])
def test_a_pool_ignoring_references_is_caught(rng, monkeypatch, error) -> None:
    monkeypatch.setattr(buffer_pool, "is_free", lambda blocks, index: True)
    assert error(rng) > 1e-3


def test_results_belong_to_the_caller(rng) -> None:
    params, x, dA = problem(rng)
    A, cache = lstm_forward(x, None, params)
    dx, da0, grads = lstm_backward(dA, cache)
    assert SEQUENCE_POOL.holds(cache.S) and SEQUENCE_POOL.holds(cache.HX)
    for result in (A, dx, da0, *grads.values()):
        assert not SEQUENCE_POOL.holds(result)
    Q, K, V, dO = (rng.standard_normal((2, 4, 3)) for _ in range(4))
    out, attention_cache = attention_forward(Q, K, V)
    assert SEQUENCE_POOL.holds(attention_cache.P)
    for result in (out, *attention_backward(dO, attention_cache)):
        assert not SEQUENCE_POOL.holds(result)


def test_repeated_calls_reuse_the_same_blocks(rng) -> None:
    params, x, dA = problem(rng, m=2, T=7)
    lstm_backward(dA, lstm_forward(x, None, params)[1])
    before = SEQUENCE_POOL.kept_bytes
    _, cache = lstm_forward(x, None, params)
    gates = address(cache.S)
    lstm_backward(dA, cache)
    del cache
    _, cache = lstm_forward(x, None, params)
    assert address(cache.S) == gates and SEQUENCE_POOL.kept_bytes == before


def test_lstm_calls_from_several_threads_match_one_thread(rng) -> None:
    params, _, _ = problem(rng)
    inputs = [problem(rng)[1:] for _ in range(6)]
    expected = [lstm_backward(dA, lstm_forward(x, None, params)[1])[0] for x, dA in inputs]
    got: list[np.ndarray | None] = [None] * len(inputs)

    def work(k: int) -> None:
        x, dA = inputs[k]
        for _ in range(40):
            got[k] = lstm_backward(dA, lstm_forward(x, None, params)[1])[0]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for want, have in zip(expected, got, strict=True):
        np.testing.assert_array_equal(have, want)
