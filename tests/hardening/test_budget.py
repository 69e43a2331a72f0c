"""The budget of symbolic work: size bounds before SymPy derives, a time limit while it works."""

from __future__ import annotations

import time

import pytest

from chainrule.budget import time_limit
from chainrule.cli import main
from chainrule.errors import LimitError
from chainrule.symbolic.catalog.bounds import check_expression_size
from chainrule.symbolic.catalog.parse import parse_expression

NESTED_SQRT = "sqrt(" * 40 + "z" + ")" * 40
POLYNOMIAL_PRODUCT = "(z+1)**50*(z+2)**50*(z+3)**50/((z+4)**50*(z+5)**50)"
POWER_OF_SUM = "(" + "+".join(f"z**{k}" for k in range(1, 100)) + ")**10"


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_line_refusal(capsys, *argv) -> str:
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("chainrule") and ": error: " in err, err
    return err


def spin(seconds: float) -> None:
    """Busy Python work, as SymPy's is, for ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(100))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (POLYNOMIAL_PRODUCT, "multiplies out to about"),
        (POWER_OF_SUM, "multiplies out to about"),
        (NESTED_SQRT, "exponent too large"),
        ("tanh(" * 13 + "z" + ")" * 13, "nested too deeply"),
    ],
)
def test_oversized_expressions_are_refused_before_derivation(capsys, text, problem):
    err = one_line_refusal(capsys, "derive", "--expr", text)
    assert "'--expr'" in err and problem in err


@pytest.mark.parametrize(
    "text", ["(z+1)**50", "(1 + z)**3 * (1 - z)**2", "tanh(" * 12 + "z" + ")" * 12]
)
def test_expressions_within_the_bounds_pass_them(text):
    check_expression_size(parse_expression(text, ["z"]))


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--activation", NESTED_SQRT),
        ("--activation", POLYNOMIAL_PRODUCT),
        ("--loss", POLYNOMIAL_PRODUCT.replace("z", "a")),
        ("--loss", POWER_OF_SUM.replace("z", "a")),
    ],
)
def test_oversized_math_is_refused_by_train(capsys, option, text):
    err = one_line_refusal(capsys, "train", option, text, "--epochs", "1", "--quiet")
    assert f"'{option}'" in err


def test_a_slow_derivation_stops_at_the_time_limit(capsys):
    start = time.monotonic()
    err = one_line_refusal(
        capsys, "derive", "--expr", "sigmoid(sigmoid(sigmoid(z)))", "--time-limit", "0.5"
    )
    assert time.monotonic() - start < 20
    assert "deriving --expr took longer than the time limit of 0.5 s" in err
    assert "--time-limit SECONDS" in err


def test_a_slow_pair_with_math_stops_at_the_time_limit(capsys):
    err = one_line_refusal(
        capsys,
        "derive",
        "--activation",
        "z*tanh(log(1 + exp(z)))",
        "--loss",
        "log_cosh",
        "--time-limit",
        "0.05",
    )
    assert "deriving --activation and --loss took longer" in err


def test_catalogue_pairs_run_without_the_time_limit(capsys):
    status, out, _ = run(capsys, "derive", "4", "--activation", "tanh", "--time-limit", "0.001")
    assert status == 0 and "dz/dw" in out.replace(" ", "")


@pytest.mark.parametrize("command", ["train", "gradcheck"])
def test_slow_compilation_stops_at_the_time_limit(capsys, monkeypatch, command):
    import chainrule.cli.train as train_cli

    monkeypatch.setattr(train_cli, "resolve_hidden", lambda *_: spin(30))
    err = one_line_refusal(capsys, command, "--activation", "z*tanh(z)", "--time-limit", "0.2")
    assert "compiling --activation, --output and --loss took longer" in err


def test_time_limit_option_refuses_nonsense(capsys):
    err = one_line_refusal(capsys, "derive", "--expr", "z", "--time-limit", "-1")
    assert "--time-limit" in err


def test_time_limit_raises_limit_error_and_restores_an_outer_timer():
    with time_limit(30, "outer"):
        with pytest.raises(LimitError, match="inner took longer than the time limit of 0.1 s"):
            with time_limit(0.1, "inner"):
                spin(5)
        spin(0.05)  # the outer timer is armed again, far from expiring
    with time_limit(0.5, "quick"):
        pass
    spin(0.6)  # nothing left armed
