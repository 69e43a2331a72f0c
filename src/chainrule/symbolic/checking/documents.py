"""A learner's derivation file, read into goal, givens and routes of written lines.

The plain-text format is chainrule's own text output, and what a learner types by hand::

    goal:   dL/da
    givens: L = -(y ln(a) + (1 - y) ln(1 - a))

    direct
    L = -(y ln(a) + (1 - y) ln(1 - a))   # cost function
      = -y ln(a) - (1 - y) ln(1 - a)     # distribute the minus sign
    d/da[-y ln(a)] = -y/a                # derivative of the left term

One step a line; a line that starts with ``=`` continues the one before; ``# reason`` (or
chainrule's own ``✓ reason``) may follow; ``lhs = r1 = r2`` is two steps on one line, and so
is ``lhs = r, s = t`` (clauses split at top-level commas); lines starting with ``#`` are
comments. An
optional ``[id] title`` line starts a derivation, ``goal:`` and ``givens:`` (``;`` between
givens) follow it, a line without ``=`` names a route, and a side proof is indented behind
``│`` as chainrule prints it. ``result:``, ``routes agree:``, ``oracle``, ``notes:`` and
``marks:`` lines are chainrule's summary and are skipped. Without ``goal:``, the goal is the
last derivative a route's lines state.

Markdown (``$$\\begin{aligned} ... \\end{aligned}$$`` blocks, ``**Goal:**``,
``**Givens:**``, ``**Route: name**``, side proofs in ``>`` quotes), LaTeX documents
(``align*``, ``\\textbf{Goal:}``, ``quote``), chainrule's HTML page (MathML, :mod:`.mathml`)
and its JSON are rewritten into that format first, keeping line numbers. A ``[layers]``
derivation (matrix equations) is named and left unchecked: the course's layer equations are
checked from a file of their own (:mod:`chainrule.numeric.layer_equations`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import sympy as sp

from chainrule.errors import InputError
from chainrule.symbolic.checking.latex import latex_to_notation
from chainrule.symbolic.checking.mathml import html_lines
from chainrule.symbolic.checking.notation import NotationError, read_math
from chainrule.symbolic.core.model import Definition

__all__ = [
    "WrittenDerivation",
    "WrittenLine",
    "WrittenRoute",
    "read_derivations",
]

_RAIL = "│"
_TITLE = re.compile(r"^\[([A-Za-z0-9_.-]+)\]\s+(.*)$")
_SUMMARY = ("result:", "routes agree:", "oracle", "notes:", "marks:", "route result:", "- ")
_LAYERS_SKIPPED = (
    "not checked: matrix layer equations are read in the course's names, one equation a line "
    "(dW1 = dZ1 @ A0.T / m), from a file of their own"
)
_MARK = re.compile(r"\s(?:✓|≈|✗(?: FAILED)?)(?:\s|$)|#")


@dataclass(frozen=True)
class WrittenLine:
    """One step as written: ``lhs = rhs`` (``lhs`` None where it continues the line before)."""

    number: int
    lhs: sp.Expr | None
    rhs: sp.Expr
    reason: str
    math: str
    subderivations: tuple[WrittenDerivation, ...] = ()


@dataclass(frozen=True)
class WrittenRoute:
    name: str
    lines: tuple[WrittenLine, ...]


@dataclass(frozen=True)
class WrittenDerivation:
    """A written derivation: its title, goal, givens and routes, with the goal's line."""

    title: str
    goal: sp.Expr
    givens: tuple[Definition, ...]
    routes: tuple[WrittenRoute, ...]
    line: int = 1
    skipped: str = ""


@dataclass
class _Draft:
    title: str = ""
    line: int = 0
    skipped: str = ""
    goal: sp.Expr | None = None
    givens: list[Definition] = field(default_factory=list)
    routes: list[tuple[str, list[WrittenLine]]] = field(default_factory=list)


class _Fail(Exception):
    def __init__(self, number: int, reason: str) -> None:
        super().__init__(reason)
        self.number = number


# --------------------------------------------------------------------------- plain text


def _split_top_level(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside brackets."""
    parts, depth, start = [], 0, 0
    for index, character in enumerate(text):
        depth += (character in "([{") - (character in ")]}")
        if character == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _math(text: str, number: int) -> sp.Expr:
    try:
        return read_math(text)
    except NotationError as error:
        raise _Fail(number, f"expected math, got {text.strip()!r} ({error})") from None


def _read_text_lines(lines: list[tuple[int, str]]) -> list[WrittenDerivation]:
    drafts: list[_Draft] = []
    index = 0
    in_notes = False
    while index < len(lines):
        number, raw = lines[index]
        content = raw.strip()
        index += 1
        if content.startswith(_RAIL):
            nested = []
            index -= 1
            while index < len(lines) and lines[index][1].strip().startswith(_RAIL):
                n, text = lines[index]
                nested.append((n, text.strip()[1:].removeprefix(" ")))
                index += 1
            _attach(drafts, number, _read_text_lines(nested))
            continue
        if not content or content.startswith("#"):
            in_notes = False
            continue
        if content.startswith(_SUMMARY) or (in_notes and content.startswith("-")):
            in_notes = in_notes or content.startswith("notes:")
            continue
        title = _TITLE.match(content)
        if title:
            skipped = _LAYERS_SKIPPED if title.group(1) == "layers" else ""
            drafts.append(_Draft(title=content, line=number, skipped=skipped))
            continue
        draft = drafts[-1] if drafts else None
        if draft is not None and draft.skipped:
            continue
        if draft is None:
            draft = _Draft(line=number)
            drafts.append(draft)
        if content.startswith("goal:"):
            draft.goal = _math(content[5:], number)
        elif content.startswith("givens:"):
            draft.givens.extend(_givens(content[7:], number))
        else:
            _step_or_route(draft, number, content)
    return [_finished(d) for d in drafts]


def _attach(drafts: list[_Draft], number: int, subs: list[WrittenDerivation]) -> None:
    if not drafts or not drafts[-1].routes or not drafts[-1].routes[-1][1]:
        raise _Fail(number, "expected a side proof (│ lines) to follow a step")
    lines = drafts[-1].routes[-1][1]
    last = lines[-1]
    lines[-1] = WrittenLine(
        last.number, last.lhs, last.rhs, last.reason, last.math, last.subderivations + tuple(subs)
    )


def _givens(text: str, number: int) -> list[Definition]:
    givens = []
    for part in _split_top_level(text, ";"):
        sides = _split_top_level(part, "=")
        if len(sides) != 2 or not isinstance(_math(sides[0], number), sp.Symbol):
            raise _Fail(number, f"expected a given 'symbol = expression', got {part.strip()!r}")
        givens.append(Definition(_math(sides[0], number), _math(sides[1], number)))
    return givens


def _step_or_route(draft: _Draft, number: int, content: str) -> None:
    mark = _MARK.search(" " + content)
    math, reason = content, ""
    if mark is not None:
        math = content[: max(mark.start() - 1, 0)]
        reason = content[mark.end() - 1 :].strip()
    clauses = [c for c in _split_top_level(math, ",") if c.strip()]
    if len(clauses) > 1 and all("=" in c for c in clauses):
        for clause in clauses:  # "L = ..., a = ...": each clause is a step of its own
            _step_or_route(draft, number, clause.strip() + (f"  # {reason}" if reason else ""))
        return
    sides = _split_top_level(math, "=")
    if len(sides) == 1:
        if mark is not None:
            raise _Fail(number, f"expected a step 'lhs = expression', got {math.strip()!r}")
        draft.routes.append((content, []))
        return
    if not draft.routes:
        draft.routes.append(("written", []))
    lines = draft.routes[-1][1]
    lhs_text = sides[0].strip()
    lhs = _math(lhs_text, number) if lhs_text else None
    if lhs is None and not lines:
        raise _Fail(number, "expected the route's first step to say what it equals (lhs = ...)")
    for position, side in enumerate(sides[1:]):
        if not side.strip():
            raise _Fail(number, "expected an expression after '='")
        written = f"{lhs_text} = {side.strip()}" if position == 0 and lhs_text else side.strip()
        lines.append(
            WrittenLine(
                number, lhs if position == 0 else None, _math(side, number), reason, written
            )
        )


def _finished(draft: _Draft) -> WrittenDerivation:
    if draft.skipped:
        return WrittenDerivation(draft.title, sp.S.Zero, (), (), draft.line, draft.skipped)
    routes = tuple(WrittenRoute(name, tuple(lines)) for name, lines in draft.routes if lines)
    if not routes:
        raise _Fail(draft.line, "expected at least one step 'lhs = expression'")
    goal = draft.goal
    if goal is None:
        stated = [ln.lhs for r in routes for ln in r.lines if isinstance(ln.lhs, sp.Derivative)]
        if not stated:
            raise _Fail(draft.line, "expected a 'goal:' line (no step states a derivative)")
        goal = stated[-1]
    return WrittenDerivation(draft.title, goal, tuple(draft.givens), routes, draft.line)


# --------------------------------------------------------------------------- Markdown, LaTeX

_ALIGNED_SKIP = re.compile(
    r"^(\$\$|\\begin\{(aligned|align\*?|itemize|document)\}|\\end\{(aligned|align\*?|itemize)\})$"
)
_FITMATH = re.compile(r"\\fitmath\{[^{}]*\}\{\\[a-z]+style\}\{")
_LABEL = re.compile(
    r"^(?:\*\*|\\textbf\{)(Goal|Givens|Route|Result|Routes agree|Oracle[^:]*|Notes):"
)


def _latex_math(text: str, number: int) -> str:
    try:
        return latex_to_notation(text)
    except NotationError as error:
        raise _Fail(number, f"expected LaTeX math, got {text.strip()!r} ({error})") from None


def _unwrap_fitmath(text: str) -> str:
    """``\\fitmath{w}{\\displaystyle}{X}`` -> ``{X}``: the handout's shrink-to-fit wrapper."""
    return _FITMATH.sub("{", text)


def _handout_lines(text: str) -> list[tuple[int, str]]:
    """Markdown or a LaTeX handout rewritten into the plain format, line for line."""
    out: list[tuple[int, str]] = []
    depth = 0
    skipping = False
    started = "\\begin{document}" not in text
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        quoted = 0
        while line.startswith(">"):
            quoted += 1
            line = line[1:].strip()
        if line == "\\begin{document}":
            started = True
            continue
        if not started or line in ("\\end{document}", "\\maketitle"):
            continue
        if line == "\\begin{quote}":
            depth += 1
            continue
        if line == "\\end{quote}":
            depth -= 1
            continue
        heading = _heading(line)
        if heading is not None:
            skipping = heading.startswith("[layers]")
        elif skipping:
            continue
        converted = heading or _handout_line(line, number)
        if converted is not None:
            out.append((number, (_RAIL + " ") * (depth + quoted) + converted))
    return out


def _heading(line: str) -> str | None:
    """A Markdown or LaTeX heading ``[id] title`` (a derivation starts), or None."""
    heading = re.match(r"^(?:#+\s*|\\section\*\{|\\textbf\{)(\[[^\]]+\].*?)\}?$", line)
    if heading and _TITLE.match(heading.group(1)):
        return heading.group(1)
    return None


def _handout_line(line: str, number: int) -> str | None:
    if not line or _ALIGNED_SKIP.match(line) or line.startswith(("\\item", "- ", "\\title")):
        return None
    if line.startswith(("#", "<!--")):  # a Markdown heading without an [id], a comment
        return None
    label = _LABEL.match(line)
    if label:
        return _labelled(label.group(1), line[label.end() :], number)
    if "&=" in line or line.startswith("&"):
        return _aligned_step(line, number)
    if line.startswith("\\") or line.startswith("%"):
        return None
    raise _Fail(number, f"expected a heading, a label or an aligned step, got {line!r}")


def _labelled(label: str, rest: str, number: int) -> str | None:
    rest = _unwrap_fitmath(rest.strip().removeprefix("**").removeprefix("}").strip())
    if label == "Route":
        return re.sub(r"(\*\*|\})$", "", rest).strip() or "written"
    if label not in ("Goal", "Givens"):
        return None
    pieces = re.findall(r"\$([^$]+)\$", rest) or _top_groups(rest)
    math = [_latex_math(piece, number) for piece in pieces]
    if not math:
        raise _Fail(number, f"expected math after {label}:, got {rest!r}")
    return ("goal: " if label == "Goal" else "givens: ") + "; ".join(math)


def _top_groups(text: str) -> list[str]:
    """The contents of the top-level ``{...}`` groups of ``text``."""
    groups, depth, start = [], 0, 0
    for index, character in enumerate(text):
        if character == "{":
            depth += 1
            if depth == 1:
                start = index + 1
        elif character == "}":
            depth -= 1
            if depth == 0:
                groups.append(text[start:index])
    return groups


def _aligned_step(line: str, number: int) -> str:
    line = _unwrap_fitmath(line.removesuffix("\\\\").strip())
    math, _, reason = line.partition("&&")
    lhs, _, rhs = math.partition("&=")
    reason = re.sub(r"\\checkmark\\quad|\\parbox\[t\]\{[^{}]*\}|\\raggedright", "", reason)
    reason = re.sub(r"\\text\{(.*)\}", r"\1", reason).replace("{", "").replace("}", "")
    reason = reason.replace("ˆ", "^").replace("\\textasciicircum", "^").strip()
    left = _latex_math(lhs, number).strip()
    right = _latex_math(rhs, number).strip()
    return f"{left} = {right}" + (f"  # {reason}" if reason else "")


# --------------------------------------------------------------------------- JSON


def _json_lines(document: object) -> list[tuple[int, str]]:
    """chainrule's JSON document in the plain format (line numbers count the steps)."""
    if not isinstance(document, dict) or not isinstance(document.get("derivations"), list):
        raise _Fail(1, "expected a chainrule JSON document with a 'derivations' list")
    out: list[tuple[int, str]] = []
    for derivation in document["derivations"]:
        out.extend(_json_derivation(derivation, len(out) + 1, ""))
    return out


def _json_derivation(derivation: dict, start: int, rail: str) -> list[tuple[int, str]]:
    try:
        if derivation["id"] == "layers":
            return [(start, f"{rail}[layers] {derivation['title']}")]
        lines = [f"[{derivation['id']}] {derivation['title']}", f"goal: {derivation['goal']}"]
        if derivation.get("givens"):
            givens = "; ".join(f"{g['symbol']} = {g['expr']}" for g in derivation["givens"])
            lines.append("givens: " + givens)
        out = [(start + i, rail + text) for i, text in enumerate(lines)]
        for route in derivation["routes"]:
            out.append((start + len(out), rail + route["name"]))
            for step in route["steps"]:
                text = f"{step.get('lhs') or ''} = {step['expr']}  # {step.get('text', '')}"
                out.append((start + len(out), rail + text))
                for sub in step.get("subderivations", []):
                    out.extend(_json_derivation(sub, start + len(out), rail + _RAIL + " "))
    except (KeyError, TypeError) as error:
        raise _Fail(start, f"expected a chainrule JSON derivation (missing {error})") from None
    return out


# --------------------------------------------------------------------------- entry point


def read_derivations(text: str, name: str = "<input>") -> list[WrittenDerivation]:
    """Read every derivation of a file's ``text``; the format is told from the content.

    Raises
    ------
    InputError
        One line: ``file 'NAME', line N: expected ..., got ...``.
    """
    try:
        stripped = text.lstrip()
        if stripped.startswith("{"):
            try:
                lines = _json_lines(json.loads(text))
            except json.JSONDecodeError as error:
                raise _Fail(error.lineno, f"expected JSON ({error.msg})") from None
        elif re.search(r"<html|<math", text):
            try:
                lines = html_lines(text)
            except NotationError as error:
                raise _Fail(1, f"expected chainrule's HTML page ({error})") from None
        elif re.search(r"\\begin\{(aligned|align\*?)\}", text):
            lines = _handout_lines(text)
        else:
            lines = list(enumerate(text.splitlines(), start=1))
        derivations = _read_text_lines(lines)
    except _Fail as failure:
        raise InputError(f"file '{name}', line {failure.number}: {failure}") from None
    if not derivations:
        raise InputError(f"file '{name}', line 1: expected a derivation, got an empty file")
    return derivations
