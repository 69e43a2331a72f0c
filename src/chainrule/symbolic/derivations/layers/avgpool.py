"""Average pooling: dA_prev, every output's gradient shared evenly over its window.

A[i, h, w, c] is the mean of its f×f window of A_prev, so each entry of the window moves it
by 1/f²; dA_prev gathers, for every entry, the shares of all the windows that hold it (the
course's ``distribute_value``, summed where windows overlap). Proven in the layers of
:data:`.pooling_instance.SIZES`, every entry against ∂J/∂A_prev taken directly.
"""

from __future__ import annotations

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.core.trees import frac, mul
from chainrule.symbolic.derivations.layers import pooling, pooling_instance
from chainrule.symbolic.derivations.layers.assembly import assemble, build_route
from chainrule.symbolic.derivations.layers.pooling_instance import (
    NOTATION,
    SIZES,
    A_prev,
    PoolSizes,
    c,
    dA_prev,
    f,
    h,
    i,
    u,
    v,
    w,
    x,
    y,
)

__all__ = ["DERIVATIONS", "avgpool"]

_SHARE = frac(1, mul(f, f))

_LINES = pooling.forward_lines(
    mul(_SHARE, pooling.sum_over(A_prev[i, pooling.at(h, u), pooling.at(w, v), c], u, v)),
    "Forward (pool_forward, mode 'average'): the mean of the f×f window at (s h, s w), one "
    "channel at a time.",
) + pooling.backward_lines(
    _SHARE,
    "Every entry of the window weighs 1/f² in the mean (distribute_value: dz/(n_H·n_W) for "
    "each of the n_H·n_W = f² entries).",
    "dA_prev[i, y, x, c] gathers 1/f² of dA from every window that holds it, δ(a, b) being 1 "
    "for a = b and 0 otherwise: the windows with s h + u = y and s w + v = x. Where windows "
    "overlap (s < f) the shares add up (pool_backward: dA_prev[window] += "
    "distribute_value(dA[i, h, w, c], (f, f))).",
)

_NOTES = (
    pooling.SHAPES_NOTE,
    "The forward pass is linear, so this gradient holds everywhere; it does not depend on "
    "A_prev at all.",
    pooling.proof_note("symbolic inputs"),
)


def avgpool(sizes: tuple[PoolSizes, ...] = SIZES) -> Derivation:
    """The derivation "avgpool", every line proven in the layers ``sizes``."""
    layers = [pooling_instance.instance(size, "average") for size in sizes]
    route = build_route("chain rule", _LINES, NOTATION, layers)
    goal = dA_prev[i, y, x, c]
    return assemble(
        ("avgpool", "Average pooling — dA_prev"),
        [(route, _LINES[-1].rhs)],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive avgpool``.
DERIVATIONS = DerivationSet({"avgpool": lambda need: avgpool()})
