"""The layer families in every format: text, Markdown, LaTeX (it compiles and stays on the
page), HTML (well-formed, one Σ per limit) and JSON (every expression reads back with plain
``sympy.sympify``)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import sympy as sp

from chainrule.render import FORMATS, render

SEQUENCE = ("embedding", "rnn", "lstm", "lstm_bptt", "attention")


@pytest.fixture(scope="module")
def derivations(layer_derivations):
    return list(layer_derivations.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_without_a_failure(derivations, fmt):
    out = render(derivations, fmt)
    assert out.strip() and "FAILED" not in out
    for heading in (*("batchnorm", "conv", "maxpool", "avgpool"), *SEQUENCE):
        assert heading in out or heading.replace("_", "\\_") in out  # Markdown escapes _


def test_text_shows_the_course_forms(layer_derivations):
    text = render(list(layer_derivations.values()), "text")
    one_line = "dx[i] = γ/(m √(σ² + ε)) · (m dy[i] - Σ(j=1..m) dy[j] - x̂[i] Σ(j=1..m) (dy[j] x̂[j]))"
    assert one_line in text
    assert "dσ² = Σ(j=1..m) (dx̂[j] · (x[j] - μ) · (-1/2) · 1/(σ² + ε)^(3/2))" in text
    assert "dW_col = dZ_col colᵀ" in text and "dcol = W_colᵀ dZ_col" in text
    assert "W_rot[u, v, c, k] = W[f - 1 - u, f - 1 - v, k, c]" in text
    assert "∂A[i, h, w, c]/∂A_prev[i, s h + u, s w + v, c] = M[i, h, w, c, u, v]" in text
    assert "oracle (exact difference quotients of J): ✓ proved" in text


def test_markdown_and_latex_name_the_gradients(derivations):
    markdown = render(derivations, "markdown")
    assert r"d\gamma &= \sum_{j=1}^{m}" in markdown and r"d\sigma^{2}" in markdown
    assert r"{d\hat{x}}_{i}" in markdown and r"\delta_{i j}" in markdown
    latex = render(derivations, "latex")
    assert latex.isascii() and r"\begin{document}" in latex


def test_html_is_well_formed_and_shows_every_limit(derivations):
    page = render(derivations, "html")
    root = ET.fromstring(page.split("\n", 1)[1])
    assert root.tag.endswith("html")
    # dW[u, v, k, c] = Σ_i Σ_h Σ_w Σ_c' ... : four Σ with their bounds on that line
    line = next(m for m in re.findall(r"<math.*?</math>", page) if "&#8706;" in m and "c'" in m)
    assert line.count("<munderover>") == 4
    assert "KroneckerDelta" not in page and "dgamma" not in page


def test_json_reads_back_with_the_declared_symbols(derivations):
    """Readable strings (``W_col*col``, ``x[j]``), each symbol rebuilt exactly, assumptions
    and shapes included, from the derivation's ``symbols``."""
    document = json.loads(render(derivations, "json"))
    pairs = []
    for doc, derivation in zip(document["derivations"], derivations, strict=True):
        names = {name: sp.sympify(text) for name, text in doc["symbols"].items()}
        pairs += [(doc["goal"], derivation.goal, names), (doc["result"], derivation.result, names)]
        for route_doc, route in zip(doc["routes"], derivation.routes, strict=True):
            pairs.append((route_doc["result"], route.result, names))
            for step_doc, step in zip(route_doc["steps"], route.steps, strict=True):
                pairs += [(step_doc["lhs"], step.lhs, names), (step_doc["expr"], step.after, names)]
    assert len(pairs) > 130
    wrong = [
        text
        for text, original, names in pairs
        if sp.sympify(text, locals=names) != _canonical(original)
    ]
    assert wrong == []
    assert not [text for text, *_ in pairs if "IndexedBase(" in text or "MatrixSymbol(" in text]
    assert document["derivations"][1]["routes"][1]["name"] == "im2col"


def _canonical(expr: sp.Basic) -> sp.Basic:
    """``expr`` rebuilt with SymPy's own evaluation throughout (stored term orders, kept
    groups and the indices inside derivatives included): what sympify gives back."""
    if not expr.args or isinstance(expr, sp.IndexedBase):
        return expr
    args = [_canonical(arg) for arg in expr.args]
    if isinstance(expr, sp.UnevaluatedExpr):
        return args[0]
    return expr.func(*args)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")
def test_the_latex_handout_compiles_and_stays_on_the_page(derivations, tmp_path):
    source = tmp_path / "layers.tex"
    source.write_text(render(derivations, "latex"), encoding="ascii")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    log = (tmp_path / "layers.log").read_text(errors="replace")
    assert "Overfull \\hbox" not in log
