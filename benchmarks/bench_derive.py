"""How long chainrule takes to derive and prove every reference derivation.

Prints two figures: all reference derivations, every step checked, in process after import
(target: under 2 s), and ``chainrule derive`` as a whole process, start-up included (target:
under 3 s); then the slowest step with the checker tier that settled it.

    python benchmarks/bench_derive.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def in_process(repeats: int) -> tuple[float, list]:
    """Median seconds to build every reference derivation, and the last set built."""
    from chainrule.symbolic.reference import reference_derivations

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
