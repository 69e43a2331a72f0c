"""A documented subset of LaTeX math, rewritten into the notation :mod:`.notation` reads.

What is read (everything chainrule writes into a handout's ``aligned`` blocks, and the usual
hand-written forms): ``\\frac{A}{B}`` (``\\frac{dL}{da}``, ``\\frac{d}{da}``,
``\\frac{\\partial L}{\\partial w}`` are derivatives), ``\\cdot`` and ``\\times``,
``\\left( \\right)`` and ``\\left[ \\right]``, ``^{...}`` and ``_{...}``, ``\\sigma`` (and
``\\sigma'``), ``\\ln``, ``\\log``, ``\\exp``, ``\\tanh`` and the other functions of the safe
parser, ``\\sqrt{...}``, ``\\partial``, ``\\pi``, ``\\operatorname{name}``, ``\\mathrm{d}``,
spacing (``\\, \\; \\! \\quad``) and braces for grouping. ``\\sum`` and other commands are
refused with a message naming them.
"""

from __future__ import annotations

import re

from chainrule.symbolic.catalog.parse import SUPPORTED_FUNCTIONS
from chainrule.symbolic.checking.notation import NotationError

__all__ = ["latex_to_notation"]

_SYMBOLS = {"sigma": "σ", "pi": "π", "partial": "∂", "cdot": " · ", "times": " · "}
_SPACES = frozenset({",", ";", "!", ":", "quad", "qquad", " ", "displaystyle", "textstyle"})
_FUNCTION_COMMANDS = frozenset(SUPPORTED_FUNCTIONS) - {"sigma"}
_DIFFERENTIAL = re.compile(r"^(d|∂)\s*([A-Za-z][A-Za-z0-9_]*)?$")


class _Latex:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def group(self) -> str:
        """The next ``{...}`` group (or single character), converted."""
        self._skip_spaces()
        if self.at >= len(self.text):
            raise NotationError("a LaTeX command is missing its argument")
        if self.text[self.at] == "{":
            self.at += 1
            inner = self.until("}")
            self.at += 1
            return inner
        if self.text[self.at] == "\\":
            return self.command()
        self.at += 1
        return self.text[self.at - 1]

    def _skip_spaces(self) -> None:
        while self.at < len(self.text) and self.text[self.at] == " ":
            self.at += 1

    def until(self, closing: str | None) -> str:
        out: list[str] = []
        while self.at < len(self.text):
            character = self.text[self.at]
            if closing is not None and character == closing:
                return "".join(out)
            if character == "}":
                raise NotationError("unbalanced '}' in the LaTeX")
            if character == "\\":
                out.append(self.command())
            elif character == "{":
                out.append("(" + self.group() + ")")
            elif character in "^_":
                self.at += 1
                argument = self.group()
                out.append(f"^({argument})" if character == "^" else "_" + argument)
            else:
                out.append(character)
                self.at += 1
        if closing is not None:
            raise NotationError(f"a LaTeX group is not closed with {closing!r}")
        return "".join(out)

    def command(self) -> str:
        match = re.compile(r"\\([A-Za-z]+|.)").match(self.text, self.at)
        assert match is not None
        self.at = match.end()
        name = match.group(1)
        if name in _SPACES:
            return " "
        if name in ("left", "right", "big", "Big", "bigl", "bigr"):
            return self._delimiter()
        if name == "frac":
            return self._fraction(self.group(), self.group())
        if name == "sqrt":
            return "sqrt(" + self.group() + ")"
        if name in ("operatorname", "mathrm", "text", "mathit"):
            return self.group()
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _FUNCTION_COMMANDS:
            return " " + name
        raise NotationError(f"the LaTeX command \\{name} is not read (see the supported subset)")

    def _delimiter(self) -> str:
        self._skip_spaces()
        if self.text.startswith("\\{", self.at) or self.text.startswith("\\}", self.at):
            raise NotationError("braces as delimiters (\\left\\{) are not read")
        character = self.text[self.at] if self.at < len(self.text) else ""
        self.at += 1
        return {".": ""}.get(character, character)

    @staticmethod
    def _fraction(numerator: str, denominator: str) -> str:
        top = _DIFFERENTIAL.match(numerator.strip())
        bottom = _DIFFERENTIAL.match(denominator.strip())
        if top and bottom and bottom.group(2) and top.group(1) == bottom.group(1):
            return f" {top.group(1)}{top.group(2) or ''}/{bottom.group(1)}{bottom.group(2)} "
        return f"(({numerator})/({denominator}))"


def latex_to_notation(latex: str) -> str:
    """Rewrite LaTeX math (the subset above) as chainrule notation text."""
    return _Latex(latex).until(None)
