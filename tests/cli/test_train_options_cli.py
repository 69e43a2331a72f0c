"""The training options of ``chainrule train`` (optimizer, decay, L2, dropout, early stopping)
and ``chainrule gradcheck --l2``, through main(argv)."""

from __future__ import annotations

import re

import pytest

from chainrule.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def numbers(out: str) -> dict[str, float]:
    found = re.findall(r"^(train cost|train accuracy|test cost|test accuracy): (\S+)$", out, re.M)
    return {key: float(value) for key, value in found}


def line_starting(out: str, prefix: str) -> str:
    matches = [line for line in out.splitlines() if line.startswith(prefix)]
    assert len(matches) == 1, out
    return matches[0]


def test_the_default_is_still_plain_gradient_descent(capsys) -> None:
    status, out, _ = run(["train", "--epochs", "20", "--quiet"], capsys)
    assert status == 0
    assert "training: 20 epochs, full batch, learning rate 0.5, " in out
    assert not re.search(r"^(optimizer|regularisation|early stopping):", out, re.M)


def test_adam_with_mini_batches(capsys) -> None:
    argv = ["train", "--optimizer", "adam", "--epochs", "30", "--batch-size", "64", "--quiet"]
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert "learning rate 0.01, " in line_starting(out, "training:")  # Adam's default rate
    assert line_starting(out, "optimizer:") == "optimizer: adam, β1 0.9, β2 0.999"
    assert numbers(out)["test accuracy"] >= 0.95


def test_momentum_with_decay_and_explicit_betas(capsys) -> None:
    argv = ["train", "--optimizer", "momentum", "--momentum", "0.8", "--lr-decay", "0.01"]
    status, out, _ = run([*argv, "--epochs", "50", "--lr", "0.3"], capsys)
    assert status == 0
    assert line_starting(out, "optimizer:") == (
        "optimizer: momentum, β 0.8, learning-rate decay 0.01"
    )
    argv = ["train", "--optimizer", "adam", "--beta1", "0.5", "--beta2", "0.9", "--epochs", "5"]
    assert line_starting(run(argv, capsys)[1], "optimizer:") == "optimizer: adam, β1 0.5, β2 0.9"


def test_l2_and_dropout(capsys) -> None:
    argv = ["train", "--layers", "16,8", "--activation", "relu", "--epochs", "60"]
    status, out, _ = run([*argv, "--l2", "0.5", "--keep-prob", "0.9,0.8", "--lr", "0.1"], capsys)
    assert status == 0
    assert line_starting(out, "regularisation:") == "regularisation: L2 0.5, keep_prob 0.9,0.8"
    assert numbers(out)["test accuracy"] >= 0.9
    status, out, _ = run([*argv, "--keep-prob", "0.5"], capsys)
    assert line_starting(out, "regularisation:") == "regularisation: keep_prob 0.5"


def test_early_stopping_stops_and_reports(capsys) -> None:
    argv = ["train", "--optimizer", "adam", "--lr", "0.05", "--epochs", "2000", "--early-stopping"]
    status, out, _ = run([*argv, "--patience", "5", "--validation-fraction", "0.25"], capsys)
    assert status == 0
    epochs = int(re.search(r"^training: (\d+) epochs", out, re.M).group(1))
    assert epochs < 2000
    line = line_starting(out, "early stopping:")
    assert line.startswith(
        f"early stopping: 0.25 of the training data held out, patience 5, stopped at epoch "
        f"{epochs}, best epoch {epochs - 5} ("
    )


def test_the_same_seed_gives_the_same_numbers_with_dropout(capsys) -> None:
    argv = ["train", "--optimizer", "adam", "--keep-prob", "0.7", "--batch-size", "32"]
    argv += ["--epochs", "10", "--seed", "3"]
    assert numbers(run(argv, capsys)[1]) == numbers(run(argv, capsys)[1])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice: 'rmsprop'"),
        (["--beta1", "1"], "argument --beta1: expected a number in [0, 1), got '1'"),
        (["--beta2", "-0.1"], "argument --beta2: expected a number in [0, 1), got '-0.1'"),
        (["--momentum", "x"], "argument --momentum: expected a number, got 'x'"),
        (["--lr-decay", "-1"], "argument --lr-decay: expected a number >= 0, got '-1'"),
        (["--l2", "-0.5"], "argument --l2: expected a number >= 0, got '-0.5'"),
        (["--l2", "inf"], "argument --l2: expected a finite number, got 'inf'"),
        (["--keep-prob", "0"], "argument --keep-prob: expected probabilities in (0, 1]"),
        (["--keep-prob", "0.5,x"], "argument --keep-prob: expected probabilities in (0, 1]"),
        (["--patience", "0"], "argument --patience: expected a positive integer, got '0'"),
        (
            ["--validation-fraction", "1"],
            "argument --validation-fraction: expected a number between 0 and 1, got '1'",
        ),
        (["--beta1", "0.5"], "'--beta1' applies to --optimizer adam only"),
        (["--optimizer", "adam", "--momentum", "0.5"], "'--momentum' applies to --optimizer"),
        (["--patience", "3"], "'--patience' applies with --early-stopping only"),
        (["--validation-fraction", "0.2"], "'--validation-fraction' applies with --early-stop"),
        (
            ["--layers", "4,4", "--keep-prob", "0.5,0.5,0.5"],
            "'--keep-prob' needs one value or one per hidden layer (2) (got 3)",
        ),
    ],
)
def test_bad_training_options_are_one_line_and_status_2(argv, expected, capsys) -> None:
    status, out, err = run(["train", "--epochs", "2", *argv], capsys)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert expected in err


def test_gradcheck_with_l2(capsys) -> None:
    status, out, err = run(["gradcheck", "--layers", "4,3", "--l2", "0.5"], capsys)
    assert status == 0, err
    assert out.splitlines()[0].endswith(", step 1e-05, L2 0.5")
    assert out.splitlines()[-1].startswith("gradient check: PASS")


def test_gradcheck_refuses_a_negative_l2(capsys) -> None:
    status, out, err = run(["gradcheck", "--l2", "-1"], capsys)
    assert status == 2 and out == ""
    assert "argument --l2: expected a number >= 0, got '-1'" in err
