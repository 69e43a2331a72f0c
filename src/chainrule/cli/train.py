"""``chainrule train``: train a network on a bundled data set or a CSV file and report cost
and accuracy.

With no options it trains the course's network on breast_cancer: one hidden layer of sigmoid
units, a sigmoid output and cross-entropy, by full-batch gradient descent.

The architecture options are shared with ``chainrule gradcheck`` (:func:`add_network_options`,
:func:`build_network`).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from chainrule.budget import time_limit
from chainrule.cli import COMMANDS
from chainrule.cli.options import (
    activation_list,
    add_time_limit_option,
    int_list,
    positive_float,
    positive_int,
)
from chainrule.cli.train_files import add_file_options, check_file_options, write_files
from chainrule.cli.train_layers import add_layer_options, check_layer_options, run_layers
from chainrule.cli.train_options import (
    add_training_options,
    describe_training,
    training_arguments,
)
from chainrule.cli.train_sequence import (
    add_sequence_options,
    check_sequence_options,
    run_sequence,
)
from chainrule.csvdata import is_csv_source
from chainrule.custom import resolve_output as resolve_custom_output
from chainrule.data import DATASETS, MAX_SEED, Dataset, load_dataset
from chainrule.numeric import ACTIVATIONS, INITIALIZERS, OUTPUTS, Network, Output, train
from chainrule.numeric.layers import Model
from chainrule.numeric.memory import check_memory, network_bytes
from chainrule.numeric.resolve import resolve_hidden
from chainrule.numeric.training import TrainingHistory
from chainrule.sequence_data import SEQUENCE_TASKS

__all__ = ["add_network_options", "build_network", "prepare_targets", "register", "run"]

#: Defaults of the reference network (test accuracy about 0.98 on breast_cancer, in well
#: under a second).
DEFAULT_DATA = "breast_cancer"
DEFAULT_HIDDEN = [8]
DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_LEARNING_RATE = 0.5
DEFAULT_EPOCHS = 1000

#: The initialisation ``--init auto`` picks for each activation (He for the ReLU family).
AUTO_INIT = {"relu": "he", "leaky_relu": "he"}


def dataset_name(text: str) -> str:
    """Parse a bundled data set's or a sequence task's name, or the path of a CSV file."""
    if text not in DATASETS and text not in SEQUENCE_TASKS and not is_csv_source(text):
        raise argparse.ArgumentTypeError(
            f"expected one of {', '.join(sorted(DATASETS))}, a sequence task "
            f"({', '.join(SEQUENCE_TASKS)}), or a .csv file, got {text!r}"
        )
    return text


def seed_value(text: str) -> int:
    """Parse a seed: a whole number from 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to {MAX_SEED}, got {text!r}")
    return value


def add_network_options(parser: argparse.ArgumentParser) -> None:
    """Add --data, --target, --layers, --activation, --output, --init and --seed to
    ``parser``."""
    parser.add_argument(
        "--data",
        type=dataset_name,
        default=DEFAULT_DATA,
        metavar="NAME",
        help=f"data set: {', '.join(sorted(DATASETS))}, or a CSV file with a header row; "
        f"or a generated sequence task: {', '.join(SEQUENCE_TASKS)} (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--target",
        metavar="NAME",
        default=None,
        help="the class column of a CSV --data file (default: its last column)",
    )
    parser.add_argument(
        "--layers",
        type=int_list,
        default=DEFAULT_HIDDEN,
        metavar="N,N,...",
        help="hidden layer sizes, comma-separated; '' for none (default: 8)",
    )
    parser.add_argument(
        "--activation",
        default=DEFAULT_ACTIVATION,
        metavar="NAME|EXPR",
        help=f"hidden-layer activation: built-in ({', '.join(sorted(ACTIVATIONS))}), a "
        f"catalogue name (chainrule derive --list) or math in z such as 'z*sigmoid(z)'; one "
        f"per hidden layer separated by commas, such as 'relu,tanh' "
        f"(default: {DEFAULT_ACTIVATION})",
    )
    parser.add_argument(
        "--output",
        default="auto",
        metavar="NAME|EXPR",
        help=f"output layer: {', '.join(sorted(OUTPUTS))} with their own losses; with --loss "
        f"also any activation; auto: sigmoid for two classes, softmax for more, or with "
        f"--loss the first of linear, sigmoid that the loss accepts",
    )
    parser.add_argument(
        "--loss",
        default=None,
        metavar="NAME|EXPR",
        help="loss of the output: a catalogue name or math in a and y such as "
        "'(a - y)**2 / 2' (default: the output's own loss)",
    )
    parser.add_argument(
        "--init",
        choices=["auto", *sorted(INITIALIZERS)],
        default="auto",
        help="weight initialisation; auto: he for relu and leaky_relu, xavier otherwise",
    )
    parser.add_argument(
        "--seed",
        type=seed_value,
        default=0,
        help="seed of the split, the weights and the shuffles (default: 0)",
    )
    add_time_limit_option(parser, "compiling an --activation, --output or --loss written as math")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` sub-command."""
    parser = subparsers.add_parser(
        "train",
        help=COMMANDS["train"],
        description="Train a network by gradient descent and report cost and accuracy.",
    )
    add_network_options(parser)
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        dest="learning_rate",
        help=f"learning rate (default: {DEFAULT_LEARNING_RATE}; 0.01 with --optimizer adam)",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        help=f"passes over the training data (default: {DEFAULT_EPOCHS}; 20 for a sequence task)",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="examples per mini-batch (default: the whole training set; 64 for a sequence task)",
    )
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_training_options(parser)
    add_layer_options(parser)
    add_sequence_options(parser)
    add_file_options(parser)
    parser.set_defaults(func=run)


def prepare_targets(dataset: Dataset, output: str) -> tuple[np.ndarray, np.ndarray]:
    """Y_train and Y_test shaped for ``output``: two one-hot rows when softmax meets a
    two-class set, the data set's own targets otherwise."""
    if output == "softmax" and dataset.n_outputs == 1:
        return _two_columns(dataset.Y_train), _two_columns(dataset.Y_test)
    return dataset.Y_train, dataset.Y_test


def _two_columns(Y: np.ndarray) -> np.ndarray:
    """0/1 targets (1, m) as one-hot rows (2, m): class 0 on top."""
    return np.vstack([1.0 - Y, Y])


def build_network(args: argparse.Namespace, dataset: Dataset, dtype: str = "float64") -> Network:
    """The network that the parsed options describe, sized for ``dataset``."""
    spec = activation_list(args.activation)
    with time_limit(args.time_limit, "compiling --activation, --output and --loss"):
        output = resolve_output(args, dataset)
        activation = resolve_hidden(spec, len(args.layers), "--activation")
    n_outputs = prepare_targets(dataset, output.name)[0].shape[0]
    names = spec if isinstance(spec, list) else [spec]
    he = all(AUTO_INIT.get(name) == "he" for name in names)
    init = ("he" if he else "xavier") if args.init == "auto" else args.init
    sizes = [dataset.n_features, *args.layers, n_outputs]
    itemsize = 4 if dtype == "float32" else 8
    needed = network_bytes(sizes, dataset.X_train.shape[1], itemsize)
    check_memory(needed, f"'--layers' {','.join(map(str, args.layers))}")
    return Network(sizes, activation, output, init, dtype, seed=args.seed)


def resolve_output(args: argparse.Namespace, dataset: Dataset) -> Output:
    """The output layer and loss that ``--output`` and ``--loss`` name (or write); ``auto``
    is the data set's natural output, or with a loss the first output the loss accepts."""
    return resolve_custom_output(
        args.loss, args.output, default=dataset.default_output, parameter="--loss"
    )


def describe(network: Network, dataset: Dataset) -> list[str]:
    """Lines naming the data and the network."""
    sizes = "-".join(str(n) for n in network.layer_sizes)
    hidden = f"{network.activation_name} hidden units, " if network.n_layers > 1 else ""
    return [
        f"data: {dataset.name}, {dataset.X_train.shape[1]} training and "
        f"{dataset.X_test.shape[1]} test examples, {dataset.n_features} features, "
        f"{dataset.n_classes} classes",
        f"network: {sizes}, {hidden}{network.output.name} output, {network.output.loss}, "
        f"{network.init} init, {network.dtype.name}",
    ]


def run(args: argparse.Namespace) -> int:
    """Train, then print the summary; return the exit status."""
    check_file_options(args)
    if args.data in SEQUENCE_TASKS:
        return run_sequence(args, DEFAULT_HIDDEN)
    check_sequence_options(args)
    check_layer_options(args)
    if args.epochs is None:
        args.epochs = DEFAULT_EPOCHS
    dataset = load_dataset(args.data, seed=args.seed, target=args.target)
    if args.arch is not None:
        lines = run_layers(args, dataset)
        print("\n".join(lines))
        return 0
    network = build_network(args, dataset, args.dtype)
    Y_train, Y_test = prepare_targets(dataset, network.output.name)
    arguments = training_arguments(args, network.n_layers - 1)
    start = time.perf_counter()
    history = train(
        network,
        dataset.X_train,
        Y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=not args.quiet,
        **arguments,
    )
    seconds = time.perf_counter() - start
    lines = describe(network, dataset)
    parts = (("train", dataset.X_train, Y_train), ("test", dataset.X_test, Y_test))
    lines += summary_lines(args, arguments, history, seconds, network, parts)
    lines.extend(write_files(args, network, dataset, history))
    print("\n".join(lines))
    warning = divergence_warning(history.costs)
    if warning:
        print(warning, file=sys.stderr)
    return 0


def summary_lines(
    args: argparse.Namespace,
    arguments: dict,
    history: TrainingHistory,
    seconds: float,
    model: Network | Model,
    parts: tuple[tuple[str, np.ndarray, np.ndarray], ...],
) -> list[str]:
    """The training line, the options' lines, and the cost and accuracy of each part (the
    first part is the training data)."""
    m = parts[0][1].shape[0 if isinstance(model, Model) else 1]
    full = args.batch_size is None or args.batch_size >= m
    batches = "full batch" if full else f"mini-batches of {args.batch_size}"
    lines = [
        f"training: {history.epochs} epochs, {batches}, learning rate {args.learning_rate:g}, "
        f"{seconds:.2f} s"
    ]
    lines.extend(describe_training(args, arguments, history))
    for part, X, Y in parts:
        lines.append(f"{part} cost: {cost_text(model.cost(X, Y))}")
        lines.append(f"{part} accuracy: {model.accuracy(X, Y):.3f}")
    return lines


def cost_text(cost: float) -> str:
    """A cost with four decimals, or in scientific notation once it is too large to read."""
    return f"{cost:.4f}" if abs(cost) < 1e6 else f"{cost:.4e}"


def divergence_warning(costs: list[float]) -> str | None:
    """A warning when training ended with a higher cost than it began with: the steps were
    too large (the cost grew without yet overflowing, which would have stopped training)."""
    if len(costs) < 2 or costs[-1] <= costs[0]:
        return None
    return (
        f"chainrule: warning: the training cost rose from {cost_text(costs[0])} to "
        f"{cost_text(costs[-1])}: training diverged (try a smaller learning rate)"
    )
