"""How a move says that it does not apply: it raises :class:`MoveDoesNotApply`, nothing else.

A move that finds nothing to rewrite (no fraction to cancel, no sinh/cosh to fold) raises
``MoveDoesNotApply``; the scripts and plans that try moves (``try_move``, ``reach``, ``tidy``)
catch that class alone, so a bug inside a move (a typo raising AttributeError, a TypeError)
surfaces as the error it is instead of reading as "the move did not apply".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sympy as sp

__all__ = ["MoveDoesNotApply", "polynomial_algebra"]


class MoveDoesNotApply(Exception):
    """The move finds nothing in the expression to rewrite; the message says what it looked
    for."""


@contextmanager
def polynomial_algebra() -> Iterator[None]:
    """Run SymPy's polynomial algebra (gcd, cancel, factor); where it refuses the expression
    as not a polynomial of the kind it needs, the move does not apply."""
    try:
        yield
    except sp.PolynomialError as refused:
        raise MoveDoesNotApply(f"not a polynomial expression: {refused}") from refused
