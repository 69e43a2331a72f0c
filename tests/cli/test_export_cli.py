"""``chainrule derive --show-code --target torch|jax``, through main."""

from __future__ import annotations

import pytest

from chainrule.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("target", "marker"),
    [("torch", "class Swish(torch.autograd.Function):"), ("jax", "@jax.custom_vjp\ndef swish(z):")],
)
def test_an_activation_exports_to_each_framework(capsys, target, marker) -> None:
    status, out, err = run(capsys, "derive", "--activation", "swish", "--show-code",
                           "--target", target)  # fmt: skip
    assert status == 0 and err == ""
    assert marker in out and "chainrule derive 2 --activation swish" in out
    compile(out, "<exported>", "exec")  # a module that parses


def test_an_activation_and_a_loss_share_one_module_and_write_a_file(capsys, tmp_path) -> None:
    target = tmp_path / "export.py"
    argv = ["--activation", "z*sigmoid(z)", "--loss", "(a - y)**4", "--show-code"]
    status, out, _ = run(capsys, "derive", *argv, "--target", "torch", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert status == 0 and out == ""
    assert "class ZSigmoidZ(torch.autograd.Function):" in text
    assert "class AY4(torch.autograd.Function):" in text
    assert 'chainrule derive 1 --loss "(a - y)**4"' in text


def test_numpy_stays_the_default_target(capsys) -> None:
    _, default, _ = run(capsys, "derive", "--activation", "tanh", "--show-code")
    _, numpy, _ = run(capsys, "derive", "--activation", "tanh", "--show-code", "--target", "numpy")
    assert default == numpy and default.startswith("import numpy\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--target", "torch"], "'--target' applies only with '--show-code'"),
        (["--show-code", "--target", "torch"], "exports --activation, --loss or both"),
        (["--loss", "softmax_cross_entropy", "--show-code", "--target", "jax"],
         "'--loss' must be element-wise for --target jax"),
        (["--activation", "swoosh", "--show-code", "--target", "torch"],
         "'--activation' must be one of sigmoid"),
    ],
)  # fmt: skip
def test_bad_requests_get_one_line_and_status_two(capsys, argv, message) -> None:
    status, out, err = run(capsys, "derive", *argv)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_an_unknown_target_is_refused_by_the_parser(capsys) -> None:
    status, _, err = run(capsys, "derive", "--activation", "tanh", "--show-code", "--target",
                         "tensorflow")  # fmt: skip
    assert status == 2 and "invalid choice: 'tensorflow'" in err
