"""``chainrule check`` through main(argv): exit 0 when right, 1 when wrong (the first wrong
step explained), 2 with one line for a file that cannot be read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chainrule.cli import main

CORPUS = Path(__file__).parents[1] / "checking" / "corpus"
BACKWARD = Path(__file__).parents[1] / "checking" / "backward" / "course_backward.py"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_correct_derivation_exits_0(capsys) -> None:
    status, out, err = run(["check", str(CORPUS / "sigmoid_correct.txt")], capsys)
    assert status == 0 and err == ""
    assert "✗" not in out and out.count("✓") >= 6
    assert "verdict: right" in out


def test_a_wrong_step_exits_1_with_counterexample_line_and_diagnosis(capsys) -> None:
    status, out, _ = run(["check", str(CORPUS / "cost_log_one_minus.txt")], capsys)
    assert status == 1
    assert "first wrong step, line 8" in out
    assert "counterexample: at a = " in out
    assert "chainrule's line (the rules of differentiation): (y - 1) · 1/(1 - a) · (-1)" in out
    assert "diagnosis: d/dx ln(1 - x) taken as 1/(1 - x)" in out


def test_layer_equations_and_backward_code(capsys) -> None:
    status, out, _ = run(["check", str(CORPUS / "eq_transpose_dA.txt")], capsys)
    assert status == 1 and "off by a transpose: W2 should be W2.T" in out
    assert "proven: dA[l-1] = W[l]ᵀ dZ[l]" in out
    status, out, _ = run(["check", str(CORPUS / "eq_correct.txt")], capsys)
    assert status == 0 and "8 of 8 equations right" in out
    status, out, _ = run(["check", str(BACKWARD)], capsys)
    assert status == 0 and "every array matches" in out


@pytest.mark.parametrize(
    "text, message",
    [
        ("goal: dL/da\nL = (a - y\n", "line 2: expected math"),
        ("goal: dL/da\n= a\n", "line 2: expected the route's first step"),
        ("givens: 2 = a\nL = a\n", "line 1: expected a given 'symbol = expression'"),
        ("L = a\n", "line 1: expected a 'goal:' line"),
        (
            "$$\n\\begin{aligned}\nL &= \\sum_i a && \\checkmark\n\\end{aligned}\n$$\n",
            "line 3: expected LaTeX math",
        ),
        ('{"derivations": [{"id": "1"}]}', "line 1: expected a chainrule JSON derivation"),
        ("", "line 1: expected a derivation"),
    ],
)
def test_malformed_files_get_one_line_and_exit_2(text, message, tmp_path, capsys) -> None:
    path = tmp_path / "mine.txt"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(["check", str(path)], capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and f"file '{path}', {message}" in err


def test_a_missing_file_exits_2(tmp_path, capsys) -> None:
    status, _, err = run(["check", str(tmp_path / "none.txt")], capsys)
    assert status == 2 and "expected a file to check" in err


def test_the_check_command_loads_sympy_only_when_it_runs() -> None:
    code = (
        "import sys, argparse\nimport chainrule.cli.check as check\n"
        "check.register(argparse.ArgumentParser().add_subparsers())\n"
        "assert 'sympy' not in sys.modules and 'numpy' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
