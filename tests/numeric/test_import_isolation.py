"""The numeric half stays NumPy only: importing it never imports SymPy (training starts fast),
and its public names are explicit."""

from __future__ import annotations

import subprocess
import sys

import chainrule.numeric


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_import_chainrule_numeric_does_not_import_sympy() -> None:
    result = run_python("import chainrule.numeric, sys; assert 'sympy' not in sys.modules")
    assert result.returncode == 0, result.stderr


def test_training_a_network_does_not_import_sympy_either() -> None:
    code = (
        "import sys, numpy as np\n"
        "from chainrule.numeric import Network, train, gradient_check\n"
        "net = Network([2, 3, 1], seed=0)\n"
        "X, Y = np.ones((2, 4)), np.ones((1, 4))\n"
        "train(net, X, Y, epochs=2, verbose=True)\n"
        "gradient_check(net, X, Y)\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_chainrule_data_loads_scikit_learn_only_when_a_set_is_loaded() -> None:
    result = run_python("import chainrule.data, sys; assert 'sklearn' not in sys.modules")
    assert result.returncode == 0, result.stderr


def test_public_names_are_sorted_and_importable() -> None:
    names = chainrule.numeric.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(chainrule.numeric, name) is not None
