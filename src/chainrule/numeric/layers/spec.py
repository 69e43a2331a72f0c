"""Architectures as text: ``"conv:8:3:pad1,relu,maxpool:2,flatten,dense:32,relu"``.

A comma-separated list of layers, in order, each a kind and its colon-separated arguments
(spaces are ignored)::

    dense:UNITS[:nobias]                 Dense (nobias: no b, as before a batch norm)
    conv:FILTERS:SIZE[:sSTRIDE][:padP][:nobias]
                                         Conv2D, SIZE×SIZE kernels, stride 1 and padding 0
                                         unless given (conv:16:3:s2:pad1)
    maxpool:SIZE[:sSTRIDE]               MaxPool2D, stride SIZE unless given
    avgpool:SIZE[:sSTRIDE]               AvgPool2D
    batchnorm[:MOMENTUM]                 BatchNorm (momentum 0.9 of the running statistics)
    flatten                              Flatten
    dropout:KEEP_PROB                    Dropout, keep probability in (0, 1]
    relu, tanh, sigmoid, linear          ActivationLayer of the built-in activations
    leaky_relu[:SLOPE]                   ActivationLayer (slope 0.01 unless given)
    embedding:VOCABULARY:DIM, rnn:UNITS[:last], lstm:UNITS[:last], attention:DIM[:causal]
                                         the sequence layers (chainrule.numeric.sequence)

:func:`parse_architecture` turns the text into fresh layers; a bad layer is refused with one
line that names it, its position and the form expected. :data:`LAYER_KINDS` maps every
kind to its class, to rebuild saved models from their ``config()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from chainrule.errors import InputError
from chainrule.numeric.activations import ACTIVATIONS, make_leaky_relu
from chainrule.numeric.layers.activation import ActivationLayer
from chainrule.numeric.layers.base import Layer
from chainrule.numeric.layers.batchnorm import BatchNorm
from chainrule.numeric.layers.conv import Conv2D
from chainrule.numeric.layers.dense import Dense
from chainrule.numeric.layers.dropout import Dropout
from chainrule.numeric.layers.pooling import AvgPool2D, MaxPool2D
from chainrule.numeric.layers.reshape import Flatten
from chainrule.numeric.sequence.layers import SEQUENCE_FORMS

__all__ = ["LAYER_KINDS", "describe_architecture", "parse_architecture", "register_kind"]

#: Every layer class by its ``kind`` (saved files name layers so).
LAYER_KINDS: dict[str, type[Layer]] = {
    cls.kind: cls
    for cls in (ActivationLayer, AvgPool2D, BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D)
}

Parser = Callable[[list[str]], Layer]


class _Refused(ValueError):
    """An argument that does not fit its layer's form."""


def _count(text: str, prefix: str = "") -> int:
    """A positive integer written after ``prefix`` (``s2`` with prefix ``s``)."""
    if not text.startswith(prefix):
        raise _Refused(text)
    body = text[len(prefix) :]
    if not body.isdigit() or int(body) < 1:
        raise _Refused(text)
    return int(body)


def _fraction(text: str) -> float:
    """A finite number (its range is the layer's to check)."""
    try:
        value = float(text)
    except ValueError:
        raise _Refused(text) from None
    if not math.isfinite(value):
        raise _Refused(text)
    return value


def _dense(args: list[str]) -> Layer:
    if len(args) == 2 and args[1] == "nobias":
        return Dense(_count(args[0]), bias=False)
    if len(args) != 1:
        raise _Refused(":".join(args))
    return Dense(_count(args[0]))


def _conv(args: list[str]) -> Layer:
    if len(args) < 2:
        raise _Refused(":".join(args))
    stride, padding, bias = 1, 0, True
    for option in args[2:]:
        if option.startswith("pad") and option[3:].isdigit():
            padding = int(option[3:])
        elif option == "nobias":
            bias = False
        else:
            stride = _count(option, "s")
    return Conv2D(_count(args[0]), _count(args[1]), stride, padding, bias)


def _pool(cls: type[MaxPool2D] | type[AvgPool2D]) -> Parser:
    def parse(args: list[str]) -> Layer:
        if len(args) not in (1, 2):
            raise _Refused(":".join(args))
        return cls(_count(args[0]), _count(args[1], "s") if len(args) == 2 else None)

    return parse


def _batchnorm(args: list[str]) -> Layer:
    if len(args) > 1:
        raise _Refused(":".join(args))
    return BatchNorm(_fraction(args[0])) if args else BatchNorm()


def _dropout(args: list[str]) -> Layer:
    if len(args) != 1:
        raise _Refused(":".join(args))
    return Dropout(_fraction(args[0]))


def _flatten(args: list[str]) -> Layer:
    if args:
        raise _Refused(":".join(args))
    return Flatten()


def _activation(name: str) -> Parser:
    def parse(args: list[str]) -> Layer:
        if name == "leaky_relu" and len(args) == 1:
            return ActivationLayer(make_leaky_relu(_fraction(args[0])))
        if args:
            raise _Refused(":".join(args))
        return ActivationLayer(name)

    return parse


#: kind -> (the form shown when refused, the parser of its arguments)
_FORMS: dict[str, tuple[str, Parser]] = {
    "dense": ("dense:UNITS[:nobias]", _dense),
    "conv": ("conv:FILTERS:SIZE[:sSTRIDE][:padP][:nobias]", _conv),
    "maxpool": ("maxpool:SIZE[:sSTRIDE]", _pool(MaxPool2D)),
    "avgpool": ("avgpool:SIZE[:sSTRIDE]", _pool(AvgPool2D)),
    "batchnorm": ("batchnorm[:MOMENTUM]", _batchnorm),
    "flatten": ("flatten", _flatten),
    "dropout": ("dropout:KEEP_PROB", _dropout),
    **{
        name: (f"{name}[:SLOPE]" if name == "leaky_relu" else name, _activation(name))
        for name in ACTIVATIONS
    },
}


def register_kind(cls: type[Layer], form: str, parse: Parser, name: str | None = None) -> None:
    """Add a layer kind to the grammar (``form`` as shown in messages) and to
    :data:`LAYER_KINDS` (by ``cls.kind``); ``name`` is its word in the text (the kind)."""
    LAYER_KINDS[cls.kind] = cls
    _FORMS[name or cls.kind] = (form, parse)


def parse_architecture(text: object, parameter: str = "arch") -> list[Layer]:
    """Fresh layers for ``text``; an InputError names the bad layer and the form expected."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(
            f"{parameter!r} must be layers separated by commas, such as "
            f"'conv:8:3:pad1,relu,maxpool:2,flatten,dense:32,relu' (got {text!r})"
        )
    layers = []
    for position, item in enumerate(text.replace(" ", "").split(","), 1):
        kind, *args = item.split(":")
        if kind not in _FORMS:
            known = ", ".join(sorted(_FORMS))
            raise InputError(
                f"{parameter!r}: layer {position} {item!r} is not a layer kind (known: {known})"
            )
        form, parse = _FORMS[kind]
        try:
            layers.append(parse(args))
        except (_Refused, InputError) as exc:
            detail = f" ({exc})" if isinstance(exc, InputError) else ""
            raise InputError(
                f"{parameter!r}: layer {position} {item!r} must be written {form}{detail}"
            ) from None
    return layers


def describe_architecture(layers: list[Layer]) -> str:
    """The text :func:`parse_architecture` reads back to the same layers."""
    return ",".join(layer.describe() for layer in layers)


for _cls, (_form, _parse) in SEQUENCE_FORMS.items():
    register_kind(_cls, _form, _parse)
