"""The HTML handout printed: headless Chromium prints it to PDF and every move sentence is in
the PDF's text whole (the print style wraps the move under its formula, so none is clipped)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest

from chainrule.render.html import to_html
from chainrule.symbolic.catalog.parse import parse_expression
from chainrule.symbolic.core.symbols import z
from chainrule.symbolic.derivations.expression import derive_expression
from chainrule.symbolic.derivations.reference import reference_derivations

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
    None,
)


def _squeezed(text: str) -> str:
    """Text without whitespace (a PDF breaks lines where the page is full) and with the
    typesetter's ligatures (ﬁ) read as their letters."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _sentences(derivations) -> list[str]:
    found = []
    for derivation in derivations:
        for route in derivation.routes:
            for step in route.steps:
                found.append(step.text)
                found += _sentences(step.subderivations)
    return found


def _missing_when_printed(tmp_path, derivations) -> list[str]:
    """The move sentences not found whole in the text of the printed PDF."""
    pypdf = pytest.importorskip("pypdf")
    page = tmp_path / "handout.html"
    page.write_text(to_html(derivations), encoding="utf-8")
    pdf = tmp_path / "handout.pdf"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", page.as_uri()]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(pdf)).pages)
    assert "Notation" in text
    printed = _squeezed(text)
    sentences = _sentences(derivations)
    assert sentences
    return [s for s in sentences if _squeezed(s) not in printed]


def _handout():
    expr = parse_expression("log(1 + exp(-z))*atan(z)", ["z"])
    return reference_derivations(["5"]) + [derive_expression(expr, z)]


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_the_printed_handout_holds_every_move_sentence_whole(tmp_path):
    assert _missing_when_printed(tmp_path, _handout()) == []


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_without_the_print_style_sentences_are_clipped_and_seen(tmp_path, monkeypatch):
    from chainrule.render import html

    monkeypatch.setattr(html, "_STYLE", html._STYLE[: html._STYLE.index("@media")])
    assert _missing_when_printed(tmp_path, _handout())


def test_the_handout_has_a_title_a_notation_block_a_legend_and_a_print_style():
    page = to_html(reference_derivations(["5"]))
    assert "<h1>" in page and '<dl class="notation">' in page
    assert '<p class="legend">Marks: ' in page and "≈" in page
    assert "@media print, (max-width: 700px)" in page
    assert '<mo stretchy="false">(</mo>' in page
    assert "Routes agree" in page  # [5] has two routes
    assert "Routes agree" not in to_html(reference_derivations(["4"]))
