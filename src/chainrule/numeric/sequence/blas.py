"""One large matrix product per process, before the sequence kernels' many small ones.

Measured with the OpenBLAS that NumPy's wheels ship (0.3.31, one thread, Haswell kernels):
small single-precision products such as the LSTM's (256, 64) @ (64, 64) per step run about
three times slower (user time, no page faults) until the process has run one product of
about 320³ or more; from then on they stay fast. The sequence kernels call :func:`prime_blas`
first: one (320, 320) product, about 65 MFLOP, once per process.
"""

from __future__ import annotations

import numpy as np

__all__ = ["prime_blas"]

SIZE = 320
_primed = False


def prime_blas() -> None:
    """Run one (SIZE, SIZE) float32 product, the first time only."""
    global _primed
    if not _primed:
        square = np.ones((SIZE, SIZE), dtype=np.float32)
        np.matmul(square, square)
        _primed = True
