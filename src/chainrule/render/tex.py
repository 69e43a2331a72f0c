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

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from chainrule.render.printing import expr_latex, route_lines
from chainrule.symbolic.core.model import Derivation, Route, Step

__all__ = [
    "Segment",
    "aligned_segments",
    "ascii_math",
    "math_text",
    "sentence_pieces",
    "text_mode",
]

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


#: Function names a sentence's plain math writes as words (ln x), set upright in math.
_FUNCTION_WORDS = frozenset("ln log exp sin cos tan sinh cosh tanh arctan max min".split())


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char in "_′'"


def _group_end(text: str, start: int, step: int) -> int:
    """From the bracket at ``start``, the index just past its partner (``step`` 1: forward to
    the ``)``; -1: back to the ``(``), or ``start`` when it has none."""
    opening, closing = ("(", ")") if step == 1 else (")", "(")
    depth, k = 0, start
    while 0 <= k < len(text):
        depth += {opening: 1, closing: -1}.get(text[k], 0)
        if depth == 0:
            return k + step
        k += step
    return start


def _powers(sentence: str) -> list[tuple[int, int, str, str]]:
    """Every power ``base^exponent`` of a sentence's plain math (``e^u``, ``e^(-z)``,
    ``u₁^2``, ``(1 + e^u)^2``): (start, end, base, exponent), a bracketed exponent without its
    brackets, outermost powers only."""
    found: list[tuple[int, int, str, str]] = []
    k = 0
    while (k := sentence.find("^", k)) != -1:
        start = k
        if start > 0 and sentence[start - 1] == ")":
            start = _group_end(sentence, start - 1, -1) + 1
        while start > 0 and _is_name_char(sentence[start - 1]):
            start -= 1
        end = k + 1
        if end < len(sentence) and sentence[end] == "(":
            end = _group_end(sentence, end, 1)
            exponent = sentence[k + 2 : end - 1]
        else:
            while end < len(sentence) and _is_name_char(sentence[end]):
                end += 1
            exponent = sentence[k + 1 : end]
        if start < k and exponent:
            while found and found[-1][0] >= start:  # inside this power's base
                found.pop()
            if not found or start >= found[-1][1]:
                found.append((start, end, sentence[start:k], exponent))
        k += 1
    return found


def _plain_math(text: str) -> str:
    """A piece of a sentence's plain math as LaTeX: its powers as ``^{...}``, function words
    upright (``\\ln``), TeX's special characters escaped."""
    return "".join(
        piece if is_math else _math_words(piece) for is_math, piece in sentence_pieces(text)
    )


def _math_words(text: str) -> str:
    words = re.split(r"(\w+)", text)
    return "".join(
        "\\" + word + " "
        if word in _FUNCTION_WORDS
        else "".join(_MATH_SPECIALS.get(char, char) for char in word)
        for word in words
    )


def sentence_pieces(sentence: str) -> list[tuple[bool, str]]:
    """A sentence cut into prose and math: (False, prose) as it stands, (True, LaTeX) for each
    power of its plain math (``e^u`` -> ``e^{u}``), so that no ``^`` is left in prose."""
    pieces: list[tuple[bool, str]] = []
    done = 0
    for start, end, base, exponent in _powers(sentence):
        if start > done:
            pieces.append((False, sentence[done:start]))
        pieces.append((True, _plain_math(base) + "^{" + _plain_math(exponent) + "}"))
        done = end
    if done < len(sentence):
        pieces.append((False, sentence[done:]))
    return pieces


def math_text(sentence: str) -> str:
    r"""``sentence`` as math-mode LaTeX that shows it as text: ``\text{...}`` runs and symbols,
    and its powers as math (``e^u`` -> ``e^{u}``).

    Meant for MathJax (Markdown): Unicode stays as it is.
    """
    pieces: list[str] = []
    for is_math, piece in sentence_pieces(sentence):
        pieces.append(piece if is_math else _math_text_run(piece))
    return "".join(pieces)


def _math_text_run(prose: str) -> str:
    pieces: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            pieces.append(r"\text{" + "".join(run) + "}")
            run.clear()

    for char in prose:
        if char == "^":  # a caret that is no power: a hat over nothing
            flush()
            pieces.append(r"\hat{\ }")
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
    """``sentence`` as running LaTeX text, ASCII only, special characters escaped, and its
    powers as math (``e^u`` -> ``$e^{u}$``)."""
    return "".join(
        "$" + ascii_math(piece) + "$" if is_math else _text_run(piece)
        for is_math, piece in sentence_pieces(sentence)
    )


def _text_run(sentence: str) -> str:
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
    """Consecutive aligned rows of a route, then the sub-derivations of the last step.

    A wide step (see :func:`aligned_segments`) is a segment of its own: its one row is
    ``lhs &= after`` and ``annotation`` holds its mark and sentence, to be set below it."""

    rows: tuple[str, ...]
    subderivations: tuple[Derivation, ...]
    annotation: str | None = None


def aligned_segments(
    route: Route,
    annotate: Callable[[Step], str],
    math: Callable[[sp.Basic], str] = expr_latex,
    lhs_math: Callable[[sp.Basic], str] | None = None,
    wide: Callable[[Step], bool] | None = None,
    wide_math: Callable[[sp.Basic], str] | None = None,
) -> list[Segment]:
    """Cut a route into ``lhs &= after && annotation`` rows, split where sub-derivations sit.

    ``annotate`` gives the right-hand column of a step (its mark and move sentence), ``math``
    the LaTeX of an expression, ``lhs_math`` that of a left-hand side (``math`` if None).
    A step for which ``wide`` is true gets a segment of its own, the annotation apart, so that
    its formula (``wide_math``, ``math`` if None) may take the whole line.
    """
    wide_math = wide_math or math
    lhs_math = lhs_math or math
    segments: list[Segment] = []
    rows: list[str] = []
    for line in route_lines(route):
        lhs = "" if line.lhs is None else lhs_math(line.lhs) + " "
        if wide is not None and wide(line.step):
            if rows:
                segments.append(Segment(tuple(rows), ()))
                rows = []
            row = f"{lhs}&= {wide_math(line.step.after)}"
            annotation = annotate(line.step)
            segments.append(Segment((row,), line.step.subderivations, annotation))
            continue
        rows.append(f"{lhs}&= {math(line.step.after)} && {annotate(line.step)}")
        if line.step.subderivations:
            segments.append(Segment(tuple(rows), line.step.subderivations))
            rows = []
    if rows:
        segments.append(Segment(tuple(rows), ()))
    return segments
