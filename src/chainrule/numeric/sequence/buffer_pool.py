"""Large scratch arrays reused across calls, handed out only when nothing else refers to them.

A fused LSTM call needs several arrays of a few MB (the gates of every step, their
derivative factors). Fresh arrays of that size cost page faults on every call, a sizeable
share of the call's time; a pool that keeps them makes repeated calls of one shape allocate
nothing.

Safety rests on reference counts: the pool holds one reference to each block; a block is
free when that is the only one left, so a block kept alive by a live cache, a local variable
or any view of it (a view refers to the array that owns its memory) is never handed out
twice. What a kernel returns to its caller is never taken from the pool. The pool is capped
(a few blocks per shape and dtype, a byte limit over all of them; least recently used free
blocks make room for new ones, beyond that arrays are plain allocations) and a lock makes
:meth:`BufferPool.take` safe from several threads.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict

import numpy as np

__all__ = ["BufferPool", "SEQUENCE_POOL"]

Key = tuple[tuple[int, ...], str]


def _references(blocks: list[np.ndarray], index: int) -> int:
    """sys.getrefcount of ``blocks[index]`` as seen from here."""
    return sys.getrefcount(blocks[index])


#: What :func:`_references` reports for a block only its list refers to (measured, not
#: assumed: the count an interpreter reports for the same situation differs by version).
_FREE = _references([np.empty(0)], 0)


def is_free(blocks: list[np.ndarray], index: int) -> bool:
    """Whether ``blocks[index]`` has no reference beyond the list's own."""
    return _references(blocks, index) <= _FREE


class BufferPool:
    """Uninitialised arrays by (shape, dtype): at most ``per_key`` kept for each, at most
    ``max_bytes`` kept in all."""

    def __init__(self, per_key: int = 4, max_bytes: int = 128 << 20) -> None:
        self.per_key = per_key
        self.max_bytes = max_bytes
        self._blocks: OrderedDict[Key, list[np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def kept_bytes(self) -> int:
        """Bytes of the blocks the pool holds now."""
        return self._bytes

    def holds(self, array: np.ndarray) -> bool:
        """Whether ``array`` shares memory with a block the pool keeps."""
        with self._lock:
            blocks = [block for kept in self._blocks.values() for block in kept]
        return any(np.shares_memory(array, block) for block in blocks)

    def take(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An array of ``shape`` and ``dtype`` that nobody else refers to, contents undefined.

        It stays the caller's for as long as the caller (or anything it hands the array or a
        view of it to) keeps a reference; afterwards the pool may hand it out again.
        """
        key = (tuple(shape), np.dtype(dtype).str)
        with self._lock:
            blocks = self._blocks.get(key)
            if blocks is None:
                blocks = self._blocks[key] = []
            self._blocks.move_to_end(key)
            for index in range(len(blocks)):
                if is_free(blocks, index):
                    return blocks[index]
            array = np.empty(shape, dtype)
            if len(blocks) < self.per_key and self._make_room(array.nbytes, key):
                blocks.append(array)
                self._bytes += array.nbytes
            return array

    def _make_room(self, nbytes: int, keep: Key) -> bool:
        """Drop free blocks of the least recently used shapes until ``nbytes`` more fit."""
        if nbytes > self.max_bytes:
            return False
        for key in list(self._blocks):
            if self._bytes + nbytes <= self.max_bytes:
                break
            if key == keep:
                continue
            blocks = self._blocks[key]
            for index in reversed(range(len(blocks))):
                if self._bytes + nbytes <= self.max_bytes:
                    break
                if is_free(blocks, index):
                    self._bytes -= blocks.pop(index).nbytes
            if not blocks:
                del self._blocks[key]
        return self._bytes + nbytes <= self.max_bytes

    def clear(self) -> None:
        """Forget every block (those still in use stay valid for their holders)."""
        with self._lock:
            self._blocks.clear()
            self._bytes = 0


#: The pool the sequence kernels draw their per-call arrays from.
SEQUENCE_POOL = BufferPool()
