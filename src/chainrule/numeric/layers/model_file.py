"""Saving a layered :class:`~chainrule.numeric.layers.Model` to one ``.npz`` file and back.

The same archive as a network's (:mod:`chainrule.numeric.persist`: read with
``allow_pickle=False``, written atomically, every problem a ModelFileError naming the file),
under its own format name so that neither loader misreads the other's files::

    architecture    JSON: format "chainrule-layers-model" and its version, input_shape,
                    layers [{"kind": "conv", "config": {"filters": 8, ...}}, ...], output,
                    init, dtype, the random generator's state, the data schema or null
    conv1.W, ...    every parameter, named as Model.params names it, in the model's dtype
    batchnorm2.running_mean, ...    every state array (Model.states), in the model's dtype
    mean, scale     the standardisation of the data schema (n_features, 1), with one
"""

from __future__ import annotations

import json
import math
import os
from typing import IO, Any

import numpy as np

from chainrule.errors import InputError
from chainrule.files import write_atomically
from chainrule.numeric import persist
from chainrule.numeric.layers.model import Model
from chainrule.numeric.layers.spec import LAYER_KINDS
from chainrule.numeric.schema import DataSchema, SavedModel, check_schema

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "rebuild", "save_model"]

FORMAT_NAME = "chainrule-layers-model"
FORMAT_VERSION = 1


def save_model(model: Model, path: str | os.PathLike[str], schema: DataSchema | None) -> None:
    """Write ``model`` (and ``schema``) to ``path`` atomically."""
    if schema is not None:
        schema = check_schema(schema, [math.prod(model.input_shape), model.n_outputs])
    state = model.rng.bit_generator.state
    architecture = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "input_shape": list(model.input_shape),
        "layers": [{"kind": layer.kind, "config": layer.config()} for layer in model.layers],
        "output": persist.output_spec(model.output),
        "init": model.init,
        "dtype": model.dtype.name,
        "rng_state": state if state.get("bit_generator") == "PCG64" else None,
        "schema": None if schema is None else persist._schema_spec(schema),
    }
    arrays: dict[str, np.ndarray] = {"architecture": np.array(json.dumps(architecture))}
    arrays.update({name: np.array(value) for name, value in model.params.items()})
    arrays.update({name: np.array(value) for name, value in model.states().items()})
    if schema is not None:
        arrays["mean"], arrays["scale"] = schema.mean, schema.scale

    def write_archive(stream: IO[bytes]) -> None:
        np.savez(stream, **arrays)  # type: ignore[arg-type]

    write_atomically(path, write_archive, "model file")


def rebuild(spec: dict[str, Any], entries: dict[str, np.ndarray]) -> SavedModel:
    """The model of an archive whose architecture says :data:`FORMAT_NAME`; raises
    ValueError (or InputError) saying what is wrong."""
    persist.check_format_version(spec.get("format_version"), FORMAT_VERSION, "layers format")
    for key in ("input_shape", "layers", "output", "init", "dtype", "schema"):
        if key not in spec:
            raise ValueError(f"the architecture lacks {key!r}")
    if spec["dtype"] not in ("float32", "float64"):
        raise ValueError(f"bad dtype {spec['dtype']!r} (expected float32 or float64)")
    model = Model(
        [_layer_from(item) for item in _list(spec["layers"], "layers")],
        _list(spec["input_shape"], "input_shape"),
        persist.output_from(spec["output"]),
        "zeros",
        spec["dtype"],
        seed=0,
    )
    if not isinstance(spec["init"], str):
        raise ValueError(f"bad init {spec['init']!r}")
    model.init = spec["init"]
    params, states = model.params, model.states()
    for name, value in (*params.items(), *states.items()):
        _check_entry(entries, name, value)
    model.set_params({name: entries[name] for name in params})
    model.set_states({name: entries[name] for name in states})
    if spec.get("rng_state") is not None:
        model.rng.bit_generator.state = spec["rng_state"]
    sizes = [math.prod(model.input_shape), model.n_outputs]
    schema = (
        None if spec["schema"] is None else persist._schema_from(spec["schema"], entries, sizes)
    )
    expected = {"architecture", *params, *states} | ({"mean", "scale"} if schema else set())
    unexpected = sorted(set(entries) - expected)
    if unexpected:
        raise ValueError(f"unexpected entry {unexpected[0]!r} (a foreign or altered file)")
    return SavedModel(model, schema)


def _list(value: object, name: str) -> list:
    if not isinstance(value, list) or not value:
        raise ValueError(f"bad {name} {value!r}")
    return value


def _layer_from(item: object) -> Any:
    if not isinstance(item, dict) or set(item) != {"kind", "config"}:
        raise ValueError(f"bad layer {item!r}")
    kind, config = item["kind"], item["config"]
    if kind not in LAYER_KINDS or not isinstance(config, dict):
        raise ValueError(f"unknown layer kind {kind!r} (known: {', '.join(sorted(LAYER_KINDS))})")
    try:
        return LAYER_KINDS[kind].from_config(config)
    except TypeError:
        raise ValueError(f"bad settings {config!r} of layer {kind!r}") from None
    except InputError as exc:
        raise ValueError(f"layer {kind!r}: {exc}") from None


def _check_entry(entries: dict[str, np.ndarray], name: str, like: np.ndarray) -> None:
    if name not in entries:
        raise ValueError(f"missing entry {name!r}")
    value = entries[name]
    if value.shape != like.shape:
        raise ValueError(f"entry {name!r} has shape {value.shape}, expected {like.shape}")
    if value.dtype != like.dtype:
        raise ValueError(f"entry {name!r} is {value.dtype}, expected {like.dtype}")
    if not np.isfinite(value).all():
        raise ValueError(f"entry {name!r} is not finite")
