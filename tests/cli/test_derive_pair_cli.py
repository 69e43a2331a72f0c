"""``chainrule derive --activation A --loss L``, the softmax set and ``--list``, through main."""

import json

import pytest
import sympy as sp

from chainrule.cli import main
from chainrule.symbolic.core.symbols import sigma


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    "fmt, marker",
    [
        ("text", "[3] dL/dz for tanh + mean squared error"),
        ("markdown", "dL/dz for tanh + mean squared error"),
        ("latex", r"\begin{document}"),
        ("html", "<!DOCTYPE html>"),
        ("json", '"chainrule"'),
    ],
)
def test_one_pair_in_every_format(capsys, fmt, marker):
    status, out, err = run(
        capsys, "derive", "--activation", "tanh", "--loss", "mse", "--format", fmt
    )
    assert status == 0 and err == ""
    assert marker in out and "tanh + mean squared error" in out


def test_json_results_read_back(capsys):
    status, out, _ = run(
        capsys, "derive", "3", "--activation", "tanh", "--loss", "mse", "--format", "json"
    )
    assert status == 0
    (derivation,) = json.loads(out)["derivations"]
    assert derivation["id"] == "3" and derivation["routes_agree"] is True
    assert [r["name"] for r in derivation["routes"]] == ["chain rule", "direct"]
    result = sp.sympify(derivation["routes"][0]["result"], locals={"sigma": sigma})
    a, y = sp.symbols("a y")
    assert sp.expand(result - (a - y) * (1 - a**2)) == 0


def test_activation_alone_takes_the_cross_entropy(capsys):
    status, out, _ = run(capsys, "derive", "3", "--activation", "relu")
    assert status == 0
    assert "ReLU + binary cross-entropy" in out
    assert "relu'(0) is taken as 0" in out


def test_the_reference_pair_through_the_options(capsys):
    status, out, _ = run(capsys, "derive", "3", "--activation", "sigmoid", "--route", "chain")
    assert status == 0 and "direct" not in out
    assert "result: dL/dz = a - y" in out


def test_softmax_set(capsys):
    status, out, _ = run(capsys, "derive", "--loss", "softmax_cross_entropy")
    assert status == 0
    for heading in ("[s1]", "[s2]", "[s3]", "[s4]", "[layers]"):
        assert heading in out
    assert "a_j - y_j" in out and "FAILED" not in out


def test_custom_text_pair(capsys):
    status, out, _ = run(
        capsys, "derive", "3", "--activation", "z*sigmoid(z)", "--loss", "(a - y)**4/4"
    )
    assert status == 0 and "✓" in out


def test_list_prints_the_catalogue(capsys):
    status, out, _ = run(capsys, "derive", "--list")
    assert status == 0
    for name in ("sigmoid", "gelu", "mish", "hinge", "log_cosh", "softmax_cross_entropy"):
        assert name in out
    assert "da/dz = 1 - a²" in out and "dL/da = a - y" in out


def test_output_file(tmp_path, capsys):
    target = tmp_path / "pair.md"
    argv = ("derive", "1", "--loss", "hinge", "--format", "markdown", "-o", str(target))
    status, out, _ = run(capsys, *argv)
    assert status == 0 and out == ""
    assert "hinge" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--activation", "swoosh"], ["'--activation' must be one of", "sigmoid", "mish"]),
        (["--loss", "nope"], ["'--loss' must be one of", "hinge", "log_cosh"]),
        (["--activation", "z +"], ["'--activation'", "invalid syntax"]),
        (["--loss", "__import__('os').system('true')"], ["'--loss'"]),
        (["--activation", "tanh", "--loss", "softmax"], ["'--activation' must be softmax"]),
        (["--activation", "tanh", "--expr", "z"], ["'--expr' cannot be combined"]),
        (["7", "--activation", "tanh"], ["'derivation' must be one of 1, 2"]),
        (["3", "--loss", "softmax"], ["'derivation' must be one of s1"]),
        (["--activation", "leaky_relu(3)"], ["'slope'"]),
    ],
)
def test_bad_input_is_one_line_and_status_two(capsys, argv, fragments):
    status, out, err = run(capsys, "derive", *argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize("loss", ["bce", "mse", "mae", "log_cosh", "hinge"])
def test_every_step_sentence_of_the_loss_derivative_is_complete(capsys, loss):
    status, out, _ = run(
        capsys, "derive", "--activation", "linear", "--loss", loss, "1", "--format", "json"
    )
    assert status == 0
    texts = [
        step["text"]
        for doc in json.loads(out)["derivations"]
        for route in doc["routes"]
        for step in route["steps"]
    ]
    assert texts and not any(text.endswith((" is", " is:")) for text in texts), texts


def test_the_direct_db_quotes_the_line_of_5_it_starts_from(capsys):
    _, out, _ = run(capsys, "derive", "6", "--route", "direct")
    assert "from [5], direct: L = -(yz - ln(1 + e^z)), with z = wx + b" in out
    _, five, _ = run(capsys, "derive", "5", "--route", "direct")
    assert "= -(y z - ln(1 + eᶻ))" in five
