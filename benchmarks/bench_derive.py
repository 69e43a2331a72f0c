"""How long chainrule takes to derive and prove every reference derivation, and every pair.

Prints the start-up figures first, each a cold process, median of ``--repeats`` runs, side by
side in one run: ``python -c "import sympy"``, ``chainrule --help``, and ``chainrule derive``
as a whole process with the cache of proven derivations warm, with its ratio to the SymPy
import (target: at most 2.5), beside the same command with an empty cache (its first run).
Then all reference derivations, every step checked, in process after import (target: under
2 s); then the slowest step with the checker tier that settled it. Then, for every
catalogue activation × loss pair (the full grid, or with ``--grid short`` each activation with
the cross-entropy and the squared error plus each loss with the sigmoid), the seconds to build
and prove its whole set [1]-[6] and layers in process (target: under 3 s each), with how many
steps the exact tiers could not settle; and the softmax set. Then every layer family
(``chainrule derive batchnorm``, ``conv``, ...): its seconds in process, each in a fresh
interpreter so that SymPy's caches start cold as they do for a user (target: under 2 s each),
and ``chainrule derive`` of all of them as one whole process (target: under 5 s).

    python benchmarks/bench_derive.py [--repeats 3] [--grid full|short|none] [--families all|none]
                                      [--only-start-up]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
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


def whole_process(
    repeats: int, arguments: list[str] | None = None, env: dict[str, str] | None = None
) -> float:
    """Median seconds for ``python -m chainrule derive`` (or ``arguments``) from start to
    exit."""
    return cold_process(repeats, ["-m", "chainrule", *(arguments or ["derive"])], env)


def cold_process(repeats: int, arguments: list[str], env: dict[str, str] | None = None) -> float:
    """Median seconds of ``python arguments`` as a fresh process, from start to exit."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, *arguments], check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report_start_up(repeats: int) -> None:
    """The start-up figures, side by side, with an empty cache of proven derivations and a
    warm one (a folder of the benchmark's own, removed afterwards)."""
    threads = {name: os.environ.get(name, "unset") for name in _THREADS}
    print(
        "start-up, cold processes, median of "
        f"{repeats}: " + ", ".join(f"{name}={value}" for name, value in threads.items())
    )
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "CHAINRULE_CACHE_DIR": folder}
        first = whole_process(1, env=env)
        sympy_import = cold_process(repeats, ["-c", "import sympy"])
        help_time = whole_process(repeats, ["--help"], env)
        warm = whole_process(repeats, env=env)
    ratio = warm / sympy_import
    print(f"  python -c 'import sympy'          {sympy_import:6.3f} s")
    print(f"  chainrule --help                  {help_time:6.3f} s")
    print(
        f"  chainrule derive, cache warm      {warm:6.3f} s  ratio to import sympy {ratio:.2f}"
        f"  (target <= 2.5: {'PASS' if ratio <= 2.5 else 'MISS'})"
    )
    print(
        f"  chainrule derive, cache empty     {first:6.3f} s  ratio {first / sympy_import:.2f}"
        "  (its first run: every step proven)"
    )


_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


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


_FAMILY_TIMER = """
import sys, time
from chainrule.symbolic.derivations.layers import FAMILIES
family = FAMILIES[sys.argv[1]]
start = time.perf_counter()
built = family.derivations().build()
seconds = time.perf_counter() - start
steps = sum(1 for d in built for _ in d.steps())
print(seconds, steps, sum(s.check.seconds for d in built for s in d.steps()))
"""


def time_families(repeats: int) -> list[tuple[str, float, int]]:
    """(name, median seconds, steps) of every layer family, each built in a fresh process."""
    from chainrule.symbolic.derivations.layers import FAMILIES

    timings = []
    for name in FAMILIES:
        runs = []
        for _ in range(repeats):
            done = subprocess.run(
                [sys.executable, "-c", _FAMILY_TIMER, name],
                check=True,
                capture_output=True,
                text=True,
            )
            seconds, steps, _ = done.stdout.split()
            runs.append(float(seconds))
        timings.append((name, statistics.median(runs), int(steps)))
    return timings


def report_families(repeats: int) -> None:
    from chainrule.symbolic.derivations.layers import FAMILIES

    timings = time_families(repeats)
    print("layer families: seconds to derive and prove, in a fresh process after import")
    for name, seconds, steps in timings:
        flag = "PASS" if seconds < 2 else "MISS"
        print(f"  {name:<10}  {seconds:6.2f} s  {flag}  ({steps} steps)")
    process = whole_process(repeats, ["derive", "--no-cache", *FAMILIES])
    print(
        f"chainrule derive --no-cache {' '.join(FAMILIES)}, whole process: {process:.2f} s  "
        f"(target < 5 s: {'PASS' if process < 5 else 'MISS'})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grid", choices=("full", "short", "none"), default="full")
    parser.add_argument("--families", choices=("all", "none"), default="all")
    parser.add_argument(
        "--only-start-up", action="store_true", help="print the start-up figures alone"
    )
    args = parser.parse_args(argv)

    report_start_up(args.repeats)
    if args.only_start_up:
        return 0

    seconds, derivations = in_process(args.repeats)
    steps = sum(1 for d in derivations for _ in d.steps())
    process = whole_process(args.repeats, ["derive", "--no-cache"])
    where, step = slowest_step(derivations)
    tiers = statistics.multimode(s.check.verdict.value for d in derivations for s in d.steps())

    print(f"reference derivations: {len(derivations)}, steps checked: {steps} (mostly {tiers[0]})")
    print(
        f"in process, after import: {seconds:.3f} s  (target < 2 s: "
        f"{'PASS' if seconds < 2 else 'MISS'})"
    )
    print(
        f"chainrule derive --no-cache, whole process: {process:.3f} s  (target < 3 s: "
        f"{'PASS' if process < 3 else 'MISS'})"
    )
    print(
        f"slowest step: [{where}] {step.text!r}: {step.check.seconds * 1000:.1f} ms, "
        f"{step.check.verdict.value} ({step.check.method})"
    )
    if args.grid != "none":
        report_pairs(args.grid)
    if args.families != "none":
        report_families(args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
