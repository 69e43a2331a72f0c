"""``--arch`` and ``--input-shape``: ``chainrule train`` and ``gradcheck`` with a stack of
layers (a :class:`~chainrule.numeric.layers.Model`) instead of the dense ``--layers``.

``--arch`` is the text of :mod:`chainrule.numeric.layers.spec`, the hidden layers in order;
the output layer (a dense layer of one unit per class, or one for two classes, and the
``--output`` activation with its loss) is added after it, as ``--layers`` adds it.
``--input-shape CxHxW`` reads each example's features, in their order, as an array of that
shape (``digits`` as 1x8x8 images); without it the examples stay flat vectors.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from chainrule.cli.train_files import write_files
from chainrule.cli.train_options import training_arguments
from chainrule.data import Dataset
from chainrule.errors import InputError
from chainrule.numeric.layers import Dense, Model
from chainrule.numeric.layers.spec import parse_architecture
from chainrule.numeric.memory import check_memory, training_bytes
from chainrule.numeric.training import train

__all__ = ["add_layer_options", "as_rows", "build_model", "describe_model", "run_layers"]

#: Activations after which ``--init auto`` picks He initialisation.
RELU_FAMILY = ("relu", "leaky_relu")


def shape_value(text: str) -> tuple[int, ...]:
    """Parse one example's shape: positive integers joined by ``x`` (``1x8x8``, ``64``)."""
    parts = text.lower().split("x")
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected positive integers joined by x, such as 1x8x8, got {text!r}"
        )
    return tuple(int(part) for part in parts)


def add_layer_options(parser: argparse.ArgumentParser) -> None:
    """Add --arch and --input-shape to ``parser``."""
    group = parser.add_argument_group("layers (instead of --layers and --activation)")
    group.add_argument(
        "--arch",
        default=None,
        metavar="LAYERS",
        help="hidden layers, comma-separated: dense:N[:nobias], conv:F:K[:sS][:padP][:nobias], "
        "maxpool:K[:sS], avgpool:K[:sS], batchnorm[:MOMENTUM], flatten, dropout:P, relu, "
        "tanh, sigmoid, linear, leaky_relu[:SLOPE]; the output layer is added "
        "(e.g. conv:8:3:pad1,relu,maxpool:2,flatten,dense:32,relu)",
    )
    group.add_argument(
        "--input-shape",
        type=shape_value,
        default=None,
        metavar="CxHxW",
        help="the shape of one example, its features read in order (e.g. 1x8x8 for digits); "
        "with --arch only (default: the flat features)",
    )


def check_layer_options(args: argparse.Namespace) -> None:
    """Refuse the options that do not go with the given (or missing) ``--arch``."""
    if args.arch is None:
        if args.input_shape is not None:
            raise InputError("'--input-shape' applies with --arch only")
        return
    if getattr(args, "keep_prob", None) is not None:
        raise InputError(
            "'--keep-prob' does not apply with --arch: put dropout:P layers in the architecture"
        )


def build_model(args: argparse.Namespace, dataset: Dataset, dtype: str) -> Model:
    """The Model of ``--arch`` and ``--input-shape`` for ``dataset``, its output that of
    ``--output`` and ``--loss``."""
    from chainrule.cli.train import prepare_targets, resolve_output

    layers = parse_architecture(args.arch, "--arch")
    shape = args.input_shape or (dataset.n_features,)
    if math.prod(shape) != dataset.n_features:
        raise InputError(
            f"'--input-shape' {'x'.join(map(str, shape))} has {math.prod(shape)} entries, but "
            f"{dataset.name} has {dataset.n_features} features per example"
        )
    output = resolve_output(args, dataset)
    n_outputs = prepare_targets(dataset, output.name)[0].shape[0]
    kinds = {layer.describe().split(":")[0] for layer in layers}
    init = args.init
    if init == "auto":
        init = "he" if kinds & set(RELU_FAMILY) else "xavier"
    try:
        model = Model([*layers, Dense(n_outputs)], shape, output, init, dtype, seed=args.seed)
        outputs = sum(math.prod(layer_shape) for layer_shape in [shape, *model.layer_shapes])
        examples = dataset.X_train.shape[1]
        check_memory(
            training_bytes(0, outputs * examples, model.dtype.itemsize),
            f"keeping the layer outputs of {examples} examples",
        )
    except InputError as exc:
        raise InputError(f"'--arch': {exc}") from None
    return model


def as_rows(X: np.ndarray, model: Model) -> np.ndarray:
    """Examples as columns (n_features, m) -> batch-first (m, *input_shape), contiguous."""
    return np.ascontiguousarray(X.T).reshape(-1, *model.input_shape)


def describe_model(model: Model, dataset: Dataset) -> list[str]:
    """Lines naming the data and the model."""
    shape = "x".join(map(str, model.input_shape))
    return [
        f"data: {dataset.name}, {dataset.X_train.shape[1]} training and "
        f"{dataset.X_test.shape[1]} test examples, {dataset.n_features} features as {shape}, "
        f"{dataset.n_classes} classes",
        f"model: {model.describe()}, {model.output.name} output, {model.output.loss}, "
        f"{model.init} init, {model.dtype.name}, {model.parameter_vector.size} parameters",
    ]


def run_layers(args: argparse.Namespace, dataset: Dataset) -> list[str]:
    """Train the ``--arch`` model on ``dataset``; the summary lines."""
    from chainrule.cli.train import prepare_targets, summary_lines

    model = build_model(args, dataset, args.dtype)
    Y_train, Y_test = prepare_targets(dataset, model.output.name)
    arguments = training_arguments(args, 1)
    X_train, X_test = as_rows(dataset.X_train, model), as_rows(dataset.X_test, model)
    start = time.perf_counter()
    history = train(
        model, X_train, Y_train.T,
        epochs=args.epochs, batch_size=args.batch_size, verbose=not args.quiet, **arguments,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    lines = describe_model(model, dataset)
    parts = (("train", X_train, Y_train.T), ("test", X_test, Y_test.T))
    lines += summary_lines(args, arguments, history, seconds, model, parts)
    lines.extend(write_files(args, model, dataset, history))
    return lines
