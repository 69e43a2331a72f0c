"""Reading a user's CSV file: a header row, numeric feature columns and a class column.

The rules, which every error message refers to:

- UTF-8 text (a leading byte-order mark is fine), comma-separated, with ``"quoted"`` cells
  as Python's :mod:`csv` reads them; blanks around a cell and blank lines are ignored.
- The first row is the header: every column has a name, and no name appears twice.
- Every other row has exactly as many cells as the header.
- Feature cells are finite numbers written as Python's ``float()`` reads ASCII (``1``,
  ``-0.5``, ``2e-3``), at most :data:`MAX_MAGNITUDE` in size, so that standardising them
  cannot overflow; an empty cell, text, ``nan``, ``inf``, ``1_000`` or digits of other
  scripts (``٣``) are refused.
- Sizes are capped, and the file is read line by line, so a huge file is refused early with
  a clear line rather than read whole: a line at most :data:`MAX_LINE_BYTES` bytes, a cell at
  most :data:`MAX_CELL_LENGTH` characters, at most :data:`MAX_CELLS` cells in all.
- The target (class) column is the last one unless named. Its labels may be numbers or text;
  numbers are ordered by value (``1.0`` and ``1`` are the same class, named ``1``), text
  labels alphabetically. There must be two classes at least, each with two rows at least
  (one for training, one for testing).

Rows are counted as lines of the file (the header is line 1), so an editor finds them.
Every problem is a :class:`~chainrule.errors.DataError` naming the file, the line and the
column.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from chainrule.errors import DataError

__all__ = [
    "MAX_CELLS",
    "MAX_CELL_LENGTH",
    "MAX_LINE_BYTES",
    "MAX_MAGNITUDE",
    "CsvTable",
    "LabelledRows",
    "class_of_label",
    "is_csv_source",
    "read_csv_table",
    "read_feature_columns",
    "read_labelled_csv",
]

#: The largest feature value: squares of differences of such values stay finite in float64.
MAX_MAGNITUDE = 1e100
#: Caps on what a data file may hold, so that reading it stays within memory and time.
MAX_LINE_BYTES = 1 << 20
MAX_CELL_LENGTH = 10_000
MAX_CELLS = 5_000_000
#: A decimal number as Python's float() reads it, in ASCII only and without underscores.
_NUMBER = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)", re.IGNORECASE | re.ASCII
)


@dataclass(frozen=True)
class CsvTable:
    """The cells of a CSV file, checked for shape only.

    Attributes
    ----------
    path : str
        The file, as the user named it (used in messages).
    header : tuple of str
        Column names, stripped of surrounding blanks.
    lines : tuple of int
        The line number of each data row (the header is line 1).
    rows : tuple of tuple of str
        The cells of each data row, as many as the header has.
    """

    path: str
    header: tuple[str, ...]
    lines: tuple[int, ...]
    rows: tuple[tuple[str, ...], ...]

    def column_index(self, name: str) -> int:
        """Index of column ``name``; a DataError listing the columns when there is none."""
        if name not in self.header:
            raise DataError(
                f"data file {self.path!r} has no column {name!r} "
                f"(columns: {', '.join(self.header)})"
            )
        return self.header.index(name)

    def numbers(self, columns: Sequence[int]) -> np.ndarray:
        """The cells of ``columns`` as finite float64 numbers, shape ``(m, len(columns))``."""
        values = np.empty((len(self.rows), len(columns)))
        for i, cells in enumerate(self.rows):
            row = [_number(cells[j]) for j in columns]
            if None in row:
                self._refuse_cell(i, columns[row.index(None)], "expected a number")
            values[i] = row
        if not (np.abs(values) <= MAX_MAGNITUDE).all():
            i, k = np.argwhere(~(np.abs(values) <= MAX_MAGNITUDE))[0]
            finite = bool(np.isfinite(values[i, k]))
            expected = (
                f"a number of size at most {MAX_MAGNITUDE:g}" if finite else "a finite number"
            )
            self._refuse_cell(int(i), columns[k], f"expected {expected}")
        return values

    def _refuse_cell(self, i: int, j: int, expected: str) -> None:
        cell = self.rows[i][j]
        found = "an empty cell" if cell.strip() == "" else repr(cell.strip())
        raise DataError(f"{self.where(i, j)}: {expected}, got {found}")

    def where(self, i: int, j: int) -> str:
        """``data file 'x.csv', line 7, column 'age'``: where data row ``i``, column ``j`` is."""
        return f"data file {self.path!r}, line {self.lines[i]}, column {self.header[j]!r}"


@dataclass(frozen=True)
class LabelledRows:
    """Features and class labels read from a CSV file.

    Attributes
    ----------
    X : array (m, n_features)
        One example per row, as in the file.
    labels : array (m,) of int
        Class index of each row, into ``class_names``.
    feature_names, class_names : tuple of str
    target_name : str
    """

    X: np.ndarray
    labels: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    target_name: str


def is_csv_source(text: str) -> bool:
    """Whether ``--data text`` names a CSV file: it ends in ``.csv`` or is an existing file."""
    return text.lower().endswith(".csv") or os.path.isfile(text)


def read_csv_table(path: str) -> CsvTable:
    """Read ``path`` into a :class:`CsvTable` (header, data rows of the header's width)."""
    header: list[str] | None = None
    lines: list[int] = []
    rows: list[tuple[str, ...]] = []
    with _open(path) as stream:
        reader = csv.reader(_text_lines(path, stream), skipinitialspace=True)
        for cells in _rows(path, reader):
            if not cells or (len(cells) == 1 and cells[0].strip() == ""):
                continue
            _check_cells(path, reader.line_num, cells, len(rows) + 1)
            if header is None:
                header = _check_header(path, cells)
                continue
            if len(cells) != len(header):
                raise DataError(
                    f"data file {path!r}, line {reader.line_num}: {len(cells)} cells, but the "
                    f"header has {len(header)} columns"
                )
            lines.append(reader.line_num)
            rows.append(tuple(cells))
    if header is None:
        raise DataError(f"data file {path!r} is empty (expected a header row, then data rows)")
    if not rows:
        raise DataError(f"data file {path!r} has a header but no data rows")
    return CsvTable(path, tuple(header), tuple(lines), tuple(rows))


def read_labelled_csv(path: str, target: str | None = None) -> LabelledRows:
    """Read features and class labels from ``path``.

    Parameters
    ----------
    path : str
        A CSV file following the rules of this module.
    target : str, optional
        Name of the class column; the last column when None.
    """
    table = read_csv_table(path)
    target_index = len(table.header) - 1 if target is None else table.column_index(target)
    features = [j for j in range(len(table.header)) if j != target_index]
    if not features:
        raise DataError(
            f"data file {path!r} has no feature columns, only the target "
            f"{table.header[target_index]!r}"
        )
    X = table.numbers(features)
    labels, class_names = _parse_labels(table, target_index)
    _check_classes(table, target_index, labels, class_names)
    return LabelledRows(
        X=X,
        labels=labels,
        feature_names=tuple(table.header[j] for j in features),
        class_names=class_names,
        target_name=table.header[target_index],
    )


def read_feature_columns(path: str, feature_names: Sequence[str]) -> tuple[np.ndarray, CsvTable]:
    """The columns ``feature_names`` of ``path`` (found by header name, in that order) as
    numbers, shape ``(m, len(feature_names))``, with the table for any other column."""
    table = read_csv_table(path)
    missing = [name for name in feature_names if name not in table.header]
    if missing:
        listed = ", ".join(repr(name) for name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise DataError(
            f"data file {path!r} lacks the feature column(s) {listed}{more} that the model "
            f"needs (its columns: {', '.join(table.header)})"
        )
    return table.numbers([table.header.index(name) for name in feature_names]), table


def class_of_label(text: str, class_names: Sequence[str]) -> int | None:
    """Index of label ``text`` in ``class_names`` (a number matches by value), else None."""
    label = text.strip()
    if label in class_names:
        return class_names.index(label)
    number = _finite_number(label)
    if number is not None and _number_name(number) in class_names:
        return list(class_names).index(_number_name(number))
    return None


def _open(path: str):
    """``path`` opened for reading bytes, or a DataError saying why it cannot be."""
    if os.path.isdir(path):
        raise DataError(f"data file {path!r} is a folder, not a CSV file")
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"data file {path!r} does not exist") from None
    except OSError as exc:
        raise DataError(f"data file {path!r} cannot be read ({exc.strerror})") from None


def _text_lines(path: str, stream) -> Iterator[str]:
    """The lines of the binary ``stream`` as text, one at a time (the csv reader's input),
    each decoded from UTF-8 (a leading byte-order mark dropped) and at most
    :data:`MAX_LINE_BYTES` long."""
    number = 0
    while True:
        try:
            raw = stream.readline(MAX_LINE_BYTES + 1)
        except OSError as exc:
            raise DataError(f"data file {path!r} cannot be read ({exc.strerror})") from None
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise DataError(
                f"data file {path!r}, line {number}: longer than {MAX_LINE_BYTES} bytes "
                f"(is this a CSV file?)"
            )
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"data file {path!r}, line {number}: not UTF-8 text (byte "
                f"0x{raw[exc.start]:02x}); save the file as UTF-8"
            ) from None


def _rows(path: str, reader) -> Iterator[list[str]]:
    """The rows of ``reader``, a csv error becoming a DataError with its line."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = str(exc)
            if "field larger than field limit" in problem:
                problem = f"a cell longer than {MAX_CELL_LENGTH} characters"
            raise DataError(f"data file {path!r}, line {reader.line_num}: {problem}") from None
        yield cells


def _check_cells(path: str, line: int, cells: list[str], rows_so_far: int) -> None:
    """Refuse an overlong cell, or a row that takes the file past :data:`MAX_CELLS`."""
    for position, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_LENGTH:
            raise DataError(
                f"data file {path!r}, line {line}, column {position}: a cell of {len(cell)} "
                f"characters (at most {MAX_CELL_LENGTH})"
            )
    if rows_so_far * len(cells) > MAX_CELLS:
        raise DataError(
            f"data file {path!r}, line {line}: more than {MAX_CELLS} cells "
            f"({rows_so_far} rows of {len(cells)} columns so far); use a smaller file"
        )


def _check_header(path: str, cells: list[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    for position, name in enumerate(names, start=1):
        if name == "":
            raise DataError(f"data file {path!r}, line 1: column {position} has no name")
    repeated = [name for name, count in Counter(names).items() if count > 1]
    if repeated:
        raise DataError(f"data file {path!r}, line 1: column {repeated[0]!r} appears twice")
    return names


def _parse_labels(table: CsvTable, j: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class index of every row and the sorted class names: by value when every label is a
    number, alphabetical otherwise."""
    texts = [cells[j].strip() for cells in table.rows]
    for i, text in enumerate(texts):
        if text == "":
            raise DataError(f"{table.where(i, j)}: missing class label, got an empty cell")
    numbers = [_number(text) for text in texts]
    if all(value is not None for value in numbers):
        for i, value in enumerate(numbers):
            if not math.isfinite(value):  # type: ignore[arg-type]
                raise DataError(
                    f"{table.where(i, j)}: expected a finite class label, got nan or inf"
                )
        keys = [_number_name(value) for value in numbers]  # type: ignore[arg-type]
        ordered = sorted(set(keys), key=float)
    else:
        keys = texts
        ordered = sorted(set(keys))
    index = {name: k for k, name in enumerate(ordered)}
    return np.array([index[key] for key in keys], dtype=np.int64), tuple(ordered)


def _check_classes(
    table: CsvTable, j: int, labels: np.ndarray, class_names: tuple[str, ...]
) -> None:
    column = f"data file {table.path!r}, column {table.header[j]!r}"
    if len(class_names) < 2:
        raise DataError(
            f"{column}: only one class ({class_names[0]!r}); a classifier needs two at least"
        )
    counts = np.bincount(labels, minlength=len(class_names))
    if counts.min() < 2:
        rare = class_names[int(counts.argmin())]
        hint = (
            " (is this column really the class? the target is the last column unless "
            "--target names it)"
            if np.count_nonzero(counts == 1) > len(labels) / 2
            else ""
        )
        raise DataError(
            f"{column}: class {rare!r} has {counts.min()} row; every class needs two at "
            f"least, one for training and one for testing{hint}"
        )


def _number(text: str) -> float | None:
    """The number ``text`` writes in ASCII as float() reads it (blanks around it allowed),
    else None: ``1_000``, ``٣`` and ``１`` are text here although float() takes them."""
    text = text.strip()
    return float(text) if _NUMBER.fullmatch(text) else None


def _finite_number(text: str) -> float | None:
    value = _number(text)
    return value if value is not None and math.isfinite(value) else None


def _number_name(value: float) -> str:
    """``1.0 -> '1'``, ``0.25 -> '0.25'``: one name per numeric class."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
