"""Max pooling: dA_prev through the mask of each window's maximum.

A[i, h, w, c] is the largest entry of its f×f window; where that entry is unique, the output
moves with it alone, at slope 1, so ∂A/∂A_prev is the window's mask M (1 at the maximum, 0
elsewhere; the course's ``create_mask_from_window``), and dA_prev gathers dA through the masks
of all the windows that hold an entry. Proven in the layers of :data:`.pooling_instance.SIZES` at a
point where every window's maximum is unique.
"""

from __future__ import annotations

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.core.trees import mul
from chainrule.symbolic.derivations.layers import pooling, pooling_instance
from chainrule.symbolic.derivations.layers.assembly import assemble, build_route
from chainrule.symbolic.derivations.layers.pooling_instance import (
    NOTATION,
    SIZES,
    A_prev,
    M,
    PoolSizes,
    c,
    dA_prev,
    h,
    i,
    u,
    v,
    w,
    x,
    y,
)

__all__ = ["DERIVATIONS", "maxpool"]

_MASK = M[i, h, w, c, u, v]

_LINES = pooling.forward_lines(
    pooling.sum_over(mul(_MASK, A_prev[i, pooling.at(h, u), pooling.at(w, v), c]), u, v),
    "Forward (pool_forward, mode 'max'): the largest entry of the f×f window at (s h, s w), "
    "one channel at a time, written with the window's mask M, 1 at the maximum and 0 "
    "elsewhere (create_mask_from_window).",
) + pooling.backward_lines(
    _MASK,
    "Where the window's maximum is unique, a small change of any other entry leaves it the "
    "maximum: the output moves with the maximal entry alone, at slope 1. So ∂A/∂A_prev over "
    "the window is its mask.",
    "dA_prev[i, y, x, c] gathers dA from every window whose maximum it is, δ(a, b) being 1 "
    "for a = b and 0 otherwise; where windows overlap (s < f) one entry can be the maximum "
    "of several and their gradients add up (pool_backward: dA_prev[window] += mask * "
    "dA[i, h, w, c]).",
)

_NOTES = (
    pooling.SHAPES_NOTE,
    "Ties: max has no derivative where two entries of a window are both its maximum. The "
    "mask M here marks the first maximal entry in row-major order (numpy: np.argmax of the "
    "flattened window; PyTorch does the same), so the whole gradient goes to one entry, a "
    "valid subgradient. The course's create_mask_from_window (x == np.max(x)) marks every "
    "maximal entry instead and so sends the full gradient to each of them; away from ties "
    "the two masks are the same.",
    pooling.proof_note(
        "inputs that are distinct integers (a shuffled 1..N), a point where every window's "
        "maximum is unique; there max is linear within 1/2, so J and every output are "
        "differentiated from the definition, by exact difference quotients with step 1/4 "
        "(both one-sided quotients computed and required to agree)"
    ),
)


def maxpool(sizes: tuple[PoolSizes, ...] = SIZES) -> Derivation:
    """The derivation "maxpool", every line proven in the layers ``sizes``."""
    layers = [pooling_instance.instance(size, "max") for size in sizes]
    route = build_route("chain rule", _LINES, NOTATION, layers)
    goal = dA_prev[i, y, x, c]
    return assemble(
        ("maxpool", "Max pooling — dA_prev"),
        [(route, _LINES[-1].rhs)],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive maxpool``.
DERIVATIONS = DerivationSet({"maxpool": lambda need: maxpool()})
