"""``chainrule train --data adding``: train a recurrent model on a generated sequence task.

The model is a recurrent layer (``--cell lstm`` or ``rnn``, ``--units`` hidden units) whose
last hidden state feeds one linear unit, trained on half the squared error by the shared
training loop (:func:`chainrule.numeric.train`) with the usual optimizer options, and with
gradient clipping (``--clip-norm``, ``--clip-value``). It reports the test mean squared error
beside that of the best constant prediction. ``--save`` writes the model as any layered
model (:func:`chainrule.numeric.persist.load` reads it back).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from chainrule.cli.options import positive_float, positive_int
from chainrule.cli.train_options import describe_training, training_arguments
from chainrule.errors import InputError
from chainrule.numeric import train
from chainrule.numeric.layers import Dense, Model
from chainrule.numeric.persist import save
from chainrule.numeric.sequence.clipping import ClippedOptimizer
from chainrule.numeric.sequence.layers import LSTM, RNN
from chainrule.sequence_data import (
    MIN_LENGTH,
    SEQUENCE_TASKS,
    SequenceTask,
    load_sequence_task,
)

__all__ = ["SEQUENCE_OPTIONS", "add_sequence_options", "check_sequence_options", "run_sequence"]

#: Defaults for a sequence task (where the tabular defaults would not fit).
DEFAULT_CELL = "lstm"
DEFAULT_UNITS = 24
DEFAULT_LENGTH = 20
DEFAULT_EPOCHS = 20
DEFAULT_BATCH_SIZE = 64
DEFAULT_OPTIMIZER = "adam"
#: The options only a sequence task takes (their defaults are None, to tell them given).
SEQUENCE_OPTIONS = ("cell", "units", "length", "clip_norm", "clip_value")
#: Options of the tabular networks a sequence task refuses, with the default that means
#: "not given".
TABULAR_OPTIONS = {
    "target": None, "loss": None, "keep_prob": None, "output": "auto", "init": "auto",
    "arch": None, "input_shape": None,
}  # fmt: skip
CELLS = {"lstm": LSTM, "rnn": RNN}


def add_sequence_options(parser: argparse.ArgumentParser) -> None:
    """Add --cell, --units, --length, --clip-norm and --clip-value to ``parser``."""
    group = parser.add_argument_group(f"sequence tasks (--data {', '.join(SEQUENCE_TASKS)})")
    options = [
        ("--cell", {"choices": sorted(CELLS)}, f"the recurrent layer (default: {DEFAULT_CELL})"),
        ("--units", {"type": positive_int}, f"its hidden units (default: {DEFAULT_UNITS})"),
        ("--length", {"type": positive_int},
         f"steps per sequence, at least {MIN_LENGTH} (default: {DEFAULT_LENGTH})"),
        ("--clip-norm", {"type": positive_float, "metavar": "MAX"},
         "scale the gradients down to this global norm when above it"),
        ("--clip-value", {"type": positive_float, "metavar": "MAX"},
         "clip every gradient entry into [-MAX, MAX] (the course's clip)"),
    ]  # fmt: skip
    for flag, kind, text in options:
        group.add_argument(flag, default=None, help=text, **kind)  # type: ignore[arg-type]


def check_sequence_options(args: argparse.Namespace) -> None:
    """Refuse the sequence options for tabular data."""
    for name in SEQUENCE_OPTIONS:
        if getattr(args, name) is not None:
            option = "--" + name.replace("_", "-")
            raise InputError(
                f"'{option}' applies to the sequence tasks only "
                f"(--data {', '.join(SEQUENCE_TASKS)}; got --data {args.data})"
            )


def _check_tabular_options(args: argparse.Namespace, default_layers: object) -> None:
    """Refuse the options of a tabular network, which a sequence task does not use."""
    given = [name for name, default in TABULAR_OPTIONS.items() if getattr(args, name) != default]
    if args.layers != default_layers:
        given.append("layers")
    if given:
        option = "--" + given[0].replace("_", "-")
        raise InputError(
            f"'{option}' does not apply to the sequence task {args.data!r}; "
            f"use --cell, --units, --length, --clip-norm, --clip-value"
        )


def build_sequence_model(args: argparse.Namespace, task: SequenceTask) -> Model:
    """The recurrent layer and its one linear output unit, for the task's sequences."""
    cell = CELLS[args.cell or DEFAULT_CELL](args.units or DEFAULT_UNITS, return_sequences=False)
    shape = task.X_train.shape[1:]
    return Model([cell, Dense(1)], shape, "linear", "xavier", args.dtype, seed=args.seed)


def run_sequence(args: argparse.Namespace, default_layers: object) -> int:
    """Train on the sequence task ``args.data``, print the summary; return the exit status."""
    _check_tabular_options(args, default_layers)
    if args.length is not None and args.length < MIN_LENGTH:
        raise InputError(
            f"'--length' must be at least {MIN_LENGTH}, a marked step in each half "
            f"(got {args.length})"
        )
    task = load_sequence_task(args.data, seed=args.seed, length=args.length or DEFAULT_LENGTH)
    model = build_sequence_model(args, task)
    if args.optimizer is None:
        args.optimizer = DEFAULT_OPTIMIZER
    arguments = training_arguments(args, 1)
    del arguments["keep_prob"]
    optimizer = arguments["optimizer"]
    if args.clip_norm is not None or args.clip_value is not None:
        optimizer = ClippedOptimizer(optimizer, max_value=args.clip_value, max_norm=args.clip_norm)
    epochs = args.epochs or DEFAULT_EPOCHS
    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    start = time.perf_counter()
    history = train(model, task.X_train, task.Y_train, epochs=epochs, batch_size=batch_size,
                    verbose=not args.quiet, **{**arguments, "optimizer": optimizer})  # fmt: skip
    seconds = time.perf_counter() - start
    lines = describe(task, model, args)
    lines.append(
        f"training: {history.epochs} epochs, mini-batches of {batch_size}, learning rate "
        f"{args.learning_rate:g}, {seconds:.2f} s"
    )
    lines.extend(describe_training(args, arguments, history))
    for part, X, Y in (("train", task.X_train, task.Y_train), ("test", task.X_test, task.Y_test)):
        mse = float(np.mean((model.predict(X) - Y) ** 2))
        lines.append(f"{part} mean squared error: {mse:.4f}")
    lines.append(f"test mean squared error of the best constant: {task.baseline_mse:.4f}")
    if args.save is not None:
        save(model, args.save)
        lines.append(f"saved model: {args.save}")
    if args.plot is not None:
        from chainrule.plot import save_training_plot

        save_training_plot(args.plot, history)
        lines.append(f"saved plot: {args.plot}")
    print("\n".join(lines))
    return 0


def describe(task: SequenceTask, model: Model, args: argparse.Namespace) -> list[str]:
    """Lines naming the task and the model."""
    clipping = [
        f"norm {args.clip_norm:g}" if args.clip_norm else "",
        f"value {args.clip_value:g}" if args.clip_value else "",
    ]
    clip_text = ", ".join(part for part in clipping if part) or "none"
    m_train, T, n = task.X_train.shape
    return [
        f"data: {task.name} ({SEQUENCE_TASKS[task.name]}), {m_train} training and "
        f"{task.X_test.shape[0]} test sequences of {T} steps, {n} features",
        f"model: {model.describe()}, linear output, squared error, {model.dtype.name}; "
        f"gradient clipping: {clip_text}",
    ]
