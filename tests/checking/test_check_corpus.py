"""The corpus of hand-written derivations and layer equations: every planted mistake found at
its line with the right diagnosis, every correct version passing, and the figures printed.

A planted file says what was planted in its first line, ``# planted: line N WHAT`` (``%`` in
LaTeX, ``<!-- ... -->`` in Markdown): WHAT is a
mistake id of :data:`~chainrule.symbolic.checking.mistakes.MISTAKES` for a derivation, the
start of the diagnosis for layer equations. Files without it are correct versions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chainrule.numeric.layer_equations import check_layer_equations, read_layer_equations
from chainrule.symbolic.checking.documents import read_derivations
from chainrule.symbolic.checking.mistakes import MISTAKES
from chainrule.symbolic.checking.steps import check_derivation

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md", ".tex"))
_PLANTED = re.compile(r"^(?:#|%|<!--) planted: line (\d+) (.+?)(?: -->)?$")


def planted(path: Path) -> tuple[int, str] | None:
    match = _PLANTED.match(path.read_text(encoding="utf-8").splitlines()[0])
    return (int(match.group(1)), match.group(2).strip()) if match else None


def outcome(path: Path) -> tuple[int | None, str | None]:
    """(line of the first wrong step or equation, its diagnosis) as chainrule check finds them."""
    text = path.read_text(encoding="utf-8")
    if path.name.startswith("eq_"):
        equations, settings = read_layer_equations(text, path.name)
        wrong = [r for r in check_layer_equations(equations, settings) if not r.ok]
        return (wrong[0].equation.number, wrong[0].diagnosis) if wrong else (None, None)
    for checked in (check_derivation(d) for d in read_derivations(text, path.name)):
        finding = checked.finding or checked.result_finding
        if finding is not None:
            diagnosis = finding.diagnosis.mistake if finding.diagnosis else None
            return finding.line.number, diagnosis
    return None, None


def diagnosed_right(path: Path, expected: str, diagnosis: str | None) -> bool:
    if diagnosis is None:
        return False
    return (
        diagnosis == expected if not path.name.startswith("eq_") else diagnosis.startswith(expected)
    )


@pytest.fixture(scope="module")
def outcomes() -> dict[Path, tuple[int | None, str | None]]:
    return {path: outcome(path) for path in FILES}


def test_the_corpus_is_large_and_plants_every_catalogued_mistake() -> None:
    assert len(FILES) >= 30
    kinds = {planted(p)[1] for p in FILES if planted(p) and not p.name.startswith("eq_")}
    assert kinds == set(MISTAKES)
    equation_kinds = {planted(p)[1] for p in FILES if planted(p) and p.name.startswith("eq_")}
    for kind in ("off by a transpose", "summed over the wrong axis", "missing 1/m"):
        assert kind in equation_kinds


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_is_judged_as_planted(path: Path, outcomes) -> None:
    line, diagnosis = outcomes[path]
    expected = planted(path)
    if expected is None:
        assert line is None, f"false alarm at line {line}"
    else:
        assert line == expected[0]
        assert diagnosed_right(path, expected[1], diagnosis), diagnosis


def test_corpus_figures(outcomes, capsys) -> None:
    """found / planted, right diagnosis / found, false alarms / correct versions."""
    plants = [p for p in FILES if planted(p)]
    correct = [p for p in FILES if not planted(p)]
    found = [p for p in plants if outcomes[p][0] == planted(p)[0]]
    right = [p for p in found if diagnosed_right(p, planted(p)[1], outcomes[p][1])]
    alarms = [p for p in correct if outcomes[p][0] is not None]
    with capsys.disabled():
        print(
            f"\ncorpus: found {len(found)}/{len(plants)} planted, right diagnosis "
            f"{len(right)}/{len(found)} found, false alarms {len(alarms)}/{len(correct)} correct"
        )
    assert (len(found), len(right), len(alarms)) == (len(plants), len(plants), 0)
