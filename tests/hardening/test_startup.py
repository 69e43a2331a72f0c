"""Start-up: what each command imports, and the cache of proven derivations."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chainrule import cache
from chainrule.cli import main

_MODULES_AFTER = """
import sys
from chainrule.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("LOADED", *[m for m in ("sympy", "matplotlib") if m in sys.modules])
"""


def loaded_after(*argv: str, cwd=None) -> list[str]:
    """The heavy modules a process running ``chainrule argv`` has imported when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER, *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("LOADED")][-1]
    return line.split()[1:]


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["train", "--epochs", "2", "--quiet", "--activation", "relu", "--output", "softmax"],
        ["gradcheck", "--layers", "3", "--activation", "tanh"],
    ],
)
def test_commands_with_built_in_names_never_import_sympy_or_matplotlib(argv):
    assert loaded_after(*argv) == []


def test_predict_with_a_built_in_model_never_imports_sympy_or_matplotlib(tmp_path):
    rows = "a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20))
    (tmp_path / "d.csv").write_text(rows)
    status = main(
        [
            "train",
            "--data",
            str(tmp_path / "d.csv"),
            "--epochs",
            "2",
            "--quiet",
            "--save",
            str(tmp_path / "m.npz"),
        ]
    )
    assert status == 0
    argv = ["predict", "--model", "m.npz", "--data", "d.csv", "-o", "p.csv"]
    assert loaded_after(*argv, cwd=tmp_path) == []
    assert (tmp_path / "p.csv").read_text().startswith("predicted")


def derive_four(capsys, *options: str) -> str:
    assert main(["derive", "4", *options]) == 0
    return capsys.readouterr().out


def refuse_to_derive(monkeypatch) -> None:
    from chainrule.cli import derive

    def fail(*_):
        raise AssertionError("derived again")

    monkeypatch.setattr(derive, "reference_derivations", fail)


def test_a_second_derive_reads_the_proven_derivations_from_the_cache(
    capsys, monkeypatch, private_cache
):
    first = derive_four(capsys)
    (entry,) = private_cache.glob("derive-*.json")
    refuse_to_derive(monkeypatch)
    assert derive_four(capsys) == first
    with pytest.raises(AssertionError, match="derived again"):
        derive_four(capsys, "--no-cache")
    assert json.loads(entry.read_text())["format"] == cache.CACHE_FORMAT


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: text.replace("x", "y"),  # the checksum no longer holds
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "junk",
    ],
)
def test_a_spoiled_entry_is_ignored_and_written_again(capsys, private_cache, spoil):
    first = derive_four(capsys)
    (entry,) = private_cache.glob("derive-*.json")
    entry.write_text(spoil(entry.read_text()))
    assert derive_four(capsys) == first
    assert json.loads(entry.read_text())["document"] == first


def test_a_changed_source_or_sympy_misses_the_cache(capsys, monkeypatch, private_cache):
    derive_four(capsys)
    monkeypatch.setattr(cache, "_sympy_version", lambda: "0.0")
    derive_four(capsys)
    assert len(list(private_cache.glob("derive-*.json"))) == 2
    refuse_to_derive(monkeypatch)
    monkeypatch.setattr(cache, "_source_hash", lambda: "another source")
    with pytest.raises(AssertionError, match="derived again"):
        derive_four(capsys)


def test_entries_of_another_source_are_removed_when_one_is_written(
    capsys, monkeypatch, private_cache
):
    derive_four(capsys)
    monkeypatch.setattr(cache, "_source_hash", lambda: "an edited source")
    derive_four(capsys)
    (entry,) = private_cache.glob("derive-*.json")
    assert entry.name.startswith("derive-an edited so-")


def test_the_cache_folder_honours_xdg_and_is_optional(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("CHAINRULE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_folder() == tmp_path / "xdg" / "chainrule"
    (tmp_path / "xdg").write_text("a file where the folder should be")
    assert "dz/dw" in derive_four(capsys).replace(" ", "")  # no cache, no error
