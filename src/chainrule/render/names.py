"""Course-style names such as ``W^{[l]}`` or ``g'^{[l]}(Z^{[l]})``, split for printing.

Layer equations name their matrices in LaTeX style, superscript layer index and all. The LaTeX
printer uses such a name as it stands; the text and MathML printers take it apart with
:func:`name_parts` and draw ``W[l]`` or ``W`` with a superscript ``[l]``.
"""

from __future__ import annotations

import re

__all__ = ["has_markup", "name_parts", "name_tokens"]

_GROUP = re.compile(r"([\^_])\{([^{}]*)\}")
_TOKEN = re.compile(r"[A-Za-z]|\d+|\S")


def has_markup(name: str) -> bool:
    """True for a name with LaTeX-style ``^{...}`` or ``_{...}`` groups."""
    return _GROUP.search(name) is not None


def name_parts(name: str) -> list[tuple[str, str]]:
    """Split a name into ``("text" | "sup" | "sub", text)`` pieces, in order.

    >>> name_parts("g'^{[l]}(Z^{[l]})")
    [('text', "g'"), ('sup', '[l]'), ('text', '(Z'), ('sup', '[l]'), ('text', ')')]
    """
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _GROUP.finditer(name):
        if match.start() > position:
            parts.append(("text", name[position : match.start()]))
        parts.append(("sup" if match.group(1) == "^" else "sub", match.group(2)))
        position = match.end()
    if position < len(name):
        parts.append(("text", name[position:]))
    return parts


def name_tokens(text: str) -> list[str]:
    """Single letters, numbers and single marks: ``"(dZ'"`` -> ``["(", "d", "Z", "'"]``."""
    return _TOKEN.findall(text)
