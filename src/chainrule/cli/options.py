"""Argument types shared by the sub-commands: each refuses bad text with one clear line."""

from __future__ import annotations

import argparse

from chainrule.budget import DEFAULT_TIME_LIMIT, TIME_LIMIT_OPTION

__all__ = [
    "activation_list",
    "add_time_limit_option",
    "int_list",
    "non_negative_float",
    "positive_float",
    "positive_int",
]


def add_time_limit_option(parser: argparse.ArgumentParser, work: str) -> None:
    """Add ``--time-limit SECONDS``, the wall-clock limit of ``work`` (what it limits)."""
    parser.add_argument(
        TIME_LIMIT_OPTION,
        type=positive_float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"stop {work} after this many seconds (default: {DEFAULT_TIME_LIMIT:g})",
    )


def positive_int(text: str) -> int:
    """Parse a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """Parse a finite number > 0."""
    value = _float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """Parse a finite number >= 0."""
    value = _float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def int_list(text: str) -> list[int]:
    """Parse comma-separated positive integers such as ``16,8`` (an empty text is no layers)."""
    if text.strip() == "":
        return []
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers like 16,8, got {text!r}"
        ) from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers like 16,8, got {text!r}"
        )
    return values


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def activation_list(text: str) -> str | list[str]:
    """One activation, or one per hidden layer separated by commas outside parentheses:
    ``relu,tanh`` is two, ``max(z, 0)`` and ``leaky_relu(0.2)`` are one each."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts[0] if len(parts) == 1 else parts
