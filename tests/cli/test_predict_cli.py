"""``chainrule predict`` through main(argv): predictions from a saved model on raw CSV rows,
equal to the network's own; CSV output with a header; one line and exit 2 on bad input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.numeric import Network
from chainrule.numeric.persist import load_model, save

FAST = ["--epochs", "60", "--quiet", "--lr", "0.3", "--layers", "6"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def fruit_rows(n: int = 60, seed: int = 0) -> list[list[object]]:
    """Three classes in three features, the class depending on the features."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        kind = ("apple", "kiwi", "plum")[k % 3]
        centre = 5.0 * (k % 3)
        rows.append([*np.round(rng.normal(centre, 1.0, 3) + [0, 50, -20], 4), kind])
    return rows


@pytest.fixture
def trained(tmp_path: Path, capsys) -> tuple[Path, Path]:
    """A fruit.csv and the model trained on it."""
    data = write_csv(tmp_path / "fruit.csv", ["size", "weight", "sugar", "fruit"], fruit_rows())
    model = tmp_path / "model.npz"
    status, _, err = run(["train", "--data", str(data), "--save", str(model), *FAST], capsys)
    assert status == 0, err
    return data, model


def parse(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def expected_predictions(model_path: Path, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The network's own answer on raw rows (m, n0), standardised by the saved schema."""
    model = load_model(model_path)
    assert model.schema is not None
    A = model.network.predict_proba((rows.T - model.schema.mean) / model.schema.scale)
    names = model.schema.class_names
    return [names[k] for k in A.argmax(axis=0)], A.T


def test_predictions_to_standard_output(trained, capsys) -> None:
    data, model = trained
    status, out, err = run(["predict", "--model", str(model), "--data", str(data)], capsys)
    assert status == 0, err
    header, rows = parse(out)
    assert header == ["predicted", "probability_apple", "probability_kiwi", "probability_plum"]
    assert len(rows) == 60
    features = np.array([row[:3] for row in fruit_rows()], dtype=float)
    labels, probabilities = expected_predictions(model, features)
    assert [row[0] for row in rows] == labels
    printed = np.array([row[1:] for row in rows], dtype=float)
    np.testing.assert_array_equal(printed, probabilities)  # repr round-trips every float
    np.testing.assert_allclose(printed.sum(axis=1), 1.0)
    assert err.startswith("accuracy: ") and "of 60 rows, against column 'fruit'" in err
    assert float(err.split()[1]) >= 0.9


def test_columns_are_found_by_name_and_others_ignored(trained, tmp_path: Path, capsys) -> None:
    data, model = trained
    shuffled = [[f"id{k}", row[2], "note", row[0], row[1]] for k, row in enumerate(fruit_rows())]
    other = write_csv(tmp_path / "new.csv", ["id", "sugar", "comment", "size", "weight"], shuffled)
    first = run(["predict", "--model", str(model), "--data", str(data)], capsys)
    second = run(["predict", "--model", str(model), "--data", str(other)], capsys)
    assert second[0] == 0 and second[1] == first[1]
    assert second[2] == ""  # no target column, so no accuracy


def test_output_file(trained, tmp_path: Path, capsys) -> None:
    data, model = trained
    out_path = tmp_path / "predictions.csv"
    argv = ["predict", "--model", str(model), "--data", str(data), "-o", str(out_path)]
    status, out, err = run(argv, capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"predictions: 60 rows written to {out_path}"
    assert lines[1].startswith("accuracy: ")
    header, rows = parse(out_path.read_text(encoding="utf-8"))
    assert header[0] == "predicted" and len(rows) == 60
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fruit.csv",
        "model.npz",
        "predictions.csv",
    ]


def test_unknown_labels_skip_the_accuracy(trained, tmp_path: Path, capsys) -> None:
    _, model = trained
    rows = [[*row[:3], "pear" if k == 4 else row[3]] for k, row in enumerate(fruit_rows())]
    data = write_csv(tmp_path / "pears.csv", ["size", "weight", "sugar", "fruit"], rows)
    status, _, err = run(["predict", "--model", str(model), "--data", str(data)], capsys)
    assert status == 0
    assert (
        "accuracy: not computed (" in err and "line 6, column 'fruit': 'pear' is not a class" in err
    )


def test_a_binary_model_gives_two_probability_columns(tmp_path: Path, capsys) -> None:
    rows = [[x, "yes" if x > 0 else "no"] for x in np.linspace(-3, 3, 30).round(3)]
    data = write_csv(tmp_path / "sign.csv", ["x", "positive"], rows)
    model = tmp_path / "sign.npz"
    assert run(["train", "--data", str(data), "--save", str(model), *FAST], capsys)[0] == 0
    status, out, _ = run(["predict", "--model", str(model), "--data", str(data)], capsys)
    header, printed = parse(out)
    assert status == 0 and header == ["predicted", "probability_no", "probability_yes"]
    values = np.array([row[1:] for row in printed], dtype=float)
    np.testing.assert_allclose(values.sum(axis=1), 1.0)
    assert all((row[0] == "yes") == (float(row[2]) >= 0.5) for row in printed)


def test_a_linear_output_gives_scores(tmp_path: Path, capsys) -> None:
    model = tmp_path / "m.npz"
    argv = ["train", "--data", "moons", "--output", "linear", "--save", str(model), *FAST]
    assert run(argv, capsys)[0] == 0
    data = write_csv(tmp_path / "points.csv", ["x2", "x1"], [[0.5, 1.0], [-0.2, 0.0]])
    status, out, _ = run(["predict", "--model", str(model), "--data", str(data)], capsys)
    assert status == 0 and parse(out)[0] == ["predicted", "score_0", "score_1"]


def test_a_model_saved_without_a_schema_reads_the_first_columns(tmp_path: Path, capsys) -> None:
    network = Network([2, 3, 1], "tanh", "sigmoid", "xavier", seed=0)
    save(network, tmp_path / "plain.npz")
    data = write_csv(tmp_path / "raw.csv", ["a", "b", "c"], [[0.5, -1.0, "x"], [2.0, 0.1, "y"]])
    status, out, _ = run(
        ["predict", "--model", str(tmp_path / "plain.npz"), "--data", str(data)], capsys
    )
    header, rows = parse(out)
    assert status == 0 and header == ["predicted", "probability_0", "probability_1"]
    a = network.predict_proba(np.array([[0.5, 2.0], [-1.0, 0.1]]))[0]
    np.testing.assert_array_equal([float(row[2]) for row in rows], a)


# ----------------------------------------------------------------------------- errors
def assert_one_line_error(status: int, out: str, err: str, expected: str) -> None:
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert expected in err and "Traceback" not in err


def test_a_missing_or_foreign_model(trained, tmp_path: Path, capsys) -> None:
    data, _ = trained
    absent = str(tmp_path / "absent.npz")
    status, out, err = run(["predict", "--model", absent, "--data", str(data)], capsys)
    assert_one_line_error(
        status, out, err, f"cannot load model {absent!r}: the file does not exist"
    )
    status, out, err = run(["predict", "--model", str(data), "--data", str(data)], capsys)
    assert_one_line_error(status, out, err, "not a .npz archive, so not a chainrule model")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.ones((2, 2)))
    status, out, err = run(["predict", "--model", str(foreign), "--data", str(data)], capsys)
    assert_one_line_error(status, out, err, "no 'architecture' entry: not a chainrule model")


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        (["size", "sugar"], [[1, 2]], "lacks the feature column(s) 'weight' that the model needs"),
        (["size", "weight", "sugar"], [[1, "", 2]], "line 2, column 'weight': expected a number"),
        (["size", "weight", "sugar"], [[1, 2, "inf"]], "column 'sugar': expected a finite number"),
        (["size", "weight", "sugar"], [], "has a header but no data rows"),
    ],
)
def test_bad_data_is_one_line(trained, tmp_path: Path, capsys, header, rows, expected) -> None:
    _, model = trained
    data = write_csv(tmp_path / "bad.csv", header, rows)
    status, out, err = run(["predict", "--model", str(model), "--data", str(data)], capsys)
    assert_one_line_error(status, out, err, expected)


def test_missing_options_and_folders(trained, tmp_path: Path, capsys) -> None:
    data, model = trained
    status, out, err = run(["predict", "--data", str(data)], capsys)
    assert_one_line_error(status, out, err, "the following arguments are required: --model")
    status, out, err = run(["predict", "--model", str(model), "--data", "absent.csv"], capsys)
    assert_one_line_error(status, out, err, "data file 'absent.csv' does not exist")
    argv = ["predict", "--model", str(model), "--data", str(data), "-o", "nowhere/p.csv"]
    assert_one_line_error(*run(argv, capsys), "'-o' must be in an existing folder")
