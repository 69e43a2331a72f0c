"""Renderers of derivations: terminal text, Markdown, LaTeX, HTML with MathML, and JSON.

Every renderer takes a sequence of :class:`~chainrule.symbolic.core.model.Derivation` and reads it
only; none computes or checks math. Expressions print as they are stored (see
:mod:`chainrule.render.structure`), so a step such as "distribute the minus sign" shows the
minus sign before and after.

>>> from chainrule.render import render
>>> text = render(derivations, "markdown")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

from chainrule.errors import InputError
from chainrule.render.html import to_html, to_html_fragment
from chainrule.render.json import to_document, to_json
from chainrule.render.latex import to_latex
from chainrule.render.markdown import to_markdown
from chainrule.render.printing import expr_latex, expr_mathml, expr_str, expr_text
from chainrule.render.text import to_text
from chainrule.symbolic.core.model import Derivation

__all__ = [
    "FORMATS",
    "expr_latex",
    "expr_mathml",
    "expr_str",
    "expr_text",
    "render",
    "to_document",
    "to_html",
    "to_html_fragment",
    "to_json",
    "to_latex",
    "to_markdown",
    "to_text",
]

#: The formats :func:`render` knows, in the order the CLI lists them.
FORMATS = ("text", "markdown", "latex", "html", "json")


def render(
    derivations: Sequence[Derivation],
    fmt: str,
    *,
    color: bool = False,
    version: str | None = None,
) -> str:
    """Render derivations in the format named ``fmt``.

    Parameters
    ----------
    derivations : sequence of Derivation
        What to show, in order.
    fmt : str
        One of :data:`FORMATS`: ``text``, ``markdown``, ``latex``, ``html``, ``json``.
    color : bool
        ANSI colours, for ``text`` only.
    version : str, optional
        The version recorded by ``json``; chainrule's own version by default.
    """
    if fmt not in FORMATS:
        raise InputError(f"'format' must be one of {', '.join(FORMATS)} (got {fmt!r})")
    if fmt == "text":
        return to_text(derivations, color=color)
    if fmt == "markdown":
        return to_markdown(derivations)
    if fmt == "latex":
        return to_latex(derivations)
    if fmt == "html":
        return to_html(derivations)
    return to_json(derivations, version=_package_version() if version is None else version)


def _package_version() -> str:
    from chainrule import __version__

    return __version__
