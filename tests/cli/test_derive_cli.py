"""``chainrule derive`` through main(argv)."""

import json

import pytest
import sympy as sp

from chainrule.cli import main
from chainrule.symbolic.functions import sigma


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_derive_all_as_text(capsys):
    status, out, err = run(capsys, "derive")
    assert status == 0 and err == ""
    for heading in ("[1]", "[ln]", "[2]", "[3]", "[4]", "[5]", "[6]", "[layers]"):
        assert heading in out
    assert "✓" in out and "FAILED" not in out


def test_one_derivation_one_route(capsys):
    status, out, _ = run(capsys, "derive", "5", "--route", "direct")
    assert status == 0
    assert "direct" in out and "dL/da · da/dz · dz/dw" not in out


def test_json_document_reads_back(capsys):
    status, out, _ = run(capsys, "derive", "3", "--format", "json")
    assert status == 0
    document = json.loads(out)
    assert document["chainrule"]
    (derivation,) = document["derivations"]
    assert derivation["id"] == "3" and derivation["routes_agree"] is True
    route = derivation["routes"][0]
    assert route["name"] == "chain rule"
    assert [s["verdict"] for s in route["steps"]] == ["proved"] * len(route["steps"])
    result = sp.sympify(route["result"], locals={"sigma": sigma})
    assert sp.expand(result - (sp.Symbol("a") - sp.Symbol("y"))) == 0


def test_markdown_has_aligned_blocks(capsys):
    _, out, _ = run(capsys, "derive", "2", "--format", "markdown")
    assert r"\begin{aligned}" in out and "&&" in out


def test_output_file_is_written_whole(tmp_path, capsys):
    target = tmp_path / "handout.html"
    status, out, _ = run(capsys, "derive", "1", "--format", "html", "-o", str(target))
    assert status == 0 and out == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<math" in page
    assert [p.name for p in tmp_path.iterdir()] == ["handout.html"]


def test_expression_derivation(capsys):
    status, out, _ = run(capsys, "derive", "--expr", "log(1 + exp(-z))", "--wrt", "z")
    assert status == 0 and "✓" in out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["derive", "7"], "'derivation' must be one of"),
        (["derive", "--format", "pdf"], "--format"),
        (["derive", "--route", "sideways"], "--route"),
        (["derive", "--expr", "__import__('os').system('true')"], "--expr"),
        (["derive", "--expr", "9**9**9**9"], "--expr"),
        (["derive", "--expr", "foo(z)"], "foo"),
        (["derive", "--expr", "z", "--wrt", "q"], "'--wrt'"),
        (["derive", "-o", "/nonexistent-folder/x.md"], "'-o'"),
    ],
)
def test_bad_input_is_one_line_and_status_two(capsys, argv, fragment):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err
