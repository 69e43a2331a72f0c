"""Network.backward against PyTorch autograd, in float64, on random networks.

The oracle is built independently: a PyTorch model with the same weights (copied from
``net.params``), the same forward equations Z = W A + b and the same cost, a mean over the m
examples (binary cross-entropy with logits summed over output units, cross-entropy with one-hot
targets or class indices, half the squared error summed over output units). Autograd then gives
dW, db, dZ and dA for every layer, which must agree with ``backward`` to 1e-10 (dZ and dA
without the 1/m, as in the course: m times dJ/dZ and dJ/dA). The tests that
plant a wrong gradient, a wrong cost scaling or a wrong activation check that the comparison
does catch a mismatch.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

from chainrule.numeric import Network  # noqa: E402

TOLERANCE = 1e-10
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = ["sigmoid", "softmax", "linear"]
LEAKY_SLOPE = 0.01

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),
    "linear": lambda z: z,
}


def random_problem(
    rng: np.random.Generator, activation: str, output: str, depth: int
) -> tuple[Network, np.ndarray, np.ndarray]:
    """A network with random sizes and random weights and biases, and random data.

    Returns ``(net, X, Y)`` with X of shape (n0, m) and Y of shape (nL, m): 0/1 labels for a
    sigmoid output, one-hot columns for softmax, real targets for a linear output.
    """
    low_units = 2 if output == "softmax" else 1
    sizes = [int(n) for n in rng.integers(1, 7, size=depth)] + [int(rng.integers(low_units, 5))]
    m = int(rng.integers(1, 9))
    net = Network(layer_sizes=sizes, activation=activation, output=output, dtype="float64", seed=0)
    net.set_params({key: rng.standard_normal(value.shape) for key, value in net.params.items()})
    X = rng.standard_normal((sizes[0], m))
    n_out = sizes[-1]
    if output == "sigmoid":
        Y = rng.integers(0, 2, size=(n_out, m)).astype(np.float64)
    elif output == "softmax":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, size=m)]
    else:
        Y = rng.standard_normal((n_out, m))
    return net, X, Y


def torch_cost(ZL, Y, output: str, softmax_targets: str = "one-hot", scale: str = "mean"):
    """The network's cost J from the output logits ZL (nL, m): a mean over the m columns."""
    m = ZL.shape[1]
    if output == "sigmoid":
        total = F.binary_cross_entropy_with_logits(ZL, Y, reduction="sum")
    elif output == "softmax" and softmax_targets == "indices":
        total = F.cross_entropy(ZL.T, Y.argmax(dim=0), reduction="sum")
    elif output == "softmax":
        total = F.cross_entropy(ZL.T, Y.T, reduction="sum")
    else:
        total = 0.5 * ((ZL - Y) ** 2).sum()
    return total / m if scale == "mean" else total


def torch_gradients(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    activation: str,
    output: str,
    l2: float = 0.0,
    masks: dict[int, tuple[np.ndarray, float]] | None = None,
    **cost_options: str,
) -> dict[str, np.ndarray]:
    """dW, db, dZ (every layer) and dA (every layer below the output) by PyTorch autograd.

    dW and db are dJ/dW and dJ/db. dZ and dA follow the course's convention, which the
    network keeps: they are derivatives of the summed per-example losses (dZ[L] = A[L] - Y,
    without the 1/m that dW and db carry), that is m times dJ/dZ and m times dJ/dA.

    ``l2`` = λ adds (λ/2m) Σ ||W[l]||² to the cost. ``masks`` maps a hidden layer l to its
    dropout mask D[l] (n_l, m) and keep probability p: A[l] = g(Z[l]) * D[l] / p, and dA[l]
    is then the gradient with respect to g(Z[l]), before the mask.
    """
    depth = sum(1 for key in params if key.startswith("W"))
    masks = masks or {}
    leaves = {key: torch.tensor(value, requires_grad=True) for key, value in params.items()}
    A = torch.tensor(X, requires_grad=True)
    activations, logits = {"dA0": A}, {}
    for layer in range(1, depth + 1):
        Z = leaves[f"W{layer}"] @ A + leaves[f"b{layer}"]  # (n_l, m)
        Z.retain_grad()
        logits[f"dZ{layer}"] = Z
        if layer < depth:
            A = TORCH_ACTIVATIONS[activation](Z)
            A.retain_grad()
            activations[f"dA{layer}"] = A
            if layer in masks:
                mask, keep = masks[layer]
                A = A * torch.tensor(mask) / keep
    m = X.shape[1]
    cost = torch_cost(Z, torch.tensor(Y), output, **cost_options)
    if l2:
        weights = (leaves[f"W{layer}"] for layer in range(1, depth + 1))
        cost = cost + l2 / (2 * m) * sum((W**2).sum() for W in weights)
    cost.backward()
    grads = {f"d{key}": leaf.grad.numpy() for key, leaf in leaves.items()}
    for name, tensor in {**activations, **logits}.items():
        grads[name] = m * tensor.grad.numpy()
    return grads


def gradient_gaps(ours: dict[str, np.ndarray], oracle: dict[str, np.ndarray]) -> dict[str, float]:
    """Largest absolute difference per gradient the network returned and the oracle knows.

    A shape mismatch counts as an infinite gap.
    """
    gaps = {}
    for name, expected in oracle.items():
        if name not in ours:
            continue
        got = np.asarray(ours[name])
        gaps[name] = (
            float(np.max(np.abs(got - expected), initial=0.0))
            if got.shape == expected.shape
            else float("inf")
        )
    return gaps


def check_against_torch(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    activation: str,
    output: str,
    l2: float = 0.0,
    keep_prob: float | None = None,
    **cost_options: str,
) -> None:
    """Assert that net.backward agrees with autograd on every dW, db, dZ and dA.

    ``activation`` and ``output`` name what the oracle builds; the network was built with
    the same names unless a test plants a mismatch. ``l2`` and ``keep_prob`` go to the
    network's passes (only when set) and into the oracle, with the network's dropout masks.
    """
    regularised = {"l2": l2} if l2 else {}
    dropout = {"keep_prob": keep_prob} if keep_prob is not None else {}
    _, caches = net.forward(X, **dropout)
    ours = net.backward(Y, caches, **regularised, **dropout)
    masks = {
        layer: (np.array(caches[f"D{layer}"]), float(keep_prob))
        for layer in range(1, net.n_layers)
        if keep_prob is not None and f"D{layer}" in caches
    }
    assert not dropout or masks or net.n_layers == 1, "forward(keep_prob=...) returned no masks"
    params = {key: np.array(value) for key, value in net.params.items()}
    oracle = torch_gradients(params, X, Y, activation, output, l2, masks, **cost_options)
    missing = [name for name in oracle if name not in ours]
    assert not missing, f"backward did not return {missing}"
    gaps = gradient_gaps(ours, oracle)
    bad = {name: gap for name, gap in gaps.items() if not gap < TOLERANCE}
    assert not bad, f"gradients differ from autograd: {bad}"


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_autograd(activation: str, output: str, depth: int) -> None:
    rng = np.random.default_rng([ACTIVATIONS.index(activation), OUTPUTS.index(output), depth])
    for _ in range(3):
        net, X, Y = random_problem(rng, activation, output, depth)
        check_against_torch(net, X, Y, activation, output)


@pytest.mark.parametrize("depth", [1, 3])
def test_softmax_matches_cross_entropy_with_class_indices(depth: int) -> None:
    rng = np.random.default_rng(depth)
    net, X, Y = random_problem(rng, "tanh", "softmax", depth)
    check_against_torch(net, X, Y, "tanh", "softmax", softmax_targets="indices")


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    activation=st.sampled_from(ACTIVATIONS),
    output=st.sampled_from(OUTPUTS),
    depth=st.integers(1, 4),
)
def test_backward_matches_autograd_on_random_networks(
    seed: int, activation: str, output: str, depth: int
) -> None:
    net, X, Y = random_problem(np.random.default_rng(seed), activation, output, depth)
    check_against_torch(net, X, Y, activation, output)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_l2_regularised_backward_matches_autograd(activation: str, output: str) -> None:
    rng = np.random.default_rng([11, ACTIVATIONS.index(activation), OUTPUTS.index(output)])
    for depth in (1, 3):
        net, X, Y = random_problem(rng, activation, output, depth)
        check_against_torch(net, X, Y, activation, output, l2=float(rng.uniform(0.1, 2.0)))


@pytest.mark.parametrize("keep_prob", [0.5, 0.8])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dropout_backward_matches_autograd_with_the_same_masks(
    activation: str, keep_prob: float
) -> None:
    rng = np.random.default_rng([12, ACTIVATIONS.index(activation), int(keep_prob * 10)])
    for output in OUTPUTS:
        net, X, Y = random_problem(rng, activation, output, 3)
        check_against_torch(net, X, Y, activation, output, keep_prob=keep_prob)


# ----------------------------------------------------------------- the oracle must catch errors


def test_a_planted_wrong_gradient_is_caught() -> None:
    net, X, Y = random_problem(np.random.default_rng(7), "relu", "sigmoid", 3)
    _, caches = net.forward(X)
    ours = {key: np.array(value) for key, value in net.backward(Y, caches).items()}
    oracle = torch_gradients(dict(net.params), X, Y, "relu", "sigmoid")
    assert max(gradient_gaps(ours, oracle).values()) < TOLERANCE
    ours["dW2"][0, 0] += 1e-8
    gaps = gradient_gaps(ours, oracle)
    assert gaps["dW2"] > TOLERANCE
    assert all(gap < TOLERANCE for name, gap in gaps.items() if name != "dW2")


def test_a_wrongly_shaped_gradient_is_caught() -> None:
    net, X, Y = random_problem(np.random.default_rng(8), "tanh", "linear", 2)
    _, caches = net.forward(X)
    ours = dict(net.backward(Y, caches))
    ours["db1"] = np.ravel(ours["db1"])  # (n1,) instead of (n1, 1)
    oracle = torch_gradients(dict(net.params), X, Y, "tanh", "linear")
    assert gradient_gaps(ours, oracle)["db1"] == float("inf")


@pytest.mark.parametrize("output", OUTPUTS)
def test_a_cost_summed_instead_of_averaged_is_caught(output: str) -> None:
    rng = np.random.default_rng(9)
    net, X, Y = random_problem(rng, "sigmoid", output, 2)
    while X.shape[1] < 2:
        net, X, Y = random_problem(rng, "sigmoid", output, 2)
    with pytest.raises(AssertionError, match="differ from autograd"):
        check_against_torch(net, X, Y, "sigmoid", output, scale="sum")


def test_a_wrong_activation_is_caught() -> None:
    net, X, Y = random_problem(np.random.default_rng(10), "sigmoid", "sigmoid", 3)
    with pytest.raises(AssertionError, match="differ from autograd"):
        check_against_torch(net, X, Y, "tanh", "sigmoid")


def test_a_missing_l2_term_is_caught_and_biases_are_not_penalised() -> None:
    net, X, Y = random_problem(np.random.default_rng(13), "tanh", "sigmoid", 2)
    _, caches = net.forward(X)
    ours = {key: np.array(value) for key, value in net.backward(Y, caches, l2=1.0).items()}
    gaps = gradient_gaps(ours, torch_gradients(dict(net.params), X, Y, "tanh", "sigmoid"))
    assert gaps["dW1"] > TOLERANCE and gaps["dW2"] > TOLERANCE
    assert gaps["db1"] < TOLERANCE and gaps["db2"] < TOLERANCE


def test_other_dropout_masks_are_caught() -> None:
    rng = np.random.default_rng(14)
    net, X, Y = random_problem(rng, "relu", "linear", 3)
    while X.shape[1] < 4:
        net, X, Y = random_problem(rng, "relu", "linear", 3)
    _, caches = net.forward(X, keep_prob=0.5)
    ours = {k: np.array(v) for k, v in net.backward(Y, caches, keep_prob=0.5).items()}
    flipped = {layer: (1.0 - np.array(caches[f"D{layer}"]), 0.5) for layer in (1, 2)}
    oracle = torch_gradients(dict(net.params), X, Y, "relu", "linear", masks=flipped)
    assert max(gradient_gaps(ours, oracle).values()) > TOLERANCE
