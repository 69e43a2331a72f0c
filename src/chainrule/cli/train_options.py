"""The training options of ``chainrule train``: optimizer, learning-rate decay, L2, dropout and
early stopping.

:func:`add_training_options` adds them to the parser; :func:`training_arguments` turns the
parsed options into the keyword arguments of :func:`chainrule.numeric.training.train`, after
checking the combinations argparse cannot (``--beta1`` without Adam, say); and
:func:`describe_training` gives the summary lines. With none of them given, training is the
plain full-batch gradient descent it always was.
"""

from __future__ import annotations

import argparse
from typing import Any

from chainrule.cli.options import non_negative_float, positive_int
from chainrule.errors import InputError
from chainrule.numeric.early_stopping import EarlyStopping
from chainrule.numeric.optimizers import Adam, GradientDescent, Momentum, Optimizer
from chainrule.numeric.training import TrainingHistory

__all__ = [
    "DEFAULT_LEARNING_RATES",
    "add_training_options",
    "describe_training",
    "keep_prob_list",
    "open_unit_interval",
    "training_arguments",
    "unit_interval",
]

OPTIMIZERS = ("gd", "momentum", "adam")
#: The learning rate of each optimizer when ``--lr`` is not given.
DEFAULT_LEARNING_RATES = {"gd": 0.5, "momentum": 0.5, "adam": 0.01}
DEFAULT_PATIENCE = 10
DEFAULT_VALIDATION_FRACTION = 0.1


def unit_interval(text: str) -> float:
    """Parse a number in [0, 1) (β of momentum and Adam)."""
    value = _number(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


def open_unit_interval(text: str) -> float:
    """Parse a number in (0, 1) (a share of the data)."""
    value = _number(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def keep_prob_list(text: str) -> list[float]:
    """Parse keep probabilities in (0, 1]: one for every hidden layer, or one per layer
    separated by commas (``0.8`` or ``0.9,0.7``)."""
    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            value = -1.0
        if not 0.0 < value <= 1.0:
            raise argparse.ArgumentTypeError(
                f"expected probabilities in (0, 1] like 0.8 or 0.9,0.7, got {text!r}"
            )
        values.append(value)
    return values


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """Add --optimizer, --beta1, --beta2, --momentum, --lr-decay, --l2, --keep-prob,
    --early-stopping, --patience and --validation-fraction to ``parser``."""
    group = parser.add_argument_group("optimisation and regularisation")
    group.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default=None,
        help="gd (gradient descent, the default; adam for a sequence task), momentum, or adam",
    )
    group.add_argument(
        "--momentum",
        type=unit_interval,
        default=None,
        metavar="BETA",
        help="β of --optimizer momentum, in [0, 1) (default: 0.9)",
    )
    group.add_argument(
        "--beta1", type=unit_interval, default=None, help="Adam's β1 in [0, 1) (default: 0.9)"
    )
    group.add_argument(
        "--beta2", type=unit_interval, default=None, help="Adam's β2 in [0, 1) (default: 0.999)"
    )
    group.add_argument(
        "--lr-decay",
        type=non_negative_float,
        default=0.0,
        metavar="RATE",
        help="inverse-time decay: the rate of epoch t is lr / (1 + RATE·t) (default: 0)",
    )
    group.add_argument(
        "--l2",
        type=non_negative_float,
        default=0.0,
        metavar="LAMBDA",
        help="L2 regularisation λ: cost + (λ/2m) Σ‖W‖² (default: 0)",
    )
    group.add_argument(
        "--keep-prob",
        type=keep_prob_list,
        default=None,
        metavar="P[,P...]",
        help="inverted dropout: probability of keeping a hidden unit, one value or one per "
        "hidden layer (default: 1, no dropout)",
    )
    group.add_argument(
        "--early-stopping",
        action="store_true",
        help="hold out part of the training data and stop when its cost stops improving, "
        "keeping the best weights",
    )
    group.add_argument(
        "--patience",
        type=positive_int,
        default=None,
        metavar="N",
        help=f"epochs without improvement before stopping (default: {DEFAULT_PATIENCE})",
    )
    group.add_argument(
        "--validation-fraction",
        type=open_unit_interval,
        default=None,
        metavar="F",
        help=f"share held out for early stopping (default: {DEFAULT_VALIDATION_FRACTION})",
    )


def training_arguments(args: argparse.Namespace, n_hidden: int) -> dict[str, Any]:
    """The keyword arguments of ``train`` that the options ask for (optimizer, l2, keep_prob,
    validation_fraction, early_stopping), for a network with ``n_hidden`` hidden layers.

    Sets ``args.learning_rate`` to the optimizer's default when ``--lr`` was not given.
    """
    if args.optimizer is None:
        args.optimizer = "gd"
    _check_combinations(args, n_hidden)
    if args.learning_rate is None:
        args.learning_rate = DEFAULT_LEARNING_RATES[args.optimizer]
    arguments: dict[str, Any] = {
        "optimizer": _optimizer(args),
        "l2": args.l2,
        "keep_prob": _keep_prob(args.keep_prob),
    }
    if args.early_stopping:
        arguments["validation_fraction"] = args.validation_fraction or DEFAULT_VALIDATION_FRACTION
        arguments["early_stopping"] = EarlyStopping(patience=args.patience or DEFAULT_PATIENCE)
    return arguments


def _check_combinations(args: argparse.Namespace, n_hidden: int) -> None:
    if args.optimizer != "adam":
        for name in ("beta1", "beta2"):
            if getattr(args, name) is not None:
                raise InputError(f"'--{name}' applies to --optimizer adam only")
    if args.optimizer != "momentum" and args.momentum is not None:
        raise InputError("'--momentum' applies to --optimizer momentum only")
    if not args.early_stopping:
        for name in ("patience", "validation_fraction"):
            if getattr(args, name) is not None:
                option = name.replace("_", "-")
                raise InputError(f"'--{option}' applies with --early-stopping only")
    if args.keep_prob is not None and len(args.keep_prob) not in (1, n_hidden):
        raise InputError(
            f"'--keep-prob' needs one value or one per hidden layer ({n_hidden}) "
            f"(got {len(args.keep_prob)})"
        )


def _keep_prob(values: list[float] | None) -> float | list[float] | None:
    if values is None:
        return None
    return values[0] if len(values) == 1 else values


def _optimizer(args: argparse.Namespace) -> Optimizer:
    decay = args.lr_decay or None
    if args.optimizer == "momentum":
        beta = 0.9 if args.momentum is None else args.momentum
        return Momentum(args.learning_rate, beta=beta, decay=decay)
    if args.optimizer == "adam":
        beta1 = 0.9 if args.beta1 is None else args.beta1
        beta2 = 0.999 if args.beta2 is None else args.beta2
        return Adam(args.learning_rate, beta1, beta2, decay=decay)
    return GradientDescent(args.learning_rate, decay=decay)


def describe_training(
    args: argparse.Namespace, arguments: dict[str, Any], history: TrainingHistory
) -> list[str]:
    """Summary lines for whatever went beyond plain gradient descent (none otherwise)."""
    lines = []
    optimizer = arguments["optimizer"]
    if args.optimizer != "gd" or args.lr_decay:
        details = {
            "momentum": lambda: f", β {optimizer.beta:g}",
            "adam": lambda: f", β1 {optimizer.beta1:g}, β2 {optimizer.beta2:g}",
            "gd": lambda: "",
        }[args.optimizer]()
        decay = f", learning-rate decay {args.lr_decay:g}" if args.lr_decay else ""
        lines.append(f"optimizer: {args.optimizer}{details}{decay}")
    if args.l2 or args.keep_prob is not None:
        parts = []
        if args.l2:
            parts.append(f"L2 {args.l2:g}")
        if args.keep_prob is not None:
            parts.append("keep_prob " + ",".join(f"{p:g}" for p in args.keep_prob))
        lines.append("regularisation: " + ", ".join(parts))
    stopper = arguments.get("early_stopping")
    if stopper is not None:
        fraction = arguments["validation_fraction"]
        best = history.validation_costs[stopper.best_epoch - 1] if stopper.best_epoch else None
        outcome = f"stopped at epoch {history.epochs}" if history.stopped_early else "did not stop"
        best_text = "" if best is None else f", best epoch {stopper.best_epoch} ({best:.4f})"
        lines.append(
            f"early stopping: {fraction:g} of the training data held out, patience "
            f"{stopper.patience}, {outcome}{best_text}"
        )
    return lines
