"""Index notation made concrete: the checker of softmax claims at sizes K = 2, 3, 4.

A claim such as ``∂L/∂z_j = Σ_i ∂L/∂a_i · a_i(δ_ij - a_j)`` is written with symbols whose
names carry an index (``a_i``, ``y_j``, ``delta_ij``) and sums ``Sum(body, (i, 1, K))``. The
checker instantiates it: for each K and each value of the free indices, every sum is written
out term by term, ``a_i`` becomes ``a_2``, ``δ_ij`` becomes 1 or 0, and the claim is proven by
:func:`~chainrule.symbolic.proof.check.prove_equal` under the concrete givens

    L = -Σ_k y_k ln a_k,   a_k = e^(z_k) / Σ_m e^(z_m),   y_K = 1 - Σ_(k<K) y_k

(the last one is the given Σ_k y_k = 1 of one-hot labels). The weakest verdict over all the
instances is the claim's verdict; the first instance that fails is named.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterable, Mapping

import sympy as sp

from chainrule.symbolic.core.model import Check, Definition, Verdict
from chainrule.symbolic.proof.check import Context, prove_equal

__all__ = ["SIZES", "K", "concrete", "indexed", "softmax_context", "check_instances"]

#: The sizes K at which index-notation claims are proven.
SIZES = (2, 3, 4)
#: The number of classes, K.
K = sp.Symbol("K", integer=True, positive=True)
_INDEXED = re.compile(r"^(?P<base>[A-Za-z]+)_(?P<index>[a-z]+)$")


def indexed(base: str, index: str) -> sp.Symbol:
    """The symbol ``base_index`` (``a_i``), real; ``delta_ij`` is Kronecker's δ."""
    return sp.Symbol(f"{base}_{index}", real=True)


def _concrete_symbol(symbol: sp.Symbol, env: Mapping[str, int], size: int) -> sp.Expr:
    if symbol == K:
        return sp.Integer(size)
    match = _INDEXED.match(symbol.name)
    if match is None:
        return symbol
    base, index = match["base"], match["index"]
    if base == "delta":
        first, second = (env.get(c) for c in index)
        if first is None or second is None:
            return symbol
        return sp.Integer(int(first == second))
    if index not in env:
        return symbol
    return sp.Symbol(f"{base}_{env[index]}", real=True)


def concrete(expr: sp.Expr, env: Mapping[str, int], size: int) -> sp.Expr:
    """``expr`` at K = ``size`` with the indices of ``env`` fixed: sums written out."""
    if isinstance(expr, sp.Symbol):
        return _concrete_symbol(expr, env, size)
    if isinstance(expr, sp.Sum):
        ((variable, low, high),) = expr.limits
        first = int(concrete(low, env, size))
        last = int(concrete(high, env, size))
        terms = (
            concrete(expr.function, {**env, variable.name: v}, size) for v in range(first, last + 1)
        )
        return sp.Add(*terms)
    if not expr.args:
        return expr
    return expr.func(*(concrete(arg, env, size) for arg in expr.args))


def softmax_context(size: int, loss: sp.Symbol | None = None) -> Context:
    """The concrete givens at K = ``size``: L (when given), the softmax, y_K = 1 - Σ others."""
    z = [sp.Symbol(f"z_{k}", real=True) for k in range(1, size + 1)]
    a = [sp.Symbol(f"a_{k}", real=True) for k in range(1, size + 1)]
    y = [sp.Symbol(f"y_{k}", real=True) for k in range(1, size + 1)]
    total = sp.Add(*(sp.exp(v) for v in z))
    givens = []
    if loss is not None:
        givens.append(
            Definition(loss, -sp.Add(*(yk * sp.log(ak) for yk, ak in zip(y, a, strict=True))))
        )
    givens.extend(Definition(ak, sp.exp(zk) / total) for ak, zk in zip(a, z, strict=True))
    givens.append(Definition(y[-1], 1 - sp.Add(*y[:-1])))
    return Context(givens, unit_interval=())


def check_instances(
    before: sp.Expr,
    after: sp.Expr,
    indices: Iterable[str],
    loss: sp.Symbol | None = None,
    sizes: Iterable[int] = SIZES,
) -> Check:
    """Prove ``before = after`` at every K in ``sizes`` and every value 1..K of each index."""
    start = time.perf_counter()
    names = tuple(indices)
    verdicts, count = [], 0
    for size in sizes:
        context = softmax_context(size, loss)
        for values in itertools.product(range(1, size + 1), repeat=len(names)):
            env = dict(zip(names, values, strict=True))
            check = prove_equal(concrete(before, env, size), concrete(after, env, size), context)
            if check.verdict is Verdict.FAILED:
                where = ", ".join(f"{n} = {v}" for n, v in env.items())
                method = f"fails at K = {size}{', ' + where if where else ''}: {check.method}"
                return Check(Verdict.FAILED, method, time.perf_counter() - start)
            verdicts.append(check.verdict)
            count += 1
    weakest = max(verdicts, key=list(Verdict).index)
    tier = "exact" if weakest is Verdict.PROVED else "numeric (exact tiers inconclusive)"
    shown = ", ".join(str(s) for s in sizes)
    where = f" and every {', '.join(names)}" if names else ""
    given = ", Σ_k y_k = 1" if loss is not None else ""
    method = f"{tier}: holds at K = {shown}{where} ({count} instances{given})"
    return Check(weakest, method, time.perf_counter() - start)
