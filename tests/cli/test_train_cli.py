"""``chainrule train`` through main(argv): the default network reaches the target accuracy,
options work, and bad input gives one line and exit status 2."""

from __future__ import annotations

import re

import pytest

from chainrule.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def summary(out: str) -> dict[str, float]:
    """The ``name: number`` lines of the summary."""
    return {
        key: float(value)
        for key, value in re.findall(
            r"^(train cost|train accuracy|test cost|test accuracy): (\S+)$", out, re.M
        )
    }


def test_default_trains_the_reference_network_to_095(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["train"], capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "data: breast_cancer, 456 training and 113 test examples, 30 features, 2 classes"
    )
    assert lines[1] == (
        "network: 30-8-1, sigmoid hidden units, sigmoid output, binary cross-entropy, "
        "xavier init, float64"
    )
    assert lines[2].startswith("training: 1000 epochs, full batch, learning rate 0.5, ")
    numbers = summary(out)
    assert list(numbers) == ["train cost", "train accuracy", "test cost", "test accuracy"]
    assert numbers["test accuracy"] >= 0.95
    assert numbers["train cost"] < 0.1
    assert re.search(r"^test accuracy: \d\.\d{3}$", out, re.M)
    assert re.search(r"^train cost: \d\.\d{4}$", out, re.M)


def test_the_same_seed_prints_the_same_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "--epochs", "30", "--batch-size", "64", "--activation", "relu"]
    first = summary(run(argv, capsys)[1])
    second = summary(run(argv, capsys)[1])
    assert first == second


@pytest.mark.parametrize(
    ("argv", "network_line"),
    [
        (
            ["--data", "digits", "--layers", "16", "--activation", "relu", "--lr", "0.3"],
            "network: 64-16-10, relu hidden units, softmax output, categorical cross-entropy, "
            "he init, float64",
        ),
        (
            ["--output", "softmax", "--activation", "tanh", "--init", "random"],
            "network: 30-8-2, tanh hidden units, softmax output, categorical cross-entropy, "
            "random init, float64",
        ),
        (
            ["--layers", "", "--dtype", "float32"],
            "network: 30-1, sigmoid output, binary cross-entropy, xavier init, float32",
        ),
        (
            [
                "--data",
                "moons",
                "--layers",
                "8,8",
                "--activation",
                "leaky_relu",
                "--output",
                "linear",
            ],
            "network: 2-8-8-1, leaky_relu hidden units, linear output, mean squared error, he "
            "init, float64",
        ),
    ],
)
def test_options_shape_the_network(
    argv: list[str], network_line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["train", "--epochs", "40", "--quiet", *argv], capsys)
    assert status == 0, err
    assert out.splitlines()[1] == network_line
    numbers = summary(out)
    assert 0.0 <= numbers["test accuracy"] <= 1.0


def test_mini_batches_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        ["train", "--data", "flower", "--epochs", "5", "--batch-size", "32"], capsys
    )
    assert status == 0
    assert "training: 5 epochs, mini-batches of 32, learning rate 0.5, " in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--data", "iris"], "argument --data: expected one of breast_cancer, circles, digits"),
        (["--layers", "3,0"], "argument --layers: expected comma-separated positive integers"),
        (["--layers", "a"], "argument --layers: expected comma-separated positive integers"),
        (["--lr", "-0.1"], "argument --lr: expected a positive number, got '-0.1'"),
        (["--lr", "nan"], "argument --lr: expected a finite number, got 'nan'"),
        (["--activation", "swoosh"], "'--activation' must be one of sigmoid"),
        (["--output", "hinge"], "'--output' must be auto or one of linear, sigmoid, softmax"),
        (["--init", "orthogonal"], "argument --init: invalid choice: 'orthogonal'"),
        (["--epochs", "0"], "argument --epochs: expected a positive integer, got '0'"),
        (["--batch-size", "-5"], "argument --batch-size: expected a positive integer, got '-5'"),
        (["--seed", "-1"], "argument --seed: expected an integer from 0 to 4294967295, got '-1'"),
        (["--seed", "4294967296"], "argument --seed: expected an integer from 0 to 4294967295"),
        (["--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["train", *argv], capsys)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert expected in err
    assert "Traceback" not in err


def test_divergence_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "train",
        "--output",
        "linear",
        "--activation",
        "linear",
        "--lr",
        "1000",
        "--epochs",
        "200",
    ]
    status, out, err = run(argv, capsys)
    assert status == 2 and out == ""
    assert err.startswith("chainrule: error: training diverged at epoch ")
    assert len(err.splitlines()) == 1


def test_a_cost_that_grew_without_overflowing_is_flagged(capsys: pytest.CaptureFixture) -> None:
    argv = ["train", "--data", "digits", "--activation", "relu", "--lr", "20", "--epochs", "100"]
    argv.append("--quiet")
    status, out, err = run(argv, capsys)
    assert status == 0
    assert re.search(r"^train cost: \d\.\d{4}e\+\d+$", out, re.M)  # not 200 digits
    assert err.startswith("chainrule: warning: the training cost rose from ")
    assert err.rstrip().endswith("training diverged (try a smaller learning rate)")


def test_a_batch_as_large_as_the_data_is_called_full_batch(capsys: pytest.CaptureFixture) -> None:
    status, out, _ = run(["train", "--batch-size", "1000", "--epochs", "3", "--quiet"], capsys)
    assert status == 0
    assert out.splitlines()[2].startswith("training: 3 epochs, full batch, learning rate 0.5, ")
