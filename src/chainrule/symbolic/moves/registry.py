"""The one registry of moves: every id a step's ``move`` can carry, each naming one rewrite.

A step's ``move`` (and the JSON document's ``move`` field) is one of three kinds:

- ``"rewrite"``: a move function of this package computed the line; its id is the function's
  name and its sentence the identity its docstring opens with;
- ``"rule"``: a differentiation rule of :mod:`chainrule.symbolic.rules` gave the line;
- ``"statement"``: the script stated the line (a given, a definition, an equation of a layer)
  and the checker proved it.

Moves made as one line in turn have their ids joined by ``+`` (``distribute_minus+multiply_out``,
from :func:`~chainrule.symbolic.moves.sums.compose`). The engine refuses an id that is not
registered here, so no derivation can emit one; :func:`markdown_table` lists them all for the
README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import FunctionType, MappingProxyType, ModuleType
from typing import TYPE_CHECKING

from chainrule.symbolic.moves import factors, fractions, functions, logs, recognise, sums, tidy
from chainrule.symbolic.rules import rule_sentences

if TYPE_CHECKING:
    from chainrule.symbolic.core.model import Derivation

__all__ = [
    "HELPERS",
    "KINDS",
    "MODULES",
    "MOVES",
    "MoveInfo",
    "UnregisteredMove",
    "is_registered",
    "markdown_table",
    "move_function",
    "moves_in",
    "require_registered",
]

KINDS = ("rewrite", "rule", "statement")

#: The modules whose public functions are the rewrites, in the order the README lists them.
MODULES: tuple[ModuleType, ...] = (sums, fractions, logs, factors, functions, recognise, tidy)

#: Public functions of those modules that are not moves: a predicate, the combinator of
#: moves, and the plan that picks the tidy moves.
HELPERS = frozenset({"is_negated_sum", "compose", "tidy"})

#: The lines a script states, by id: what each says.
_STATEMENTS: dict[str, str] = {
    "given": "a given of the problem or a definition, stated as it is",
    "definition": "a name for an expression: the symbol it defines equals it",
    "divide": "both sides, or numerator and denominator, divided by the same factor",
    "exponentiate": "u = ln x, so e^u = x",
    "implicit_differentiation": "both sides of an equation differentiated by the same variable",
    "piecewise": "each piece of a piecewise function differentiated on its own interval",
    "cases": "an entry given case by case (i = j and i ≠ j)",
    "split": "a fraction written as a product of fractions, or split into its terms",
    "split_sum": "a sum split into sums of its terms",
    "cancel": "a factor that appears above and below cancels",
    "kronecker": "δ_ij keeps only the term of a sum where i = j",
    "zero_sum": "a sum of deviations from the mean is 0",
    "factor": "a common factor taken out of every term",
    "collapse": "a sum collapsed to its one term that depends on the variable",
    "differentiate": "the partial derivative of one equation of a layer",
    "output_error": "the output layer's dZ[L], the loss's and activation's derivatives combined",
    "average_over_examples": "the per-example derivatives summed over the batch and divided by m",
    "sum_over_examples": "the per-example derivatives summed over the batch",
    "reshape": "an array read in another shape, entry for entry",
    "rotate": "a kernel rotated by 180°: index u read as f - 1 - u",
    "scatter": "every entry of a gradient added back where its value was read from",
    "col2im": "every entry of the column matrix added back to the place it was read from",
    "correlate": "a sum over positions written as a cross-correlation",
    "dilate": "a strided sum written over a dilated array, the entries between adding 0",
    "mask": "a masked entry has probability 0, so whatever it multiplies is 0 there too",
}


class UnregisteredMove(LookupError):
    """A step's move id that the registry does not know: a bug in a derivation script."""


@dataclass(frozen=True)
class MoveInfo:
    """One registered move: its id, its kind (one of :data:`KINDS`), the sentence saying what
    it does and, for a rewrite, the function that makes it."""

    id: str
    kind: str
    sentence: str
    function: Callable | None = None


def _build() -> dict[str, MoveInfo]:
    found: dict[str, MoveInfo] = {}
    for move in _rewrites(MODULES):
        _add(found, MoveInfo(move.__name__, "rewrite", _identity(move), move))
    for id, sentence in rule_sentences().items():
        _add(found, MoveInfo(id, "rule", sentence))
    for id, sentence in _STATEMENTS.items():
        _add(found, MoveInfo(id, "statement", sentence))
    return found


def _rewrites(modules: Iterable[ModuleType]) -> list[Callable]:
    """The public functions of ``modules`` that are moves (not :data:`HELPERS`)."""
    return [
        getattr(module, name)
        for module in modules
        for name in module.__all__
        if name not in HELPERS and isinstance(getattr(module, name), FunctionType)
    ]


def _add(found: dict[str, MoveInfo], info: MoveInfo) -> None:
    """Register ``info``; a second move of the same id is an error."""
    old = found.get(info.id)
    if old is not None:
        raise ValueError(f"two moves share the id {info.id!r}: {old} and {info}")
    found[info.id] = info


def _identity(move: Callable) -> str:
    """The first paragraph of the move's docstring, on one line: the identity it applies."""
    return " ".join((move.__doc__ or "").strip().split("\n\n")[0].split())


#: Every move by id.
MOVES: Mapping[str, MoveInfo] = MappingProxyType(_build())


def is_registered(move: str) -> bool:
    """Whether every part of the move id (parts joined by ``+``) is registered."""
    return all(part in MOVES for part in move.split("+"))


def require_registered(move: str) -> None:
    """Refuse a step's move id that is not registered (each part of an id joined by ``+``).

    Raises
    ------
    UnregisteredMove
        Naming the id; it means a derivation script uses a move the registry does not list.
    """
    unknown = [part for part in move.split("+") if part not in MOVES]
    if unknown:
        raise UnregisteredMove(
            f"move {move!r}: {', '.join(map(repr, unknown))} is not a registered move id "
            f"(chainrule.symbolic.moves.registry)"
        )


def move_function(id: str) -> Callable:
    """The function of the rewrite ``id`` (for data that names its moves by id).

    Raises
    ------
    UnregisteredMove
        For an id that is not a registered rewrite.
    """
    info = MOVES.get(id)
    if info is None or info.function is None:
        raise UnregisteredMove(f"{id!r} is not a registered rewrite")
    return info.function


def moves_in(derivations: Iterable[Derivation]) -> set[str]:
    """Every move id the derivations' steps carry, their sub-derivations' included (ids joined
    by ``+`` split into their parts)."""
    found: set[str] = set()
    for derivation in derivations:
        for route in derivation.routes:
            for step in route.steps:
                found.update(step.move.split("+"))
                found |= moves_in(step.subderivations)
    return found


def markdown_table() -> str:
    """The registry as the README's table: id, kind, what it does; by kind, then by id."""
    rows = ["| move | kind | what it does |", "|---|---|---|"]
    for kind in KINDS:
        for info in sorted((m for m in MOVES.values() if m.kind == kind), key=lambda m: m.id):
            sentence = info.sentence.replace("|", "\\|")
            rows.append(f"| `{info.id}` | {kind} | {sentence} |")
    return "\n".join(rows) + "\n"
