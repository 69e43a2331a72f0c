"""A progress bar for training: rich on a terminal, nothing anywhere else.

The bar is redrawn at most ten times a second whatever the number of epochs, so it costs the
training loop one clock reading per epoch.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["EpochProgress"]

_REDRAW_SECONDS = 0.1


class EpochProgress:
    """Context manager showing epochs done, the latest cost (and validation cost) and the time
    left.

    Parameters
    ----------
    total : int
        Number of epochs planned.
    enabled : bool
        False shows nothing. True shows the bar only when ``stream`` is a terminal.
    stream : file, optional
        Where to draw; standard output by default.
    validation : bool
        Also show the validation cost.
    """

    def __init__(
        self,
        total: int,
        enabled: bool = True,
        stream: TextIO | None = None,
        title: str = "train",
        validation: bool = False,
    ) -> None:
        self.total = total
        self.validation = validation
        self.stream = sys.stdout if stream is None else stream
        self.enabled = enabled and _is_terminal(self.stream)
        self.title = title
        self._progress: Progress | None = None
        self._task: Any = None
        self._last_draw = 0.0

    def __enter__(self) -> EpochProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("cost {task.fields[cost]}"),
                *([TextColumn("val {task.fields[val]}")] if self.validation else []),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            progress.__enter__()
            self._task = progress.add_task(self.title, total=self.total, cost="-", val="-")
            self._progress = progress
        return self

    def update(self, epoch: int, cost: float, validation_cost: float | None = None) -> None:
        """Record that ``epoch`` (1-based) finished with ``cost`` (and ``validation_cost``);
        redraw if it is time."""
        if self._progress is None:
            return
        now = time.perf_counter()
        if now - self._last_draw >= _REDRAW_SECONDS or epoch == self.total:
            self._last_draw = now
            val = "-" if validation_cost is None else f"{validation_cost:.4g}"
            self._progress.update(self._task, completed=epoch, cost=f"{cost:.4g}", val=val)

    def __exit__(self, *exc_info: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc_info)
            self._progress = None


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
