"""Custom activations and losses on the command line, through main(argv): math text and
catalogue names in ``train`` and ``gradcheck``, saving and predicting, ``derive --show-code``,
and one line with exit status 2 for text that cannot be used."""

from __future__ import annotations

import pytest

from chainrule.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def summary(out: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)


def test_train_with_a_custom_activation_text(capsys) -> None:
    argv = ["train", "--data", "moons", "--layers", "16", "--activation", "z*sigmoid(z)",
            "--epochs", "1500", "--quiet"]  # fmt: skip
    status, out, err = run(argv, capsys)
    assert status == 0 and err == ""
    lines = summary(out)
    assert lines["network"].startswith("2-16-1, z*sigmoid(z) hidden units, sigmoid output")
    assert float(lines["test accuracy"]) > 0.95


def test_train_with_a_custom_loss_picks_a_linear_output(capsys) -> None:
    argv = ["train", "--data", "moons", "--activation", "tanh", "--loss", "(a - y)**2 / 2",
            "--epochs", "300", "--quiet"]  # fmt: skip
    status, out, err = run(argv, capsys)
    assert status == 0 and err == ""
    network = summary(out)["network"]
    assert "tanh hidden units, linear output, (a - y)**2 / 2" in network
    assert float(summary(out)["test accuracy"]) > 0.8


def test_a_loss_of_probabilities_defaults_to_a_sigmoid_output(capsys) -> None:
    argv = ["train", "--data", "moons", "--loss=-(y*log(a) + (1-y)*log(1-a))", "--epochs", "50",
            "--quiet"]  # fmt: skip
    status, out, _ = run(argv, capsys)
    assert status == 0
    assert "sigmoid output, -(y*log(a) + (1-y)*log(1-a))" in summary(out)["network"]


def test_gradcheck_with_custom_text_passes(capsys) -> None:
    argv = ["gradcheck", "--data", "moons", "--layers", "5,4", "--activation",
            "z*tanh(softplus(z))", "--loss", "log(cosh(a - y))", "--output", "tanh"]  # fmt: skip
    status, out, err = run(argv, capsys)
    assert status == 0 and err == ""
    assert out.splitlines()[0].startswith(
        "network 2-5-4-1 (z*tanh(softplus(z)) hidden, tanh output)"
    )
    assert out.splitlines()[-1].startswith("gradient check: PASS")


def test_a_model_trained_with_custom_text_saves_and_predicts(tmp_path, capsys) -> None:
    model = tmp_path / "model.npz"
    argv = ["train", "--data", "moons", "--activation", "z*sigmoid(z)", "--loss",
            "abs(a - y)", "--output", "sigmoid", "--epochs", "100", "--quiet",
            "--save", str(model)]  # fmt: skip
    status, out, err = run(argv, capsys)
    assert status == 0 and err == "" and f"saved model: {model}" in out
    csv = tmp_path / "rows.csv"
    csv.write_text("x1,x2\n0.5,0.2\n-1.0,0.8\n")
    status, out, err = run(["predict", "--model", str(model), "--data", str(csv)], capsys)
    assert status == 0 and err == ""
    assert len(out.strip().splitlines()) == 3  # a header and one line per row


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--activation", "swoosh"], "'--activation' must be one of sigmoid, tanh, relu"),
        (["--activation", "z +* 2"], "invalid syntax at column 4"),
        (["--activation", "__import__('os')"], "'--activation'"),
        (["--activation", "log(z)"], "is not a real number at z = -3"),
        (["--activation", "3"], "'--activation' must depend on z"),
        (["--loss", "(a - q)**2"], "(got 'q')"),
        (["--loss", "y**2"], "'--loss' must depend on the output a"),
        (["--loss", "hinge2"], "'--loss' must be one of binary_cross_entropy"),
        (["--loss=-(y*log(a) + (1-y)*log(1-a))", "--output", "linear"],
         "does not fit the linear output"),
        (["--output", "tanh"], "'--output' must be auto or one of linear, sigmoid, softmax"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["train", "gradcheck"])
def test_text_that_cannot_be_used_is_one_line_and_status_2(command, argv, expected, capsys):
    status, out, err = run([command, "--data", "moons", *argv], capsys)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and expected in err


# ----------------------------------------------------------------------------- derive code
def test_derive_show_code_prints_the_generated_module_of_a_pair(capsys) -> None:
    status, out, err = run(
        ["derive", "--activation", "swish", "--loss", "mse", "--show-code"], capsys
    )
    assert status == 0 and err == ""
    assert out.startswith("import numpy\n")
    for name in (
        "swish_forward(z, out)",
        "swish_derivative(z, a, out)",
        "mean_squared_error_cost(z, a, y, out)",
        "mean_squared_error_delta(z, a, y, out)",
    ):
        assert f"def {name}:" in out
    namespace: dict = {}
    exec(compile(out, "<shown>", "exec"), namespace)  # the printed module runs as it is


@pytest.mark.parametrize(
    ("argv", "delta"),
    [
        ([], "def binary_cross_entropy_delta(z, a, y, out):\n    return numpy.subtract(a, y, "),
        (["--loss", "softmax_cross_entropy"], "def cross_entropy_delta(z, a, y, out):\n"
                                              "    return numpy.subtract(a, y, "),
        (["--activation", "z*tanh(z)", "--loss", "(a - y)**4"], "def a_y_4_delta(z, a, y, out):"),
    ],
)  # fmt: skip
def test_derive_show_code_defaults_and_custom_text(argv, delta, capsys) -> None:
    status, out, err = run(["derive", *argv, "--show-code"], capsys)
    assert status == 0 and err == "" and delta in out


def test_derive_show_code_writes_a_file(tmp_path, capsys) -> None:
    target = tmp_path / "pair.py"
    status, out, _ = run(
        ["derive", "--activation", "gelu", "--show-code", "-o", str(target)], capsys
    )
    assert status == 0 and out == ""
    assert "def gelu_derivative(z, a, out):" in target.read_text()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--expr", "z**2"], "shows the code of --activation and --loss (got --expr)"),
        (["3", "--activation", "tanh"], "(got derivation ids)"),
        (["--format", "json"], "leave out '--format json'"),
        (["--activation", "swoosh"], "'--activation' must be one of sigmoid"),
        (["--loss", "a +* y"], "invalid syntax"),
    ],
)  # fmt: skip
def test_derive_show_code_refusals_are_one_line_and_status_2(argv, expected, capsys) -> None:
    status, out, err = run(["derive", *argv, "--show-code"], capsys)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and expected in err
