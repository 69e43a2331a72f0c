"""One entry per activation and loss: every table that lists them reads chainrule.facts, and a
table that disagrees with it fails here."""

import numpy as np
import pytest
import sympy as sp

from chainrule.facts import ACTIVATION_FACTS, LOSS_FACTS, OUTPUT_FACTS, kernel_names
from chainrule.numeric import activations as numeric
from chainrule.numeric import estimator
from chainrule.symbolic import catalog
from chainrule.symbolic.core.symbols import a, sigma, z
from chainrule.symbolic.proof import matrix

POINTS = np.array([[-2.5, -0.7, -1e-3, 1e-3, 0.4, 3.0]])


def as_numpy(expr):
    return sp.lambdify(z, expr.rewrite(sigma, sp.exp), "numpy")


def disagreements(symbolic, layer_table, numeric_table, sklearn_names) -> list[str]:
    """Every way the four tables differ from the facts (empty when they agree)."""
    found = []
    for kind, facts, entries in (
        ("activation", ACTIVATION_FACTS, symbolic.ACTIVATIONS),
        ("loss", LOSS_FACTS, symbolic.LOSSES),
    ):
        if list(entries) != list(facts):
            found.append(f"symbolic {kind}s {list(entries)} != facts {list(facts)}")
        for name in set(facts) & set(entries):
            fact, entry = facts[name], entries[name]
            for field in ("title", "text", "description", "aliases", "unit_interval"):
                if getattr(fact, field) != getattr(entry, field):
                    found.append(f"{name}: symbolic {field} differs from the facts")
    t = sp.Symbol("t")
    for name, g in layer_table.items():
        if name not in ACTIVATION_FACTS or g(t) != symbolic.ACTIVATIONS[name].expr.subs(z, t):
            found.append(f"matrix checker's {name} is not the catalogue's")
    if set(numeric_table) != set(kernel_names()):
        found.append(f"numeric built-ins {sorted(numeric_table)} != kernels {kernel_names()}")
    expected = {f.sklearn_name or f.name: f.name for f in ACTIVATION_FACTS.values() if f.kernel}
    expected |= {name: name for name in kernel_names()}
    if sklearn_names != expected:
        found.append(f"estimator names {sklearn_names} != {expected}")
    return found


def test_every_table_agrees_with_the_facts():
    tables = (catalog, matrix.ACTIVATIONS, numeric.ACTIVATIONS, estimator.ACTIVATION_NAMES)
    assert disagreements(*tables) == []


def test_a_table_that_disagrees_is_caught():
    t = sp.Symbol("t")
    wrong_layer = {**matrix.ACTIVATIONS, "tanh": lambda u: sp.tanh(2 * u)}
    missing = {k: v for k, v in numeric.ACTIVATIONS.items() if k != "relu"}
    extra = {**estimator.ACTIVATION_NAMES, "softsign": "softsign"}
    assert sp.tanh(2 * t) != sp.tanh(t)
    assert disagreements(catalog, wrong_layer, numeric.ACTIVATIONS, estimator.ACTIVATION_NAMES)
    assert disagreements(catalog, matrix.ACTIVATIONS, missing, estimator.ACTIVATION_NAMES)
    assert disagreements(catalog, matrix.ACTIVATIONS, numeric.ACTIVATIONS, extra)


@pytest.mark.parametrize("name", sorted(kernel_names()))
def test_each_kernel_computes_its_catalogue_formula(name):
    entry, built_in = catalog.ACTIVATIONS[name], numeric.ACTIVATIONS[name]
    A = built_in.forward_into(POINTS, np.empty_like(POINTS))
    np.testing.assert_allclose(A, as_numpy(entry.expr)(POINTS), rtol=1e-12, atol=1e-15)
    slope = as_numpy(sp.diff(entry.expr, z))(POINTS) * np.ones_like(POINTS)
    D = built_in.derivative_into(POINTS, A, np.empty_like(POINTS))
    np.testing.assert_allclose(D, slope, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "name", [n for n, f in ACTIVATION_FACTS.items() if f.kink_slope is not None]
)
def test_the_kink_convention_is_one_value_everywhere(name):
    facts, entry = ACTIVATION_FACTS[name], catalog.ACTIVATIONS[name]
    at_kink = entry.derivative_form.subs({z: 0, a: entry.expr.subs(z, 0)})
    assert float(at_kink) == facts.kink_slope
    if facts.kernel is not None:
        zero = np.zeros((1, 1))
        built_in = numeric.ACTIVATIONS[name]
        A = built_in.forward_into(zero, np.empty_like(zero))
        assert built_in.derivative_into(zero, A, np.empty_like(zero))[0, 0] == facts.kink_slope


def test_each_form_in_a_is_the_derivative():
    for name, entry in catalog.ACTIVATIONS.items():
        if entry.derivative_form is None:
            continue
        form = entry.derivative_form.subs(a, entry.expr)
        points = POINTS if name not in ("relu", "leaky_relu", "elu") else POINTS[:, [0, 1, 4, 5]]
        np.testing.assert_allclose(
            as_numpy(form)(points) * np.ones_like(points),
            as_numpy(sp.diff(entry.expr, z))(points) * np.ones_like(points),
            rtol=1e-12,
            err_msg=name,
        )


def test_the_output_pairing_reads_its_facts():
    assert catalog.SOFTMAX_CROSS_ENTROPY.name == OUTPUT_FACTS.name
    assert catalog.SOFTMAX_CROSS_ENTROPY.aliases == OUTPUT_FACTS.aliases
