"""Hostile inputs through the command line: one line, exit 2, nothing allocated beyond need."""

from __future__ import annotations

import io
import json
import re
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from chainrule import csvdata
from chainrule.cli import main
from chainrule.numeric import archive

ROWS = "a,b,label\n" + "".join(f"{i},{(i * 7) % 5},{i % 2}\n" for i in range(30))


def refusal(capsys, *argv) -> str:
    """The one line that ``chainrule argv`` prints when it refuses, exit status 2."""
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert err.count("\n") == 1 and ": error: " in err and "Traceback" not in err, err
    return err


@pytest.fixture
def model(tmp_path, capsys) -> Path:
    """A small model saved by chainrule, with its data file beside it."""
    (tmp_path / "d.csv").write_text(ROWS)
    argv = ["train", "--data", tmp_path / "d.csv", "--epochs", "2", "--quiet", "--save"]
    assert main([str(arg) for arg in [*argv, tmp_path / "m.npz"]]) == 0
    capsys.readouterr()
    return tmp_path / "m.npz"


def entries_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path: Path, entries: dict[str, bytes], method=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def with_architecture(model: Path, change) -> Path:
    entries = entries_of(model)
    spec = json.loads(str(np.load(io.BytesIO(entries["architecture.npy"]))))
    entries["architecture.npy"] = npy(np.array(change(spec)))
    return write_zip(model.with_name("altered.npz"), entries)


def predict_refusal(capsys, model_file: Path) -> str:
    err = refusal(capsys, "predict", "--model", model_file, "--data", model_file.parent / "d.csv")
    assert str(model_file) in err
    return err


def test_architecture_nested_100000_deep(capsys, model):
    altered = with_architecture(model, lambda spec: "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in predict_refusal(capsys, altered)


def test_architecture_entry_of_junk_bytes(capsys, model):
    entries = entries_of(model)
    entries["architecture.npy"] = b"\x00junk" * 100
    altered = write_zip(model.with_name("junk.npz"), entries)
    assert "'architecture.npy' is not a .npy array" in predict_refusal(capsys, altered)


@pytest.mark.parametrize("state", [{"state": -5, "inc": 3}, {"state": 1, "inc": -(2**200)}])
def test_random_state_with_negative_integers(capsys, model, state):
    def change(spec):
        spec["rng_state"]["state"] = state
        return json.dumps(spec)

    assert "bad random generator state" in predict_refusal(capsys, with_architecture(model, change))


def test_a_small_file_declaring_6_gb_is_refused_before_decompressing(capsys, model):
    entries = entries_of(model)
    header = npy(np.zeros(0)).replace(b"(0,), }", b"(750000000,), }")  # 6 GB of float64
    entries["W1.npy"] = header + bytes(6 << 20)
    altered = write_zip(model.with_name("bomb.npz"), entries, zipfile.ZIP_DEFLATED)
    assert altered.stat().st_size < 1 << 20
    tracemalloc.start()
    err = predict_refusal(capsys, altered)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "'W1.npy' holds" in err and "header declares" in err
    assert peak < 64 << 20


def test_an_archive_over_the_cap_is_refused_by_its_declared_sizes(capsys, model, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 100)
    assert "MiB a model may hold here" in predict_refusal(capsys, model)


def test_a_pickle_inside_the_archive_is_refused(capsys, model):
    entries = entries_of(model)
    entries["W1.npy"] = npy(np.array([{"a": 1}], dtype=object))
    altered = write_zip(model.with_name("pickle.npz"), entries)
    assert "pickled objects" in predict_refusal(capsys, altered)


def test_a_cell_of_200000_characters(capsys, tmp_path):
    (tmp_path / "d.csv").write_text("a,label\n" + "1" * 200_000 + ",0\n2,1\n")
    err = refusal(capsys, "train", "--data", tmp_path / "d.csv")
    assert "line 2" in err and "a cell longer than 10000 characters" in err


def test_a_quoted_cell_past_the_csv_modules_limit(capsys, tmp_path):
    (tmp_path / "d.csv").write_text('a,label\n"' + "x\n" * 100_000 + '",0\n')
    assert "a cell longer than" in refusal(capsys, "train", "--data", tmp_path / "d.csv")


def test_a_line_without_an_end(capsys, tmp_path):
    (tmp_path / "d.csv").write_bytes(b"a,label\n" + b"1" * (csvdata.MAX_LINE_BYTES + 5))
    assert "line 2: longer than" in refusal(capsys, "train", "--data", tmp_path / "d.csv")


def test_a_file_with_too_many_cells_is_refused_while_streaming(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(csvdata, "MAX_CELLS", 50)
    (tmp_path / "d.csv").write_text(ROWS + "not,even,read\n" + "\xff" * 10)
    err = refusal(capsys, "train", "--data", tmp_path / "d.csv")
    assert "more than 50 cells" in err and "line 18" in err


@pytest.mark.parametrize("layers", ["1000000000", "100000,100000"])
@pytest.mark.parametrize("command", ["train", "gradcheck"])
def test_layers_too_large_for_memory(capsys, command, layers):
    err = refusal(capsys, command, "--layers", layers)
    assert f"'--layers' {layers} needs about" in err and "GiB available" in err


def test_an_entry_declaring_gigabytes_is_refused_before_it_is_read(capsys, model):
    entries = entries_of(model)
    altered = write_zip(model.with_name("declared.npz"), entries, zipfile.ZIP_DEFLATED)
    data = bytearray(altered.read_bytes())
    with zipfile.ZipFile(altered) as zf:
        info = zf.getinfo("W1.npy")
    declared = (0xF000_0000).to_bytes(4, "little")  # 3.75 GiB uncompressed
    data[info.header_offset + 22 : info.header_offset + 26] = declared  # the local header
    (central,) = [  # W1.npy's entry in the central directory
        found.start()
        for found in re.finditer(rb"PK\x01\x02", data)
        if data[found.start() + 46 : found.start() + 52] == b"W1.npy"
    ]
    data[central + 24 : central + 28] = declared
    altered.write_bytes(bytes(data))
    tracemalloc.start()
    err = predict_refusal(capsys, altered)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "its entries declare" in err and peak < 64 << 20
