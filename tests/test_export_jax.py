"""The JAX export against jax.nn's own functions and jax.grad (the oracles), finite differences
(``jax.test_util.check_grads``, first and second order, float64) and mpmath; its residuals; a
planted wrong VJP that the check must catch."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402
from jax.test_util import check_grads  # noqa: E402

from chainrule.codegen import jax_function, jax_loss, jax_source  # noqa: E402
from chainrule.codegen.jax_export import jax_module  # noqa: E402
from chainrule.symbolic import catalog  # noqa: E402

#: jax.nn's version of each catalogue activation and of some formulas.
ORACLES = {
    "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh,
    "relu": jax.nn.relu,
    "leaky_relu": jax.nn.leaky_relu,
    "linear": lambda z: z,
    "softplus": jax.nn.softplus,
    "swish": jax.nn.silu,
    "elu": jax.nn.elu,
    "gelu": lambda z: jax.nn.gelu(z, approximate=True),
    "mish": jax.nn.mish,
    "elu(2)": lambda z: jax.nn.elu(z, alpha=2.0),
    "z*tanh(log(1 + exp(z)))": lambda z: z * jnp.tanh(jnp.log1p(jnp.exp(z))),
    "z/2*(1 + erf(z/sqrt(2)))": lambda z: jax.nn.gelu(z, approximate=False),
}
LOSSES = {
    "binary_cross_entropy": lambda a, y: -(y * jnp.log(a) + (1 - y) * jnp.log(1 - a)),
    "mean_squared_error": lambda a, y: (a - y) ** 2 / 2,
    "mean_absolute_error": lambda a, y: jnp.abs(a - y),
    "log_cosh": lambda a, y: jnp.log(jnp.cosh(a - y)),
    "hinge": lambda a, y: jnp.maximum(0, 1 - y * a),
    "(a - y)**4": lambda a, y: (a - y) ** 4,
}


@pytest.fixture(autouse=True)
def float64():
    with jax.enable_x64(True):
        yield


def away_from_kinks(*shape: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 4, shape) * rng.choice([-1.0, 1.0], shape)


@pytest.mark.parametrize("name", list(ORACLES))
def test_every_activation_matches_jax_and_passes_check_grads(name) -> None:
    function = jax_function(name)
    z = jnp.asarray(away_from_kinks(3, 4))
    np.testing.assert_allclose(function(z), ORACLES[name](z), rtol=1e-12, atol=1e-14)
    mine = jax.grad(lambda t: jnp.sum(function(t) * t))(z)
    theirs = jax.grad(lambda t: jnp.sum(ORACLES[name](t) * t))(z)
    np.testing.assert_allclose(mine, theirs, rtol=1e-11, atol=1e-13)
    check_grads(function, (z,), order=2, modes=["rev"])


@pytest.mark.parametrize("name", ["sigmoid", "swish", "linear"])
def test_the_residuals_are_what_the_export_says(name) -> None:
    module = jax_module(jax_source(name))
    z = jnp.asarray(away_from_kinks(5))
    value, residuals = module.__dict__[f"_{name}_forward"](z)
    expected = {"sigmoid": (value,), "swish": (z,), "linear": ()}[name]
    assert len(residuals) == len(expected)
    for kept, wanted in zip(residuals, expected, strict=True):
        assert kept is wanted


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_is_the_batch_mean_and_passes_check_grads(name) -> None:
    a = away_from_kinks(4, 3, seed=1)
    if name == "binary_cross_entropy":
        a, y = np.clip(np.abs(a), 0.1, 0.9), np.tile([0.0, 1.0, 1.0], (4, 1))
    elif name == "hinge":
        y = np.tile([-1.0, 1.0, 1.0], (4, 1))
        a = np.where(np.abs(1 - y * a) < 0.1, a + 0.3, a)
    else:
        y = a + away_from_kinks(4, 3, seed=2) / 4
    a, y = jnp.asarray(a), jnp.asarray(y)
    function = jax_loss(name)
    assert float(function(a, y)) == pytest.approx(float(jnp.sum(LOSSES[name](a, y))) / 4)
    for index in (0, 1):
        mine = jax.grad(function, argnums=index)(a, y)
        theirs = jax.grad(lambda p, q: jnp.sum(LOSSES[name](p, q)) / 4, argnums=index)(a, y)
        np.testing.assert_allclose(mine, theirs, rtol=1e-11, atol=1e-13)
    check_grads(function, (a, y), order=2, modes=["rev"])


def test_jit_keeps_float32_and_elu_two_is_accurate_near_zero() -> None:
    function = jax.jit(jax_function("elu(2)"))
    slope = jax.jit(jax.grad(lambda t: jnp.sum(jax_function("elu(2)")(t))))
    for dtype, eps in ((jnp.float32, 1.2e-7), (jnp.float64, 2.3e-16)):
        z = jnp.asarray([-1e-4, -1e-10, -1e-30], dtype=dtype)
        values, slopes = function(z), slope(z)
        assert values.dtype == slopes.dtype == dtype
        with mpmath.workdps(30):
            for k, point in enumerate(np.asarray(z, dtype=float)):
                exact = 2 * mpmath.expm1(mpmath.mpf(float(point)))
                assert float(values[k]) == pytest.approx(float(exact), rel=4 * eps)
                assert float(slopes[k]) == pytest.approx(float(2 * mpmath.exp(point)), rel=4 * eps)


def test_check_grads_catches_a_planted_wrong_vjp() -> None:
    planted = jax_source("tanh").replace("return 1 - a**2", "return 1 + a**2")
    assert "1 + a**2" in planted
    function = jax_module(planted).tanh
    with pytest.raises(AssertionError):
        check_grads(function, (jnp.asarray(away_from_kinks(4)),), order=1, modes=["rev"])


def test_a_loss_refuses_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"a and y must have the same shape"):
        jax_loss("mse")(jnp.zeros((2, 3)), jnp.zeros((3, 2)))


def test_without_jax_the_source_still_prints(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "jax", None)
    assert "@jax.custom_vjp" in jax_source("gelu")
    with pytest.raises(ModuleNotFoundError, match=r"needs jax \(pip install jax\)"):
        jax_function("gelu")


def test_every_catalogue_entry_is_checked() -> None:
    assert set(list(catalog.ACTIVATIONS)) <= set(ORACLES)
    assert set(list(catalog.LOSSES)) <= set(LOSSES)
