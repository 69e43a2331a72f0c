"""Reused output buffers for a layer's passes, one per name and shape.

A layer writes its output and its input gradient into arrays it keeps between calls, so a
training step allocates nothing once the batch sizes have been seen. What a pass returns is
therefore overwritten by the next pass over a batch of the same size: copy what you keep.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Buffers"]


class Buffers:
    """Arrays of one dtype by ``(name, shape)``, allocated on first use."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, tuple[int, ...], str], np.ndarray] = {}

    def get(
        self, name: str, shape: tuple[int, ...], dtype: np.dtype, zero: bool = False
    ) -> np.ndarray:
        """The buffer ``name`` of ``shape`` (uninitialised, or zeroed when ``zero``)."""
        key = (name, shape, np.dtype(dtype).str)
        array = self._arrays.get(key)
        if array is None:
            if len(self._arrays) > 64:  # many batch sizes seen: start afresh
                self._arrays.clear()
            array = self._arrays[key] = np.empty(shape, dtype)
        if zero:
            array.fill(0)
        return array

    def clear(self) -> None:
        """Forget every buffer (after a change of dtype, or to free memory)."""
        self._arrays.clear()
