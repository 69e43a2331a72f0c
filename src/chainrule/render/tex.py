"""TeX pieces shared by the Markdown and LaTeX renderers.

- :func:`math_text`: a sentence shown inside math (``\\text{...}``, for Markdown), with the
  characters TeX or an ``aligned`` environment would misread (``& % # _ { } $ ~ \\``) set in math;
- :func:`ascii_math`: math-mode LaTeX with any non-ASCII character replaced by a command;
- :func:`text_mode`: a sentence in running LaTeX text, special characters escaped;
- :func:`aligned_segments`: a route cut into runs of ``lhs &= after && mark text`` rows, with
  the sub-derivations that sit between them.

In the ``.tex`` file every non-ASCII character becomes a LaTeX command (``σ`` -> ``\\sigma``), so
it needs no input encoding; Markdown keeps Unicode, which MathJax reads.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from chainrule.render.printing import expr_latex, route_lines
from chainrule.symbolic.core.model import Derivation, Route, Step

__all__ = ["Segment", "aligned_segments", "ascii_math", "math_text", "text_mode"]

#: Characters that a backslash makes literal in math and text mode alike.
_ESCAPED = {char: "\\" + char for char in "{}$&%#_"}
_MATH_SPECIALS = {
    **_ESCAPED,
    "\\": r"\backslash ",
    "~": r"\sim ",
    "|": r"\vert ",
    "<": "<",
    ">": ">",
}
_TEXT_SPECIALS = {
    **_ESCAPED,
    "\\": r"\textbackslash{}",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
#: Non-ASCII characters as math-mode LaTeX (Greek letters are found by name).
_UNICODE_MATH = {
    "·": r"\cdot ",
    "⋅": r"\cdot ",
    "×": r"\times ",
    "−": "-",
    "≈": r"\approx ",
    "≤": r"\leq ",
    "≥": r"\geq ",
    "≠": r"\neq ",
    "→": r"\to ",
    "⇒": r"\Rightarrow ",
    "∂": r"\partial ",
    "√": r"\surd ",
    "∑": r"\sum ",
    "∘": r"\circ ",
    "⊙": r"\odot ",
    "∈": r"\in ",
    "∞": r"\infty ",
    "ᵀ": "^{T}",
    "′": "'",
    "✓": r"\checkmark ",
    "✗": r"\times ",
    "…": r"\ldots ",
    "•": r"\bullet ",
    "⟨": r"\langle ",
    "⟩": r"\rangle ",
}
#: The combining tilde of c̃: it puts \tilde over the character before it.
_TILDE = "\u0303"
#: Non-ASCII characters as running-text LaTeX.
_UNICODE_TEXT = {"—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''", "\u00a0": "~"}
_SUPERSCRIPT_DIGITS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
_SUBSCRIPT_DIGITS = dict(zip("₀₁₂₃₄₅₆₇₈₉₋₊", "0123456789-+", strict=True))


def _unicode_as_math(char: str) -> str | None:
    """A math-mode command for one non-ASCII character, or None if there is none."""
    if char in _UNICODE_MATH:
        return _UNICODE_MATH[char]
    if char in _SUPERSCRIPT_DIGITS:
        return "^{" + _SUPERSCRIPT_DIGITS[char] + "}"
    if char in _SUBSCRIPT_DIGITS:
        return "_{" + _SUBSCRIPT_DIGITS[char] + "}"
    name = unicodedata.name(char, "")
    if name.startswith("GREEK SMALL LETTER ") or name.startswith("GREEK CAPITAL LETTER "):
        letter = name.split()[-1].lower()
        letter = {"lamda": "lambda", "final": "varsigma"}.get(letter, letter)
        if name.startswith("GREEK CAPITAL"):
            letter = letter.capitalize()
        return "\\" + letter + " "
    return None


def _ascii_fallback(char: str) -> str:
    """Letters with accents lose them; anything else becomes a visible ``?``."""
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return plain or "?"


def math_text(sentence: str) -> str:
    r"""``sentence`` as math-mode LaTeX that shows it as text: ``\text{...}`` runs and symbols.

    Meant for MathJax (Markdown): Unicode stays as it is, and ``^`` becomes ``ˆ`` since
    MathJax's ``\text`` knows no text-mode commands.
    """
    pieces: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            pieces.append(r"\text{" + "".join(run) + "}")
            run.clear()

    for char in sentence:
        if char == "^":
            run.append("\u02c6")
        elif char in _MATH_SPECIALS:
            flush()
            pieces.append(_MATH_SPECIALS[char])
        else:
            run.append(char)
    flush()
    return "".join(pieces)


def ascii_math(latex: str) -> str:
    """Math-mode LaTeX with any non-ASCII character replaced by a command (``σ`` -> ``\\sigma``)."""
    if latex.isascii():
        return latex
    out: list[str] = []
    for char in latex:
        if char == _TILDE and out:
            out[-1] = r"\tilde{" + out[-1] + "}"
        else:
            out.append(char if char.isascii() else _unicode_as_math(char) or _ascii_fallback(char))
    return "".join(out)


def text_mode(sentence: str) -> str:
    """``sentence`` as running LaTeX text, ASCII only, special characters escaped."""
    out: list[str] = []
    for char in sentence:
        if char == _TILDE and out:
            out[-1] = r"$\tilde{" + out[-1] + "}$"
        elif char in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[char])
        elif char.isascii():
            out.append(char)
        elif char in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[char])
        else:
            math = _unicode_as_math(char)
            out.append("$" + math.strip() + "$" if math else _ascii_fallback(char))
    return "".join(out)


@dataclass(frozen=True)
class Segment:
    """Consecutive aligned rows of a route, then the sub-derivations of the last step."""

    rows: tuple[str, ...]
    subderivations: tuple[Derivation, ...]


def aligned_segments(
    route: Route,
    annotate: Callable[[Step], str],
    math: Callable[[sp.Basic], str] = expr_latex,
    lhs_math: Callable[[sp.Basic], str] | None = None,
) -> list[Segment]:
    """Cut a route into ``lhs &= after && annotation`` rows, split where sub-derivations sit.

    ``annotate`` gives the right-hand column of a step (its mark and move sentence), ``math``
    the LaTeX of an expression, ``lhs_math`` that of a left-hand side (``math`` if None).
    """
    lhs_math = lhs_math or math
    segments: list[Segment] = []
    rows: list[str] = []
    for line in route_lines(route):
        lhs = "" if line.lhs is None else lhs_math(line.lhs) + " "
        rows.append(f"{lhs}&= {math(line.step.after)} && {annotate(line.step)}")
        if line.step.subderivations:
            segments.append(Segment(tuple(rows), line.step.subderivations))
            rows = []
    if rows:
        segments.append(Segment(tuple(rows), ()))
    return segments
