"""Time limits for symbolic work: a derivation, or the compilation of an activation or loss
written by the user, that runs too long is stopped with one line instead of hanging.

The size of the math is bounded before SymPy works on it
(:mod:`chainrule.symbolic.catalog.bounds`); some small expressions still take SymPy minutes
(``sigmoid(sigmoid(sigmoid(z)))``), so the work also runs under a wall-clock limit. The limit
is a ``SIGALRM`` timer of the main thread: its handler raises an exception that is not an
``Exception`` (so no ``except Exception`` inside SymPy can swallow it), turned into a
:class:`~chainrule.errors.LimitError` where the limited block ends. Off the main thread, or
where the platform has no interval timer, the work runs unlimited (the size bounds still hold).
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from chainrule.errors import InputError, LimitError

__all__ = ["DEFAULT_TIME_LIMIT", "TIME_LIMIT_OPTION", "check_time_limit", "time_limit"]

#: Seconds a symbolic job may take unless ``--time-limit`` says otherwise.
DEFAULT_TIME_LIMIT = 10.0
#: The option that raises the limit, named in every message about it.
TIME_LIMIT_OPTION = "--time-limit"


class _Expired(BaseException):
    """Raised by the timer's handler; never leaves :func:`time_limit`."""


def check_time_limit(seconds: object) -> float:
    """``seconds`` as a positive finite float, else an InputError naming the option."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise InputError(f"'{TIME_LIMIT_OPTION}' must be a number of seconds (got {seconds!r})")
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputError(f"'{TIME_LIMIT_OPTION}' must be a positive number (got {seconds!r})")
    return float(seconds)


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Run the block for at most ``seconds`` of wall-clock time (None: no limit).

    ``what`` says what ran (``"deriving --expr"``); when the time is up the block is stopped
    and a LimitError says what took too long and how to raise the limit. A timer set before
    (an outer limit) is restored afterwards, less the time this block took.
    """
    if seconds is None or not _can_time():
        yield
        return
    seconds = check_time_limit(seconds)

    def expire(signum: int, frame: object) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try:
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        raise LimitError(
            f"{what} took longer than the time limit of {seconds:g} s "
            f"(raise it with {TIME_LIMIT_OPTION} SECONDS)"
        ) from None
    finally:
        signal.signal(signal.SIGALRM, previous)
        if outer:
            remaining = outer - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3))
