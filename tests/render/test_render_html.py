"""HTML with MathML: self-contained, well-formed, script-free; and it loads in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from chainrule.render import to_html, to_html_fragment
from chainrule.symbolic.derivations.pair import derive_pair

VOID = {"meta", "br", "hr", "img", "input", "link", "mspace"}


class _TagBalance(HTMLParser):
    """Collects tag names and checks that every opened element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _parse(markup: str) -> _TagBalance:
    parser = _TagBalance()
    parser.feed(markup)
    parser.close()
    return parser


def test_page_is_balanced_html_and_well_formed_xml(all_derivations):
    page = to_html(all_derivations)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>')
    parsed = _parse(page)
    assert parsed.errors == [] and parsed.stack == []
    root = ET.fromstring(page.split("\n", 1)[1])
    assert root.tag == "html"
    assert len(root.findall(".//math")) > 60


def test_page_is_self_contained(all_derivations):
    page = to_html(all_derivations)
    tags = set(_parse(page).tags)
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert not re.search(r"https?://", page)
    assert "@import" not in page and "url(" not in page


def test_steps_marks_and_moves(all_derivations):
    page = to_html(all_derivations)
    assert '<td class="mark proved" title="proved exactly: exact: cancel">✓</td>' in page
    assert '<td class="move">logistic function</td>' in page
    numeric = (
        '<td class="mark numeric" title="checked numerically: numeric: 50 digits at 6 points">'
    )
    assert numeric + "≈</td>" in page
    assert '<td class="move">the fraction is σ(z) = a; 100% sure</td>' in page
    assert "by the chain rule &amp; by direct computation" in page
    assert '<p class="legend">Marks: ' in page


def test_continuation_rows_have_an_empty_lhs(sigmoid):
    page = to_html([sigmoid])
    rows = re.findall(r'<tr class="step [^"]*">(.*?)</tr>', page)
    assert len(rows) == 5
    empty = [row.startswith('<td class="lhs"></td>') for row in rows]
    assert empty == [False, True, False, True, True]


def test_sub_derivation_is_a_nested_section(cost):
    page = to_html([cost])
    assert '<tr class="subderivation"><td colspan="5">\n<section class="derivation sub"' in page
    assert "<h3>[ln] Side proof: d(ln x)/dx = 1/x</h3>" in page


def test_fragment_is_the_body_with_its_style(sigmoid):
    fragment = to_html_fragment([sigmoid])
    assert fragment.startswith('<div class="chainrule">\n<style>')
    assert "<html" not in fragment and "<body" not in fragment
    assert _parse(fragment).errors == []
    ET.fromstring(fragment)


def test_derivation_repr_html_uses_the_fragment(sigmoid):
    assert sigmoid._repr_html_() == to_html_fragment([sigmoid])
    assert sigmoid._repr_markdown_().startswith("## [2]")


def _chromium(page, profile, *extra: str) -> tuple[str, list[str]]:
    """Load ``page`` headless; return the DOM it built and its console lines."""
    command = [
        "chromium",
        *extra,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return done.stdout, console


needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium")


@needs_chromium
def test_chromium_loads_the_page_without_console_errors(all_derivations, tmp_path):
    page = tmp_path / "derivations.html"
    page.write_text(to_html(all_derivations), encoding="utf-8")
    dom, console = _chromium(page, tmp_path / "profile")
    assert dom.count("<math") == to_html(all_derivations).count("<math")
    assert "<mfrac>" in dom and "<msup>" in dom
    assert console == []


@needs_chromium
def test_chromium_console_check_catches_a_script_error(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><body><script>throw new Error('x')</script></body>")
    _, console = _chromium(page, tmp_path / "profile")
    assert any("Uncaught Error: x" in line for line in console)


# Written into a copy of the page under test (the pages themselves carry no script): after
# layout, the title says how wide the document is against the window.
_WIDTH_PROBE = """<script>window.addEventListener("load", () => {
  document.title = document.documentElement.scrollWidth + " " + window.innerWidth; });</script>"""


@needs_chromium
def test_page_wide_formulas_scroll_inside_their_block_not_the_page(tmp_path):
    page = tmp_path / "gelu.html"
    html = to_html(derive_pair("gelu", "log_cosh"))  # direct routes several screens wide
    page.write_text(html.replace("</body>", _WIDTH_PROBE + "</body>"), encoding="utf-8")
    dom, _ = _chromium(page, tmp_path / "profile", "--window-size=1200,900")
    document_width, window_width = map(int, re.search(r"<title>(\d+) (\d+)</title>", dom).groups())
    assert document_width <= window_width
