"""Figures of a training run: the learning curve and, for two features, the decision boundary.

Built on matplotlib's object interface (``Figure`` with the Agg canvas), never on
``pyplot``: no window opens, no global backend is switched (so importing this module in a
notebook changes nothing there), and the figure is rendered off screen. Importing this
module imports matplotlib, so the command line imports it only when ``--plot`` is given.

Figures are saved atomically (a temporary file, then a rename) as PNG, SVG or PDF, chosen
by the file's extension, at :data:`DPI` dots per inch: a PNG is ``figsize × DPI`` pixels.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from chainrule.data import Dataset
from chainrule.errors import InputError
from chainrule.files import check_output_path, write_atomically
from chainrule.numeric.network import Network

__all__ = [
    "DPI",
    "FORMATS",
    "SIZE_ONE_PANEL",
    "SIZE_TWO_PANELS",
    "check_plot_path",
    "decision_boundary",
    "learning_curve",
    "save_figure",
    "save_training_plot",
    "training_figure",
]

#: Dots per inch of saved figures.
DPI = 100
#: Figure sizes in inches: the learning curve alone, and with the decision boundary.
SIZE_ONE_PANEL = (6.0, 4.0)
SIZE_TWO_PANELS = (12.0, 5.0)
#: File formats, by extension.
FORMATS = ("pdf", "png", "svg")
#: Grid points per axis of the decision-boundary map, and most training points drawn.
GRID = 200
MOST_POINTS = 2000

BINARY_COLORS = ("#d7301f", "#2166ac")  # class 0 red, class 1 blue, as the RdBu map
CLASS_COLORS = (
    "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf".split()
)


def check_plot_path(path: str | os.PathLike[str], what: str = "'--plot'") -> str:
    """The format of ``path`` (``"png"``, ``"svg"`` or ``"pdf"``, from its extension) when a
    figure can be written there; an InputError naming ``what`` otherwise."""
    check_output_path(path, what)
    extension = Path(path).suffix.lower().lstrip(".")
    if extension not in FORMATS:
        listed = ", ".join(f".{name}" for name in FORMATS)
        raise InputError(f"{what} must end in {listed} (got {str(path)!r})")
    return extension


def learning_curve(axes: Axes, history: object) -> None:
    """Draw the training cost per epoch, and the validation cost when ``history`` has one.

    ``history`` is a :class:`~chainrule.numeric.training.TrainingHistory` (or anything with
    a ``costs`` list, and optionally ``validation_costs``).
    """
    curves = [("training cost", getattr(history, "costs", None) or [])]
    validation = getattr(history, "validation_costs", None)
    if validation:
        curves.append(("validation cost", validation))
    for label, costs in curves:
        epochs = np.arange(1, len(costs) + 1)
        values = np.array([np.nan if c is None else c for c in costs], dtype=np.float64)
        axes.plot(epochs, values, label=label, marker="o" if len(costs) < 20 else None)
    axes.set_xlabel("epoch")
    axes.set_ylabel("cost J")
    axes.set_title("Learning curve")
    axes.grid(True, alpha=0.3)
    axes.legend()


def decision_boundary(axes: Axes, network: Network, dataset: Dataset) -> None:
    """Draw the classes ``network`` predicts over the plane of a two-feature ``dataset``, with
    its training points on top, in the data's own (unstandardised) units."""
    points = dataset.X_train * dataset.scale + dataset.mean  # (2, m), raw units
    labels = _class_indices(dataset.Y_train)
    xx, yy = _grid(points)
    grid = np.vstack([xx.ravel(), yy.ravel()])  # (2, GRID²)
    A = network.predict_proba((grid - dataset.mean) / dataset.scale)  # (n[L], GRID²)
    n_classes = dataset.n_classes
    colors: tuple[str, ...] = BINARY_COLORS
    if n_classes == 2:
        chance = np.clip(A[-1], 0.0, 1.0).reshape(xx.shape)
        levels = np.linspace(0, 1, 11)
        filled = axes.contourf(xx, yy, chance, levels=levels, cmap="RdBu", alpha=0.4)
        axes.contour(xx, yy, chance, levels=[0.5], colors="black", linewidths=1.5)
        axes.figure.colorbar(filled, ax=axes, label=f"P({dataset.class_names[1]})")
    else:
        colors = tuple(CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(n_classes))
        regions = A.argmax(axis=0).reshape(xx.shape)
        bounds = np.arange(n_classes + 1) - 0.5
        axes.contourf(xx, yy, regions, levels=bounds, colors=colors, alpha=0.35)
    shown = np.unique(np.linspace(0, labels.size - 1, min(labels.size, MOST_POINTS)).astype(int))
    for k, name in enumerate(dataset.class_names):
        rows = shown[labels[shown] == k]
        axes.scatter(
            points[0, rows], points[1, rows], s=14, color=colors[k], edgecolors="black", label=name
        )
    axes.set_xlabel(dataset.feature_names[0])
    axes.set_ylabel(dataset.feature_names[1])
    axes.set_title(f"Decision boundary, training data of {dataset.name}")
    axes.legend(loc="best", fontsize="small")


def training_figure(
    history: object, network: Network | None = None, dataset: Dataset | None = None
) -> Figure:
    """A figure with the learning curve, and the decision boundary beside it when
    ``network`` and a two-feature ``dataset`` are given."""
    boundary = network is not None and dataset is not None and dataset.n_features == 2
    figure = Figure(figsize=SIZE_TWO_PANELS if boundary else SIZE_ONE_PANEL, dpi=DPI)
    FigureCanvasAgg(figure)
    if boundary:
        left, right = figure.subplots(1, 2)
        learning_curve(left, history)
        decision_boundary(right, network, dataset)  # type: ignore[arg-type]
    else:
        learning_curve(figure.subplots(), history)
    figure.tight_layout()
    return figure


def save_figure(figure: Figure, path: str | os.PathLike[str], what: str = "'--plot'") -> None:
    """Save ``figure`` to ``path`` atomically, in the format its extension names, at
    :data:`DPI` (its pixel size is exactly ``figsize × DPI``)."""
    extension = check_plot_path(path, what)
    write_atomically(path, lambda stream: figure.savefig(stream, format=extension, dpi=DPI), what)


def save_training_plot(
    path: str | os.PathLike[str],
    history: object,
    network: Network | None = None,
    dataset: Dataset | None = None,
) -> None:
    """:func:`training_figure`, saved to ``path`` with :func:`save_figure`."""
    save_figure(training_figure(history, network, dataset), path)


def _class_indices(Y: np.ndarray) -> np.ndarray:
    """0/1 targets (1, m) or one-hot columns (k, m) -> class indices (m,)."""
    if Y.shape[0] == 1:
        return (Y[0] >= 0.5).astype(np.int64)
    return Y.argmax(axis=0)


def _grid(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A GRID × GRID mesh covering ``points`` (2, m) with a margin of a tenth of each span."""
    axes_ranges = []
    for row in points:
        low, high = float(row.min()), float(row.max())
        margin = 0.1 * (high - low) or 0.5
        axes_ranges.append(np.linspace(low - margin, high + margin, GRID))
    xx, yy = np.meshgrid(*axes_ranges)
    return xx, yy
