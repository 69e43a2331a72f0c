"""Rewrite the README's generated tables from the code that holds their facts.

A generated table sits between ``<!-- generated: module.function -->`` and
``<!-- end generated -->``; the function returns the table's Markdown. Run from the
repository root: ``python scripts/readme_tables.py`` (``--check`` only reports, exit 1 when a
table is out of date). The tests hold the committed README equal to what this writes.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"(<!-- generated: ([\w.]+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def generated(text: str) -> str:
    """``text`` with every generated block replaced by its function's current output."""

    def fill(match: re.Match) -> str:
        module, _, function = match.group(2).rpartition(".")
        table = getattr(importlib.import_module(module), function)()
        return match.group(1) + table + match.group(4)

    return _BLOCK.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if stale")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    fresh = generated(text)
    if args.check:
        print("README tables are up to date" if fresh == text else "README tables are stale")
        return 0 if fresh == text else 1
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
