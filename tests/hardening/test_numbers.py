"""Numbers: what a CSV cell may hold, and messages that say what is wrong with a number."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.cli import main

GOOD_ROWS = "".join(f"{i},{i % 3},{i % 2}\n" for i in range(3, 30))


def refusal(capsys, *argv) -> str:
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1_000", "expected a number, got '1_000'"),
        ("٣", "expected a number, got '٣'"),
        ("１", "expected a number, got '１'"),
        ("1.7e308", "expected a number of size at most 1e+100, got '1.7e308'"),
        ("-1.7e308", "expected a number of size at most 1e+100, got '-1.7e308'"),
        ("1e999", "expected a finite number, got '1e999'"),
        ("nan", "expected a finite number, got 'nan'"),
        ("0x10", "expected a number, got '0x10'"),
    ],
)
@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_cell_that_is_not_a_plain_finite_number(capsys, tmp_path, cell, expected, command):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"a,b,label\n1,2,0\n2,{cell},1\n" + GOOD_ROWS, encoding="utf-8")
    if command == "train":
        err = refusal(capsys, "train", "--data", bad, "--epochs", "1", "--quiet")
    else:
        (tmp_path / "good.csv").write_text("a,b,label\n" + GOOD_ROWS)
        argv = ["--data", tmp_path / "good.csv", "--epochs", "1", "--quiet"]
        assert main([str(arg) for arg in ["train", *argv, "--save", tmp_path / "m.npz"]]) == 0
        capsys.readouterr()
        err = refusal(capsys, "predict", "--model", tmp_path / "m.npz", "--data", bad)
    assert f"data file '{bad}', line 3, column 'b': {expected}" in err


def test_plain_numbers_in_every_spelling_float_reads_in_ascii(tmp_path, capsys):
    cells = ["1", "-0.5", "+2.", ".25", "2e-3", "1E+5", " 7 ", "1e100"]
    rows = "".join(f"{cell},{k % 2}\n" for k, cell in enumerate(cells * 2))
    (tmp_path / "d.csv").write_text("a,label\n" + rows)
    assert main(["train", "--data", str(tmp_path / "d.csv"), "--epochs", "3", "--quiet"]) == 0
    _, err = capsys.readouterr()
    assert "warning" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["train", "--activation", "leaky_relu(-5)"], "'slope' must be a number in [0, 1)"),
        (["derive", "--activation", "leaky_relu(-5)"], "'slope' must be a number in [0, 1)"),
        (["train", "--activation", "elu(-1)"], "'alpha' must be a positive number"),
        (["gradcheck", "--activation", "leaky_relu( 2 )"], "'slope' must be a number in [0, 1)"),
    ],
)
def test_a_bad_constant_of_a_catalogue_activation_is_named(capsys, argv, expected):
    err = refusal(capsys, *argv)
    assert "'--activation'" in err and expected in err and "unknown function" not in err


@pytest.mark.parametrize("command", ["train", "gradcheck"])
def test_an_overflowing_activation_is_reported_as_overflow(capsys, command):
    err = refusal(capsys, command, "--activation", "exp(exp(exp(z)))")
    assert "overflows" in err and "at z = 3" in err and "not a real number" not in err


def test_a_non_real_activation_is_still_reported_as_such(capsys):
    err = refusal(capsys, "train", "--activation", "log(z)")
    assert "is not a real number at z = -3" in err


def test_numpy_warnings_reach_the_user_as_one_line_without_paths(capsys, monkeypatch):
    import chainrule.cli.derive as derive

    def overflowing(args):
        np.exp(np.array([1000.0, 2000.0]))
        np.exp(np.array([3000.0]))
        return 0

    monkeypatch.setattr(derive, "run", overflowing)
    assert main(["derive"]) == 0
    _, err = capsys.readouterr()
    assert err == "chainrule: warning: overflow encountered in exp\n"
