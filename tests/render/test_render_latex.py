"""The standalone LaTeX document: ASCII only, balanced, and it compiles where pdflatex exists."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from chainrule.render import to_latex
from chainrule.render.tex import ascii_math, text_mode
from chainrule.symbolic.derivations.pair import derive_pair


def _unescaped_braces(tex: str) -> tuple[int, int]:
    plain = re.sub(r"\\[{}]", "", tex.replace("\\\\", ""))
    return plain.count("{"), plain.count("}")


def test_document_frame(all_derivations):
    tex = to_latex(all_derivations)
    assert tex.startswith("\\documentclass{article}\n")
    assert "\\usepackage{amsmath}\n\\usepackage{amssymb}\n" in tex
    assert tex.endswith("\\end{document}\n")
    assert tex.isascii()


def test_environments_and_braces_balance(all_derivations):
    tex = to_latex(all_derivations)
    for env in ("align*", "quote", "itemize", "document"):
        assert tex.count("\\begin{" + env + "}") == tex.count("\\end{" + env + "}") > 0
    opened, closed = _unescaped_braces(tex)
    assert opened == closed


def test_key_lines(all_derivations):
    tex = to_latex(all_derivations)
    assert "\\section*{[2] d$\\sigma$/dz: the derivative of the sigmoid}" in tex
    assert (
        "\\fitmath{0.15\\linewidth}{\\displaystyle}{\\sigma'\\left(z\\right)} &= "
        "\\fitmath{0.38\\linewidth}{\\displaystyle}"
        "{-\\left(1 + e^{-z}\\right)^{-2} \\cdot \\left(-e^{-z}\\right)}"
        " && \\checkmark\\quad \\parbox[t]{0.36\\textwidth}{\\raggedright chain rule: outer "
        "derivative $\\times$ inner derivative} \\\\"
    ) in tex
    assert "\\begin{quote}\n\\textbf{[ln] Side proof: d(ln x)/dx = 1/x}" in tex
    assert "{\\raggedright so $e^{u}$ = x}" in tex
    assert "{\\raggedright \\emph{(checked numerically)} " in tex
    assert "{\\raggedright the fraction is $\\sigma$(z) = a; 100\\% sure}" in tex
    assert "\\section*{[6] dL/db: two ways, by the chain rule \\& by direct computation}" in tex
    assert "\\item 0 \\textless{} a \\textless{} 1, so both logarithms are defined" in tex


def test_unicode_becomes_latex_commands():
    assert text_mode("σ — 50% of a_1 & {b}") == r"$\sigma$ --- 50\% of a\_1 \& \{b\}"
    assert ascii_math("σ·x²") == r"\sigma \cdot x^{2}"


def test_powers_in_running_text_are_math():
    assert text_mode("divide both sides by e^u") == r"divide both sides by $e^{u}$"
    assert text_mode("(1 + e^(-z))^2") == r"$(1 + e^{-z})^{2}$"
    assert text_mode("u₁^2 · du₁/dz") == r"$u_{1}^{2}$ $\cdot$ du$_{1}$/dz"


def test_the_sequence_layers_signs_become_latex_commands_not_question_marks():
    sentence = text_mode("dc̃ = dc ⊙ Γu at step a⟨t-1⟩, every d•")
    assert sentence == (
        r"d$\tilde{c}$ = dc $\odot$ $\Gamma$u at step a$\langle$t-1$\rangle$, every d$\bullet$"
    )
    assert ascii_math("c̃⟨t⟩") == r"\tilde{c}\langle t\rangle "


def _compile(tex: str, directory) -> str:
    """Run pdflatex on ``tex``; return its log (the test fails on any error)."""
    source = directory / "derivations.tex"
    source.write_text(tex, encoding="ascii")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (directory / "derivations.pdf").stat().st_size > 0
    return (directory / "derivations.log").read_text(errors="replace")


needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")


@needs_pdflatex
def test_document_compiles_and_stays_on_the_page(all_derivations, tmp_path):
    log = _compile(to_latex(all_derivations), tmp_path)
    assert "Overfull \\hbox" not in log


@needs_pdflatex
def test_page_wide_formulas_shrink_to_fit(tmp_path):
    tex = to_latex(derive_pair("gelu", "log_cosh"))  # direct routes pages wide
    assert "\\fitmath{" in tex
    log = _compile(tex, tmp_path)
    assert "Overfull \\hbox" not in log


def test_a_wide_step_gets_the_whole_line_and_its_sentence_below():
    """A right side too wide for its column is not shrunk into it: it gets a line of its own
    (0.8 of the line before it shrinks), the mark and sentence right under it."""
    (derivation,) = derive_pair("gelu", "log_cosh", ["2"])
    tex = to_latex([derivation])
    wide = re.findall(r"\\begin\{align\*\}\n([^\n]*)\n\\end\{align\*\}\n\\begin\{flushright\}", tex)
    assert wide and all("\\fitmath{0.8\\linewidth}" in row and "&&" not in row for row in wide)
    narrow = to_latex(derive_pair("sigmoid", "binary_cross_entropy", ["2"]))
    assert "flushright" not in narrow and "\\fitmath{0.38\\linewidth}" in narrow
