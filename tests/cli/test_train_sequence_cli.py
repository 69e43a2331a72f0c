"""``chainrule train --data adding``: a short run learns and writes its learning curve; the
options that do not fit the data give one line and exit status 2."""

from __future__ import annotations

import re

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.numeric.persist import load
from chainrule.sequence_data import load_sequence_task


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_short_lstm_run_beats_the_constant_and_plots(tmp_path, capsys) -> None:
    figure, saved = tmp_path / "adding.png", tmp_path / "adding.npz"
    argv = ["train", "--data", "adding", "--length", "8", "--units", "8", "--epochs", "10",
            "--clip-norm", "1", "--lr", "0.02", "--quiet", "--plot", str(figure),
            "--save", str(saved)]  # fmt: skip
    status, out, err = run(argv, capsys)
    assert status == 0 and err == ""
    assert out.splitlines()[1] == (
        "model: lstm:8:last,dense:1, linear output, squared error, float64; "
        "gradient clipping: norm 1"
    )
    mse = float(re.search(r"^test mean squared error: (\S+)$", out, re.M).group(1))
    constant = float(re.search(r"of the best constant: (\S+)$", out, re.M).group(1))
    assert mse < 0.5 * constant
    assert figure.read_bytes().startswith(b"\x89PNG")
    model = load(saved)
    assert model.describe() == "lstm:8:last,dense:1"
    task = load_sequence_task("adding", seed=0, length=8)
    loaded_mse = float(np.mean((model.predict(task.X_test) - task.Y_test) ** 2))
    assert loaded_mse == pytest.approx(mse, abs=1e-4)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "adding", "--arch", "lstm:4"], "'--arch' does not apply to the sequence task"),
        (["--data", "adding", "--layers", "4"], "'--layers' does not apply"),
        (["--data", "adding", "--length", "1"], "'--length' must be at least 2"),
        (["--units", "4"], "'--units' applies to the sequence tasks only"),
        (["--data", "adding", "--cell", "gru"], "argument --cell: invalid choice"),
    ],
)
def test_bad_options_give_one_line_and_status_2(argv, message, capsys) -> None:
    status, out, err = run(["train", *argv], capsys)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
