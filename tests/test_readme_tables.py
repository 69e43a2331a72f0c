"""The README's generated tables are what ``scripts/readme_tables.py`` writes from the code."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location(
        "readme_tables", ROOT / "scripts" / "readme_tables.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_tables_equal_the_generated_ones():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated: chainrule.symbolic.moves.registry.markdown_table -->" in text
    assert load_script().generated(text) == text, "run python scripts/readme_tables.py"


def test_a_stale_table_is_rewritten():
    script = load_script()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = text.replace("| `multiply_out` | rewrite |", "| `multiply_out` | rule |", 1)
    assert stale != text
    assert script.generated(stale) == text
