"""Users' CSV files: what is read (features, labels, classes) and one DataError naming the
line and column for every kind of bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainrule.csvdata import (
    class_of_label,
    is_csv_source,
    read_csv_table,
    read_feature_columns,
    read_labelled_csv,
)
from chainrule.data import load_dataset
from chainrule.errors import DataError

GOOD = """sepal,petal,species
5.1,1.4,setosa
4.9,1.3,setosa
7.0,4.7,versicolor
6.4,4.5,versicolor
6.3,6.0,virginica
5.8,5.1,virginica
"""


def write(tmp_path: Path, content: str | bytes, name: str = "data.csv") -> str:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return str(path)


def test_features_labels_and_names(tmp_path: Path) -> None:
    rows = read_labelled_csv(write(tmp_path, GOOD))
    assert rows.feature_names == ("sepal", "petal")
    assert rows.class_names == ("setosa", "versicolor", "virginica")
    assert rows.target_name == "species"
    np.testing.assert_array_equal(rows.X[:, 0], [5.1, 4.9, 7.0, 6.4, 6.3, 5.8])
    np.testing.assert_array_equal(rows.labels, [0, 0, 1, 1, 2, 2])
    assert rows.X.shape == (6, 2) and rows.X.dtype == np.float64


def test_a_named_target_column_anywhere(tmp_path: Path) -> None:
    text = "kind,x,y\na,1,2\nb,3,4\na,5,6\nb,7,8\n"
    rows = read_labelled_csv(write(tmp_path, text), target="kind")
    assert rows.feature_names == ("x", "y") and rows.class_names == ("a", "b")
    np.testing.assert_array_equal(rows.X, [[1, 2], [3, 4], [5, 6], [7, 8]])


def test_numeric_labels_are_ordered_by_value_and_merged(tmp_path: Path) -> None:
    text = "x,y\n1,10\n2,2\n3,2.0\n4,10.0\n5,-1\n6,-1e0\n"
    rows = read_labelled_csv(write(tmp_path, text))
    assert rows.class_names == ("-1", "2", "10")
    np.testing.assert_array_equal(rows.labels, [2, 1, 1, 2, 0, 0])


def test_mixed_labels_are_text(tmp_path: Path) -> None:
    rows = read_labelled_csv(write(tmp_path, "x,y\n1,1\n2,b\n3,1\n4,b\n"))
    assert rows.class_names == ("1", "b")


def test_quotes_bom_blank_lines_spaces_and_crlf(tmp_path: Path) -> None:
    text = '\ufeff "a" , b ,"the class"\r\n\r\n 1 , "2.5",x\r\n3,4, y \r\n\r\n5,6,x\r\n7,8,y\r\n'
    rows = read_labelled_csv(write(tmp_path, text))
    assert rows.feature_names == ("a", "b") and rows.target_name == "the class"
    assert rows.class_names == ("x", "y")
    np.testing.assert_array_equal(rows.X, [[1, 2.5], [3, 4], [5, 6], [7, 8]])


def test_line_numbers_count_the_lines_of_the_file(tmp_path: Path) -> None:
    table = read_csv_table(write(tmp_path, "a,b\n\n1,2\n\n\n3,4\n"))
    assert table.lines == (3, 6)


BAD_FILES = [
    ("a,b,y\n1,2,x\n1,,y\n", "line 3, column 'b': expected a number, got an empty cell"),
    ("a,b,y\n1,2,x\n1,  ,y\n", "line 3, column 'b': expected a number, got an empty cell"),
    ("a,b,y\n1,2,x\n1,two,y\n", "line 3, column 'b': expected a number, got 'two'"),
    ("a,b,y\n1,2,x\nnan,1,y\n", "line 3, column 'a': expected a finite number, got 'nan'"),
    ("a,b,y\n1,inf,x\n1,1,y\n", "line 2, column 'b': expected a finite number, got 'inf'"),
    ("a,b,y\n1,-inf,x\n1,1,y\n", "line 2, column 'b': expected a finite number, got '-inf'"),
    ("a,b,y\n1,1e999,x\n1,1,y\n", "line 2, column 'b': expected a finite number, got '1e999'"),
    ("a,b,y\n1,2,x\n1,2,\n", "line 3, column 'y': missing class label, got an empty cell"),
    ("a,y\n1,x\n2,x\n3,x\n", "column 'y': only one class ('x'); a classifier needs two at least"),
    ("a,y\n1,x\n2,x\n3,z\n", "column 'y': class 'z' has 1 row; every class needs two at least"),
    ("a,y\n1,0\n2,1\n", "class '0' has 1 row"),
    ("a,y\n1,nan\n2,1\n", "line 2, column 'y': expected a finite class label"),
    ("", "is empty (expected a header row, then data rows)"),
    ("\n\n  \n", "is empty (expected a header row, then data rows)"),
    ("a,b,y\n", "has a header but no data rows"),
    ("a,b,y\n\n\n", "has a header but no data rows"),
    ("a,b,y\n1,2,x\n1,2\n", "line 3: 2 cells, but the header has 3 columns"),
    ("a,b,y\n1,2,x,9\n", "line 2: 4 cells, but the header has 3 columns"),
    ("a,,y\n1,2,x\n", "line 1: column 2 has no name"),
    ("a,b,a\n1,2,x\n", "line 1: column 'a' appears twice"),
    ("y\nx\nz\n", "has no feature columns, only the target 'y'"),
    (b"a,b,y\n1,2,x\n1,2,caf\xe9\n", "line 3: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    (b"\xff\xfea\x00,\x00", "line 1: not UTF-8 text (byte 0xff)"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_is_one_data_error(tmp_path: Path, content, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(DataError) as error:
        read_labelled_csv(path)
    text = str(error.value)
    assert message in text
    assert text.startswith(f"data file {path!r}") and "\n" not in text


def test_a_continuous_target_gets_a_hint(tmp_path: Path) -> None:
    text = "x,price\n" + "".join(f"{k},{k * 1.5}\n" for k in range(10))
    with pytest.raises(DataError, match="is this column really the class"):
        read_labelled_csv(write(tmp_path, text))


def test_a_target_that_is_not_a_column(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    with pytest.raises(DataError) as error:
        read_labelled_csv(path, target="colour")
    assert str(error.value) == (
        f"data file {path!r} has no column 'colour' (columns: sepal, petal, species)"
    )


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_labelled_csv(str(tmp_path / "absent.csv"))
    with pytest.raises(DataError, match="is a folder, not a CSV file"):
        read_labelled_csv(str(tmp_path))


def test_feature_columns_by_name_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, "id,petal,note,sepal\n1,1.5,hi,5\n2,2.5,,6\n")
    X, table = read_feature_columns(path, ("sepal", "petal"))
    np.testing.assert_array_equal(X, [[5, 1.5], [6, 2.5]])
    assert table.header == ("id", "petal", "note", "sepal")


def test_missing_feature_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "sepal,x\n1,2\n")
    with pytest.raises(DataError, match=r"lacks the feature column\(s\) 'petal', 'width'"):
        read_feature_columns(path, ("sepal", "petal", "width"))


def test_labels_match_classes_by_text_or_value() -> None:
    assert class_of_label(" b ", ("a", "b")) == 1
    assert class_of_label("2.0", ("1", "2")) == 1
    assert class_of_label("c", ("a", "b")) is None
    assert class_of_label("nan", ("1", "2")) is None


def test_what_counts_as_a_csv_source(tmp_path: Path) -> None:
    other = tmp_path / "table.txt"
    other.write_text("a,b\n")
    assert is_csv_source("anything.csv") and is_csv_source("DATA.CSV")
    assert is_csv_source(str(other))
    assert not is_csv_source("iris")


# ----------------------------------------------------------------------------- as a Dataset
def test_load_dataset_splits_and_standardises_a_csv(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    lines = ["width,height,label"]
    for k in range(60):
        lines.append(f"{rng.normal(k % 3, 1):.6f},{rng.normal(10, 2):.6f},{'abc'[k % 3]}")
    path = write(tmp_path, "\n".join(lines) + "\n", "shapes.csv")
    data = load_dataset(path, seed=1)
    again = load_dataset(path, seed=1)
    assert data.name == "shapes.csv" and data.target_name == "label"
    assert data.feature_names == ("width", "height") and data.class_names == ("a", "b", "c")
    assert data.X_train.shape == (2, 48) and data.X_test.shape == (2, 12)
    assert data.Y_train.shape == (3, 48)
    np.testing.assert_allclose(data.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_array_equal(data.X_test, again.X_test)
    raw = read_labelled_csv(path).X
    restored = (data.X_train * data.scale + data.mean).T
    assert all(np.isclose(raw, row).all(axis=1).any() for row in restored)


def test_the_smallest_usable_file(tmp_path: Path) -> None:
    data = load_dataset(write(tmp_path, "x,y\n1,a\n2,a\n3,b\n4,b\n"))
    assert data.X_train.shape[1] == 2 and data.X_test.shape[1] == 2
    assert data.Y_train.shape == (1, 2)


def test_target_is_only_for_csv_files() -> None:
    with pytest.raises(DataError, match="'target' applies to CSV files only"):
        load_dataset("moons", target="y")


def test_a_bundled_name_still_wins_and_unknown_names_are_refused() -> None:
    assert load_dataset("moons").name == "moons"
    with pytest.raises(DataError, match="unknown data set 'iris'"):
        load_dataset("iris")
