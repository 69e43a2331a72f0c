"""scikit-learn's own estimator test suite, run on chainrule's MLPClassifier.

``parametrize_with_checks`` yields every check that scikit-learn applies to its own
classifiers (cloning, parameters, input validation, fitting, pickling, predictions on
subsets, partial_fit, ...). Checks that must be marked as expected failures go in
:data:`EXPECTED_FAILED_CHECKS` with the reason; at present there are none. The parameter
validation check, which scikit-learn runs only on its own estimators, is run here as well.
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from chainrule.numeric.estimator import MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

#: ``{check_name: reason}`` for the checks this estimator is known to fail.
EXPECTED_FAILED_CHECKS: dict[str, str] = {}


def small_model() -> MLPClassifier:
    """Few epochs and units, a brisker learning rate: the whole suite runs in seconds."""
    return MLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.01, max_iter=50)


@parametrize_with_checks(
    [small_model()], expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS
)
def test_scikit_learn_estimator_checks(estimator, check) -> None:
    check(estimator)


def test_scikit_learn_parameter_validation() -> None:
    check_param_validation("MLPClassifier", small_model())
