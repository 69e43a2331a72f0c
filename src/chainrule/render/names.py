"""Course-style names such as ``W^{[l]}`` or ``g'^{[l]}(Z^{[l]})``, split for printing.

Layer equations name their matrices in LaTeX style, superscript layer index and all. The LaTeX
printer uses such a name as it stands; the text and MathML printers take it apart with
:func:`name_parts` and draw ``W[l]`` or ``W`` with a superscript ``[l]``.
"""

from __future__ import annotations

import re

__all__ = ["FUNCTION_NAMES", "accented", "gradient_of", "has_markup", "name_parts", "name_tokens"]

#: SymPy's names of functions as a handout writes them (ln, H, arctan).
FUNCTION_NAMES = {
    "log": "ln",
    "Max": "max",
    "Min": "min",
    "Heaviside": "H",
    "Abs": "abs",
    **{f"a{name}": f"arc{name}" for name in ("sin", "cos", "tan", "sinh", "cosh", "tanh")},
}

#: Greek letter names as SymPy spells them (``gamma``, ``Sigma``).
_GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega".split()
)
_ACCENT = re.compile(r"^(?P<letter>[A-Za-z])(?P<accent>hat|bar|tilde|dot|check|vec)$")
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


def gradient_of(name: str) -> str | None:
    """The quantity a gradient's name is made of, where it is ``d`` + a Greek letter or an
    accented letter: ``dgamma`` -> ``gamma``, ``dsigma__2`` -> ``sigma__2``, ``dxhat`` ->
    ``xhat``; None for every other name (``dZ``, ``delta``, ``dy`` print as they are).

    The printers draw such a name as ``d`` followed by the letter (dγ, dσ², dx̂), the notation
    of the batch-norm derivation for the code's ``dgamma``, ``dvar``, ``dxhat``.
    """
    if len(name) < 2 or name[0] != "d" or name.lower() in _GREEK:
        return None
    rest = name[1:]
    stem = rest.split("_", 1)[0]
    if stem.lower() in _GREEK or _ACCENT.match(stem):
        return rest
    return None


def accented(name: str) -> tuple[str, str] | None:
    """(letter, accent) of a name such as ``xhat``; None for any other name."""
    match = _ACCENT.match(name)
    return None if match is None else (match["letter"], match["accent"])
