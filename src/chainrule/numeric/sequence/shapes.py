"""Validation of the sequence kernels' arrays: every message names the argument, the shape or
type expected and what arrived. The kernels behind these checks trust their inputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from chainrule.errors import InputError, ShapeError

__all__ = [
    "check_float_array",
    "check_like",
    "check_parameter_shapes",
    "check_recurrent_input",
    "check_token_ids",
    "hidden_size",
]

Array = np.ndarray


def check_float_array(name: str, value: object, ndim: int, axes: str) -> Array:
    """``value`` as a floating NumPy array with ``ndim`` axes (named ``axes``: "(m, T, n_x)")."""
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
        kind = type(value).__name__ if not isinstance(value, np.ndarray) else str(value.dtype)
        raise InputError(f"'{name}' must be a float32 or float64 array {axes} (got {kind})")
    if value.ndim != ndim:
        raise ShapeError(f"'{name}' must have shape {axes} (got shape {value.shape})")
    return value


def check_like(
    name: str, value: object, shape: tuple[int, ...], dtype: np.dtype, why: str
) -> Array:
    """``value`` as an array of exactly ``shape`` and ``dtype`` (``why`` says what fixes them)."""
    axes = "(" + ", ".join(str(n) for n in shape) + ")"
    value = check_float_array(name, value, len(shape), axes)
    if value.shape != tuple(shape) or value.dtype != dtype:
        raise ShapeError(
            f"'{name}' must have shape {tuple(shape)} and dtype {dtype} {why} "
            f"(got {value.shape}, {value.dtype})"
        )
    return value


def check_parameter_shapes(
    parameters: Mapping[str, Array], expected: Mapping[str, Sequence[int]], dtype: np.dtype
) -> None:
    """Every ``parameters[key]`` present, of shape ``expected[key]`` and of ``dtype``."""
    for key, shape in expected.items():
        if key not in parameters:
            raise InputError(f"'parameters' lacks '{key}' (has {sorted(parameters)})")
        value = parameters[key]
        if not isinstance(value, np.ndarray) or value.shape != tuple(shape):
            got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            raise ShapeError(f"'parameters[{key!r}]' must have shape {tuple(shape)} (got {got})")
        if value.dtype != dtype:
            raise InputError(
                f"'parameters[{key!r}]' must be {dtype} like the input (got {value.dtype})"
            )


def check_token_ids(ids: object, vocabulary: int) -> Array:
    """Token ids: an integer array (m, T) with every entry in [0, vocabulary)."""
    if not isinstance(ids, np.ndarray) or ids.dtype.kind not in "iu":
        kind = str(ids.dtype) if isinstance(ids, np.ndarray) else type(ids).__name__
        raise InputError(f"'ids' must be an integer array (m, T) of token ids (got {kind})")
    if ids.ndim != 2:
        raise ShapeError(f"'ids' must have shape (m, T) (got shape {ids.shape})")
    if ids.size and (ids.min() < 0 or ids.max() >= vocabulary):
        raise InputError(
            f"'ids' must lie in [0, {vocabulary}) for a vocabulary of {vocabulary} "
            f"(got {ids.min()}..{ids.max()})"
        )
    return ids


def hidden_size(parameters: Mapping[str, Array], key: str) -> int:
    """The number of rows of ``parameters[key]``, the hidden size a layer's weights fix."""
    value = parameters.get(key) if isinstance(parameters, Mapping) else None
    if not isinstance(value, np.ndarray) or value.ndim != 2:
        got = (
            type(parameters).__name__ if not isinstance(parameters, Mapping) else sorted(parameters)
        )
        raise InputError(f"'parameters' must hold a 2-D array '{key}' (got {got})")
    return int(value.shape[0])


def check_recurrent_input(
    x: object,
    a0: object,
    parameters: Mapping[str, Array],
    hidden_key: str,
    shapes_for: Callable[[int, int], Mapping[str, Sequence[int]]],
) -> Array:
    """Validate x (m, T, n_x), a0 (m, n_a) or None, and the parameters of a recurrent layer
    (n_a the rows of ``parameters[hidden_key]``, the shapes ``shapes_for(n_x, n_a)``); return
    a0, zeros when None."""
    x = check_float_array("x", x, 3, "(m, T, n_x)")
    m, _, n_x = x.shape
    n_a = hidden_size(parameters, hidden_key)
    check_parameter_shapes(parameters, shapes_for(n_x, n_a), x.dtype)
    if a0 is None:
        return np.zeros((m, n_a), dtype=x.dtype)
    return check_like("a0", a0, (m, n_a), x.dtype, "(batch and hidden size of the input)")
