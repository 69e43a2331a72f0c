"""``--arch`` and ``--input-shape`` through main(argv): a small CNN trained, saved, loaded,
predicting and gradient-checked; bad architectures get one line and exit 2."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.data import load_dataset
from chainrule.errors import ModelFileError
from chainrule.numeric.layers import Dense, Model
from chainrule.numeric.layers.spec import parse_architecture
from chainrule.numeric.persist import load_model, save

CNN = ["--data", "digits", "--arch", "conv:4:3:pad1,batchnorm,relu,maxpool:2,flatten,dense:16,relu"]
FAST = ["--input-shape", "1x8x8", "--optimizer", "adam", "--batch-size", "64", "--quiet"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_cnn_trains_saves_and_predicts_the_same(tmp_path: Path, capsys) -> None:
    saved = tmp_path / "cnn.npz"
    status, out, err = run(["train", *CNN, *FAST, "--epochs", "3", "--save", str(saved)], capsys)
    assert status == 0, err
    assert "model: conv:4:3:pad1,batchnorm,relu,maxpool:2,flatten,dense:16,relu,dense:10" in out
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.8
    loaded = load_model(saved)
    assert isinstance(loaded.network, Model)
    data = load_dataset("digits", seed=0)
    rows = data.X_test.T * data.scale.T + data.mean.T  # raw pixels, as a file holds them
    names = data.feature_names
    table = tmp_path / "rows.csv"
    with table.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        writer.writerows(rows.tolist())
    status, out, err = run(["predict", "--model", str(saved), "--data", str(table)], capsys)
    assert status == 0, err
    predicted = [line.split(",")[0] for line in out.splitlines()[1:]]
    X = data.X_test.T.reshape(-1, 1, 8, 8)
    expected = [data.class_names[k] for k in loaded.network.predict(X)]
    assert predicted == expected


def test_a_saved_model_comes_back_exactly(tmp_path: Path) -> None:
    layers = parse_architecture(
        "conv:2:3:s2:pad1:nobias,batchnorm:0.8,leaky_relu:0.2,avgpool:2:s1,flatten,dropout:0.9"
    )
    model = Model([*layers, Dense(3)], (2, 6, 5), "softmax", "xavier", "float32", seed=4)
    X = np.random.default_rng(0).standard_normal((6, 2, 6, 5))
    model.compute_gradients(X, np.eye(3)[[0, 1, 2, 0, 1, 2]])  # moves the running statistics
    path = tmp_path / "m.npz"
    save(model, path)
    twin = load_model(path).network
    assert isinstance(twin, Model) and twin.describe() == model.describe()
    assert twin.dtype == np.float32 and twin.init == "xavier"
    assert np.array_equal(twin.predict_proba(X), model.predict_proba(X))
    assert np.array_equal(
        twin.states()["batchnorm2.running_var"], model.states()["batchnorm2.running_var"]
    )
    assert twin.rng.random() == model.rng.random()
    arrays = dict(np.load(path))
    arrays["conv1.W"] = arrays["conv1.W"][:1]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match=r"entry 'conv1.W' has shape"):
        load_model(tmp_path / "bad.npz")


def test_gradcheck_passes_for_a_cnn(capsys) -> None:
    arch = "conv:2:3:pad1:nobias,batchnorm,tanh,maxpool:2,flatten,dense:3"
    argv = [
        "gradcheck",
        "--data",
        "digits",
        "--arch",
        arch,
        "--input-shape",
        "1x8x8",
        "--samples",
        "3",
    ]
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert "gradient check: PASS" in out and "conv1.W" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--arch", "conv:8"], "'--arch': layer 1 'conv:8' must be written conv:FILTERS:SIZE"),
        (["--arch", "pool:2"], "'--arch': layer 1 'pool:2' is not a layer kind"),
        (["--arch", "conv:2:3,flatten"], "takes images (C, H, W) per example"),
        (["--arch", "flatten", "--input-shape", "1x8x7"], "'--input-shape' 1x8x7 has 56 entries"),
        (["--arch", "conv:2:3", "--input-shape", "1x8x8"], "'dense:10' takes flat inputs"),
        (["--input-shape", "1x8x8"], "'--input-shape' applies with --arch only"),
        (["--arch", "dense:4", "--keep-prob", "0.5"], "'--keep-prob' does not apply with --arch"),
        (["--arch", "dense:4", "--input-shape", "1xx8"], "expected positive integers joined by x"),
    ],
)
def test_bad_architectures_get_one_line_and_exit_2(argv: list[str], message: str, capsys) -> None:
    status, out, err = run(["train", "--data", "digits", "--epochs", "1", "--quiet", *argv], capsys)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
