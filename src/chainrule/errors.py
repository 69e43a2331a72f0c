"""The one exception tree of chainrule.

::

    ChainruleError                     every error chainrule raises on purpose
    ├── InputError (ValueError)        bad input at a public boundary: names the parameter,
    │   │                              what was expected and what arrived
    │   ├── ParseError                 expression text refused by the safe parser
    │   ├── ShapeError                 an array of the wrong shape for its layer
    │   ├── DataError                  a data set or data file that cannot be used
    │   ├── ModelFileError             a saved model that cannot be read
    │   └── LimitError                 input too large, or work too slow, for its budget
    ├── ProofError (AssertionError)    a derivation step failed its check
    │   └── MislabelledStep            a step whose move id names another rewrite
    └── TrainingError (ArithmeticError) parameters or cost became non-finite

The CLI turns any ChainruleError into one line on standard error and exit status 2.
"""

from __future__ import annotations

__all__ = [
    "ChainruleError",
    "DataError",
    "InputError",
    "LimitError",
    "MislabelledStep",
    "ModelFileError",
    "ParseError",
    "ProofError",
    "ShapeError",
    "TrainingError",
]


class ChainruleError(Exception):
    """Base class of every error chainrule raises on purpose."""


class InputError(ChainruleError, ValueError):
    """Bad input at a public boundary."""


class ParseError(InputError):
    """Expression text that the safe parser refuses."""


class ShapeError(InputError):
    """An array whose shape does not fit its layer."""


class DataError(InputError):
    """A data set or data file that cannot be used."""


class ModelFileError(InputError):
    """A saved model file that is truncated, corrupted or foreign."""


class ProofError(ChainruleError, AssertionError):
    """A derivation step whose claim failed its check."""


class MislabelledStep(ProofError):
    """A derivation step whose move id names another rewrite than the one it made (a
    cancellation labelled "multiply out"): a bug in the script or plan that chose it."""


class TrainingError(ChainruleError, ArithmeticError):
    """Training produced non-finite parameters or cost."""


class LimitError(InputError):
    """Input too large for its bound, or symbolic work that ran past its time limit."""
