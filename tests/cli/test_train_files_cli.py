"""``chainrule train`` with files: CSV data (--data FILE.csv, --target), --save and --plot,
through main(argv); bad files give one line and exit status 2 before any training."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.data import load_dataset
from chainrule.numeric.persist import load_model

FAST = ["--epochs", "30", "--quiet", "--lr", "0.3"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def blobs_csv(folder: Path, name: str = "blobs.csv", target_first: bool = False) -> Path:
    """Three classes of 20 points in two features (height, weight), labelled by name."""
    rng = np.random.default_rng(0)
    lines = ["kind,height,weight" if target_first else "height,weight,kind"]
    for k, (kind, centre) in enumerate([("ant", 0.0), ("bee", 3.0), ("cat", 6.0)]):
        for x, y in rng.normal(centre, 0.8, (20, 2)) + [0, 100 * k]:
            cells = (
                [kind, f"{x:.4f}", f"{y:.4f}"] if target_first else [f"{x:.4f}", f"{y:.4f}", kind]
            )
            lines.append(",".join(cells))
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_one_line_error(status: int, out: str, err: str, expected: str) -> None:
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert expected in err and "Traceback" not in err


def test_training_on_a_csv_file(tmp_path: Path, capsys) -> None:
    path = blobs_csv(tmp_path)
    argv = ["train", "--data", str(path), "--layers", "8", *FAST, "--epochs", "300"]
    status, out, err = run(argv, capsys)
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "data: blobs.csv, 48 training and 12 test examples, 2 features, 3 classes"
    assert lines[1].startswith("network: 2-8-3, sigmoid hidden units, softmax output")
    assert float(out.split("test accuracy: ")[1]) >= 0.9


def test_the_target_column_can_be_named(tmp_path: Path, capsys) -> None:
    path = blobs_csv(tmp_path, target_first=True)
    status, out, err = run(["train", "--data", str(path), "--target", "kind", *FAST], capsys)
    assert status == 0, err
    assert "2 features, 3 classes" in out.splitlines()[0]


def test_any_existing_file_is_read_as_csv(tmp_path: Path, capsys) -> None:
    path = blobs_csv(tmp_path, name="blobs.txt")
    status, out, err = run(["train", "--data", str(path), *FAST], capsys)
    assert status == 0, err
    assert out.startswith("data: blobs.txt, ")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a,b,y\n1,2,x\n1,,y\n", "line 3, column 'b': expected a number, got an empty cell"),
        ("a,b,y\n1,2,x\n1,oops,y\n", "line 3, column 'b': expected a number, got 'oops'"),
        ("a,b,y\n1,2,x\n1,2\n", "line 3: 2 cells, but the header has 3 columns"),
        ("a,b,y\n", "has a header but no data rows"),
        ("", "is empty"),
        ("a,y\n1,x\n2,x\n", "only one class ('x')"),
        (b"a,y\n1,x\n2,\xe9\n", "line 3: not UTF-8 text"),
    ],
)
def test_a_bad_csv_is_one_line_and_status_2(tmp_path: Path, capsys, content, expected) -> None:
    path = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    status, out, err = run(["train", "--data", str(path), *FAST], capsys)
    assert_one_line_error(status, out, err, expected)
    assert err.startswith(f"chainrule: error: data file {str(path)!r}")


def test_missing_files_and_columns(tmp_path: Path, capsys) -> None:
    absent = str(tmp_path / "absent.csv")
    assert_one_line_error(*run(["train", "--data", absent], capsys), "does not exist")
    path = str(blobs_csv(tmp_path))
    status, out, err = run(["train", "--data", path, "--target", "colour"], capsys)
    assert_one_line_error(status, out, err, "has no column 'colour' (columns: height, weight")
    status, out, err = run(["train", "--data", "moons", "--target", "y"], capsys)
    assert_one_line_error(status, out, err, "'target' applies to CSV files only")


def test_an_unknown_name_still_lists_the_bundled_sets(capsys) -> None:
    status, out, err = run(["train", "--data", "iris"], capsys)
    assert_one_line_error(status, out, err, "expected one of breast_cancer, circles, digits")
    assert "or a .csv file, got 'iris'" in err


# ----------------------------------------------------------------------------- --save
def test_save_writes_a_model_with_its_schema(tmp_path: Path, capsys) -> None:
    data_path = blobs_csv(tmp_path)
    model_path = tmp_path / "model.npz"
    argv = ["train", "--data", str(data_path), "--save", str(model_path), *FAST]
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert out.splitlines()[-1] == f"saved model: {model_path}"
    model = load_model(model_path)
    data = load_dataset(str(data_path), seed=0)
    assert model.schema is not None
    assert model.schema.feature_names == ("height", "weight")
    assert model.schema.class_names == ("ant", "bee", "cat")
    assert model.schema.target_name == "kind"
    np.testing.assert_array_equal(model.schema.mean, data.mean)
    np.testing.assert_array_equal(model.schema.scale, data.scale)
    assert model.network.layer_sizes == [2, 8, 3]


def test_save_of_a_bundled_set_replaces_an_old_model(tmp_path: Path, capsys) -> None:
    model_path = tmp_path / "model.npz"
    model_path.write_bytes(b"an old model")
    status, _, err = run(["train", "--data", "moons", "--save", str(model_path), *FAST], capsys)
    assert status == 0, err
    model = load_model(model_path)
    assert model.schema is not None and model.schema.feature_names == ("x1", "x2")
    assert model.schema.target_name is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


@pytest.mark.parametrize(
    ("option", "name", "expected"),
    [
        ("--save", "nowhere/model.npz", "'--save' must be in an existing folder"),
        ("--save", "", "'--save' must name a file, not a folder"),
        ("--plot", "nowhere/curve.png", "'--plot' must be in an existing folder"),
        ("--plot", "curve.jpg", "'--plot' must end in .pdf, .png, .svg"),
    ],
)
def test_bad_output_paths_are_refused_before_training(
    tmp_path: Path, capsys, option: str, name: str, expected: str
) -> None:
    target = str(tmp_path / name) if name else str(tmp_path)
    status, out, err = run(["train", "--epochs", "100000", option, target], capsys)
    assert_one_line_error(status, out, err, expected)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- --plot
def test_plot_writes_a_png(tmp_path: Path, capsys) -> None:
    plot_path = tmp_path / "run.png"
    status, out, err = run(["train", "--data", "moons", "--plot", str(plot_path), *FAST], capsys)
    assert status == 0, err
    assert out.splitlines()[-1] == f"saved plot: {plot_path}"
    header = plot_path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")) == (
        1200,
        500,
    )


def test_training_without_plot_or_batch_norm_never_imports_matplotlib_or_numba() -> None:
    code = (
        "import sys\n"
        "from chainrule.cli import main\n"
        "assert main(['train', '--epochs', '2', '--quiet']) == 0\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
        "assert 'numba' not in sys.modules, 'numba was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
