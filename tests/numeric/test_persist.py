"""Saved models: an exact round trip, atomic saves, and a ModelFileError (never a traceback)
for every kind of bad file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.errors import InputError, ModelFileError
from chainrule.numeric import Activation, Network, make_leaky_relu
from chainrule.numeric.losses import OUTPUTS, Output
from chainrule.numeric.persist import FORMAT_VERSION, load, load_model, save
from chainrule.numeric.schema import DataSchema, SavedModel


def make_network(
    sizes=(3, 5, 4, 2), activation="tanh", output="softmax", dtype="float64", seed=7
) -> Network:
    return Network(list(sizes), activation, output, "xavier", dtype, seed=seed)


def schema_for(network: Network) -> DataSchema:
    n0, nL = network.layer_sizes[0], network.layer_sizes[-1]
    classes = ("no", "yes") if nL == 1 else tuple(f"c{k}" for k in range(nL))
    return DataSchema(
        feature_names=tuple(f"f{j}" for j in range(n0)),
        class_names=classes,
        mean=np.linspace(-1, 1, n0)[:, None],
        scale=np.linspace(0.5, 2, n0)[:, None],
        target_name="label",
    )


def assert_identical(a: Network, b: Network, X: np.ndarray) -> None:
    assert a.layer_sizes == b.layer_sizes
    assert a.activation.name == b.activation.name and a.output.name == b.output.name
    assert a.init == b.init and a.dtype == b.dtype
    for name, value in a.params.items():
        assert b.params[name].dtype == value.dtype
        assert b.params[name].tobytes() == value.tobytes(), name
    assert a.predict_proba(X).tobytes() == b.predict_proba(X).tobytes()
    assert a.predict(X).tobytes() == b.predict(X).tobytes()


# ----------------------------------------------------------------------------- round trip
@pytest.mark.parametrize(
    ("activation", "output", "dtype", "sizes"),
    [
        ("relu", "sigmoid", "float64", (4, 6, 1)),
        ("tanh", "softmax", "float32", (3, 5, 4, 3)),
        ("sigmoid", "linear", "float64", (2, 3, 2)),
        ("linear", "sigmoid", "float32", (2, 1)),
        ("leaky_relu", "softmax", "float64", (5, 7, 2)),
        (make_leaky_relu(0.2), "sigmoid", "float64", (3, 4, 1)),
        (make_leaky_relu(0.0), "sigmoid", "float32", (3, 4, 1)),
    ],
)
def test_round_trip_is_bit_for_bit(tmp_path: Path, activation, output, dtype, sizes) -> None:
    network = make_network(sizes, activation, output, dtype)
    rng = np.random.default_rng(1)
    network.set_params({k: rng.standard_normal(v.shape) for k, v in network.params.items()})
    X = rng.standard_normal((sizes[0], 9))
    path = tmp_path / "model.npz"
    save(network, path)
    loaded = load(path)
    assert_identical(network, loaded, X)


def test_a_leaky_slope_survives(tmp_path: Path) -> None:
    network = make_network((2, 3, 1), make_leaky_relu(0.3), "sigmoid")
    save(network, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert loaded.activation.name == "leaky_relu(0.3)"
    Z = np.array([[-2.0, 1.0]])
    np.testing.assert_array_equal(loaded.activation.forward(Z), [[-0.6, 1.0]])


@settings(max_examples=15, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_any_architecture_round_trips(tmp_path_factory, sizes, seed, dtype) -> None:
    network = Network(sizes, "relu", "linear", "he", dtype, seed=seed)
    path = tmp_path_factory.mktemp("any") / "m.npz"
    save(network, path)
    X = np.random.default_rng(seed).standard_normal((sizes[0], 4))
    assert_identical(network, load(path), X)


def test_the_random_state_comes_back_so_training_continues_identically(tmp_path: Path) -> None:
    network = make_network((3, 4, 2))
    network.rng.permutation(50)  # as a few mini-batch shuffles would
    save(network, tmp_path / "m.npz")
    twin = load(tmp_path / "m.npz")
    np.testing.assert_array_equal(twin.rng.permutation(50), network.rng.permutation(50))


def test_the_schema_round_trips_and_predicts_from_raw_rows(tmp_path: Path) -> None:
    network = make_network((3, 4, 3))
    schema = schema_for(network)
    save(network, tmp_path / "m.npz", schema)
    model = load_model(tmp_path / "m.npz")
    assert model.schema is not None
    assert model.schema.feature_names == schema.feature_names
    assert model.schema.class_names == schema.class_names
    assert model.schema.target_name == "label"
    assert model.schema.mean.tobytes() == schema.mean.tobytes()
    assert model.schema.scale.tobytes() == schema.scale.tobytes()
    rows = np.random.default_rng(3).standard_normal((6, 3))
    labels, probabilities = model.predict_rows(rows)
    expected = network.predict_proba((rows.T - schema.mean) / schema.scale)
    np.testing.assert_array_equal(probabilities, expected.T)
    assert labels == [schema.class_names[k] for k in expected.argmax(axis=0)]


def test_one_output_unit_means_two_classes() -> None:
    network = make_network((2, 3, 1), "relu", "sigmoid")
    model = SavedModel(network)
    rows = np.random.default_rng(4).standard_normal((5, 2))
    labels, probabilities = model.predict_rows(rows)
    a = network.predict_proba(rows.T)[0]
    np.testing.assert_array_equal(probabilities[:, 1], a)
    np.testing.assert_array_equal(probabilities[:, 0], 1 - a)
    assert labels == ["1" if value >= 0.5 else "0" for value in a]


# ----------------------------------------------------------------------------- refusals on save
def test_a_custom_activation_is_refused_by_name(tmp_path: Path) -> None:
    swish = Activation("swish", lambda Z: Z / (1 + np.exp(-Z)), lambda Z, A: np.ones_like(Z))
    network = make_network((2, 3, 1), swish, "sigmoid")
    with pytest.raises(InputError, match="cannot save a network with the custom activation"):
        save(network, tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_custom_activation_borrowing_a_builtin_name_is_refused(tmp_path: Path) -> None:
    fake = Activation("relu", np.tanh, lambda Z, A: 1 - A * A)
    with pytest.raises(InputError, match="custom activation 'relu'"):
        save(make_network((2, 3, 1), fake, "sigmoid"), tmp_path / "m.npz")


def test_a_custom_output_is_refused(tmp_path: Path) -> None:
    base = OUTPUTS["sigmoid"]
    custom = Output("sigmoid", "focal", base.forward, base.cost, base.delta)
    with pytest.raises(InputError, match="custom output 'sigmoid'"):
        save(make_network((2, 3, 1), "relu", custom), tmp_path / "m.npz")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"feature_names": ("a",)}, "expected 3 feature names"),
        ({"class_names": ("x", "y")}, "expected 4 class names for 4 output unit"),
        ({"mean": np.zeros((2, 1))}, "'mean' must be a float64 array of shape"),
        ({"scale": np.zeros((3, 1))}, "'scale' must be positive"),
        ({"feature_names": ("a", "a", "b")}, "feature names must differ"),
    ],
)
def test_a_schema_that_does_not_fit_is_refused(tmp_path: Path, change, message) -> None:
    network = make_network((3, 5, 4))
    fields = {**schema_for(network).__dict__, **change}
    with pytest.raises(InputError, match=message):
        save(network, tmp_path / "m.npz", DataSchema(**fields))


def test_saving_into_a_missing_folder_or_onto_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="must be in an existing folder"):
        save(make_network(), tmp_path / "nowhere" / "m.npz")
    with pytest.raises(InputError, match="must name a file, not a folder"):
        save(make_network(), tmp_path)


# ----------------------------------------------------------------------------- atomic saves
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_interrupted_save_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    path = tmp_path / "model.npz"
    save(make_network(seed=1), path)
    before = path.read_bytes()
    real_savez = np.savez

    def savez_then_fail(stream, **arrays):
        real_savez(stream, **arrays)  # a whole archive written to the temporary file ...
        stream.write(b"half of something")
        raise error  # ... then the disk fills up, or the user presses Ctrl-C

    monkeypatch.setattr(np, "savez", savez_then_fail)
    expected = InputError if isinstance(error, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        save(make_network(seed=2), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_a_failed_first_save_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    def fail(stream, **arrays):
        stream.write(b"PK\x03\x04 partial")
        raise RuntimeError("boom")

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(RuntimeError):
        save(make_network(), tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_save_replaces_the_old_model_and_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save(make_network(seed=1), path)
    os.chmod(path, 0o640)
    save(make_network(seed=2), path)
    assert (path.stat().st_mode & 0o777) == 0o640
    assert load(path).parameter_vector.tobytes() == make_network(seed=2).parameter_vector.tobytes()


# ----------------------------------------------------------------------------- bad files
@pytest.fixture
def good_entries(tmp_path: Path) -> dict[str, np.ndarray]:
    network = make_network((3, 5, 4))
    save(network, tmp_path / "good.npz", schema_for(network))
    with np.load(tmp_path / "good.npz") as archive:
        return {key: archive[key] for key in archive.files}


def write_entries(path: Path, entries: dict[str, np.ndarray]) -> Path:
    np.savez(path, **entries)
    return path


def with_architecture(entries: dict[str, np.ndarray], **changes) -> dict[str, np.ndarray]:
    spec = json.loads(str(entries["architecture"]))
    spec.update(changes)
    return {**entries, "architecture": np.array(json.dumps(spec))}


def load_error(path: Path) -> str:
    with pytest.raises(ModelFileError) as error:
        load(path)
    message = str(error.value)
    assert str(path) in message and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a .npz archive"),
        (b"layer_sizes = [3, 5, 4]\n", "not a .npz archive"),
        (b"\x93NUMPY\x01\x00", "not a .npz archive"),
        (b"PK\x03\x04" + b"\x00" * 40, "truncated, corrupted"),
    ],
)
def test_files_that_are_not_archives(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    assert reason in load_error(path)


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    assert "does not exist" in load_error(tmp_path / "absent.npz")
    assert "is a folder" in load_error(tmp_path)


def test_a_foreign_npz(tmp_path: Path) -> None:
    path = write_entries(tmp_path / "f.npz", {"weights": np.random.default_rng(0).random((3, 3))})
    assert "no 'architecture' entry: not a chainrule model" in load_error(path)


def test_pickled_objects_are_never_loaded(tmp_path: Path, good_entries) -> None:
    entries = {**good_entries, "architecture": np.array([{"format": "x"}], dtype=object)}
    path = write_entries(tmp_path / "p.npz", entries)
    assert "pickled objects" in load_error(path)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"format_version": FORMAT_VERSION + 1}, "format version 2 by a newer chainrule"),
        ({"format_version": "1"}, "bad format version '1'"),
        ({"format": "other-model"}, "does not say format 'chainrule-model'"),
        ({"activation": {"name": "swish"}}, "unknown activation 'swish'"),
        ({"activation": {"name": "relu", "slope": 0.1}}, "bad activation"),
        ({"activation": {"name": "leaky_relu", "slope": 2.0}}, "'slope' must be a number in"),
        ({"output": "hinge"}, "unknown output 'hinge'"),
        ({"init": "orthogonal"}, "unknown init 'orthogonal'"),
        ({"dtype": "float16"}, "bad dtype 'float16'"),
        ({"layer_sizes": [3, 0, 4]}, "bad layer sizes [3, 0, 4]"),
        ({"layer_sizes": [3, 6, 4]}, "parameter 'W1' has shape (5, 3), expected (6, 3)"),
        ({"layer_sizes": [3, 5, 4, 2]}, "missing parameter 'W3'"),
        ({"rng_state": {"bit_generator": "PCG64", "state": 5}}, ""),
        ({"schema": "features"}, "bad schema"),
        ({"schema": {"feature_names": ["a"], "class_names": ["x"]}}, "expected 3 feature names"),
    ],
)
def test_a_damaged_architecture(tmp_path: Path, good_entries, change, reason) -> None:
    path = write_entries(tmp_path / "d.npz", with_architecture(good_entries, **change))
    assert reason in load_error(path)


def test_a_missing_key_in_the_architecture(tmp_path: Path, good_entries) -> None:
    spec = json.loads(str(good_entries["architecture"]))
    del spec["output"]
    entries = {**good_entries, "architecture": np.array(json.dumps(spec))}
    assert "the architecture lacks 'output'" in load_error(
        write_entries(tmp_path / "k.npz", entries)
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"architecture": np.array("{not json")}, "Expecting property name"),
        ({"architecture": np.arange(3)}, "not JSON text"),
        ({"W2": np.zeros((3, 5))}, "parameter 'W2' has shape (3, 5), expected (4, 5)"),
        ({"b1": np.zeros((5, 1), dtype=np.float32)}, "parameter 'b1' is float32"),
        ({"W1": np.full((5, 3), np.nan)}, "'W1' must be finite"),
        ({"mean": np.zeros((2, 1))}, "'mean' must be a float64 array of shape (3, 1)"),
        ({"scale": -np.ones((3, 1))}, "'scale' must be positive"),
        ({"extra": np.ones(1)}, "unexpected entry 'extra'"),
    ],
)
def test_damaged_arrays(tmp_path: Path, good_entries, change, reason) -> None:
    path = write_entries(tmp_path / "a.npz", {**good_entries, **change})
    assert reason in load_error(path)


@pytest.mark.parametrize("missing", ["W2", "b1", "mean", "scale", "architecture"])
def test_a_missing_entry(tmp_path: Path, good_entries, missing: str) -> None:
    entries = {k: v for k, v in good_entries.items() if k != missing}
    assert repr(missing) in load_error(write_entries(tmp_path / "m.npz", entries))


@settings(max_examples=40, deadline=None)
@given(cut=st.floats(0.0, 0.999))
def test_every_truncation_is_a_model_file_error(tmp_path_factory, cut: float) -> None:
    folder = tmp_path_factory.mktemp("cut")
    save(make_network(), folder / "whole.npz")
    data = (folder / "whole.npz").read_bytes()
    (folder / "cut.npz").write_bytes(data[: int(cut * len(data))])
    load_error(folder / "cut.npz")


@settings(max_examples=40, deadline=None)
@given(position=st.floats(0.0, 0.999), byte=st.integers(0, 255))
def test_a_corrupted_byte_is_an_error_or_harmless(tmp_path_factory, position, byte) -> None:
    folder = tmp_path_factory.mktemp("flip")
    network = make_network()
    save(network, folder / "m.npz")
    data = bytearray((folder / "m.npz").read_bytes())
    data[int(position * len(data))] = byte
    (folder / "m.npz").write_bytes(bytes(data))
    try:
        loaded = load(folder / "m.npz")
    except ModelFileError:
        return
    # A byte the format does not depend on (a timestamp, say): the model is unchanged.
    assert loaded.parameter_vector.tobytes() == network.parameter_vector.tobytes()
