"""Facts about the machine a benchmark runs on: CPU, library versions, other programs' load."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from importlib import metadata

try:
    import resource
except ImportError:  # absent on Windows: the other programs' load then shows as nan
    resource = None  # type: ignore[assignment]


class ForeignLoad:
    """Context manager: CPU time that processes other than our children used meanwhile.

    On Linux, ``cores`` is the busy time of all CPUs (``/proc/stat``) less the CPU time of
    the child processes that finished inside the block, divided by the wall time: about 0 on
    an idle machine, 1.0 when some other program kept one core busy. Other platforms: nan.
    """

    cores = float("nan")

    def __enter__(self) -> ForeignLoad:
        self._start = (_busy_seconds(), _children_seconds(), time.perf_counter())
        return self

    def __exit__(self, *exc: object) -> None:
        busy, children, wall = (_busy_seconds(), _children_seconds(), time.perf_counter())
        start_busy, start_children, start_wall = self._start
        if busy == busy and wall > start_wall:
            self.cores = ((busy - start_busy) - (children - start_children)) / (wall - start_wall)


def _busy_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (nan where /proc/stat is absent)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_seconds() -> float:
    if resource is None:
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def version(package: str) -> str:
    """Installed version of ``package``, or "absent"."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def cpu_name() -> str:
    """The CPU's model name (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def wait_until_quiet(max_seconds: float, window: float = 2.0, limit: float = 0.15) -> float:
    """Wait until other programs use less than ``limit`` cores over ``window`` seconds.

    Gives up after ``max_seconds``. Returns the seconds waited (0.0 at once where the load
    cannot be read). On a shared machine this keeps a benchmark from starting a worker while
    another program runs.
    """
    start = time.perf_counter()
    while time.perf_counter() - start < max_seconds:
        with ForeignLoad() as load:
            time.sleep(window)
        if not load.cores > limit:  # also true for nan
            break
    return time.perf_counter() - start


def run_json_worker(command: list[str], timeout: float) -> dict:
    """Run a worker process that prints one JSON object; return it with ``busy``, the cores
    other programs used meanwhile. A failed worker stops the benchmark with its output."""
    with ForeignLoad() as load:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"the worker {' '.join(command[2:])} failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    result["busy"] = load.cores
    return result
