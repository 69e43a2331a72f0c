"""A 2-D convolution layer: dW, db and dA_prev, in index notation, in matrix form (im2col)
and as convolutions.

The layer computes a cross-correlation, as the course's ``conv_forward`` and the frameworks
do (the kernel is not flipped), over a zero-padded input, with stride s::

    Z[i, h, w, c] = Σ_u Σ_v Σ_k A_pad[i, s h + u, s w + v, k] W[u, v, k, c] + b[c]

Routes:

- "chain rule": each gradient as a sum over the entries of Z (the chain rule in index
  notation), then collapsed: dW = Σ dZ A_pad (windows), db = Σ dZ, and dA_prev collects the
  kernel entries of every window that covers it (the course's ``conv_backward`` loops);
- "im2col": the windows as the columns of one matrix, col; then Z_col = W_col col + b,
  dW_col = dZ_col colᵀ, db = dZ_col 1, dcol = W_colᵀ dZ_col and col2im;
- "full convolution": dA_prev is dZ (dilated by the stride, padded by f - 1 - p) correlated
  with the kernel rotated by 180°, a full convolution for stride 1; dW is A_pad correlated
  with the dilated dZ.

Every line is proven in two layers with symbolic entries (:mod:`.conv_instance`): stride 1 and
stride 2, padding 1, a 3×3 kernel, 2 input channels, 3 and 2 output channels.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.derivations.layers import conv_im2col
from chainrule.symbolic.derivations.layers import conv_routes as routes
from chainrule.symbolic.derivations.layers.assembly import assemble, build_route
from chainrule.symbolic.derivations.layers.conv_instance import (
    NOTATION,
    SIZES,
    ConvSizes,
    dA_prev,
    db,
    dW,
    instance,
)

__all__ = ["DERIVATIONS", "conv"]

_NOTES = (
    "Shapes as in the course (conv_forward, conv_backward): A_prev (m, n_H_prev, n_W_prev, "
    "n_C_prev), W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C), written b[c]; Z and dZ (m, n_H, "
    "n_W, n_C). Indices count from 0, as in numpy: i an example, (h, w) an output position, "
    "c (and c') an output channel, (u, v) a kernel position, k an input channel, (y, x) a "
    "position in A_prev.",
    "dZ is the upstream gradient ∂J/∂Z; dW, db and dA_prev are ∂J/∂W, ∂J/∂b, ∂J/∂A_prev. In "
    "the index forms W reads 0 outside its f×f window and dZ_dil between and outside its "
    "entries, so that sums need no case analysis.",
    "A cross-correlation, as the frameworks compute it: with a flipped kernel (a true "
    "convolution) the forward pass reads W[f - 1 - u, f - 1 - v, k, c] and the roles of the "
    "rotated and the plain kernel swap in dA_prev.",
    "Stride: for s = 1, dZ_dil is dZ, and dA_prev is dZ padded with f - 1 - p zeros on each "
    "side, cross-correlated with the rotated kernel: the full convolution of dZ with W. For "
    "s > 1, dZ is first dilated, s - 1 zeros between neighbouring entries; input rows that "
    "no window reaches get 0.",
    "Proof: every line is checked in two layers with symbolic inputs, kernels, biases and a "
    "symbolic upstream gradient G (J = Σ G ⊙ Z, so dZ = G): "
    + "; ".join(size.describe() for size in SIZES)
    + ". Each entry is compared with the derivative of J taken directly (J is an exact "
    "polynomial in those symbols, differentiated term by term); indices and shapes are "
    "checked symbolically (a letter alone on an axis must run over that axis) and every "
    "compound index in every instance.",
)


def conv(sizes: tuple[ConvSizes, ...] = SIZES) -> Derivation:
    """The derivation "conv": three routes, every line proven in the layers ``sizes``."""
    layers = [instance(size) for size in sizes]
    chain = build_route("chain rule", routes.CHAIN, NOTATION, layers)
    matrix = build_route("im2col", conv_im2col.IM2COL, NOTATION, layers)
    full = build_route("full convolution", routes.FULL, NOTATION, layers)
    goal = sp.Tuple(dW[routes.KERNEL_INDEX], db[routes.c], dA_prev[routes.INPUT_INDEX])
    return assemble(
        ("conv", "Convolution layer — dW, db, dA_prev"),
        [
            (chain, routes.CHAIN_RESULT),
            (matrix, conv_im2col.IM2COL_RESULT),
            (full, routes.FULL_RESULT),
        ],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive conv``.
DERIVATIONS = DerivationSet({"conv": lambda need: conv()})
