"""chainrule: backprop, derived, proven, run.

``import chainrule`` stays light: :class:`MLPClassifier` and :class:`MLPRegressor` (which
need scikit-learn) are loaded on first use, through the module's ``__getattr__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainrule.numeric.estimator import MLPClassifier
    from chainrule.numeric.regressor import MLPRegressor

__version__ = "0.1.0"
__all__ = ["MLPClassifier", "MLPRegressor", "__version__"]

#: Public names loaded on first access: name -> module that defines it.
_LAZY = {
    "MLPClassifier": "chainrule.numeric.estimator",
    "MLPRegressor": "chainrule.numeric.regressor",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
