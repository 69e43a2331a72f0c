"""Layer equations and a learner's backward function, checked against the proven gradients."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainrule.errors import InputError
from chainrule.numeric.backward_check import (
    check_backward_function,
    course_caches,
    first_wrong,
    load_backward,
    textbook_backward,
)
from chainrule.numeric.layer_equations import check_layer_equations, read_layer_equations
from chainrule.numeric.network import Network

COURSE = Path(__file__).parent / "backward" / "course_backward.py"

#: planted fault -> (the text replaced in the course's code, first wrong array, diagnosis start)
FAULTS = {
    "missing 1/m": ("dW = 1 / m * np.dot", "dW = np.dot", "dW3", "missing 1/m"),
    "extra 1/m": ("db = 1 / m *", "db = 1 / m / m *", "db3", "extra 1/m"),
    "sign": ("dAL = -(np.divide", "dAL = (np.divide", "dW3", "the sign"),
    "activation": (
        "dZ[Z <= 0] = 0",
        "dZ = dZ * (1 - np.tanh(Z) ** 2)",
        "dW2",
        "an activation derivative of the wrong function: tanh' in layer 2",
    ),
    "transposed dW": (
        "dW = 1 / m * np.dot(dZ, A_prev.T)",
        "dW = 1 / m * np.dot(A_prev, dZ.T)",
        "dW3",
        "off by a transpose",
    ),
}


def test_the_course_function_passes() -> None:
    reports = check_backward_function(load_backward(str(COURSE)))
    assert first_wrong(reports) is None
    assert all(row.relative_error < 1e-12 for rows in reports for row in rows)


@pytest.mark.parametrize("fault", FAULTS)
def test_each_planted_fault_is_caught_at_the_right_array(fault, tmp_path) -> None:
    old, new, array, diagnosis = FAULTS[fault]
    source = COURSE.read_text()
    assert old in source
    path = tmp_path / "backward.py"
    path.write_text(source.replace(old, new, 1))
    wrong = first_wrong(check_backward_function(load_backward(str(path))))
    assert wrong is not None and wrong.name == array
    assert (wrong.diagnosis or "").startswith(diagnosis), wrong.diagnosis


def test_textbook_backward_equals_the_networks_backward() -> None:
    rng = np.random.default_rng(3)
    net = Network([4, 3, 2], activation="tanh", output="sigmoid", init="xavier", seed=3)
    X, Y = rng.standard_normal((4, 5)), (rng.random((2, 5)) > 0.5).astype(float)
    AL, caches = course_caches(net, X)
    tanh = lambda Z: 1 - np.tanh(Z) ** 2  # noqa: E731
    sigmoid = lambda Z: (s := 1 / (1 + np.exp(-Z))) * (1 - s)  # noqa: E731
    plain = textbook_backward(AL, Y, caches, [tanh, sigmoid])
    proven = net.backward(Y, net.forward(X)[1])
    for name, value in plain.items():
        np.testing.assert_allclose(value, proven[name], rtol=1e-12, atol=1e-15)


def test_a_file_without_the_function_is_refused_in_one_line(tmp_path) -> None:
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n")
    with pytest.raises(InputError, match=r"expected a function L_model_backward"):
        load_backward(str(path))
    path.write_text("def L_model_backward(:\n")
    with pytest.raises(InputError, match=r"line 1: expected Python"):
        load_backward(str(path))


def test_shape_problems_are_named() -> None:
    equations, settings = read_layer_equations("network: 5,4,3 relu\ndW1 = (1/m) dZ1 X\n")
    (report,) = check_layer_equations(equations, settings)
    assert not report.ok and "cannot be evaluated" in (report.problem or "")
    assert report.diagnosis == "off by a transpose: X should be X.T"


def test_an_equation_wrong_in_two_ways_is_compared_entry_by_entry() -> None:
    equations, settings = read_layer_equations("network: 5,4,3 relu\ndW2 = -dZ2 @ A1.T\n")
    (report,) = check_layer_equations(equations, settings)
    assert not report.ok and report.diagnosis is None
    assert report.relative_error is not None and report.worst_index is not None


@pytest.mark.parametrize(
    "text, message",
    [
        ("dW1 dZ1 @ X.T\n", "line 1: expected 'dZ1 = ...'"),
        ("network: five\ndW1 = dZ1\n", "line 1: expected 'network: 5,4,3 relu'"),
        ("\n\ndW1 = dZ1 @@ X\n", "line 3: expected a NumPy expression"),
        ("# nothing\n", "line 1: expected at least one equation"),
    ],
)
def test_malformed_equation_files_get_one_line(text, message) -> None:
    with pytest.raises(InputError, match=message) as error:
        read_layer_equations(text, "eq.txt")
    assert "\n" not in str(error.value) and "eq.txt" in str(error.value)


def test_the_learners_helpers_beside_the_file_are_imported(tmp_path) -> None:
    source = COURSE.read_text()
    helpers, _, main = source.partition("def L_model_backward")
    (tmp_path / "dnn_helpers.py").write_text(helpers)
    (tmp_path / "mine.py").write_text(
        "import numpy as np\nfrom dnn_helpers import linear_backward, relu_backward, "
        "sigmoid_backward\n\n\ndef L_model_backward" + main
    )
    assert first_wrong(check_backward_function(load_backward(str(tmp_path / "mine.py")))) is None


def test_an_array_the_network_lacks_is_refused_in_one_line() -> None:
    equations, settings = read_layer_equations("network: 5,4,3 relu\n\ndZ9 = A2\n", "eq.txt")
    with pytest.raises(
        InputError, match=r"file 'eq.txt', line 3: expected an array of the 2-layer"
    ):
        check_layer_equations(equations, settings, "eq.txt")


def test_a_sum_over_the_wrong_axis_without_keepdims_is_one_mistake() -> None:
    equations, settings = read_layer_equations(
        "network: 5,4,3 relu\ndb1 = np.sum(dZ1, axis=0) / m\n"
    )
    (report,) = check_layer_equations(equations, settings)
    assert report.diagnosis == "summed over the wrong axis: axis=1, not axis=0"
