"""How long chainrule takes to derive and prove every reference derivation, and every pair.

Prints two figures: all reference derivations, every step checked, in process after import
(target: under 2 s), and ``chainrule derive`` as a whole process, start-up included (target:
under 3 s); then the slowest step with the checker tier that settled it. Then, for every
catalogue activation × loss pair (the full grid, or with ``--grid short`` each activation with
the cross-entropy and the squared error plus each loss with the sigmoid), the seconds to build
and prove its whole set [1]-[6] and layers in process (target: under 3 s each), with how many
steps the exact tiers could not settle; and the softmax set.

    python benchmarks/bench_derive.py [--repeats 3] [--grid full|short|none]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def in_process(repeats: int) -> tuple[float, list]:
    """Median seconds to build every reference derivation, and the last set built."""
    from chainrule.symbolic.derivations.reference import reference_derivations

    times, derivations = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        derivations = reference_derivations()
        times.append(time.perf_counter() - start)
    return statistics.median(times), derivations


def whole_process(repeats: int) -> float:
    """Median seconds for ``python -m chainrule derive`` from start to exit."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "chainrule", "derive"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def slowest_step(derivations: list) -> tuple[str, object]:
    steps = [(d.id, s) for d in derivations for s in d.steps()]
    return max(steps, key=lambda pair: pair[1].check.seconds)


def pair_grid(kind: str) -> list[tuple[str, str]]:
    """The (activation, loss) pairs to time: the full catalogue grid or the short one."""
    from chainrule.symbolic.catalog import ACTIVATIONS, LOSSES

    if kind == "full":
        return [(g, loss) for loss in LOSSES for g in ACTIVATIONS]
    short = [
        (g, loss) for loss in ("binary_cross_entropy", "mean_squared_error") for g in ACTIVATIONS
    ]
    return short + [("sigmoid", loss) for loss in LOSSES if ("sigmoid", loss) not in short]


def time_pairs(kind: str) -> list[tuple[str, float, int]]:
    """(label, seconds, steps checked numerically) for every pair, then the softmax set."""
    from chainrule.symbolic.derivations.pair import derive_pair
    from chainrule.symbolic.derivations.softmax import softmax_derivations

    timings = []
    jobs = [
        (f"{g} + {loss}", lambda g=g, loss=loss: derive_pair(g, loss))
        for g, loss in pair_grid(kind)
    ]
    jobs.append(("softmax + categorical cross-entropy", softmax_derivations))
    for label, build in jobs:
        start = time.perf_counter()
        derivations = build()
        seconds = time.perf_counter() - start
        numeric = sum(1 for d in derivations for s in d.steps() if s.verdict.value != "proved")
        timings.append((label, seconds, numeric))
    return timings


def report_pairs(kind: str) -> None:
    timings = time_pairs(kind)
    width = max(len(label) for label, _, _ in timings)
    print(f"pairs ({kind} grid): seconds to derive and prove the whole set, in process")
    for label, seconds, numeric in timings:
        flag = "PASS" if seconds < 3 else "MISS"
        print(
            f"  {label:<{width}}  {seconds:6.2f} s  {flag}  ({numeric} steps checked numerically)"
        )
    slowest = max(timings, key=lambda t: t[1])
    misses = sum(1 for _, seconds, _ in timings if seconds >= 3)
    print(f"slowest pair: {slowest[0]} {slowest[1]:.2f} s; over 3 s: {misses} of {len(timings)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grid", choices=("full", "short", "none"), default="full")
    args = parser.parse_args(argv)

    seconds, derivations = in_process(args.repeats)
    steps = sum(1 for d in derivations for _ in d.steps())
    process = whole_process(args.repeats)
    where, step = slowest_step(derivations)
    tiers = statistics.multimode(s.check.verdict.value for d in derivations for s in d.steps())

    print(f"reference derivations: {len(derivations)}, steps checked: {steps} (mostly {tiers[0]})")
    print(
        f"in process, after import: {seconds:.3f} s  (target < 2 s: "
        f"{'PASS' if seconds < 2 else 'MISS'})"
    )
    print(
        f"chainrule derive, whole process: {process:.3f} s  (target < 3 s: "
        f"{'PASS' if process < 3 else 'MISS'})"
    )
    print(
        f"slowest step: [{where}] {step.text!r}: {step.check.seconds * 1000:.1f} ms, "
        f"{step.check.verdict.value} ({step.check.method})"
    )
    if args.grid != "none":
        report_pairs(args.grid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
