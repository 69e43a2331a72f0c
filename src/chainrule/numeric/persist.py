"""Saving a network to one ``.npz`` file and loading it back, exactly.

The file is a NumPy ``.npz`` archive, read with ``allow_pickle=False`` (no pickle, so a file
from someone else cannot run code). Its entries::

    architecture   a 0-d string array holding JSON: format name and version, layer sizes,
                   hidden activation (name; slope for a leaky ReLU; the math text of a
                   generated one), or a list of one such per hidden layer, output (name,
                   or for a generated one an object with the math texts of its activation
                   and loss), init, dtype, the random generator's state, and the data
                   schema (feature names, class names, target name) or null
    W1, b1, ...    the parameters, in the network's dtype, shapes (n[l], n[l-1]) and (n[l], 1)
    mean, scale    the standardisation of the data schema, float64 (n[0], 1); only with one

A save is atomic: the archive is written to a temporary file in the target's folder, flushed
to disk, then renamed over the target, so an interrupted save leaves the old file (or none)
and never half a file. A load checks everything and turns any problem (a truncated or
foreign file, a missing entry, a wrong shape, an unknown activation, a newer format) into a
:class:`~chainrule.errors.ModelFileError` that names the file and what is wrong.

Built-in activations and outputs are saved by name. Activations and outputs generated from
math (:mod:`chainrule.codegen`: catalogue entries, custom text) are saved by their math text
and generated again on loading, through an import of :mod:`chainrule.custom` made only then,
so importing this module still never imports SymPy. An activation made from your own
callables cannot be saved (its code is not data), and saving it is refused.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

import numpy as np

from chainrule.errors import InputError, ModelFileError
from chainrule.files import write_atomically
from chainrule.numeric.activations import ACTIVATIONS, Activation, make_leaky_relu
from chainrule.numeric.archive import read_arrays
from chainrule.numeric.init import INITIALIZERS
from chainrule.numeric.layers.model import Model
from chainrule.numeric.losses import OUTPUTS, Output
from chainrule.numeric.network import Network
from chainrule.numeric.schema import DataSchema, SavedModel, check_schema, schema_problem

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "DataSchema",
    "SavedModel",
    "hidden_from",
    "hidden_spec",
    "load",
    "load_model",
    "output_from",
    "output_spec",
    "save",
]

#: Written into every file; a file without it is not a chainrule model.
FORMAT_NAME = "chainrule-model"
#: Version of the layout above; files of a newer version are refused, not misread.
FORMAT_VERSION = 1
#: The longest architecture JSON read (a model with ten thousand named features fits).
_MAX_ARCHITECTURE_LENGTH = 1 << 20


# ----------------------------------------------------------------------------- saving
def save(
    network: Network | Model, path: str | os.PathLike[str], schema: DataSchema | None = None
) -> None:
    """Write ``network`` (and ``schema``) to the ``.npz`` file ``path``, atomically; a
    layered :class:`~chainrule.numeric.layers.Model` in its own format
    (:mod:`chainrule.numeric.layers.model_file`).

    Raises
    ------
    InputError
        When the network has a custom activation or output, the schema does not fit the
        network, or the file cannot be written.
    """
    if isinstance(network, Model):
        from chainrule.numeric.layers.model_file import save_model

        save_model(network, path, schema)
        return
    if not isinstance(network, Network):
        raise InputError(f"'network' must be a Network or a Model (got {type(network).__name__})")
    if schema is not None:
        schema = check_schema(schema, network.layer_sizes)
    architecture = _architecture(network, schema)
    arrays: dict[str, np.ndarray] = {"architecture": np.array(json.dumps(architecture))}
    arrays.update({name: np.array(value) for name, value in network.params.items()})
    if schema is not None:
        arrays["mean"], arrays["scale"] = schema.mean, schema.scale

    def write_archive(stream: IO[bytes]) -> None:
        np.savez(stream, **arrays)  # type: ignore[arg-type]

    write_atomically(path, write_archive, "model file")


def _architecture(network: Network, schema: DataSchema | None) -> dict[str, Any]:
    state = network.rng.bit_generator.state
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "layer_sizes": list(network.layer_sizes),
        "activation": hidden_spec(network.activation),
        "output": output_spec(network.output),
        "init": network.init,
        "dtype": network.dtype.name,
        "rng_state": state if state.get("bit_generator") == "PCG64" else None,
        "schema": None if schema is None else _schema_spec(schema),
    }


def hidden_spec(activation: Activation | tuple[Activation, ...]) -> Any:
    """The hidden activation as data (JSON): one activation's spec, or a list of one per
    hidden layer. Pickles of a :class:`Network` keep the same."""
    if isinstance(activation, Activation):
        return _activation_spec(activation)
    return [_activation_spec(g) for g in activation]


def _activation_spec(activation: Activation) -> dict[str, Any]:
    """``{"name": "relu"}``, ``{"name": "leaky_relu", "slope": 0.2}`` or, for a generated
    activation, ``{"name": "swish", "expression": "z*sigmoid(z)"}``; refuses callables of the
    user's own, which have no name or math to be rebuilt from."""
    if ACTIVATIONS.get(activation.name) == activation:
        return {"name": activation.name}
    slope = activation.parameters.get("slope")
    if slope is not None and make_leaky_relu(slope).name == activation.name:
        return {"name": "leaky_relu", "slope": float(slope)}
    if activation.expression is not None:
        return {"name": activation.name, "expression": activation.expression}
    raise InputError(
        f"cannot save a network with the custom activation {activation.name!r}: only the "
        f"built-in activations ({', '.join(sorted(ACTIVATIONS))}) and those generated from "
        f"math can be saved, because the code of an activation is not data"
    )


def output_spec(output: Output) -> str | dict[str, str]:
    """The built-in output's name, or the names and math texts of a generated one."""
    if OUTPUTS.get(output.name) == output:
        return output.name
    if output.output_expression is not None and output.loss_expression is not None:
        return {
            "name": output.name,
            "loss": output.loss,
            "output_expression": output.output_expression,
            "loss_expression": output.loss_expression,
        }
    raise InputError(
        f"cannot save a network with the custom output {output.name!r}: only the "
        f"built-in outputs ({', '.join(sorted(OUTPUTS))}) and those generated from math "
        f"can be saved"
    )


def _schema_spec(schema: DataSchema) -> dict[str, Any]:
    return {
        "feature_names": list(schema.feature_names),
        "class_names": list(schema.class_names),
        "target_name": schema.target_name,
    }


# ----------------------------------------------------------------------------- loading
def load(path: str | os.PathLike[str]) -> Network | Model:
    """The network saved in ``path``; see :func:`load_model` for its data schema too.

    Raises
    ------
    ModelFileError
        When the file is missing, truncated, corrupted, foreign or of a newer format.
    """
    return load_model(path).network


def load_model(path: str | os.PathLike[str]) -> SavedModel:
    """The network saved in ``path`` with its data schema (None if saved without one).

    Parameters, dtype and random state come back exactly: the loaded network predicts
    bit for bit what the saved one did.
    """
    entries = _read_entries(path)
    try:
        return _rebuild(entries)
    except (InputError, ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"cannot load model {str(path)!r}: {_reason(exc)}") from None


def _read_entries(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every array of the archive, each checked before it is read (:mod:`.archive`); any
    failure is the file's fault."""
    name = str(path)
    if not os.path.exists(path):
        raise ModelFileError(f"cannot load model {name!r}: the file does not exist")
    if os.path.isdir(path):
        raise ModelFileError(f"cannot load model {name!r}: it is a folder, not a file")
    try:
        with open(path, "rb") as stream:
            if stream.read(4) != b"PK\x03\x04":
                raise ModelFileError(
                    f"cannot load model {name!r}: not a .npz archive, so not a chainrule model"
                )
    except OSError as exc:
        raise ModelFileError(f"cannot load model {name!r}: {exc.strerror or exc}") from None
    return read_arrays(path)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _rebuild(entries: dict[str, np.ndarray]) -> SavedModel:
    layered = _layered_spec(entries)
    if layered is not None:
        from chainrule.numeric.layers.model_file import rebuild

        return rebuild(layered, entries)
    spec = _architecture_entry(entries)
    sizes = _layer_sizes_from(spec["layer_sizes"])
    dtype = _check_parameters(entries, sizes, spec["dtype"])
    activation = hidden_from(spec["activation"], len(sizes) - 2)
    output = output_from(spec["output"])
    if not isinstance(spec["init"], str) or spec["init"] not in INITIALIZERS:
        known = ", ".join(sorted(INITIALIZERS))
        raise ValueError(f"unknown init {spec['init']!r} (known: {known})")
    network = Network(sizes, activation, output, "zeros", dtype, seed=0)
    network.init = spec["init"]
    network.set_params({name: entries[name] for name in network.params})
    if spec.get("rng_state") is not None:
        network.rng.bit_generator.state = _rng_state_from(spec["rng_state"])
    schema = None if spec["schema"] is None else _schema_from(spec["schema"], entries, sizes)
    expected = {"architecture", *network.params} | ({"mean", "scale"} if schema else set())
    unexpected = sorted(set(entries) - expected)
    if unexpected:
        raise ValueError(f"unexpected entry {unexpected[0]!r} (a foreign or altered file)")
    return SavedModel(network, schema)


def _rng_state_from(value: object) -> dict[str, Any]:
    """A PCG64 state as ``bit_generator.state`` takes it: a 128-bit state and increment and
    a buffered 32-bit half, every number non-negative and within its width."""

    def fits(number: object, bits: int) -> bool:
        return isinstance(number, int) and not isinstance(number, bool) and 0 <= number < 2**bits

    valid = (
        isinstance(value, dict)
        and value.get("bit_generator") == "PCG64"
        and isinstance(value.get("state"), dict)
        and fits(value["state"].get("state"), 128)
        and fits(value["state"].get("inc"), 128)
        and fits(value.get("has_uint32"), 1)
        and fits(value.get("uinteger"), 32)
    )
    if not valid:
        raise ValueError(f"bad random generator state {str(value)[:80]!r}")
    return value  # type: ignore[return-value]


def _layered_spec(entries: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """The architecture of a layered Model's file, or None for any other file."""
    raw = entries.get("architecture")
    if raw is None or raw.dtype.kind != "U" or raw.shape != ():
        return None
    spec = _architecture_json(str(raw))
    from chainrule.numeric.layers.model_file import FORMAT_NAME as LAYERS_FORMAT

    return spec if isinstance(spec, dict) and spec.get("format") == LAYERS_FORMAT else None


def _layer_sizes_from(value: object) -> list[int]:
    valid = (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in value)
    )
    if not valid:
        raise ValueError(f"bad layer sizes {value!r}")
    return [int(n) for n in value]  # type: ignore[attr-defined]


def _check_parameters(entries: dict[str, np.ndarray], sizes: list[int], dtype: object) -> str:
    """Check every W[l], b[l] against ``sizes`` and ``dtype`` before building anything."""
    if dtype not in ("float32", "float64"):
        raise ValueError(f"bad dtype {dtype!r} (expected float32 or float64)")
    for layer in range(1, len(sizes)):
        for name, shape in (
            (f"W{layer}", (sizes[layer], sizes[layer - 1])),
            (f"b{layer}", (sizes[layer], 1)),
        ):
            if name not in entries:
                raise ValueError(f"missing parameter {name!r}")
            value = entries[name]
            if value.shape != shape:
                raise ValueError(f"parameter {name!r} has shape {value.shape}, expected {shape}")
            if value.dtype != np.dtype(dtype):
                raise ValueError(f"parameter {name!r} is {value.dtype}, expected {dtype}")
    return dtype  # type: ignore[return-value]


def _architecture_json(text: str) -> object:
    """The architecture's JSON text read, capped in length and nesting (ValueError)."""
    if len(text) > _MAX_ARCHITECTURE_LENGTH:
        raise ValueError(f"the 'architecture' entry is over {_MAX_ARCHITECTURE_LENGTH} characters")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("the 'architecture' JSON is nested too deeply") from None


def _architecture_entry(entries: dict[str, np.ndarray]) -> dict[str, Any]:
    if "architecture" not in entries:
        raise ValueError("no 'architecture' entry: not a chainrule model")
    raw = entries["architecture"]
    if raw.dtype.kind != "U" or raw.shape != ():
        raise ValueError("the 'architecture' entry is not JSON text")
    spec = _architecture_json(str(raw))
    if not isinstance(spec, dict) or spec.get("format") != FORMAT_NAME:
        raise ValueError(f"the 'architecture' entry does not say format {FORMAT_NAME!r}")
    check_format_version(spec.get("format_version"), FORMAT_VERSION, "format")
    required = ("layer_sizes", "activation", "output", "init", "dtype", "schema")
    missing = [key for key in required if key not in spec]
    if missing:
        raise ValueError(f"the architecture lacks {missing[0]!r}")
    return spec


def check_format_version(version: object, latest: int, what: str) -> None:
    """Refuse a version that is not a positive int, or newer than ``latest`` (ValueError)."""
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"bad format version {version!r}")
    if version > latest:
        raise ValueError(
            f"written in {what} version {version} by a newer chainrule; this one reads "
            f"versions up to {latest} (upgrade chainrule)"
        )


def hidden_from(spec: object, n_hidden: int) -> Activation | list[Activation]:
    """The activation of every hidden layer, or a list of one per hidden layer."""
    if not isinstance(spec, list):
        return _activation_from(spec)
    if len(spec) != n_hidden:
        raise ValueError(f"{len(spec)} activations for {n_hidden} hidden layers")
    return [_activation_from(item) for item in spec]


def _activation_from(spec: object) -> Activation:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise ValueError(f"bad activation {spec!r}")
    if "expression" in spec:
        if set(spec) != {"name", "expression"} or not isinstance(spec["expression"], str):
            raise ValueError(f"bad activation {spec!r}")
        from chainrule.custom import activation_from_expression

        return activation_from_expression(spec["expression"], name=spec["name"])
    if "slope" in spec:
        slope = spec["slope"]
        if spec["name"] != "leaky_relu" or not isinstance(slope, (int, float)):
            raise ValueError(f"bad activation {spec!r}")
        return make_leaky_relu(slope)
    if spec["name"] not in ACTIVATIONS:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {spec['name']!r} (known: {known})")
    return ACTIVATIONS[spec["name"]]


def output_from(spec: object) -> Output:
    """The output that :func:`output_spec` wrote."""
    if isinstance(spec, str):
        if spec not in OUTPUTS:
            raise ValueError(f"unknown output {spec!r} (known: {', '.join(sorted(OUTPUTS))})")
        return OUTPUTS[spec]
    keys = ("name", "loss", "output_expression", "loss_expression")
    if not isinstance(spec, dict) or set(spec) != set(keys):
        raise ValueError(f"bad output {spec!r}")
    if not all(isinstance(spec[key], str) for key in keys):
        raise ValueError(f"bad output {spec!r}")
    from chainrule.custom import output_from_expressions

    return output_from_expressions(
        spec["output_expression"], spec["loss_expression"], spec["name"], spec["loss"]
    )


def _schema_from(spec: object, entries: dict[str, np.ndarray], sizes: list[int]) -> DataSchema:
    if not isinstance(spec, dict):
        raise ValueError(f"bad schema {spec!r}")
    for key in ("mean", "scale"):
        if key not in entries:
            raise ValueError(f"missing entry {key!r} of the data schema")
    features, classes = spec.get("feature_names"), spec.get("class_names")
    if not isinstance(features, list) or not isinstance(classes, list):
        raise ValueError("the data schema lacks its feature or class names")
    target = spec.get("target_name")
    if target is not None and not isinstance(target, str):
        raise ValueError(f"bad target name {target!r}")
    problem = schema_problem(features, classes, entries["mean"], entries["scale"], sizes)
    if problem:
        raise ValueError(problem)
    return DataSchema(tuple(features), tuple(classes), entries["mean"], entries["scale"], target)
