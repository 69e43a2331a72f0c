"""Small derivations and expressions built by hand, so the renderers are tested apart from
the engine.

- ``sigmoid``: [2] steps 1-5, one route, a continuation (same lhs) and a stored power,
- ``cost``: [1] with the d(ln x)/dx side proof as a sub-derivation of step 3,
- ``bias``: [6] with two routes and one step checked numerically.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Check, Definition, Derivation, Route, Step, Verdict
from chainrule.symbolic.core.symbols import L, a, b, sigma, w, x, y, z

PROVED = Check(Verdict.PROVED, "exact: cancel", 0.01)
NUMERIC = Check(Verdict.CHECKED_NUMERICALLY, "numeric: 50 digits at 6 points", 0.2)
ORACLE = Check(Verdict.PROVED, "exact: result - diff(goal) == 0", 0.05)
GIVENS = (Definition(a, sigma(z)), Definition(z, w * x + b))

u = sp.Symbol("u", real=True)
xp = sp.Symbol("x", positive=True)


def mul(*args):
    return sp.Mul(*args, evaluate=False)


def add(*args):
    return sp.Add(*args, evaluate=False)


def frac(num, den):
    return mul(num, sp.Pow(den, -1, evaluate=False))


def step(lhs, after, move, text, check=PROVED, before=None, subs=()):
    return Step(lhs, after if before is None else before, after, move, text, check, tuple(subs))


DENOM = add(1, sp.exp(-z))
LOGISTIC = sp.Pow(DENOM, -1, evaluate=False)
AS_POWER = sp.Pow(DENOM, sp.UnevaluatedExpr(-1), evaluate=False)
OUTER_INNER = mul(-1, sp.Pow(DENOM, sp.UnevaluatedExpr(-2), evaluate=False), mul(-1, sp.exp(-z)))
ONE_FRACTION = frac(sp.exp(-z), sp.Pow(DENOM, 2, evaluate=False))
TWO_FRACTIONS = mul(sp.UnevaluatedExpr(frac(1, DENOM)), sp.UnevaluatedExpr(frac(sp.exp(-z), DENOM)))

COST = mul(-1, add(mul(y, sp.log(a)), mul(add(1, -y), sp.log(add(1, -a)))))
LEFT = mul(-1, y, sp.log(a))
RIGHT = mul(-1, add(1, -y), sp.log(add(1, -a)))
DISTRIBUTED = add(LEFT, RIGHT)
RIGHT_CHAIN = mul(-1, add(1, -y), frac(1, add(1, -a)), -1)
RIGHT_RESULT = frac(add(1, -y), add(1, -a))
COST_RESULT = add(frac(mul(-1, y), a), RIGHT_RESULT)


def sigmoid() -> Derivation:
    steps = (
        step(sigma(z), LOGISTIC, "given", "logistic function"),
        step(sigma(z), AS_POWER, "as_power", "rewrite as a power, ready for the chain rule"),
        step(
            sp.Derivative(sigma(z), z),
            OUTER_INNER,
            "chain_rule",
            "chain rule: outer derivative × inner derivative",
        ),
        step(sp.Derivative(sigma(z), z), ONE_FRACTION, "multiply_out", "tidy into one fraction"),
        step(
            sp.Derivative(sigma(z), z),
            TWO_FRACTIONS,
            "split",
            "split into a product of two fractions",
        ),
    )
    route = Route("chain rule", steps, TWO_FRACTIONS)
    return Derivation(
        "2",
        "dσ/dz: the derivative of the sigmoid",
        sp.Derivative(sigma(z), z),
        GIVENS,
        (route,),
        TWO_FRACTIONS,
        True,
        ORACLE,
        ("σ is smooth everywhere",),
    )


def log_side_proof() -> Derivation:
    du_dx = sp.Derivative(u, xp)
    steps = (
        step(u, sp.log(xp), "given", "let u = ln x"),
        step(sp.exp(u), xp, "exponentiate", "so e^u = x"),
        step(mul(sp.exp(u), du_dx), sp.S.One, "implicit", "differentiate both sides"),
        step(du_dx, frac(1, sp.exp(u)), "divide", "divide both sides by e^u"),
        step(du_dx, frac(1, xp), "fold", "e^u = x"),
    )
    route = Route("direct", steps, 1 / xp)
    return Derivation(
        "ln",
        "Side proof: d(ln x)/dx = 1/x",
        sp.Derivative(sp.log(xp), xp),
        (Definition(u, sp.log(xp)),),
        (route,),
        1 / xp,
        True,
        ORACLE,
        ("x > 0",),
    )


def cost() -> Derivation:
    steps = (
        step(L, COST, "given", "cost function"),
        step(L, DISTRIBUTED, "distribute_minus", "distribute the minus sign"),
        step(
            sp.Derivative(LEFT, a),
            frac(mul(-1, y), a),
            "log_rule",
            "derivative of the left term: d ln u/du = 1/u",
            subs=[log_side_proof()],
        ),
        step(
            sp.Derivative(RIGHT, a),
            RIGHT_CHAIN,
            "chain_rule",
            "chain rule on ln(1-a): outer 1/(1-a), inner d(1-a)/da = -1",
        ),
        step(sp.Derivative(RIGHT, a), RIGHT_RESULT, "multiply_out", "simplify"),
        step(sp.Derivative(L, a), COST_RESULT, "sum_rule", "final result"),
    )
    route = Route("direct", steps, COST_RESULT)
    return Derivation(
        "1",
        "dL/da: the derivative of the cost with respect to the activation",
        sp.Derivative(L, a),
        GIVENS,
        (route,),
        COST_RESULT,
        True,
        ORACLE,
        ("0 < a < 1, so both logarithms are defined",),
    )


def bias() -> Derivation:
    linear = add(mul(w, x), b)
    dz = add(a, -y)
    chain = Route(
        "chain rule",
        (
            step(
                sp.Derivative(L, b),
                mul(sp.Derivative(L, z), sp.Derivative(z, b)),
                "chain_rule",
                "chain rule",
            ),
            step(sp.Derivative(L, b), mul(sp.UnevaluatedExpr(dz), 1), "substitute", "dz/db = 1"),
            step(sp.Derivative(L, b), dz, "multiply_out", "multiply by 1"),
        ),
        dz,
    )
    exp_linear = sp.exp(linear, evaluate=False)
    cost_of_z = mul(-1, add(mul(y, sp.UnevaluatedExpr(linear)), -sp.log(add(1, exp_linear))))
    fraction = frac(exp_linear, add(1, exp_linear))
    direct = Route(
        "direct",
        (
            step(L, cost_of_z, "given", "note z = wx + b, parenthesised"),
            step(
                sp.Derivative(L, b),
                mul(-1, add(y, mul(-1, fraction))),
                "differentiate",
                "d(wx)/db = 0, db/db = 1; the inner derivative of e^(wx+b) is e^(wx+b)",
                check=NUMERIC,
            ),
            step(sp.Derivative(L, b), dz, "fold_sigma", "the fraction is σ(z) = a; 100% sure"),
        ),
        dz,
    )
    return Derivation(
        "6",
        "dL/db: two ways, by the chain rule & by direct computation",
        sp.Derivative(L, b),
        GIVENS,
        (chain, direct),
        dz,
        True,
        None,
        ("db = dz",),
    )
