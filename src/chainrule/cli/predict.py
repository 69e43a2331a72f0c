"""``chainrule predict``: classify the rows of a CSV file with a saved model.

The model (``chainrule train --save model.npz``) remembers the feature columns it was trained
on, their standardisation and the class names. The CSV file needs a header naming those
columns (in any order; other columns are ignored). The answer is a CSV file with a header:
the predicted class of each row, in the input's order, then one probability column per
class. When the file also holds the training target column, the accuracy is reported (on
standard error when the predictions go to standard output).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys

import numpy as np

from chainrule.budget import time_limit
from chainrule.cli import COMMANDS
from chainrule.cli.options import add_time_limit_option
from chainrule.csvdata import CsvTable, class_of_label, read_csv_table, read_feature_columns
from chainrule.errors import DataError
from chainrule.files import write_atomically
from chainrule.numeric.persist import load_model
from chainrule.numeric.schema import SavedModel

__all__ = ["format_predictions", "register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``predict`` sub-command."""
    parser = subparsers.add_parser(
        "predict",
        help=COMMANDS["predict"],
        description="Classify every row of a CSV file with a model saved by "
        "'chainrule train --save', and write the classes and probabilities as CSV.",
    )
    parser.add_argument(
        "--model", required=True, metavar="FILE", help="a model saved by chainrule train --save"
    )
    parser.add_argument(
        "--data",
        required=True,
        metavar="FILE",
        help="a CSV file with a header naming the model's feature columns",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the predictions to FILE (atomically)"
    )
    add_time_limit_option(parser, "compiling a model's activation or loss written as math")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Predict, write the CSV, report the accuracy when the file has the target column."""
    with time_limit(args.time_limit, f"loading the model {args.model!r}"):
        model = load_model(args.model)
    rows, table = _feature_rows(model, args.data)
    labels, probabilities = model.predict_rows(rows)
    text = format_predictions(model, labels, probabilities)
    accuracy = _accuracy_line(model, table, labels)
    if args.output:
        write_atomically(args.output, lambda stream: stream.write(text.encode()), "'-o'")
        print(f"predictions: {len(labels)} rows written to {args.output}")
        if accuracy:
            print(accuracy)
    else:
        sys.stdout.write(text)
        if accuracy:
            print(accuracy, file=sys.stderr)
    return 0


def _feature_rows(model: SavedModel, path: str) -> tuple[np.ndarray, CsvTable]:
    """The model's feature columns of ``path``, shape (m, n[0]): by name with a schema, the
    first n[0] columns without one."""
    if model.schema is not None:
        return read_feature_columns(path, model.schema.feature_names)
    n_inputs = model.n_inputs
    table = read_csv_table(path)
    if len(table.header) < n_inputs:
        raise DataError(
            f"data file {path!r} has {len(table.header)} columns, but the model (saved "
            f"without feature names) reads its first {n_inputs}"
        )
    return table.numbers(range(n_inputs)), table


def format_predictions(model: SavedModel, labels: list[str], probabilities: np.ndarray) -> str:
    """CSV text: a header ``predicted,probability_<class>,...`` and one row per example.

    A linear output gives scores, not probabilities: its columns are ``score_<class>``.
    """
    kind = "score" if model.network.output.name == "linear" else "probability"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["predicted", *(f"{kind}_{name}" for name in model.class_names)])
    digits = ".9g" if probabilities.dtype == np.float32 else None
    for label, values in zip(labels, probabilities.tolist(), strict=True):
        cells = [format(v, digits) if digits else repr(v) for v in values]
        writer.writerow([label, *cells])
    return buffer.getvalue()


def _accuracy_line(model: SavedModel, table: CsvTable, labels: list[str]) -> str | None:
    """``accuracy: 0.953 (48 of 50 rows, against column 'species')`` when the file holds the
    training target column, a note when its labels are not the model's classes, else None."""
    target = model.schema.target_name if model.schema is not None else None
    if target is None or target not in table.header:
        return None
    j = table.header.index(target)
    names = model.class_names
    hits = 0
    for i, cells in enumerate(table.rows):
        index = class_of_label(cells[j], names)
        if index is None:
            return (
                f"accuracy: not computed ({table.where(i, j)}: {cells[j].strip()!r} is not a "
                f"class of the model)"
            )
        hits += names[index] == labels[i]
    return (
        f"accuracy: {hits / len(labels):.3f} ({hits} of {len(labels)} rows, against column "
        f"{target!r})"
    )
