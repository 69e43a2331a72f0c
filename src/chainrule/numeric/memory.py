"""Checking a request for memory before allocating it: a network of 10**9 units, or a model
file that declares gigabytes, is refused with one line instead of a MemoryError (or the
machine's swap)."""

from __future__ import annotations

import os

from chainrule.errors import InputError

__all__ = ["available_memory", "check_memory", "network_bytes"]

#: Arrays per parameter while training: the parameters, their gradients, two moments of Adam
#: and a spare for the update.
_PER_PARAMETER = 5
#: Arrays per unit and example: Z, A and dZ of a layer.
_PER_ACTIVATION = 3
_GIB = 1 << 30


def available_memory() -> int | None:
    """Bytes the machine can give now (MemAvailable of Linux, else the free pages), or None
    when it cannot say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def network_bytes(sizes: list[int], examples: int, itemsize: int) -> int:
    """Bytes that training a network of layer ``sizes`` on ``examples`` examples needs, about:
    every parameter block [W | b] (n[l], n[l-1] + 1) several times over, and each layer's
    activations for all examples."""
    parameters = sum(n * (n_prev + 1) for n_prev, n in zip(sizes[:-1], sizes[1:], strict=True))
    activations = sum(sizes) * examples
    return (_PER_PARAMETER * parameters + _PER_ACTIVATION * activations) * itemsize


def check_memory(needed: int, what: str) -> None:
    """Refuse ``what`` (``"'--layers' 100000,100000"``) if it needs more than the memory
    available now."""
    available = available_memory()
    if available is not None and needed > available:
        raise InputError(
            f"{what} needs about {needed / _GIB:.3g} GiB of memory, more than the "
            f"{available / _GIB:.3g} GiB available"
        )
