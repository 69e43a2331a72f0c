"""A presentation MathML printer for derivation steps, readable without any script.

SymPy's ``MathMLPresentationPrinter`` with the stored-structure rules of
:mod:`chainrule.render.structure`, plus what browsers need: ``e`` rather than the
double-struck ``ⅇ``, ``ln``, Greek function names, real minus signs, and only numeric
character references (the output is well-formed XML as well as HTML).
"""

from __future__ import annotations

import html.entities
import re
from typing import Any
from xml.sax.saxutils import escape

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE, precedence_traditional

from chainrule.render.forms import is_reciprocal, unwrap
from chainrule.render.names import (
    FUNCTION_NAMES,
    accented,
    gradient_of,
    has_markup,
    name_parts,
    name_tokens,
)
from chainrule.render.structure import StructuredPrinter

__all__ = ["ChainruleMathMLPrinter", "mathml"]

_OPS = {"+": "+", "-": "\u2212", "·": "\u22c5", "neg": "\u2212", "space": "\u2062"}
_OPS["glue"] = _OPS["space"]
_RELATIONS = {"==": "=", "!=": "\u2260", "<=": "\u2264", ">=": "\u2265"}
_ACCENTS = {"hat": "^", "bar": "\u00af", "tilde": "~", "dot": "\u02d9", "check": "\u02c7"}
_ACCENTS["vec"] = "\u2192"
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_UNFINISHED_REFERENCE = re.compile(r"(&#x?[0-9A-Fa-f]+)(?![0-9A-Fa-f;])")


def _numeric_entities(markup: str) -> str:
    """Replace HTML named entities (``&dd;``) by numeric references that XML also reads."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        text = html.entities.html5.get(name + ";")
        if name in _XML_ENTITIES or text is None:
            return match.group(0)
        return "".join(f"&#{ord(c)};" for c in text)

    return _ENTITY.sub(replace, _UNFINISHED_REFERENCE.sub(r"\1;", markup))


class ChainruleMathMLPrinter(StructuredPrinter, MathMLPresentationPrinter):
    """Presentation MathML for derivation steps, keeping stored order, signs and fractions."""

    _default_settings = {**MathMLPresentationPrinter._default_settings, "order": "none"}

    def _element(self, tag: str, *children: Any, text: str | None = None) -> Any:
        node = self.dom.createElement(tag)
        if text is not None:
            node.appendChild(self.dom.createTextNode(escape(text)))
        for child in children:
            node.appendChild(child)
        return node

    def _fmt_row(self, parts: list[Any]) -> Any:
        return parts[0] if len(parts) == 1 else self._element("mrow", *parts)

    def _fmt_op(self, op: str) -> Any:
        if op == "thin":
            space = self.dom.createElement("mspace")
            space.setAttribute("width", "0.1667em")
            return self._element("mrow", self._element("mo", text=_OPS["space"]), space)
        return self._element("mo", text=_OPS[op])

    def _fmt_paren(self, body: Any) -> Any:
        left, right = self._element("mo", text="("), self._element("mo", text=")")
        for fence in (left, right):
            fence.setAttribute("stretchy", "false")  # the glyph's own size: no wide gaps
        return self._element("mrow", left, body, right)

    def _fmt_frac(self, num: Any, den: Any, num_compound: bool, den_compound: bool) -> Any:
        return self._element("mfrac", num, den)

    def _fmt_leibniz(self, top: Any | None, variables: list[tuple[Any, int]], partial: bool):
        d = "\u2202" if partial else "d"
        total = sum(n for _, n in variables)
        head = [self._power(self._element("mi", text=d), total)]
        if top is not None:
            head.append(top)
        tail = []
        for variable, count in variables:
            tail += [self._element("mi", text=d), self._power(variable, count)]
        return self._element("mfrac", self._fmt_row(head), self._fmt_row(tail))

    def _power(self, node: Any, count: int) -> Any:
        if count == 1:
            return node
        return self._element("msup", node, self._element("mn", text=str(count)))

    def _fmt_apply(self, operator: Any, body: Any) -> Any:
        left, right = self._element("mo", text="["), self._element("mo", text="]")
        return self._element("mrow", operator, self._element("mrow", left, body, right))

    def _fmt_prime(self, name: Any, order: int, args: Any) -> Any:
        marks = self._element("mo", text="\u2032" * order)
        marks.setAttribute("lspace", "0")
        marks.setAttribute("rspace", "0")
        return self._element("mrow", name, marks, args)

    def _fmt_function_name(self, name: str) -> Any:
        if name in FUNCTION_NAMES:
            return self._element("mi", text=FUNCTION_NAMES[name])
        return self._print(sp.Symbol(name))

    def _print_Function(self, expr: sp.Function) -> Any:
        args = [self._print(arg) for arg in expr.args]
        joined: list[Any] = []
        for index, arg in enumerate(args):
            if index:
                joined.append(self._element("mo", text=","))
            joined.append(arg)
        call = self._fmt_paren(self._fmt_row(joined))
        name = self._fmt_function_name(type(expr).__name__)
        return self._element("mrow", name, self._element("mo", text="\u2061"), call)

    _print_log = _print_Max = _print_Min = _print_Function

    def _print_Heaviside(self, expr: sp.Heaviside) -> Any:
        return self._print_Function(sp.Function("Heaviside")(expr.args[0]))

    def _print_exp(self, expr: sp.exp) -> Any:
        return self._element("msup", self._print_Exp1(None), self._print(expr.args[0]))

    def _print_Exp1(self, expr: Any) -> Any:
        return self._element("mi", text="e")

    def _print_Pow(self, expr: sp.Pow) -> Any:
        if is_reciprocal(expr):
            return self._print_Mul(expr)
        if unwrap(expr.exp) == sp.S.Half:
            return self._element("msqrt", self._print(expr.base))
        base = self.parenthesize(expr.base, PRECEDENCE["Pow"])
        return self._element("msup", base, self._print(expr.exp))

    def _print_Number(self, expr: sp.Number) -> Any:
        if expr.is_negative:
            return self._element("mrow", self._fmt_op("neg"), self._print(-expr))
        return self._element("mn", text=str(expr))

    def _print_Rational(self, expr: sp.Rational) -> Any:
        if expr.q == 1:
            return self._print_Number(expr)
        return self._print_Mul(expr)

    def _print_Symbol(self, sym: Any, style: str = "plain") -> Any:
        quantity = gradient_of(sym.name)
        if quantity is not None:
            d = self._element("mi", text="d")
            return self._element("mrow", d, self._print_Symbol(sp.Symbol(quantity), style))
        accent = accented(sym.name)
        if accent is not None:
            letter, mark = accent
            node = self._element("mover", self._element("mi", text=letter))
            node.appendChild(self._element("mo", text=_ACCENTS[mark]))
            node.setAttribute("accent", "true")
            return node
        if not has_markup(sym.name):
            return super()._print_Symbol(sym, style)
        nodes: list[Any] = []
        primed: list[bool] = []
        for kind, text in name_parts(sym.name):
            tokens = name_tokens(text)
            if kind == "text" or not nodes:
                nodes.extend(self._token(t) for t in tokens)
                primed.extend(t == "'" for t in tokens)
                continue
            script = [self._token(t) for t in tokens]
            if kind == "sup" and primed[-1] and len(nodes) > 1:
                script.insert(0, nodes.pop())
                primed.pop()
            tag = "msup" if kind == "sup" else "msub"
            nodes.append(self._element(tag, nodes.pop(), self._fmt_row(script)))
            primed[-1] = False
        return self._fmt_row(nodes)

    _print_MatrixSymbol = _print_Symbol

    def _token(self, token: str) -> Any:
        if token.isdigit():
            return self._element("mn", text=token)
        if token.isalpha():
            return self._element("mi", text=token)
        return self._element("mo", text="\u2032" if token == "'" else token)

    def _comma_row(self, items: Any) -> Any:
        joined: list[Any] = []
        for index, item in enumerate(items):
            if index:
                joined.append(self._element("mo", text=","))
            joined.append(self._print(item))
        return self._fmt_row(joined)

    def _print_Indexed(self, expr: Any) -> Any:
        """``W`` with the subscript ``u,v,k,c``, as in LaTeX (SymPy adds parentheses)."""
        return self._element("msub", self._print(expr.base), self._comma_row(expr.indices))

    def _print_IndexedBase(self, expr: Any) -> Any:
        return self._print(expr.label)

    def _print_Sum(self, expr: sp.Sum) -> Any:
        """One Σ with its bounds per limit (SymPy's own printer shows the first limit only)."""
        parts = []
        for index, low, high in expr.limits:
            under = self._element("mrow", self._print(index), self._element("mo", text="="))
            under.appendChild(self._print(low))
            sigma = self._element("mo", text="\u2211")
            parts.append(self._element("munderover", sigma, under, self._print(high)))
        parts.append(self.parenthesize(expr.function, precedence_traditional(expr)))
        return self._element("mrow", *parts)

    def _print_KroneckerDelta(self, expr: Any) -> Any:
        return self._element("msub", self._element("mi", text="\u03b4"), self._comma_row(expr.args))

    def _print_HadamardProduct(self, expr: Any) -> Any:
        parts: list[Any] = []
        for index, arg in enumerate(expr.args):
            if index:
                parts.append(self._element("mo", text="\u2299"))
            parts.append(self.parenthesize(arg, PRECEDENCE["Mul"]))
        return self._fmt_row(parts)

    def _print_OneMatrix(self, expr: Any) -> Any:
        return self._element("mn", text="1")

    def _print_Piecewise(self, expr: sp.Piecewise) -> Any:
        rows = []
        for value, condition in expr.args:
            if condition is sp.true:
                when = self._element("mtext", text="otherwise")
            else:
                when = self._element(
                    "mrow", self._element("mtext", text="if\u00a0"), self._print(condition)
                )
            cells = [self._element("mtd", self._print(value)), self._element("mtd", when)]
            rows.append(self._element("mtr", *cells))
        brace = self._element("mo", text="{")
        return self._element("mrow", brace, self._element("mtable", *rows))

    def _print_Relational(self, expr: Any) -> Any:
        op = self._element("mo", text=_RELATIONS.get(expr.rel_op, expr.rel_op))
        return self._element("mrow", self._print(expr.lhs), op, self._print(expr.rhs))


def mathml(expr: sp.Basic, *, display: bool = False) -> str:
    """``expr`` as one ``<math>`` element (``display="block"`` when ``display``)."""
    printer = ChainruleMathMLPrinter()
    body = _numeric_entities(printer.doprint(expr))
    mode = "block" if display else "inline"
    return f'<math display="{mode}" displaystyle="true">{body}</math>'
