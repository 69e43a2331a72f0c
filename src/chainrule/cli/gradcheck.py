"""``chainrule gradcheck``: backward propagation against central differences, as a table.

Takes the architecture options of ``chainrule train``, builds that network in float64, and
checks its gradients on a small sample of the training data. Exit status 0 when every
parameter array passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import sys

from chainrule.cli import COMMANDS
from chainrule.cli.options import non_negative_float, positive_float, positive_int
from chainrule.cli.train import add_network_options, build_network, prepare_targets
from chainrule.cli.train_layers import (
    add_layer_options,
    as_rows,
    build_model,
    check_layer_options,
)
from chainrule.data import Dataset, load_dataset
from chainrule.numeric.gradcheck import (
    DEFAULT_EPSILON,
    DEFAULT_THRESHOLD,
    GradientCheckReport,
    gradient_check,
)

__all__ = ["register", "render_report", "run"]

DEFAULT_SAMPLES = 16


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gradcheck`` sub-command."""
    parser = subparsers.add_parser(
        "gradcheck",
        help=COMMANDS["gradcheck"],
        description="Compare every gradient of backward propagation with central "
        "differences of the cost, per parameter array.",
    )
    add_network_options(parser)
    parser.add_argument(
        "--samples",
        type=positive_int,
        default=DEFAULT_SAMPLES,
        help=f"training examples to check on (default: {DEFAULT_SAMPLES})",
    )
    parser.add_argument(
        "--epsilon",
        type=positive_float,
        default=DEFAULT_EPSILON,
        help=f"step of the central differences (default: {DEFAULT_EPSILON:g})",
    )
    parser.add_argument(
        "--threshold",
        type=positive_float,
        default=DEFAULT_THRESHOLD,
        help=f"largest relative error that passes (default: {DEFAULT_THRESHOLD:g})",
    )
    parser.add_argument(
        "--l2",
        type=non_negative_float,
        default=0.0,
        metavar="LAMBDA",
        help="check the cost with L2 regularisation λ, (λ/2m) Σ‖W‖² (default: 0); dropout "
        "is always off in the check",
    )
    add_layer_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the gradients, print the table; 0 on PASS, 1 on FAIL."""
    check_layer_options(args)
    dataset = load_dataset(args.data, seed=args.seed, target=args.target)
    if args.arch is not None:
        return _check_model(args, dataset)
    network = build_network(args, dataset, "float64")
    Y_train, _ = prepare_targets(dataset, network.output.name)
    m = min(args.samples, dataset.X_train.shape[1])
    report = gradient_check(
        network,
        dataset.X_train[:, :m],
        Y_train[:, :m],
        epsilon=args.epsilon,
        threshold=args.threshold,
        l2=args.l2,
    )
    sizes = "-".join(str(n) for n in network.layer_sizes)
    subject = f"network {sizes} ({network.activation_name} hidden, {network.output.name} output)"
    return _report(subject, m, dataset, args, report)


def _check_model(args: argparse.Namespace, dataset: Dataset) -> int:
    """The check of an ``--arch`` model (in a training pass: batch statistics)."""
    model = build_model(args, dataset, "float64")
    Y_train, _ = prepare_targets(dataset, model.output.name)
    m = min(args.samples, dataset.X_train.shape[1])
    X = as_rows(dataset.X_train[:, :m], model)
    report = gradient_check(
        model, X, Y_train[:, :m].T, epsilon=args.epsilon, threshold=args.threshold, l2=args.l2
    )
    shape = "x".join(map(str, model.input_shape))
    subject = f"model {model.describe()} on {shape} inputs ({model.output.name} output)"
    return _report(subject, m, dataset, args, report)


def _report(
    subject: str, m: int, dataset: Dataset, args: argparse.Namespace, report: GradientCheckReport
) -> int:
    """Print what was checked and the table; the exit status (0 PASS, 1 FAIL)."""
    print(
        f"{subject}, {m} examples of {dataset.name}, step {args.epsilon:g}"
        + (f", L2 {args.l2:g}" if args.l2 else "")
    )
    render_report(report)
    return 0 if report.passed else 1


def render_report(report: GradientCheckReport) -> None:
    """Print the per-array table and the verdict line with rich."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=None)
    for heading in ("array", "shape", "rel. error", "worst at", "analytic", "numeric"):
        table.add_column(heading, justify="left" if heading == "array" else "right")
    table.add_column("result")
    for row in report.rows:
        table.add_row(
            row.name,
            "x".join(str(n) for n in row.shape),
            f"{row.relative_error:.2e}",
            str(list(row.worst_index)),
            f"{row.worst_analytic:.4e}",
            f"{row.worst_numeric:.4e}",
            "[green]PASS[/]" if row.passed else "[bold red]FAIL[/]",
        )
    console = Console(file=sys.stdout)
    console.print(table)
    worst = report.worst
    verdict = "PASS" if report.passed else "FAIL"
    relation = "<" if report.passed else ">="
    console.print(
        f"gradient check: {verdict} (largest relative error {worst.relative_error:.2e} in "
        f"{worst.name} {relation} threshold {report.threshold:g})",
        highlight=False,
    )
