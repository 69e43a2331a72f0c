"""Named algebraic moves: each computes the next form of an expression from the current one.

Every move is a function ``move(expr, ...) -> expr`` whose docstring opens with the identity it
applies. A move only rewrites; the engine proves each result equal to what it came from, so a
move that computed something false would stop the derivation. A move that finds nothing to
rewrite raises :class:`~.protocol.MoveDoesNotApply`, and nothing else means that.

- :mod:`.sums`: signs, distribution, like terms, factoring, substitution;
- :mod:`.fractions`: powers, splitting and combining fractions, cancelling;
- :mod:`.logs`: logarithms, exponentials, recognising σ and other definitions;
- :mod:`.factors`: common factors, collecting, cancelling against a denominator;
- :mod:`.functions`: sinh/cosh = tanh, the sign of a negation;
- :mod:`.recognise`: a given quantity (a = g(z)) found wherever it stands;
- :mod:`.tidy`: the moves that tidy a rule result, and the plan that picks them;
- :mod:`.registry`: every move id a step can carry, each naming one rewrite, rule or stated
  line (the engine refuses any other);
- :mod:`.protocol`: :class:`~.protocol.MoveDoesNotApply`, the one way a move says it finds
  nothing to rewrite.

This package exports the moves of the first three; the others are imported from their modules.
"""

from chainrule.symbolic.moves.fractions import (
    add_and_subtract,
    as_one_fraction,
    as_power,
    cancel_whole_denominator,
    combine_fractions,
    common_denominator,
    divide_through,
    evaluate_factor,
    split_fraction,
    split_square_denominator,
)
from chainrule.symbolic.moves.logs import (
    differentiate_terms,
    fold_definition,
    fold_sigma,
    log_of_exp,
    log_of_quotient,
    log_of_reciprocal,
    multiply_exponentials,
    sum_of_logs,
    write_as_log_exp,
)
from chainrule.symbolic.moves.sums import (
    cancel_opposite_terms,
    cancel_signs,
    compose,
    distribute_minus,
    expand_products,
    factor_minus,
    factor_out,
    keep_constant_as_written,
    multiply_out,
    pull_term_out,
    substitute,
)

__all__ = [
    "add_and_subtract",
    "as_one_fraction",
    "as_power",
    "cancel_whole_denominator",
    "cancel_opposite_terms",
    "cancel_signs",
    "combine_fractions",
    "common_denominator",
    "compose",
    "differentiate_terms",
    "distribute_minus",
    "divide_through",
    "evaluate_factor",
    "expand_products",
    "factor_minus",
    "factor_out",
    "fold_definition",
    "fold_sigma",
    "keep_constant_as_written",
    "log_of_exp",
    "log_of_quotient",
    "log_of_reciprocal",
    "multiply_exponentials",
    "multiply_out",
    "pull_term_out",
    "split_fraction",
    "split_square_denominator",
    "substitute",
    "sum_of_logs",
    "write_as_log_exp",
]
