"""The file options of ``chainrule train``: ``--save`` and ``--plot``.

Paths are checked before training starts, so a long run never ends in "no such folder".
matplotlib is imported only when ``--plot`` is given: plain training starts fast.
"""

from __future__ import annotations

import argparse

from chainrule.data import Dataset
from chainrule.files import check_output_path
from chainrule.numeric.layers import Model
from chainrule.numeric.network import Network
from chainrule.numeric.persist import save
from chainrule.numeric.schema import DataSchema

__all__ = ["add_file_options", "check_file_options", "schema_of", "write_files"]


def add_file_options(parser: argparse.ArgumentParser) -> None:
    """Add --save and --plot to ``parser``."""
    parser.add_argument(
        "--save",
        metavar="FILE.npz",
        default=None,
        help="save the trained model (with its standardisation and class names) for "
        "chainrule predict",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        default=None,
        help="save the learning curve (and, for two features, the decision boundary) as "
        "PNG, SVG or PDF",
    )


def check_file_options(args: argparse.Namespace) -> None:
    """Refuse unusable --save and --plot paths before any training is done."""
    if args.save is not None:
        check_output_path(args.save, "'--save'")
    if args.plot is not None:
        from chainrule.plot import check_plot_path

        check_plot_path(args.plot)


def schema_of(dataset: Dataset, network: Network | Model) -> DataSchema:
    """What ``network`` trained on ``dataset`` needs to predict from raw rows."""
    return DataSchema(
        feature_names=dataset.feature_names,
        class_names=dataset.class_names,
        mean=dataset.mean,
        scale=dataset.scale,
        target_name=dataset.target_name,
    )


def write_files(
    args: argparse.Namespace, network: Network | Model, dataset: Dataset, history: object
) -> list[str]:
    """Save the model and the figure that the options ask for; the lines reporting them."""
    lines = []
    if args.save is not None:
        save(network, args.save, schema_of(dataset, network))
        lines.append(f"saved model: {args.save}")
    if args.plot is not None:
        from chainrule.plot import save_training_plot

        # a layered model gets the learning curve alone (no decision boundary)
        drawn = network if isinstance(network, Network) else None
        save_training_plot(args.plot, history, drawn, dataset)
        lines.append(f"saved plot: {args.plot}")
    return lines
