"""Every spelling of an activation and a loss that the command line takes, at the numeric
boundary (``Network``, ``MLPClassifier``, ``MLPRegressor``).

An activation is a built-in name (``relu``; hand-written NumPy code), ``leaky_relu(0.2)``,
a catalogue name (``swish``, ``mish``, ``gelu``) or math in z (``"z*sigmoid(z)"``), or an
:class:`~chainrule.numeric.activations.Activation`; the hidden layers take one for all of
them or a list of one per hidden layer. A loss is a catalogue name (``log_cosh``, ``mae``)
or math in a and y, paired with an output activation as ``--output`` and ``--loss`` pair them.

Built-in names (``leaky_relu(0.2)`` with a decimal slope too) are looked up here and never
import SymPy; anything else is handed to
:mod:`chainrule.custom` (imported only then), which parses, differentiates and generates
the code, and gives the same messages as the command line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chainrule.errors import InputError
from chainrule.numeric.activations import ACTIVATIONS, Activation, make_leaky_relu
from chainrule.numeric.losses import OUTPUTS, Output

__all__ = [
    "AUTO",
    "HiddenSpec",
    "built_in_output",
    "per_layer",
    "resolve_activation",
    "resolve_hidden",
    "resolve_output",
]

#: An activation for every hidden layer, or a list of one per hidden layer.
HiddenSpec = str | Activation | Sequence[str | Activation]

#: ``leaky_relu(0.2)``: a built-in with a decimal slope, read without SymPy.
_LEAKY_SLOPE = re.compile(r"leaky_relu\((\d+(?:\.\d*)?|\.\d+)\)")

#: The output that picks itself: sigmoid without a loss, else the first the loss accepts.
AUTO = "auto"
#: The output that ``auto`` means without a loss.
DEFAULT_OUTPUT = "sigmoid"


def resolve_activation(spec: object, parameter: str = "activation") -> Activation:
    """The :class:`Activation` that ``spec`` names or writes (an Activation as it is)."""
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str) and spec in ACTIVATIONS:
        return ACTIVATIONS[spec]
    slope = _LEAKY_SLOPE.fullmatch(spec) if isinstance(spec, str) else None
    if slope is not None and float(slope[1]) < 1:
        return make_leaky_relu(float(slope[1]))
    if not isinstance(spec, str):
        raise InputError(f"'{parameter}' must be a name, math in z or an Activation (got {spec!r})")
    from chainrule.custom import resolve_activation as from_text

    return from_text(spec, parameter)


def resolve_hidden(
    spec: HiddenSpec, n_hidden: int, parameter: str = "activation"
) -> Activation | tuple[Activation, ...]:
    """The hidden activation ``spec`` spells: one :class:`Activation` for every hidden
    layer, or for a list or tuple a tuple of one per hidden layer (its length checked),
    each spelled as :func:`resolve_activation` takes it."""
    if isinstance(spec, (list, tuple)):
        if len(spec) != n_hidden:
            raise InputError(
                f"'{parameter}' must be one activation or a list of one per hidden layer "
                f"({n_hidden}) (got {len(spec)}: {list(spec)!r})"
            )
        return tuple(resolve_activation(item, parameter) for item in spec)
    return resolve_activation(spec, parameter)


def per_layer(
    activation: Activation | tuple[Activation, ...], n_hidden: int
) -> tuple[Activation, ...]:
    """g[1], ..., g[n_hidden] from what :func:`resolve_hidden` returns."""
    if isinstance(activation, Activation):
        return (activation,) * n_hidden
    return activation


def resolve_output(output: object = AUTO, loss: object = None) -> Output:
    """The output layer that ``output`` and ``loss`` name, chosen or refused as the
    command line's ``--output`` and ``--loss`` do.

    Without a loss: ``"auto"`` (sigmoid), ``"sigmoid"``, ``"softmax"``, ``"linear"`` or an
    :class:`Output`, each with its own loss. With a loss (a catalogue name or math in a and
    y): ``"auto"`` picks sigmoid for a catalogue loss of probabilities (binary
    cross-entropy), linear for the other catalogue losses and, for math, the first of
    linear and sigmoid the loss is defined on; any activation spelling names the output
    itself; a pairing where the loss is not a real number is refused, saying why.
    """
    if isinstance(output, Output):
        if loss is not None:
            raise InputError(
                f"'loss' cannot be given with an Output object, which brings its own loss "
                f"(got loss={loss!r})"
            )
        return output
    if not isinstance(output, str):
        raise InputError(f"'output' must be a name, math in z or an Output (got {output!r})")
    if loss is None:
        return built_in_output(output)
    if not isinstance(loss, str):
        raise InputError(f"'loss' must be a name or math in a and y (got {loss!r})")
    from chainrule.custom import resolve_output as from_text

    return from_text(loss, output, parameter="loss", output_parameter="output")


def built_in_output(
    output: str,
    *,
    default: str = DEFAULT_OUTPUT,
    output_parameter: str = "output",
    loss_parameter: str = "loss",
) -> Output:
    """The built-in output ``output`` names (``"auto"`` is ``default``), with its own loss;
    the parameters' names are those of the messages (``'--output'`` on the command line)."""
    name = default if output == AUTO else output
    if name not in OUTPUTS:
        known = ", ".join(sorted(OUTPUTS))
        raise InputError(
            f"{output_parameter!r} must be auto or one of {known}, which bring their own "
            f"loss, unless {loss_parameter!r} is given (got {name!r})"
        )
    return OUTPUTS[name]
