"""Readable expression strings for the JSON document, and the declarations that read them back.

A derivation's strings write every symbol by a Python name: ``W_l*A_lm1 + b_l`` for the layer
equations' W^{[l]} A^{[l-1]} + b^{[l]}, ``x[j]`` for an entry of the array x. Plain
``sympy.sympify`` cannot know that ``W_l`` is a (n^{[l]}, n^{[l-1]}) matrix, that ``x`` is an
array or that ``m`` is a positive integer, so the derivation lists, under ``symbols``, each
such name with the SymPy constructor that rebuilds it::

    names = {name: sympy.sympify(text) for name, text in derivation["symbols"].items()}
    sympy.sympify(step["expr"], locals=names)      # the step's expression, symbol for symbol

A symbol with no assumptions and a plain name (a, y, z, i) needs no declaration.
"""

from __future__ import annotations

import keyword
import re

import sympy as sp
from sympy.printing.str import StrPrinter

from chainrule.render.printing import SympySyntaxPrinter, is_plain_symbol

__all__ = ["DocumentNames", "readable_name"]

#: Course-style pieces of a name, in the order they are rewritten: W^{[l-1]} -> W_lm1.
_PIECES = (
    (re.compile(r"\^\{\[(.*?)\]\}"), r"_\1"),
    (re.compile(r"\^\{(.*?)\}"), r"_\1"),
    (re.compile(r"'"), "prime"),
    (re.compile(r"-"), "m"),
    (re.compile(r"\+"), "p"),
    (re.compile(r"\((.*?)\)"), r"_of_\1"),
    (re.compile(r"\W"), "_"),
)


def readable_name(label: str) -> str:
    """A Python name for a symbol called ``label``: ``W^{[l+1]}`` -> ``W_lp1``,
    ``g'^{[l]}(Z^{[l]})`` -> ``gprime_l_of_Z_l``; a SymPy name or keyword gets a final ``_``."""
    name = label
    for pattern, replacement in _PIECES:
        name = pattern.sub(replacement, name)
    name = re.sub(r"_+", "_", name).strip("_") or "s"
    if not name[0].isalpha():
        name = "s" + name
    if keyword.iskeyword(name) or hasattr(sp, name):
        name += "_"
    return name


class DocumentNames:
    """The names one derivation's strings give the symbols that need a declaration, and the
    declaration of each (a constructor call that ``sympy.sympify`` reads)."""

    def __init__(self) -> None:
        self._names: dict[sp.Basic, str] = {}
        self.declarations: dict[str, str] = {}

    def name(self, atom: sp.Basic, label: str) -> str:
        """The name of ``atom`` (called ``label``), declared the first time it is met."""
        if atom not in self._names:
            base = name = readable_name(label)
            count = 2
            while name in self.declarations:
                name, count = f"{base}_{count}", count + 1
            self._names[atom] = name
            self.declarations[name] = _DeclarationPrinter().doprint(atom)
        return self._names[atom]

    def printer(self) -> StrPrinter:
        """A printer of SymPy syntax that writes symbols by these names."""
        return _NamedStrPrinter(self)


class _DeclarationPrinter(SympySyntaxPrinter):
    """A symbol's constructor call, with the assumptions it was made with."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return expr.name if is_plain_symbol(expr) else self._print_constructor(expr)


class _NamedStrPrinter(SympySyntaxPrinter):
    """SymPy syntax with every symbol that needs a declaration written by its name."""

    def __init__(self, names: DocumentNames) -> None:
        super().__init__()
        self._names = names

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return expr.name if is_plain_symbol(expr) else self._names.name(expr, expr.name)

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        return self._names.name(expr, expr.name)

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return self._names.name(expr, str(expr.label))
