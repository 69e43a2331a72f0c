"""Small random problems for any architecture, shared by the numeric tests."""

from __future__ import annotations

import numpy as np

from chainrule.numeric import Network


def random_targets(output: str, n_out: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Targets (n_out, m) that suit ``output``: 0/1, one-hot columns, or real values."""
    if output == "sigmoid":
        return (rng.random((n_out, m)) < 0.5).astype(float)
    if output == "softmax":
        return np.eye(n_out)[:, rng.integers(0, n_out, m)]
    return rng.standard_normal((n_out, m))


def random_problem(
    layer_sizes: list[int], activation, output: str, m: int, seed: int, init: str = "xavier"
) -> tuple[Network, np.ndarray, np.ndarray]:
    """A network with random weights and non-zero random biases, and data X (n0, m), Y.

    Non-zero biases keep every ReLU away from its kink at z = 0 (with zero biases, a layer
    whose units are all off feeds exactly b = 0 into the next one).
    """
    network = Network(layer_sizes, activation, output, init, seed=seed)
    rng = np.random.default_rng([seed, 1])  # a stream apart from the network's own
    for name, value in network.params.items():
        if name.startswith("b"):
            value[...] = rng.standard_normal(value.shape) * 0.5
    X = rng.standard_normal((layer_sizes[0], m))
    Y = random_targets(output, layer_sizes[-1], m, rng)
    return network, X, Y
