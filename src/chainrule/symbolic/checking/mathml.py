"""chainrule's HTML page (MathML) rewritten into the plain derivation format, line for line.

The page's structure is read with the standard library's HTML parser: ``<h2>``/``<h3>``
titles, ``<p class="goal">``, ``<p class="givens">``, ``<p class="route-name">``, one
``<tr class="step">`` per step (lhs, rhs and move cells) and side proofs nested in a
``<tr class="subderivation">``. Its presentation MathML, the elements chainrule writes
(``mi mn mo mrow mfrac msup msub msqrt mspace``), becomes notation text: ``mfrac`` of ``d…``
over ``d…`` is a derivative, the invisible times is juxtaposition, ``⋅`` is ``·``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from chainrule.symbolic.checking.notation import NotationError

__all__ = ["html_lines"]

_RAIL = "│ "
_OPERATORS = {"\u2212": "-", "\u22c5": " · ", "\u2062": " ", "\u2061": "", "\u2032": "'"}
_VOID = frozenset({"mspace", "meta", "br", "hr", "img", "input", "link"})


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node | str] = field(default_factory=list)

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def elements(self) -> list[_Node]:
        return [c for c in self.children if isinstance(c, _Node)]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {}, 1)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0]))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _math(node: _Node) -> str:
    """Presentation MathML as notation text."""
    tag, parts = node.tag, node.elements()
    if tag in ("mi", "mn"):
        return node.text().strip()
    if tag == "mo":
        text = node.text().strip()
        return _OPERATORS.get(text, text)
    if tag == "mspace":
        return " "
    if tag in ("math", "mrow", "mstyle", "semantics"):
        return "".join(_math(p) for p in parts)
    if tag == "mfrac" and len(parts) == 2:
        top, bottom = _math(parts[0]).strip(), _math(parts[1]).strip()
        if re.fullmatch(r"[d∂][A-Za-z]\w*", bottom) and re.fullmatch(r"[d∂](\w*)", top):
            return f" {top}/{bottom} "
        return f"(({top})/({bottom}))"
    if tag == "msup" and len(parts) == 2:
        return f"({_math(parts[0])})^({_math(parts[1])})"
    if tag == "msub" and len(parts) == 2:
        return f"{_math(parts[0])}_{_math(parts[1])}"
    if tag == "msqrt":
        return "sqrt(" + "".join(_math(p) for p in parts) + ")"
    raise NotationError(f"the MathML element <{tag}> is not read")


def _maths(node: _Node) -> list[_Node]:
    found = []
    for child in node.elements():
        found += [child] if child.tag == "math" else _maths(child)
    return found


def _section_lines(section: _Node, rail: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in section.elements():
        out += _node_lines(node, rail)
    return out


def _node_lines(node: _Node, rail: str) -> list[tuple[int, str]]:
    if node.tag in ("h2", "h3"):
        return [(node.line, rail + node.text().strip())]
    if node.tag == "p" and node.has_class("goal"):
        return [(node.line, rail + "goal: " + _math(_maths(node)[0]))]
    if node.tag == "p" and node.has_class("givens"):
        return [(node.line, rail + "givens: " + "; ".join(_math(m) for m in _maths(node)))]
    if node.tag == "p" and node.has_class("route-name"):
        return [(node.line, rail + node.text().replace("Route:", "").strip())]
    if node.tag == "tr" and node.has_class("step"):
        return [(node.line, rail + _step(node))]
    if node.tag == "tr" and node.has_class("subderivation"):
        sections = [s for s in _descendants(node) if s.tag == "section"]
        return [line for s in sections for line in _section_lines(s, rail + _RAIL)]
    if node.tag == "section":
        titles = [h for h in node.elements() if h.tag in ("h2", "h3")]
        if titles and titles[0].text().strip().startswith("[layers]"):
            return [(titles[0].line, rail + titles[0].text().strip())]
        return _section_lines(node, rail)
    if node.tag in ("div", "table", "tbody", "body", "html"):
        return _section_lines(node, rail)
    return []


def _descendants(node: _Node) -> list[_Node]:
    found = []
    for child in node.elements():
        found += [child] if child.tag == "section" else _descendants(child)
    return found


def _step(row: _Node) -> str:
    cells = {c.attrs.get("class", "").split()[0]: c for c in row.elements() if c.tag == "td"}
    lhs = cells.get("lhs")
    left = _math(_maths(lhs)[0]) if lhs is not None and _maths(lhs) else ""
    right = _math(_maths(cells["rhs"])[0]) if "rhs" in cells and _maths(cells["rhs"]) else ""
    move = cells["move"].text().strip() if "move" in cells else ""
    return f"{left} = {right}" + (f"  # {move}" if move else "")


def html_lines(text: str) -> list[tuple[int, str]]:
    """chainrule's HTML page as (line number, plain-format line) pairs."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return _section_lines(builder.root, "")
