"""Validation at the numeric boundary: every message names the parameter (or layer), what was
expected and what arrived. The kernels behind it trust what these functions return."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import TypeVar

import numpy as np

from chainrule.errors import InputError, ShapeError

__all__ = [
    "as_generator",
    "by_name",
    "check_caches",
    "check_dtype",
    "check_input",
    "check_layer_sizes",
    "check_parameters",
    "check_target",
    "check_target_values",
]

T = TypeVar("T")

DTYPES = ("float32", "float64")


def by_name(value: object, table: Mapping[str, T], parameter: str, kind: type | None = None) -> T:
    """``value`` itself when it is a ``kind`` object, else the entry of ``table`` it names;
    anything else is an InputError listing the names."""
    if kind is not None and isinstance(value, kind):
        return value  # type: ignore[return-value]
    if isinstance(value, str) and value in table:
        return table[value]
    known = ", ".join(sorted(table)) + ("" if kind is None else f" or an {kind.__name__}")
    raise InputError(f"'{parameter}' must be one of {known} (got {value!r})")


def check_layer_sizes(layer_sizes: Sequence[int]) -> list[int]:
    """``[n0, n1, ..., nL]`` as a list of ints >= 1, at least input and output."""
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise InputError(f"'layer_sizes' must be a list of positive integers (got {layer_sizes!r})")
    sizes = list(layer_sizes)
    valid = all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in sizes)
    if not valid or any(n < 1 for n in sizes):
        raise InputError(f"'layer_sizes' must be positive integers (got {sizes!r})")
    if len(sizes) < 2:
        raise InputError(
            f"'layer_sizes' needs at least an input and an output size, like [30, 1] "
            f"(got {sizes!r})"
        )
    return [int(n) for n in sizes]


def check_dtype(dtype: object) -> np.dtype:
    """``np.dtype('float64')`` or ``np.dtype('float32')``."""
    try:
        resolved = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        resolved = None
    if resolved is None or resolved.name not in DTYPES:
        raise InputError(f"'dtype' must be float64 or float32 (got {dtype!r})")
    return resolved


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A Generator: the one given, a new one seeded with an int, or fresh entropy for None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise InputError(f"'seed' must be an integer >= 0 or a Generator (got {seed!r})")
        return np.random.default_rng(seed)
    raise InputError(f"'seed' must be an integer >= 0 or a numpy Generator (got {seed!r})")


def check_input(X: object, n0: int, dtype: np.dtype) -> np.ndarray:
    """X as an array of ``dtype`` and shape ``(n[0], m)``; a copy only if a cast is needed."""
    X = _as_float_array(X, "X", dtype)
    if X.ndim != 2 or X.shape[0] != n0 or X.shape[1] < 1:
        raise ShapeError(
            f"X (the input, layer 0) must have shape (n[0], m) = ({n0}, m) with m >= 1, "
            f"one example per column (got {X.shape})"
        )
    return X


def check_target(Y: object, n_last: int, m: int, last: int, dtype: np.dtype) -> np.ndarray:
    """Y as an array of ``dtype`` and shape ``(n[L], m)``, matching the output layer L."""
    Y = _as_float_array(Y, "Y", dtype)
    if Y.shape != (n_last, m):
        raise ShapeError(
            f"Y (the targets of output layer {last}) must have shape (n[{last}], m) = "
            f"({n_last}, {m}), one example per column (got {Y.shape})"
        )
    return Y


def check_target_values(X: np.ndarray, Y: np.ndarray, output: str, example_axis: int) -> None:
    """X and Y finite; for a sigmoid or softmax ``output`` targets in [0, 1], and for softmax
    one-hot examples (each summing to 1) along ``example_axis`` (1: columns, 0: rows)."""
    if not np.isfinite(X).all():
        raise InputError("'X' must be finite (got nan or inf)")
    if not np.isfinite(Y).all():
        raise InputError("'Y' must be finite (got nan or inf)")
    if output in ("sigmoid", "softmax") and (Y.min() < 0 or Y.max() > 1):
        raise InputError(
            f"'Y' must hold targets in [0, 1] for a {output} output "
            f"(got values from {Y.min():g} to {Y.max():g})"
        )
    if output == "softmax" and not np.allclose(Y.sum(axis=1 - example_axis), 1.0):
        examples = "columns" if example_axis == 1 else "rows"
        raise InputError(
            f"'Y' must have one-hot {examples} (each summing to 1) for a softmax output"
        )


def check_parameters(
    params: Mapping[str, object], shapes: Mapping[str, tuple[int, int]]
) -> dict[str, np.ndarray]:
    """Every parameter of ``shapes`` (and no other), each finite and of its layer's shape."""
    if not isinstance(params, Mapping):
        raise InputError(f"'params' must be a dict of arrays like W1, b1 (got {type(params)})")
    expected = ", ".join(shapes)
    unknown = [name for name in params if name not in shapes]
    if unknown:
        raise InputError(f"unknown parameter {unknown[0]!r} (expected {expected})")
    missing = [name for name in shapes if name not in params]
    if missing:
        raise InputError(f"missing parameter {missing[0]!r} (expected {expected})")
    checked = {}
    for name, shape in shapes.items():
        value = _as_float_array(params[name], name, np.dtype("float64"))
        if value.shape != shape:
            layer = name[1:]
            kind = f"(n[{layer}], n[{int(layer) - 1}])" if name[0] == "W" else f"(n[{layer}], 1)"
            raise ShapeError(
                f"{name!r} (layer {layer}) must have shape {kind} = {shape} (got {value.shape})"
            )
        if not np.isfinite(value).all():
            raise InputError(f"{name!r} must be finite (got nan or inf)")
        checked[name] = value
    return checked


def _as_float_array(value: object, name: str, dtype: np.dtype) -> np.ndarray:
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise InputError(
            f"{name!r} must be an array of numbers (got {type(value).__name__})"
        ) from None


def check_caches(
    caches: Mapping[str, np.ndarray], layer_sizes: Sequence[int], dtype: np.dtype
) -> tuple[list, list]:
    """Z = [None, Z1, ..., ZL] and A = [A0, A1, ..., AL] from the caches of ``forward``,
    each of shape (n[l], m) and of the network's dtype."""
    if not isinstance(caches, Mapping) or "A0" not in caches:
        raise InputError("'caches' must be the dict returned by forward() (keys A0, Z1, A1, …)")
    A0 = check_input(caches["A0"], layer_sizes[0], dtype)
    m = A0.shape[1]
    Z: list = [None]
    A: list = [A0]
    for layer in range(1, len(layer_sizes)):
        for kind, store in (("Z", Z), ("A", A)):
            key = f"{kind}{layer}"
            if key not in caches:
                raise InputError(f"'caches' lacks {key!r}: pass the caches of forward()")
            value = caches[key]
            expected = (layer_sizes[layer], m)
            shape = getattr(value, "shape", None)
            if shape != expected or getattr(value, "dtype", None) != dtype:
                raise ShapeError(
                    f"cache {key!r} (layer {layer}) must be a {dtype} array of shape "
                    f"(n[{layer}], m) = {expected} (got {shape})"
                )
            store.append(value)
    return Z, A
