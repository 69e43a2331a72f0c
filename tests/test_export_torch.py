"""The PyTorch export against torch's own functions and autograd (the oracles), finite
differences (``torch.autograd.gradcheck``, double precision) and mpmath; what it saves for
backward; and planted wrong backwards that the checks must catch."""

from __future__ import annotations

import ast
import subprocess
import sys

import mpmath
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch.autograd.gradcheck import GradcheckError  # noqa: E402

from chainrule.codegen import torch_function, torch_loss, torch_source  # noqa: E402
from chainrule.codegen.backward import activation_backward  # noqa: E402
from chainrule.codegen.torch_export import torch_module  # noqa: E402
from chainrule.errors import InputError  # noqa: E402
from chainrule.symbolic import catalog  # noqa: E402

#: torch's own version of each catalogue activation: the independent oracle.
BUILT_IN = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": F.leaky_relu,
    "linear": lambda z: z * 1,
    "softplus": lambda z: F.softplus(z, threshold=1e30),
    "swish": F.silu,
    "elu": F.elu,
    "gelu": lambda z: F.gelu(z, approximate="tanh"),
    "mish": F.mish,
}
#: Formulas, each with the same math written by hand in torch.
FORMULAS = {
    "z*tanh(log(1 + exp(z)))": lambda z: z * torch.tanh(torch.log(1 + torch.exp(z))),
    "z*sigmoid(z)": lambda z: z * torch.sigmoid(z),
    "elu(2)": lambda z: F.elu(z, alpha=2.0),
    "leaky_relu(0.2)": lambda z: F.leaky_relu(z, 0.2),
    "z/2*(1 + erf(z/sqrt(2)))": lambda z: F.gelu(z),
    "min(z, 0)": lambda z: torch.clamp(z, max=0),
    "exp(-z**2)": lambda z: torch.exp(-(z**2)),
    "z - 2*z*tanh(z)": lambda z: z - 2 * z * torch.tanh(z),  # t + c·f·g: one addcmul
}
#: What each catalogue activation's backward keeps: the output, the input or nothing.
SAVES = {
    "sigmoid": "a", "tanh": "a", "relu": "a", "leaky_relu": "a", "linear": "nothing",
    "softplus": "a", "swish": "z", "elu": "a", "gelu": "z", "mish": "z",
}  # fmt: skip
#: Each catalogue loss as torch writes it, summed and divided by the batch.
LOSS_BUILT_IN = {
    "binary_cross_entropy": lambda a, y: F.binary_cross_entropy(a, y, reduction="sum"),
    "mean_squared_error": lambda a, y: F.mse_loss(a, y, reduction="sum") / 2,
    "mean_absolute_error": lambda a, y: F.l1_loss(a, y, reduction="sum"),
    "log_cosh": lambda a, y: torch.log(torch.cosh(a - y)).sum(),
    "hinge": lambda a, y: torch.clamp(1 - y * a, min=0).sum(),
    "(a - y)**4": lambda a, y: ((a - y) ** 4).sum(),
}
ACTIVATIONS = [*list(catalog.ACTIVATIONS), *FORMULAS]


def away_from_kinks(*shape: int, dtype=torch.float64, seed: int = 0) -> torch.Tensor:
    """Points in [-4, 4] at least 0.1 from 0, where relu, leaky ReLU and ELU bend."""
    generator = torch.Generator().manual_seed(seed)
    points = torch.empty(shape, dtype=dtype).uniform_(0.1, 4, generator=generator)
    signs = torch.randint(0, 2, shape, generator=generator, dtype=dtype) * 2 - 1
    return points * signs


def oracle(name: str):
    return BUILT_IN.get(name) or FORMULAS[name]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_every_activation_passes_gradcheck_and_gradgradcheck(name) -> None:
    function = torch_function(name)
    z = away_from_kinks(3, 5).requires_grad_()
    assert torch.autograd.gradcheck(function.apply, (z,))
    assert torch.autograd.gradgradcheck(function.apply, (z,))  # create_graph: double backward


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_forward_and_backward_equal_torch_and_its_autograd(name, dtype) -> None:
    function = torch_function(name)
    z = away_from_kinks(4, 6, dtype=dtype, seed=1).requires_grad_()
    grad = away_from_kinks(4, 6, dtype=dtype, seed=2)
    mine = function.apply(z)
    theirs = oracle(name)(z)
    (slope,) = torch.autograd.grad(mine, z, grad)
    (expected,) = torch.autograd.grad(theirs, z, grad)
    tolerance = (
        {"rtol": 1e-5, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-14}
    )
    assert mine.dtype == slope.dtype == dtype
    torch.testing.assert_close(mine, theirs, **tolerance)
    torch.testing.assert_close(slope, expected, **tolerance)


@pytest.mark.parametrize("name", list(catalog.ACTIVATIONS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_inputs_give_finite_values_and_slopes(name, dtype) -> None:
    z = torch.tensor([-1e4, -710.0, -89.0, -20.0, 0.0, 20.0, 89.0, 710.0, 1e4], dtype=dtype)
    z.requires_grad_()
    out = torch_function(name).apply(z)
    (slope,) = torch.autograd.grad(out.sum(), z)
    assert torch.isfinite(out).all() and torch.isfinite(slope).all()


@pytest.mark.parametrize("name", list(catalog.ACTIVATIONS))
def test_what_is_saved_for_backward_is_what_the_export_says(name) -> None:
    z = away_from_kinks(2, 3).requires_grad_()
    out = torch_function(name).apply(z)
    saved = out.grad_fn.saved_tensors
    assert activation_backward(name).saves == SAVES[name]
    if SAVES[name] == "nothing":
        assert saved == ()
        return
    (kept,) = saved
    shared = out if SAVES[name] == "a" else z
    assert kept.untyped_storage().data_ptr() == shared.untyped_storage().data_ptr()
    assert f"Saved for backward: the {'output a' if SAVES[name] == 'a' else 'input z'}" in (
        torch_source(name)
    )


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "elu(2)"])
def test_a_fused_kernel_equals_the_plain_derivative_also_at_the_kink(name) -> None:
    backward = activation_backward(name)
    module = torch_module(torch_source(name))
    assert "torch.ops.aten." in torch_source(name)
    a = torch.cat([module.__dict__[f"{backward.identifier}_value"](away_from_kinks(50)),
                   torch.zeros(3, dtype=torch.float64)])  # fmt: skip
    grad = away_from_kinks(53, seed=3)
    fast = module.__dict__[f"{backward.identifier}_backward"](a, grad)
    plain = grad * module.__dict__[f"{backward.identifier}_derivative"](a)
    torch.testing.assert_close(fast, plain, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_at_a_kink_the_slope_is_the_numpy_codes_convention(name) -> None:
    import numpy as np

    from chainrule.codegen import compile_activation

    generated = compile_activation(catalog.get_activation(name).expr, name="g")
    zero = np.zeros((1, 1))
    expected = float(generated.derivative(zero, generated.forward(zero))[0, 0])
    z = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(torch_function(name).apply(z).sum(), z)
    assert float(slope[0]) == expected


def test_elu_with_alpha_two_is_accurate_near_zero() -> None:
    function = torch_function("elu(2)")
    for dtype, eps in ((torch.float32, 1.2e-7), (torch.float64, 2.3e-16)):
        z = torch.tensor([-1e-4, -1e-10, -1e-30], dtype=dtype, requires_grad=True)
        out = function.apply(z)
        (slope,) = torch.autograd.grad(out.sum(), z)
        out = out.detach()
        with mpmath.workdps(30):
            for k, point in enumerate(z.detach().tolist()):
                value = 2 * mpmath.expm1(mpmath.mpf(point))
                assert float(out[k]) == pytest.approx(float(value), rel=4 * eps)
                assert float(slope[k]) == pytest.approx(float(2 * mpmath.exp(point)), rel=4 * eps)


# ----------------------------------------------------------------------------- losses
def loss_inputs(name: str) -> tuple[torch.Tensor, torch.Tensor]:
    a = away_from_kinks(4, 3, seed=4).abs().clamp(0.1, 0.9) if name == "binary_cross_entropy" \
        else away_from_kinks(4, 3, seed=4)  # fmt: skip
    if name == "binary_cross_entropy":
        y = torch.tensor([[0.0, 1.0, 1.0]] * 4, dtype=torch.float64)
    elif name == "hinge":
        y = torch.tensor([[-1.0, 1.0, 1.0]] * 4, dtype=torch.float64)
        a = torch.where((1 - y * a).abs() < 0.1, a + 0.3, a)
    else:
        y = a + away_from_kinks(4, 3, seed=5) / 4  # a - y away from 0, where |a - y| bends
    return a.requires_grad_(), y.requires_grad_()


@pytest.mark.parametrize("name", [*list(catalog.LOSSES), "(a - y)**4"])
def test_every_loss_passes_gradcheck_in_a_and_in_y(name) -> None:
    function = torch_loss(name)
    a, y = loss_inputs(name)
    assert torch.autograd.gradcheck(function.apply, (a, y))
    assert torch.autograd.gradgradcheck(function.apply, (a, y))


@pytest.mark.parametrize("name", [*list(catalog.LOSSES), "(a - y)**4"])
def test_every_loss_is_the_batch_mean_of_torchs_own_and_so_is_its_gradient(name) -> None:
    a, y = loss_inputs(name)
    mine = torch_loss(name).apply(a, y)
    theirs = LOSS_BUILT_IN[name](a, y) / a.shape[0]
    torch.testing.assert_close(mine, theirs, rtol=1e-12, atol=0.0)
    for got, expected in zip(torch.autograd.grad(mine, (a, y)), torch.autograd.grad(theirs, (a, y)),
                             strict=True):  # fmt: skip
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-15)
    out = torch_loss(name).apply(a, y)
    assert [t.data_ptr() for t in out.grad_fn.saved_tensors] == [a.data_ptr(), y.data_ptr()]


def test_a_loss_refuses_mismatched_shapes_and_integer_input() -> None:
    function = torch_loss("mse")
    with pytest.raises(ValueError, match=r"a and y must have the same shape \(got \(2, 3\) and "):
        function.apply(torch.zeros(2, 3), torch.zeros(3, 2))
    with pytest.raises(TypeError, match="a must be a floating-point tensor"):
        function.apply(torch.zeros(2, dtype=torch.int64), torch.zeros(2, dtype=torch.int64))
    with pytest.raises(TypeError, match="relu: z must be a floating-point tensor"):
        torch_function("relu").apply(torch.zeros(2, dtype=torch.int32))


# ----------------------------------------------------------------------------- the checks fail
def test_gradcheck_catches_a_planted_wrong_backward() -> None:
    text = torch_source("tanh")
    planted = text.replace("tanh_backward(grad, a)", "sigmoid_backward(grad, a)")
    planted = planted.replace("return 1 - a**2", "return 1 + a**2")
    assert planted.count("sigmoid_backward") == 1 and "1 + a**2" in planted
    function = torch_module(planted).Tanh
    z = away_from_kinks(2, 3).requires_grad_()
    with pytest.raises(GradcheckError):
        torch.autograd.gradcheck(function.apply, (z,))
    with pytest.raises(GradcheckError):
        torch.autograd.gradgradcheck(function.apply, (z,))


# ----------------------------------------------------------------------------- the module
def test_the_printed_module_runs_without_chainrule(tmp_path) -> None:
    text = torch_source("swish", "log_cosh")
    imported = {
        alias.name
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"torch"}
    (tmp_path / "exported.py").write_text(text, encoding="utf-8")
    script = (
        "import sys; sys.modules['chainrule'] = None; import torch, exported\n"
        "z = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)\n"
        "assert torch.autograd.gradcheck(exported.Swish.apply, (z,))\n"
        "a = exported.swish(z); loss = exported.log_cosh(a, torch.zeros_like(a)); loss.backward()\n"
        "print('ok', z.grad.dtype)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok torch.float64"


def test_torch_func_transforms_run_through_the_export() -> None:
    function = torch_function("swish")
    z = away_from_kinks(5)
    slope = torch.func.grad(lambda t: function.apply(t).sum())(z)
    torch.testing.assert_close(slope, torch.func.grad(lambda t: F.silu(t).sum())(z))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    transpose=st.booleans(),
    name=st.sampled_from(["elu(2)", "swish", "linear", "softplus"]),
)
def test_any_shape_and_layout_gives_the_oracles_values(shape, transpose, name) -> None:
    z = torch.randn(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    if transpose and z.dim() >= 2:
        z = z.transpose(0, 1)  # not contiguous
    z.requires_grad_()
    out = torch_function(name).apply(z)
    assert out.shape == z.shape
    if z.numel():
        (mine,) = torch.autograd.grad(out.sum(), z)
        (theirs,) = torch.autograd.grad(oracle(name)(z).sum(), z)
        torch.testing.assert_close(mine, theirs)


def test_bad_requests_get_one_clear_line(monkeypatch) -> None:
    with pytest.raises(InputError, match="'activation' must be one of sigmoid"):
        torch_function("swoosh")
    with pytest.raises(InputError, match="'activation' or 'loss' must be given"):
        torch_source()
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    assert "class Swish(torch.autograd.Function):" in torch_source("swish")
    with pytest.raises(ModuleNotFoundError, match=r"needs torch \(pip install torch\)"):
        torch_function("swish")
