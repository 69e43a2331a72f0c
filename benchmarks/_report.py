"""Text output of the training benchmark: headers, one table per run, kernel summary."""

from __future__ import annotations

import os
import platform
import statistics
from typing import Any

import numpy as np

try:  # imported as benchmarks._report
    from . import _cases
    from ._machine import cpu_name, version
except ImportError:  # run as a script
    import _cases
    from _machine import cpu_name, version


def machine_header() -> str:
    """Python, library versions, CPU and core count."""
    versions = ", ".join(
        f"{name} {version(name)}" for name in ("numpy", "scikit-learn", "torch", "chainrule")
    )
    return (
        f"chainrule training benchmark — Python {platform.python_version()}, {versions}\n"
        f"CPU: {cpu_name()}, {os.cpu_count()} logical cores\n{LEGEND}"
    )


def env_header(env: dict[str, str], names: tuple[str, ...], unset: bool) -> str:
    """Which OpenBLAS variables the worker processes see."""
    shown = ", ".join(f"{name}={env.get(name, '<unset>')}" for name in names)
    title = "workers with the OpenBLAS variables removed" if unset else "workers as configured"
    return f"\n=== {title}: {shown} ==="


def _seconds(value: float) -> str:
    if value >= 1e-1:
        return f"{value:.3f} s"
    if value >= 1e-4:
        return f"{value * 1e3:.3f} ms"
    return f"{value * 1e6:.1f} us"


def _max_difference(params: dict[str, np.ndarray], reference: dict[str, np.ndarray]) -> str:
    if not reference or not params:
        return "-"
    worst = max(float(np.max(np.abs(params[key] - reference[key]))) for key in reference)
    return f"{worst:.1e}"


BUSY_LIMIT = 0.25  # cores used by other programs above which a timing is flagged
HEADER = ["framework", "best/epoch", "median", "chainrule/x", "accuracy", "param diff", "busy"]
LEGEND = (
    "best/epoch, median: seconds per epoch over the timed chunks; chainrule/x: chainrule's best "
    "over x's best;\naccuracy: final training accuracy; param diff: largest |final parameter - "
    "chainrule's|; busy: cores used by other programs while the worker ran"
)


def _row(cells: list[str]) -> str:
    widths = [10, 11, 11, 12, 9, 11, 7, 16]
    return "  " + "".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=False))


def case_table(
    case: _cases.Case,
    run: _cases.Run,
    chunk_epochs: int,
    repeats: int,
    results: dict[str, dict[str, Any]],
) -> str:
    """The table of one run of one case, with targets marked PASS or MISS."""
    sizes = case.layer_sizes
    lines = [
        f"\n({case.key}) {sizes} on {case.title} — {run.label}; {case.optimizer}, "
        f"lr {case.learning_rate}, "
        f"{chunk_epochs * repeats} epochs ({repeats} timed chunks of {chunk_epochs}, "
        f"after 1 warm-up epoch; best of {_rounds(results)} round(s)); "
        f"{case.activation} hidden, {case.output} output",
        _row(
            ["framework", "best/epoch", "median", "chainrule/x", "accuracy", "param diff", "busy"]
        ),
    ]
    best = {
        name: min(result["times"]) / chunk_epochs
        for name, result in results.items()
        if "times" in result
    }
    reference = results.get("chainrule", {}).get("params", {})
    for name, result in results.items():
        if "error" in result:
            lines.append(f"  {name:<10}FAILED:\n    " + result["error"].replace("\n", "\n    "))
            continue
        median = statistics.median(result["times"]) / chunk_epochs
        ratio = best["chainrule"] / best[name] if "chainrule" in best else float("nan")
        target = case.targets.get(name)
        verdict = "" if target is None else f"<= {target:.2f} {_verdict(ratio <= target)}"
        lines.append(
            _row(
                [
                    name,
                    _seconds(best[name]),
                    _seconds(median),
                    f"{ratio:.2f}",
                    f"{result['accuracy']:.4f}",
                    "-" if name == "chainrule" else _max_difference(result["params"], reference),
                    _busy(result["foreign_cores"]),
                    verdict,
                ]
            )
        )
    used = ", ".join(
        f"{name} {r['dtype_used']}" for name, r in results.items() if "dtype_used" in r
    )
    lines.append(f"  dtype computed in: {used}")
    if case.accuracy_tolerance is not None and "chainrule" in best:
        lines.append(_accuracy_line(case.accuracy_tolerance, results))
    if any(result.get("foreign_cores", 0.0) > BUSY_LIMIT for result in results.values()):
        lines.append(
            f"  ! other programs kept more than {BUSY_LIMIT} of a core busy during that worker "
            f"(busy column): its timing is unreliable, rerun on an idle machine"
        )
    if case.matmul_targets and "chainrule" in best:
        lines += _matmul_lines(case, run, best["chainrule"], results["chainrule"])
    return "\n".join(lines)


def _accuracy_line(tolerance: float, results: dict[str, dict[str, Any]]) -> str:
    """Each peer's final training accuracy against chainrule's, PASS within ``tolerance``."""
    ours = results["chainrule"]["accuracy"]
    parts = [
        f"{name} {result['accuracy'] - ours:+.4f} "
        f"{_verdict(abs(result['accuracy'] - ours) <= tolerance)}"
        for name, result in results.items()
        if name != "chainrule" and "accuracy" in result
    ]
    return f"  accuracy - chainrule's (target: within {tolerance:g}): " + ", ".join(parts)


def _rounds(results: dict[str, dict[str, Any]]) -> int:
    return max((result.get("rounds", 1) for result in results.values()), default=1)


def _busy(cores: float) -> str:
    if cores != cores:
        return "-"
    return f"{max(cores, 0.0):.2f}" + ("!" if cores > BUSY_LIMIT else "")


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def _matmul_lines(
    case: _cases.Case, run: _cases.Run, epoch_seconds: float, result: dict[str, Any]
) -> list[str]:
    """How much of the machine's matmul rate chainrule's training reaches."""
    rates = result["matmul"]
    flops = _cases.matmul_flops_per_epoch(case.layer_sizes, int(rates["m"]))
    shaped_rate = flops / rates["epoch_matmul_seconds"]
    reached = flops / epoch_seconds
    fraction = reached / shaped_rate
    target = case.matmul_targets[run.batch_size]
    return [
        f"  matmul flops per epoch {flops / 1e9:.2f} GFLOP; chainrule trains at "
        f"{reached / 1e9:.1f} GFLOP/s",
        f"  bare np.matmul, same shapes and batch: {shaped_rate / 1e9:.1f} GFLOP/s "
        f"({_seconds(rates['epoch_matmul_seconds'])} per epoch); "
        f"2048x2048 {run.dtype}: {rates['square_2048_flops'] / 1e9:.1f} GFLOP/s",
        f"  chainrule reaches {fraction:.1%} of the same-shape matmul rate "
        f"(target >= {target:.0%}: {_verdict(fraction >= target)}) and "
        f"{reached / rates['square_2048_flops']:.1%} of the 2048x2048 rate",
    ]


def kernel_summary(lines: list[str]) -> str:
    """Distinct thread pools seen by each worker (BLAS kernel, OpenMP, torch)."""
    distinct = list(dict.fromkeys(lines))
    return "\nkernels in use (threadpoolctl, per worker):\n" + "\n".join(
        f"  {line}" for line in distinct
    )
