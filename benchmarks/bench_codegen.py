"""Generated activation code against the hand-written NumPy activations.

For sigmoid, tanh, relu, leaky_relu and linear, generates forward and derivative code from
the catalogue's math (``chainrule.symbolic.catalog``, through
``chainrule.codegen.compile_activation``) and times it against the hand-written
version of ``chainrule.numeric.activations`` on a (1024, 4096) array, float32 and float64,
both writing into a preallocated buffer as the network does. Prints the ratio generated /
hand-written per case (target: at most 1.5), the best of several runs each.

    python benchmarks/bench_codegen.py [--repeats 15] [--shape 1024,4096]
"""

from __future__ import annotations

import argparse
import timeit
from functools import partial

import numpy as np

TARGET = 1.5


def expressions() -> dict[str, object]:
    """The math each built-in activation is generated from: the catalogue's entries."""
    from chainrule.symbolic import catalog

    names = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
    return {name: catalog.get_activation(name).expr for name in names}


def best_seconds(function, repeats: int) -> float:
    """The fastest of ``repeats`` single calls (after one warm-up call)."""
    function()
    return min(timeit.repeat(function, number=1, repeat=repeats))


def measure(shape: tuple[int, int], repeats: int) -> list[tuple[str, str, str, float, float]]:
    from chainrule.codegen import compile_activation
    from chainrule.numeric.activations import ACTIVATIONS

    rng = np.random.default_rng(0)
    rows = []
    for name, expr in expressions().items():
        generated = compile_activation(expr, name=name)
        hand = ACTIVATIONS[name]
        for dtype in ("float32", "float64"):
            Z = (rng.standard_normal(shape) * 3).astype(dtype)
            A = hand.forward(Z)
            out = np.empty_like(Z)
            cases = {
                "forward": (
                    partial(generated.forward, Z, out=out),
                    partial(hand.forward, Z, out=out),
                ),
                "derivative": (
                    partial(generated.derivative, Z, A, out=out),
                    partial(hand.derivative, Z, A, out=out),
                ),
            }
            for part, (mine, theirs) in cases.items():
                rows.append(
                    (name, part, dtype, best_seconds(mine, repeats), best_seconds(theirs, repeats))
                )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--shape", default="1024,4096")
    args = parser.parse_args(argv)
    shape = tuple(int(n) for n in args.shape.split(","))

    rows = measure(shape, args.repeats)  # type: ignore[arg-type]
    print(f"generated vs hand-written activations on {shape[0]}x{shape[1]} (best of "
          f"{args.repeats}; target ratio <= {TARGET})")  # fmt: skip
    print(f"{'activation':<11} {'part':<11} {'dtype':<8} {'generated':>10} {'hand':>10} "
          f"{'ratio':>6}")  # fmt: skip
    worst = 0.0
    for name, part, dtype, mine, theirs in rows:
        ratio = mine / theirs
        worst = max(worst, ratio)
        print(f"{name:<11} {part:<11} {dtype:<8} {mine * 1e3:>8.2f}ms {theirs * 1e3:>8.2f}ms "
              f"{ratio:>6.2f}")  # fmt: skip
    verdict = "within" if worst <= TARGET else "ABOVE"
    print(f"worst ratio {worst:.2f}: {verdict} the target {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
