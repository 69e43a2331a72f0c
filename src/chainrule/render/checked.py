"""A checked learner derivation as terminal text, in chainrule's own step format.

Each written line is shown as written, ``=`` signs aligned, with ✓ (proved), ≈ (checked
numerically) or ✗ and the learner's reason; the file's line number leads. The first wrong
step is explained below its route: counterexample, chainrule's line, diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence

from chainrule.render.printing import expr_text
from chainrule.symbolic.checking.steps import CheckedDerivation, CheckedLine, Finding
from chainrule.symbolic.core.model import Verdict

__all__ = ["checked_text"]

_MARKS = {Verdict.PROVED: "✓", Verdict.CHECKED_NUMERICALLY: "≈", Verdict.FAILED: "✗"}
_RAIL = "    │ "


def checked_text(derivations: Sequence[CheckedDerivation]) -> str:
    """Every checked derivation, then one summary line; ends in a newline."""
    blocks = ["\n".join(_derivation(d)) for d in derivations]
    derivations = [d for d in derivations if not d.written.skipped]
    wrong = sum(not d.ok for d in derivations)
    total = len(derivations)
    if not total:
        return "\n\n".join(blocks + ["no derivation was checked"]) + "\n"
    summary = (
        f"all {total} derivation{'s' if total != 1 else ''} check: every step proved"
        if not wrong
        else f"{wrong} of {total} derivation{'s' if total != 1 else ''} "
        f"{'has' if wrong == 1 else 'have'} a wrong step or result"
    )
    return "\n\n".join(blocks + [summary]) + "\n"


def _derivation(checked: CheckedDerivation) -> list[str]:
    written = checked.written
    lines = [written.title] if written.title else []
    if written.skipped:
        return lines + [written.skipped]
    lines.append("goal:   " + expr_text(written.goal))
    if written.givens:
        givens = "; ".join(f"{expr_text(g.symbol)} = {expr_text(g.expr)}" for g in written.givens)
        lines.append("givens: " + givens)
    for route in checked.routes:
        lines.append("")
        lines.append(route.name)
        lines.extend(_route_lines(route.lines))
        if checked.finding is not None and checked.finding.line in [c.line for c in route.lines]:
            lines.extend(_finding(checked.finding, "first wrong step"))
    lines.append("")
    lines.extend(_result(checked))
    return lines


def _route_lines(checked: Sequence[CheckedLine]) -> list[str]:
    sides = [
        c.line.math.partition(" = ") if c.line.lhs is not None else ("", "", c.line.math)
        for c in checked
    ]
    lhs_width = max(len(lhs) for lhs, _, _ in sides)
    rhs_width = min(max(len(rhs) for _, _, rhs in sides), 60)
    number_width = max(len(str(c.line.number)) for c in checked)
    out = []
    for c, (lhs, _, rhs) in zip(checked, sides, strict=True):
        mark = _MARKS[c.check.verdict]
        number = f"line {c.line.number:>{number_width}}"
        text = (
            f"  {number}  {lhs.rjust(lhs_width)} = {rhs.ljust(rhs_width)}  {mark} {c.line.reason}"
        )
        out.append(text.rstrip())
        for sub in c.subderivations:
            out.extend((_RAIL + line).rstrip() for line in _derivation(sub))
    return out


def _finding(finding: Finding, heading: str) -> list[str]:
    out = [f"  {heading}, line {finding.line.number}: {finding.line.math}"]
    example = finding.counterexample
    if example is not None:
        point = ", ".join(f"{k} = {v}" for k, v in example.point.items()) or "every point"
        out.append(
            f"    counterexample: at {point} the left side is {example.left:.6g}, "
            f"the right side {example.right:.6g} (they differ by {example.difference:.6g})"
        )
    if finding.correct is not None:
        out.append(f"    chainrule's line ({finding.correct_by}): {expr_text(finding.correct)}")
    diagnosis = finding.diagnosis
    if diagnosis is None:
        out.append("    diagnosis: none of the catalogued mistakes reproduces this line")
    else:
        out.append(
            f"    diagnosis: {diagnosis.name} ({diagnosis.detail}; verified: the mistake "
            "reproduces your line)"
        )
        if diagnosis.repaired is not None:
            out.append(f"    your line with the mistake undone: {expr_text(diagnosis.repaired)}")
    return out


def _result(checked: CheckedDerivation) -> list[str]:
    last = checked.routes[0].result
    lhs = checked.written.goal
    out = [f"result: {expr_text(lhs)} = {expr_text(last)}"]
    if len(checked.routes) > 1:
        out.append("routes agree: " + ("yes" if checked.routes_agree else "NO"))
    check = checked.result_check
    if check is None:
        out.append("against sympy.diff: not run (the goal is not a derivative)")
    else:
        out.append(f"against sympy.diff: {_MARKS[check.verdict]} {check.verdict.value}")
    if checked.result_finding is not None:
        out.extend(_finding(checked.result_finding, "wrong result"))
    wrong = [c for r in checked.routes for c in r.lines if not c.check.ok]
    total = sum(len(r.lines) for r in checked.routes)
    out.append(
        f"verdict: {'right' if checked.ok else 'WRONG'}: {total - len(wrong)} of {total} steps "
        f"proved" + (f", first wrong at line {wrong[0].line.number}" if wrong else "")
    )
    return out
