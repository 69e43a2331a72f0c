"""The numeric half of chainrule: NumPy networks that run the derived layer equations.

NumPy only; importing this package never imports SymPy, so training starts fast.

- :mod:`chainrule.numeric.reference`: the course's network written plainly, one line per
  equation (read it first; the tests hold :class:`Network` to it).
- :class:`Network`: forward and backward propagation, cost, predictions, a fused training step;
  any activation spelling (one per hidden layer if wanted) and any loss, through
  :mod:`chainrule.numeric.resolve`.
- :data:`ACTIVATIONS`, :class:`Activation`: hidden activations with their derivatives.
- :data:`OUTPUTS`, :class:`Output`: output layers with their losses (dZ[L] = A[L] - Y).
- :data:`INITIALIZERS`: zeros, random (x0.01), xavier, he.
- :func:`train`: full-batch and mini-batch gradient descent, cost history, progress bar.
- :func:`gradient_check`: backward propagation against central differences.
- :mod:`chainrule.numeric.layers`: batch-first layers (dense, convolution, pooling, batch
  norm, ...) and the :class:`~chainrule.numeric.layers.Model` that stacks them; trained by
  the same :func:`train`.
"""

from chainrule.numeric.activations import (
    ACTIVATIONS,
    Activation,
    get_activation,
    make_leaky_relu,
)
from chainrule.numeric.early_stopping import EarlyStopping
from chainrule.numeric.gradcheck import (
    GradientCheckReport,
    GradientCheckRow,
    gradient_check,
    numeric_gradient,
    relative_error,
)
from chainrule.numeric.init import INITIALIZERS, initialize_parameters
from chainrule.numeric.losses import OUTPUTS, Output, get_output
from chainrule.numeric.network import Network
from chainrule.numeric.optimizers import (
    Adam,
    GradientDescent,
    InverseTimeDecay,
    Momentum,
    Optimizer,
    StepDecay,
)
from chainrule.numeric.training import TrainingHistory, train

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Adam",
    "EarlyStopping",
    "GradientCheckReport",
    "GradientCheckRow",
    "GradientDescent",
    "INITIALIZERS",
    "InverseTimeDecay",
    "Momentum",
    "Network",
    "OUTPUTS",
    "Optimizer",
    "Output",
    "StepDecay",
    "TrainingHistory",
    "get_activation",
    "get_output",
    "gradient_check",
    "initialize_parameters",
    "make_leaky_relu",
    "numeric_gradient",
    "relative_error",
    "train",
]
