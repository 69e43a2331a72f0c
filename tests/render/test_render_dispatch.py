"""render(): the dispatcher, and validation of what every renderer takes."""

from __future__ import annotations

import json

import pytest

import chainrule.render as render_module
from chainrule import __version__
from chainrule.errors import InputError
from chainrule.render import FORMATS, render, to_html, to_latex, to_markdown, to_text


def test_all_is_sorted_and_complete():
    assert render_module.__all__ == sorted(render_module.__all__)
    assert all(hasattr(render_module, name) for name in render_module.__all__)


@pytest.mark.parametrize(
    ("fmt", "function"),
    [("text", to_text), ("markdown", to_markdown), ("latex", to_latex), ("html", to_html)],
)
def test_render_dispatches(all_derivations, fmt, function):
    assert render(all_derivations, fmt) == function(all_derivations)


def test_render_json_records_the_package_version(sigmoid):
    assert json.loads(render([sigmoid], "json"))["chainrule"] == __version__
    assert json.loads(render([sigmoid], "json", version="1.2"))["chainrule"] == "1.2"


def test_render_text_passes_color(sigmoid):
    assert "\x1b[" in render([sigmoid], "text", color=True)


def test_unknown_format_names_the_parameter_and_choices(sigmoid):
    with pytest.raises(InputError) as raised:
        render([sigmoid], "pdf")
    message = str(raised.value)
    assert message == "'format' must be one of text, markdown, latex, html, json (got 'pdf')"
    assert FORMATS == ("text", "markdown", "latex", "html", "json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_single_derivation_is_refused_with_a_clear_message(sigmoid, fmt):
    with pytest.raises(InputError, match="'derivations' must be a sequence of Derivation"):
        render(sigmoid, fmt)


def test_foreign_items_are_named(sigmoid):
    with pytest.raises(InputError, match=r"only Derivation objects \(got str\)"):
        to_text([sigmoid, "dL/da"])


def test_empty_sequence_renders_empty_documents():
    assert to_text([]) == "\n"
    assert to_latex([]).endswith("\\end{document}\n")
    assert json.loads(render([], "json"))["derivations"] == []
