"""``chainrule derive`` through main(argv)."""

import json

import pytest
import sympy as sp

from chainrule.cli import main
from chainrule.symbolic.core.symbols import sigma


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


@pytest.mark.parametrize(
    "name, marker",
    [
        ("handout.md", "$$"),
        ("handout.tex", "\\documentclass{article}"),
        ("handout.HTML", "<!DOCTYPE html>"),
        ("handout.json", '"chainrule"'),
        ("handout.txt", "✓ chain rule"),
    ],
)
def test_the_output_file_extension_picks_the_format(capsys, tmp_path, name, marker):
    path = tmp_path / name
    assert run(capsys, "derive", "2", "-o", str(path))[0] == 0
    assert marker in path.read_text(encoding="utf-8")


def test_an_explicit_format_wins_over_the_extension(capsys, tmp_path):
    path = tmp_path / "handout.tex"
    assert run(capsys, "derive", "2", "--format", "markdown", "-o", str(path))[0] == 0
    assert "\\documentclass" not in path.read_text(encoding="utf-8")


def test_expr_takes_its_only_variable_and_asks_when_there_are_several(capsys):
    status, out, _ = run(capsys, "derive", "--expr", "x**3*sin(x)")
    assert status == 0 and "d/dx[" in out
    status, _, err = run(capsys, "derive", "--expr", "tanh(w*x + b)")
    assert status == 2
    assert err == (
        "chainrule: error: '--wrt' is needed: the expression has the variables b, w, x "
        "(got no --wrt)\n"
    )
    status, out, _ = run(capsys, "derive", "--expr", "tanh(w*x + b)", "--wrt", "w")
    assert status == 0 and "d/dw[" in out


@pytest.mark.parametrize(
    "argv, found",
    [
        (["--wrt", "z"], "'--wrt' applies only with '--expr' (got --wrt z)"),
        (["--list", "5"], "'--list' prints the catalogue as text on its own (got derivation ids)"),
        (["--list", "--format", "json"], "(got --format json)"),
        (["--list", "--activation", "tanh"], "(got --activation)"),
    ],
)
def test_options_that_would_be_ignored_are_refused(capsys, argv, found):
    status, out, err = run(capsys, "derive", *argv)
    assert status == 2 and out == ""
    assert err.startswith("chainrule: error: ") and found in err and err.count("\n") == 1


def test_route_notes_the_derivations_with_one_route(capsys):
    status, out, err = run(capsys, "derive", "2", "5", "--route", "direct")
    assert status == 0
    assert err == (
        "chainrule: note: --route direct chooses between two routes; [2] has one, shown as it is\n"
    )
    assert "chain rule" in out.split("[5]")[0] and "\nchain rule\n" not in out.split("[5]")[1]
    assert run(capsys, "derive", "5", "--route", "chain")[2] == ""


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("chainrule ")


def test_show_code_and_list_ignore_the_output_extension(capsys, tmp_path):
    code, catalogue = tmp_path / "swish.md", tmp_path / "catalogue.json"
    assert run(capsys, "derive", "--activation", "swish", "--show-code", "-o", str(code))[0] == 0
    assert "import numpy" in code.read_text(encoding="utf-8")
    assert run(capsys, "derive", "--list", "-o", str(catalogue))[0] == 0
    assert catalogue.read_text(encoding="utf-8").startswith("activations: ")


def test_the_side_proof_of_ln_appears_once(capsys):
    """[ln] is shown inside [1], where it is used, not again after it; alone it is shown."""
    status, out, _ = run(capsys, "derive", "1", "ln", "2")
    assert status == 0
    assert out.count("[ln] Side proof") == 1 and "│ [ln] Side proof" in out
    status, out, _ = run(capsys, "derive", "ln")
    assert status == 0 and out.startswith("[ln] Side proof")


def test_brief_folds_each_side_step_into_one_line(capsys, tmp_path, monkeypatch):
    """--brief: no nested block, the side step summed up in the sentence that uses it; the
    cache keeps the brief and the full document apart."""
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(tmp_path))
    for _ in range(2):  # proven, then read from the cache
        status, brief, _ = run(capsys, "derive", "1", "5", "--brief")
        assert status == 0
        assert "│" not in brief
        assert "(side step [ln]: d/dx[ln(x)] = 1/x in 5 steps, each proven exactly)" in brief
        assert "side step [ln-chain]: d/dw[ln(1 + eᶻ)] = x · eᶻ/(1 + eᶻ) in 3 steps" in brief
        status, full, _ = run(capsys, "derive", "1", "5")
        assert status == 0 and "│ [ln] Side proof" in full and "side step [ln]" not in full
    status, out, _ = run(capsys, "derive", "1", "--brief", "--format", "json")
    (derivation,) = json.loads(out)["derivations"]
    steps = derivation["routes"][0]["steps"]
    assert all(step["subderivations"] == [] for step in steps)
    assert any("side step [ln]" in step["text"] for step in steps)


def test_a_brief_handout_reads_back_and_passes_the_checker(capsys, tmp_path):
    target = tmp_path / "brief.md"
    assert run(capsys, "derive", "1", "5", "--brief", "-o", str(target))[0] == 0
    status, out, err = run(capsys, "check", str(target))
    assert status == 0, out + err
