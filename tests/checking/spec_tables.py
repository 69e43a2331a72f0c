"""The reference derivations as the spec's tables write them, in ``chainrule check``'s format."""

from __future__ import annotations

import re
from pathlib import Path


def _spec() -> Path | None:
    """The spec beside the checkout (shared/ sits next to the repository, or higher up)."""
    for folder in Path(__file__).resolve().parents[1].parents:
        candidate = folder / "shared" / "spec" / "derivations.md"
        if candidate.is_file():
            return candidate
    return None


SPEC = _spec()

_COST = "L = -( y ln a + (1-y) ln(1-a) )"
#: goal and givens of each table's section, in the spec's notation (its "Notation" lines).
HEADERS = {
    "1": ("dL/da", [_COST]),
    "2": ("σ'(z)", ["a = σ(z)"]),
    "3": ("dL/dz", [_COST, "a = σ(z)"]),
    "5": ("dL/dw", [_COST, "a = σ(z)", "z = w x + b"]),
    "6": ("dL/db", [_COST, "a = σ(z)", "z = w x + b"]),
}


def spec_documents(text: str) -> dict[str, str]:
    """Section id -> a derivation file: the header above, then each table row as a step."""
    documents: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        section = re.match(r"\[(\w+)\]", block)
        if section is None or section.group(1) not in HEADERS:
            continue
        goal, givens = HEADERS[section.group(1)]
        lines = [f"goal: {goal}", "givens: " + "; ".join(givens)]
        for raw in block.splitlines():
            if raw.startswith(("Chain rule:", "Direct computation")):
                name, _, prose = raw.partition(":")
                lines.append(re.split(r" \(|,", name)[0].lower())
                if prose.strip() and not raw.startswith("Direct"):  # [6]: the route in prose
                    math, _, reason = prose.strip().rstrip(".").partition(", since ")
                    lines.append(f"{math}  # since {reason}")
            row = re.match(r"^\|\s*\d+\s*\|(.*)\|(.*)\|\s*$", raw)
            if row:
                lines.append(f"{row.group(1).strip()}  # {row.group(2).strip()}")
        documents[section.group(1)] = "\n".join(lines) + "\n"
    return documents
