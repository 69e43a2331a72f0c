"""Whether a step's move id says what the step did: the claims of the moves, and the audit.

A rewrite's id names what it claims to do; :data:`CLAIMS` lists, for the moves whose id names
a kind of algebra, the :class:`~.rewrite_class.RewriteClass` es it may honestly produce
(``multiply_out`` carries out products, it does not cancel z/z). Every step, whatever its
move, must also change what it shows: an ``identical`` step is no step, and a ``reorder`` is
honest only for a move that claims to reorder (``factor_first``).

:func:`verdict` judges one step (the engine drops what is no step and refuses a mislabelled
one), :func:`audit` every step of a derivation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING

import sympy as sp

from chainrule.symbolic.proof.rewrite_class import RewriteClass, classify

if TYPE_CHECKING:
    from chainrule.symbolic.core.model import Derivation

__all__ = ["CLAIMS", "Verdict", "audit", "claims_of", "honest", "verdict"]

R = RewriteClass

_FACTOR_OUT = frozenset({R.FACTOR})
_CANCEL = frozenset({R.CANCEL_FACTOR})
_EXPAND = frozenset({R.EXPAND})
_COMBINE = frozenset({R.COMBINE_FRACTIONS})

#: For each move whose id names a kind of algebra, the classes of rewrite it may make.
CLAIMS: Mapping[str, frozenset[RewriteClass]] = MappingProxyType(
    {
        "multiply_out": frozenset({R.ARITHMETIC, R.EXPAND}),
        "multiply_out_keeping_brackets": frozenset({R.ARITHMETIC}),
        "cancel_signs": frozenset({R.ARITHMETIC}),
        "drop_factor_one": frozenset({R.ARITHMETIC}),
        "sign_into_bracket": frozenset({R.ARITHMETIC}),
        "evaluate_factor": frozenset({R.ARITHMETIC, R.CANCEL_FACTOR, R.CANCEL_TERMS}),
        "distribute_minus": frozenset({R.EXPAND, R.ARITHMETIC}),
        "expand": _EXPAND,
        "expand_numerator": _EXPAND,
        "expand_products": _EXPAND,
        "expand_first_numerator": _EXPAND,
        "cancel_common_factor": _CANCEL,
        "cancel_factor": _CANCEL,
        "cancel_fraction": _CANCEL,
        "cancel_whole_denominator": _CANCEL,
        "cancel_in_products": _CANCEL,
        "cancel_opposite_terms": frozenset({R.CANCEL_TERMS, R.CANCEL_TO_ZERO}),
        "cancel_like_terms": frozenset({R.CANCEL_TERMS, R.CANCEL_TO_ZERO}),
        "common_factor_out": _FACTOR_OUT,
        "factor_out": _FACTOR_OUT,
        "factor_out_of_sum": _FACTOR_OUT,
        "factor_out_of_branches": _FACTOR_OUT,
        "split_polynomial_factor": _FACTOR_OUT,
        "factor_polynomial": frozenset({R.FACTOR, R.CANCEL_FACTOR, R.COMBINE_FRACTIONS}),
        "one_fraction": _COMBINE,
        "sum_as_one_fraction": _COMBINE,
        "combine_fractions": _COMBINE,
        "common_denominator": _COMBINE,
        "as_one_fraction": _COMBINE,
        "split_fraction": frozenset({R.SPLIT_FRACTION}),
        "split_square_denominator": frozenset({R.SPLIT_FRACTION}),
        "as_power": frozenset({R.NOTATION}),
        "factor_first": frozenset({R.REORDER}),
    }
)

#: What a move that names no kind of algebra (a rule, a substitution, an identity) may make:
#: anything that changes the expression other than its order.
_ANY_CHANGE = frozenset(set(RewriteClass) - {R.IDENTICAL, R.REORDER})


class Verdict(str, Enum):
    """What the engine does with a step."""

    KEEP = "keep"
    DROP = "drop"  # the step changes nothing it shows, or only the order, unasked
    MISLABELLED = "mislabelled"


def claims_of(move: str) -> frozenset[RewriteClass]:
    """The classes the move id (parts joined by ``+`` pooled) may honestly produce."""
    found: set[RewriteClass] = set()
    for part in move.split("+"):
        found |= CLAIMS.get(part, _ANY_CHANGE)
    return frozenset(found)


def honest(move: str, rewrite: RewriteClass) -> bool:
    """Whether a step of class ``rewrite`` may carry the id ``move``."""
    return rewrite in claims_of(move)


def verdict(before: sp.Expr, after: sp.Expr, move: str) -> tuple[Verdict, RewriteClass]:
    """Keep, drop or refuse the step ``before`` → ``after`` labelled ``move``, with its class."""
    rewrite = classify(before, after)
    if honest(move, rewrite):
        return Verdict.KEEP, rewrite
    if rewrite in (R.IDENTICAL, R.REORDER):
        return Verdict.DROP, rewrite
    return Verdict.MISLABELLED, rewrite


def audit(derivations: Iterable[Derivation]) -> list[str]:
    """Every dishonest step of the derivations (sub-derivations included), in words: a step
    whose two sides are identical, a reorder not called one, a move id that names another
    rewrite than the one made. A line stated from its left side (a given, a rule) is judged
    only as a rewrite of the line before it would be: not at all."""
    problems = []
    for derivation in derivations:
        for route in derivation.routes:
            for step in route.steps:
                problems.extend(audit(step.subderivations))
                if step.before is step.lhs:
                    continue
                found, rewrite = verdict(step.before, step.after, step.move)
                if found is not Verdict.KEEP:
                    problems.append(
                        f"{derivation.id} ({route.name}): {sp.sstr(step.before)} → "
                        f"{sp.sstr(step.after)} is '{rewrite.value}', labelled {step.move!r}"
                    )
    return problems
