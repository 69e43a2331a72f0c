"""Every format chainrule writes reads back into ``chainrule check`` and passes: the reference
derivations [1]-[6] and pair derivations, as text, Markdown, LaTeX, HTML and JSON; and the spec's
own tables, as the spec writes them."""

from __future__ import annotations

import pytest
from spec_tables import SPEC, spec_documents

from chainrule.render import to_html, to_json, to_latex, to_markdown, to_text
from chainrule.symbolic.checking.documents import read_derivations
from chainrule.symbolic.checking.steps import check_derivation
from chainrule.symbolic.derivations.pair import derive_pair
from chainrule.symbolic.derivations.reference import reference_derivations

FORMATS = {
    "text": to_text,
    "markdown": to_markdown,
    "latex": to_latex,
    "html": to_html,
    "json": lambda ds: to_json(ds, version="test"),
}


@pytest.fixture(scope="module")
def reference():
    return reference_derivations(["1", "2", "3", "4", "5", "6"])


def checked(text: str):
    return [check_derivation(d) for d in read_derivations(text, "derivations")]


@pytest.mark.parametrize("format_name", FORMATS)
def test_reference_derivations_read_back_and_pass(format_name, reference) -> None:
    results = checked(FORMATS[format_name](reference))
    assert len(results) == 6
    assert all(r.ok for r in results)
    steps = sum(len(r.lines) for c in results for r in c.routes)
    assert steps == sum(len(route.steps) for d in reference for route in d.routes)


@pytest.mark.parametrize("format_name", FORMATS)
def test_pair_derivations_read_back_and_pass(format_name) -> None:
    pair = derive_pair("tanh", "mse", ["1", "2", "3", "5"]) + derive_pair("sigmoid", "mse", ["3"])
    results = checked(FORMATS[format_name](pair))
    assert [r.ok for r in results] == [True] * len(pair)


def test_a_wrong_line_in_chainrules_own_output_is_caught(reference) -> None:
    text = to_text(reference[:1]).replace("= (1 - y)/(1 - a) ", "= (1 + y)/(1 - a) ")
    (result,) = checked(text)
    assert not result.ok
    assert result.finding is not None and result.finding.line.math == "(1 + y)/(1 - a)"


@pytest.mark.skipif(SPEC is None, reason="the spec (shared/spec) is not beside this checkout")
def test_the_specs_tables_as_written_pass() -> None:
    documents = spec_documents(SPEC.read_text(encoding="utf-8"))
    assert set(documents) == {"1", "2", "3", "5", "6"}
    for section, text in documents.items():
        (result,) = checked(text)
        assert result.ok, section


def test_a_layers_block_is_named_and_left_unchecked() -> None:
    text = (
        "[layers] Wrap-up — the layer equations\ngoal:   (dZ[L], dW[l])\n\nchain rule\n"
        "  dW[l] = (1/m) dZ[l] A[l-1]ᵀ  ✓ result [5]\n\n"
        "[4] dz/dw\ngoal: dz/dw\ngivens: z = w x + b\n\ndirect\n  dz/dw = x  ✓ rule\n"
    )
    layers, dz_dw = checked(text)
    assert layers.written.skipped.startswith("not checked") and not layers.routes
    assert dz_dw.ok
