"""The output layer's dZ[L] for any activation and loss, proven entry by entry.

The wrap-up's layer equations (:mod:`chainrule.symbolic.derivations.layers.dense`) are
written for a sigmoid output with the cross-entropy, where dZ[L] = A[L] - Y. For another pair
only that equation changes (dZ[l], dW[l], db[l] and dA[l-1] do not depend on the loss), so this
derivation gives the output layer's one:

    dZ[L] = dA[L] ⊙ g'(Z[L]) = dL/da(A[L], Y) ⊙ g'(Z[L]) = result [3] written for the matrices

with every operation entry by entry (numpy's ``*``). Each line is proven in a concrete layer
of :data:`UNITS` units and :data:`EXAMPLES_SHOWN` examples with symbolic entries: every entry of
its right side is checked against m·∂J/∂Z[L] taken with ``sympy.diff`` of the cost
J = (1/m) Σ over examples and units of L(g(z), y).
"""

from __future__ import annotations

import time

import sympy as sp

from chainrule.symbolic.catalog import CatalogEntry
from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.model import Check, Derivation, Route, Verdict
from chainrule.symbolic.core.symbols import a, y, z
from chainrule.symbolic.core.trees import evaluate, group, mul, replace
from chainrule.symbolic.derivations.pair.routes import needs_narrow_domain
from chainrule.symbolic.proof.check import Context, prove_equal

__all__ = ["EXAMPLES_SHOWN", "UNITS", "check_output_equation", "output_layer"]

#: The output layer the equations are proven in: n[L] units by m examples.
UNITS, EXAMPLES_SHOWN = 1, 2
_SHAPE = (
    sp.Symbol("n^{[L]}", positive=True, integer=True),
    sp.Symbol("m", positive=True, integer=True),
)

A_L = sp.Symbol("A^{[L]}", real=True)
Y = sp.Symbol("Y", real=True)
Z_L = sp.Symbol("Z^{[L]}", real=True)
dZ_L = sp.Symbol("dZ^{[L]}", real=True)
dA_L = sp.Symbol("dA^{[L]}", real=True)
G_PRIME = sp.Symbol("g'^{[L]}(Z^{[L]})", real=True)


def as_matrices(expr: sp.Expr) -> sp.Expr:
    """``expr`` in a, y, z written for the layer's matrices A[L], Y, Z[L] (structure kept)."""
    names = {a: A_L, y: Y, z: Z_L}
    return replace(expr, lambda node: names.get(node))


def check_output_equation(
    formula: sp.Expr,
    activation: CatalogEntry,
    loss: CatalogEntry,
    units: int = UNITS,
    examples: int = EXAMPLES_SHOWN,
) -> Check:
    """Check ``dZ[L] = formula`` entry by entry in a (units, examples) layer.

    ``formula`` uses A[L], Y, Z[L] and may use dA[L] (bound to m·∂J/∂A[L]) and g'(Z[L]) (bound
    to sympy.diff of g); each entry is compared with m·∂J/∂Z[L] by the step checker, and the
    weakest verdict over the entries is returned (FAILED naming the first entry that differs).
    """
    start = time.perf_counter()
    Zs = sp.Matrix(units, examples, lambda i, j: sp.Symbol(f"z_{i + 1}{j + 1}", real=True))
    Ys = sp.Matrix(units, examples, lambda i, j: sp.Symbol(f"y_{i + 1}{j + 1}", real=True))
    t = sp.Dummy("t", real=True)
    g = activation.expr.xreplace({z: t})
    cost = (
        sum(
            (
                loss.expr.xreplace({a: g.xreplace({t: zz}), y: yy})
                for zz, yy in zip(Zs, Ys, strict=True)
            ),
            sp.S.Zero,
        )
        / examples
    )
    narrow = needs_narrow_domain(activation, loss)
    context = Context(unit_interval=tuple(Zs) if narrow else ())
    verdicts: list[Verdict] = []
    proven: dict = {}
    for k, (zz, yy) in enumerate(zip(Zs, Ys, strict=True)):
        direct = examples * sp.diff(cost, zz)
        bound = _bind(formula, activation, loss, zz, yy)
        check = _entry_check(bound, direct, (zz, yy), proven, context)
        if check.verdict is Verdict.FAILED:
            i, j = divmod(k, examples)
            method = f"entry ({i + 1}, {j + 1}) differs from m·∂J/∂Z[L]: {check.method}"
            return Check(Verdict.FAILED, method, time.perf_counter() - start)
        verdicts.append(check.verdict)
    weakest = max(verdicts, key=list(Verdict).index)
    tier = "exact" if weakest is Verdict.PROVED else "numeric (exact tiers inconclusive)"
    method = (
        f"{tier}: every entry equals m·∂J/∂Z[L] ({units * examples} entries) in a layer of "
        f"{_layer_size(units, examples)}, J = (1/m) Σ L(g(z), y), by sympy.diff"
    )
    return Check(weakest, method, time.perf_counter() - start)


def _entry_check(bound, direct, symbols, proven: dict, context: Context) -> Check:
    """Prove one entry, or reuse the first entry's proof where this entry's claim is the same
    claim written with its own symbols (z_12, y_12 for z_11, y_11)."""
    if proven:
        ((first_symbols, (first_bound, first_direct, check)),) = proven.items()
        renaming = dict(zip(symbols, first_symbols, strict=True))
        if (bound.xreplace(renaming), direct.xreplace(renaming)) == (first_bound, first_direct):
            return check
    check = prove_equal(bound, direct, context)
    if not proven:
        proven[symbols] = (bound, direct, check)
    return check


def _bind(formula, activation, loss, zz, yy) -> sp.Expr:
    """``formula`` at one entry: A = g(z), Y = y, Z = z, dA = dL/da, g' = dg/dz there."""
    a_value = evaluate(activation.expr.xreplace({z: zz}))
    slope = sp.diff(activation.expr, z).xreplace({z: zz})
    dl_da = sp.diff(loss.expr, a).xreplace({a: a_value, y: yy})
    names = {A_L: a_value, Y: yy, Z_L: zz, dA_L: dl_da, G_PRIME: slope}
    return evaluate(formula).xreplace(names)


def output_layer(
    activation: CatalogEntry,
    loss: CatalogEntry,
    dz_result: sp.Expr,
    pair: str,
    notes: tuple[str, ...] = (),
) -> Derivation:
    """The derivation "layers" of a pair: dZ[L] = dA[L] ⊙ g'(Z[L]) = result [3] per entry."""
    route = RouteBuilder("chain rule", Context())
    dA = sp.MatrixSymbol(dA_L.name, *_SHAPE)
    g_prime = sp.MatrixSymbol(G_PRIME.name, *_SHAPE)
    lines = [
        (
            sp.HadamardProduct(dA, g_prime),
            mul(dA_L, G_PRIME),
            "chain_rule",
            "Backward, output layer: the chain rule dL/dZ[L] = dL/dA[L] · dA[L]/dZ[L]; g acts "
            "entry by entry, so dA[L]/dZ[L] is diagonal and the product is element-wise (⊙, "
            "numpy's *). dZ[L] and dA[L] are per-example derivatives, m·∂J/∂Z[L] and m·∂J/∂A[L].",
        ),
        (
            as_matrices(dz_result),
            None,
            "output_error",
            "substitute result [3], dL/dz, at every entry of A[L], Y and Z[L]: the output "
            "layer's dZ[L] in its simplest form",
        ),
    ]
    check = None
    for shown, scalar, move, text in lines:
        if route.steps and evaluate(shown) == evaluate(route.current):
            continue
        check = check_output_equation(shown if scalar is None else scalar, activation, loss)
        route.record(dZ_L, shown, move, text, check)
    chain: Route = route.route()
    proof = (
        f"Proof: each line is instantiated in an output layer of {_layer_size()} with "
        "symbolic entries; every entry of its right side is "
        "compared with m·∂J/∂Z[L], J = (1/m) Σ L(g(z), y), taken with sympy.diff."
    )
    others = (
        "The other layer equations (dZ[l] = dA[l] ⊙ g'(Z[l]), dW[l] = (1/m) dZ[l] A[l-1]ᵀ, "
        "db[l] = (1/m) Σ dZ[l], dA[l-1] = W[l]ᵀ dZ[l]) do not depend on the loss: see the "
        "wrap-up (chainrule derive layers)."
    )
    return Derivation(
        id="layers",
        title=f"Wrap-up — the output layer dZ[L] for {pair}",
        goal=dZ_L,
        givens=(),
        routes=(chain,),
        result=chain.result,
        routes_agree=True,
        oracle=check,
        notes=tuple(
            dict.fromkeys((*notes, "⊙ and every function act entry by entry", others, proof))
        ),
    )


def _layer_size(units: int = UNITS, examples: int = EXAMPLES_SHOWN) -> str:
    plural = "" if units == 1 else "s"
    return f"{units} unit{plural} and {examples} examples"


def _grouped(expr: sp.Expr) -> sp.Expr:
    return group(expr) if isinstance(expr, sp.Add) else expr
