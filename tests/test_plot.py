"""Figures: valid PNG files of the expected pixel size that are not blank, the right panels,
atomic saves, and no pyplot or global backend switch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from chainrule.data import Dataset, load_dataset, split_and_standardize
from chainrule.errors import InputError
from chainrule.numeric import Network
from chainrule.plot import (
    DPI,
    SIZE_ONE_PANEL,
    SIZE_TWO_PANELS,
    check_plot_path,
    save_figure,
    save_training_plot,
    training_figure,
)

HISTORY = SimpleNamespace(costs=[0.7 * 0.97**k for k in range(40)])


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the PNG signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def pixels(size: tuple[float, float]) -> tuple[int, int]:
    return round(size[0] * DPI), round(size[1] * DPI)


def assert_not_blank(path: Path) -> None:
    image = imread(path)  # (height, width, channels), floats in [0, 1]
    assert image.std() > 0.05
    colours = np.unique((image[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20


def fitted(dataset: Dataset, output: str = "sigmoid") -> Network:
    n_out = dataset.Y_train.shape[0]
    network = Network([dataset.n_features, 6, n_out], "tanh", output, "xavier", seed=0)
    for _ in range(30):
        network.train_step(dataset.X_train, dataset.Y_train, 0.5)
    return network


def test_a_learning_curve_alone(tmp_path: Path) -> None:
    path = tmp_path / "curve.png"
    save_training_plot(path, HISTORY)
    assert png_size(path) == pixels(SIZE_ONE_PANEL) == (600, 400)
    assert_not_blank(path)


def test_two_features_add_the_decision_boundary(tmp_path: Path) -> None:
    moons = load_dataset("moons")
    path = tmp_path / "moons.png"
    save_training_plot(path, HISTORY, fitted(moons), moons)
    assert png_size(path) == pixels(SIZE_TWO_PANELS) == (1200, 500)
    assert_not_blank(path)


def test_many_features_get_no_boundary(tmp_path: Path) -> None:
    cancer = load_dataset("breast_cancer")
    figure = training_figure(HISTORY, fitted(cancer), cancer)
    assert [ax.get_title() for ax in figure.axes] == ["Learning curve"]


def test_three_classes_in_the_plane(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.5, (30, 2)) for c in ([0, 0], [3, 0], [0, 3])])
    blobs = split_and_standardize("blobs", X, np.repeat([0, 1, 2], 30), ("u", "v"), ("a", "b", "c"))
    figure = training_figure(HISTORY, fitted(blobs, "softmax"), blobs)
    boundary = figure.axes[1]
    assert boundary.get_xlabel() == "u" and boundary.get_ylabel() == "v"
    assert [t.get_text() for t in boundary.get_legend().get_texts()] == ["a", "b", "c"]
    path = tmp_path / "blobs.png"
    save_figure(figure, path)
    assert png_size(path) == (1200, 500)
    assert_not_blank(path)


def test_the_boundary_is_drawn_in_the_data_units() -> None:
    moons = load_dataset("moons")
    boundary = training_figure(HISTORY, fitted(moons), moons).axes[1]
    raw = moons.X_train * moons.scale + moons.mean
    low, high = boundary.get_xlim()
    assert low < raw[0].min() and raw[0].max() < high


def test_the_validation_curve_when_the_history_has_one() -> None:
    with_validation = SimpleNamespace(costs=[3.0, 2.0, 1.0], validation_costs=[3.5, 2.6, 1.9])
    curve = training_figure(with_validation).axes[0]
    assert [line.get_label() for line in curve.get_lines()] == ["training cost", "validation cost"]
    np.testing.assert_array_equal(curve.get_lines()[1].get_ydata(), [3.5, 2.6, 1.9])
    curve = training_figure(SimpleNamespace(costs=[1.0], validation_costs=None)).axes[0]
    assert [line.get_label() for line in curve.get_lines()] == ["training cost"]


@pytest.mark.parametrize(("name", "magic"), [("f.svg", b"<?xml"), ("f.pdf", b"%PDF")])
def test_other_formats_by_extension(tmp_path: Path, name: str, magic: bytes) -> None:
    save_training_plot(tmp_path / name, HISTORY)
    assert (tmp_path / name).read_bytes().startswith(magic)


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'--plot' must end in \.pdf, \.png, \.svg"):
        check_plot_path(tmp_path / "f.jpg")
    with pytest.raises(InputError, match="must be in an existing folder"):
        check_plot_path(tmp_path / "no" / "f.png")
    assert check_plot_path(tmp_path / "F.PNG") == "png"


def test_a_failing_save_leaves_the_old_figure(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "curve.png"
    save_training_plot(path, HISTORY)
    before = path.read_bytes()

    def broken_savefig(self, stream, **options):
        stream.write(b"\x89PNG half")
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(RuntimeError):
        save_training_plot(path, SimpleNamespace(costs=[1.0, 0.5]))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]


def test_no_pyplot_and_no_backend_switch() -> None:
    code = (
        "import sys, types, matplotlib\n"
        "matplotlib.use('svg')\n"
        "from chainrule.plot import save_training_plot\n"
        "import tempfile, os\n"
        "folder = tempfile.mkdtemp()\n"
        "save_training_plot(os.path.join(folder, 'a.png'), types.SimpleNamespace(costs=[1, 0.5]))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_importing_chainrule_data_or_cli_does_not_import_matplotlib() -> None:
    code = (
        "import sys\n"
        "import chainrule.cli, chainrule.cli.train, chainrule.data, chainrule.numeric.persist\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
