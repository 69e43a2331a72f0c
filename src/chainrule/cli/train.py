"""``chainrule train``: train a network on a bundled data set and report cost and accuracy.

With no options it trains the course's network on breast_cancer: one hidden layer of sigmoid
units, a sigmoid output and cross-entropy, by full-batch gradient descent.

The architecture options are shared with ``chainrule gradcheck`` (:func:`add_network_options`,
:func:`build_network`).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from chainrule.cli.options import int_list, positive_float, positive_int
from chainrule.data import DATASETS, MAX_SEED, Dataset, load_dataset
from chainrule.numeric import ACTIVATIONS, INITIALIZERS, OUTPUTS, Network, train

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
    """Parse a bundled data set's name."""
    if text not in DATASETS:
        raise argparse.ArgumentTypeError(
            f"expected one of {', '.join(sorted(DATASETS))}, got {text!r}"
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
    """Add --data, --layers, --activation, --output, --init and --seed to ``parser``."""
    parser.add_argument(
        "--data",
        type=dataset_name,
        default=DEFAULT_DATA,
        metavar="NAME",
        help=f"data set: {', '.join(sorted(DATASETS))} (default: {DEFAULT_DATA})",
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
        choices=sorted(ACTIVATIONS),
        default=DEFAULT_ACTIVATION,
        help=f"hidden-layer activation (default: {DEFAULT_ACTIVATION})",
    )
    parser.add_argument(
        "--output",
        choices=["auto", *sorted(OUTPUTS)],
        default="auto",
        help="output layer and loss; auto: sigmoid for two classes, softmax for more",
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


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` sub-command."""
    parser = subparsers.add_parser(
        "train",
        help="train a network on a bundled data set",
        description="Train a network by gradient descent and report cost and accuracy.",
    )
    add_network_options(parser)
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=DEFAULT_LEARNING_RATE,
        dest="learning_rate",
        help=f"learning rate (default: {DEFAULT_LEARNING_RATE})",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=DEFAULT_EPOCHS,
        help=f"passes over the training data (default: {DEFAULT_EPOCHS})",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="examples per mini-batch (default: the whole training set)",
    )
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
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
    output = resolve_output(args, dataset)
    n_outputs = prepare_targets(dataset, output)[0].shape[0]
    init = AUTO_INIT.get(args.activation, "xavier") if args.init == "auto" else args.init
    sizes = [dataset.n_features, *args.layers, n_outputs]
    return Network(sizes, args.activation, output, init, dtype, seed=args.seed)


def resolve_output(args: argparse.Namespace, dataset: Dataset) -> str:
    """The output named by ``--output``, or the data set's natural one for ``auto``."""
    return dataset.default_output if args.output == "auto" else args.output


def describe(network: Network, dataset: Dataset) -> list[str]:
    """Lines naming the data and the network."""
    sizes = "-".join(str(n) for n in network.layer_sizes)
    hidden = f"{network.activation.name} hidden units, " if network.n_layers > 1 else ""
    return [
        f"data: {dataset.name}, {dataset.X_train.shape[1]} training and "
        f"{dataset.X_test.shape[1]} test examples, {dataset.n_features} features, "
        f"{dataset.n_classes} classes",
        f"network: {sizes}, {hidden}{network.output.name} output, {network.output.loss}, "
        f"{network.init} init, {network.dtype.name}",
    ]


def run(args: argparse.Namespace) -> int:
    """Train, then print the summary; return the exit status."""
    dataset = load_dataset(args.data, seed=args.seed)
    network = build_network(args, dataset, args.dtype)
    Y_train, Y_test = prepare_targets(dataset, network.output.name)
    start = time.perf_counter()
    history = train(
        network,
        dataset.X_train,
        Y_train,
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        verbose=not args.quiet,
    )
    seconds = time.perf_counter() - start
    batches = "full batch" if args.batch_size is None else f"mini-batches of {args.batch_size}"
    lines = describe(network, dataset)
    lines.append(
        f"training: {history.epochs} epochs, {batches}, learning rate {args.learning_rate:g}, "
        f"{seconds:.2f} s"
    )
    for part, X, Y in (("train", dataset.X_train, Y_train), ("test", dataset.X_test, Y_test)):
        lines.append(f"{part} cost: {network.cost(X, Y):.4f}")
        lines.append(f"{part} accuracy: {network.accuracy(X, Y):.3f}")
    print("\n".join(lines))
    return 0
