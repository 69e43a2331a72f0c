"""The PyTorch printer of exported code: the NumPy kernel printer's choices, in torch.

:class:`TorchPrinter` prints what :class:`~chainrule.codegen.printer.KernelPrinter` prints,
with torch's names (``torch.sub``, ``torch.clamp``, ``torch.sigmoid``), in two ways:

- ``Into(e)``: e written into the buffer ``out`` along its heaviest chain, every operation a
  torch call with ``out=out``, and the other operands of a sum or product added or multiplied
  into it one at a time, so that a chain allocates nothing but ``out`` (on the CPU a fresh
  (4096, 4096) tensor costs about as much as an operation on it);
- a plain expression (``1 - a**2``): what the readable functions of an export and the double
  backward (``create_graph=True``, where ``out=`` cannot be differentiated) use.

Constants are Python floats, so float32 stays float32. σ is ``torch.sigmoid``, softplus the
helper ``_softplus`` (``torch.logaddexp(x, 0)``: torch's own softplus returns x above a
threshold, 20 by default, which is 2e-9 off there), the Heaviside step the helper ``_step`` in
the dtype of its argument (the helpers' names start with _, so they never meet an export's).
"""

from __future__ import annotations

import sympy as sp

from chainrule.codegen.printer import KernelPrinter, _heaviest, _is_reciprocal
from chainrule.codegen.stable import Step, softplus
from chainrule.symbolic.core.symbols import sigma

__all__ = ["TORCH_HELPERS", "TorchPrinter", "fused_backward"]

#: Helper functions the printed code may call, as source text.
TORCH_HELPERS = {
    "softplus": '''def _softplus(x, out=None):
    """ln(1 + e^x) as logaddexp(x, 0): exact to rounding and finite for every finite x."""
    return torch.logaddexp(x, x.new_zeros(()), out=out)
''',
    "step": '''def _step(x, at_zero, out=None):
    """Heaviside step in the dtype of x: 1 where x > 0, 0 where x < 0, at_zero at x = 0."""
    compare = torch.ge if at_zero else torch.gt
    return compare(x, 0).to(x.dtype) if out is None else compare(x, 0, out=out)
''',
    "assign": '''def _assign(out, value):
    """out[...] = value (a tensor or a number), returning out."""
    return out.copy_(value) if isinstance(value, torch.Tensor) else out.fill_(value)
''',
}

#: NumPy's names of the operations the kernel printer writes into ``out``, in torch.
_TORCH_NAMES = {
    "add": "add",
    "subtract": "sub",
    "multiply": "mul",
    "divide": "div",
    "negative": "neg",
    "absolute": "abs",
    "power": "pow",
}

#: Functions of one argument printed as torch functions (SymPy name -> torch name).
_FUNCTIONS = {
    name: f"torch.{name}"
    for name in (
        "exp expm1 log log1p log2 log10 sqrt sin cos tan asin acos atan sinh cosh tanh "
        "asinh acosh atanh erf erfc floor sign"
    ).split()
}
_FUNCTIONS.update({"ceiling": "torch.ceil", "loggamma": "torch.lgamma", "atan2": "torch.atan2"})


_ALPHA = sp.Wild("alpha", properties=[lambda e: e.is_number and e.is_positive])
_SLOPE = sp.Wild("slope", properties=[lambda e: e.is_number and 0 <= e < 1])
_A = sp.Symbol("a")

#: da/dz forms in the output a that torch computes, times grad, in one fused kernel of its
#: own (the kernels its sigmoid, tanh, relu, leaky_relu and elu run backward). Each is the
#: very expression, so the backward is still the proven one; the tests hold the kernel and
#: the plain expression equal.
_FUSED = (
    (_A * (1 - _A), "torch.ops.aten.sigmoid_backward(grad, a)"),
    (1 - _A**2, "torch.ops.aten.tanh_backward(grad, a)"),
    (Step(_A, 0), "torch.ops.aten.threshold_backward(grad, a, 0)"),
    (_SLOPE + (1 - _SLOPE) * Step(_A, 0),
     "torch.ops.aten.leaky_relu_backward(grad, a, {slope}, True)"),
    (sp.Min(1, _A + 1), "torch.ops.aten.elu_backward(grad, 1, 1, 1, True, a)"),
    (sp.Piecewise((1, _A > 0), (_A + _ALPHA, True)),
     "torch.ops.aten.elu_backward(grad, {alpha}, 1, 1, True, a)"),
)  # fmt: skip


def fused_backward(derivative: sp.Expr, a: sp.Symbol) -> str | None:
    """The call of torch's fused kernel that computes grad * ``derivative`` (a function of
    the output ``a``), or None when torch has none."""
    derivative = sp.expand(derivative.xreplace({a: _A}))  # as evaluated SymPy builds it
    for form, call in _FUSED:
        found = sp.expand(derivative).match(sp.expand(form))
        if found is not None:
            return call.format(**{wild.name: repr(float(value)) for wild, value in found.items()})
    return None


class TorchPrinter(KernelPrinter):
    """torch code for a kernel or a plain expression; see the module docstring."""

    _module = "torch"

    #: The line that allocates a buffer ``name`` like the tensor ``like``.
    buffer_line = "{name} = torch.empty_like({like})"

    def __init__(self) -> None:
        super().__init__()
        self.known_functions = dict(_FUNCTIONS)  # torch's names only, never math's
        #: The buffer that ``Into(e)`` writes into.
        self.target = "out"

    # ----------------------------------------------------------------- plain expressions
    def _print_Pow(self, expr, rational=False) -> str:
        if expr.exp == sp.S.Half:
            return f"torch.sqrt({self._print(expr.base)})"
        if expr.exp == -sp.S.Half:
            return f"torch.rsqrt({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)

    def _nested(self, ufunc: str, args) -> str:
        numbers = [arg for arg in args if arg.is_number]
        tensors = [arg for arg in args if not arg.is_number]
        name = "maximum" if ufunc == "maximum" else "minimum"
        text = self._print(tensors[0])
        for arg in tensors[1:]:
            text = f"torch.{name}({text}, {self._print(arg)})"
        if numbers:
            bound = "min" if name == "maximum" else "max"
            limit = sp.Max(*numbers) if name == "maximum" else sp.Min(*numbers)
            text = f"torch.clamp({text}, {bound}={self._print(limit)})"
        return text

    def _print_sigma(self, expr) -> str:
        return f"torch.sigmoid({self._print(expr.args[0])})"

    def _print_softplus(self, expr) -> str:
        self.helpers.add("softplus")
        return f"_softplus({self._print(expr.args[0])})"

    def _print_Step(self, expr) -> str:
        self.helpers.add("step")
        return f"_step({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Heaviside(self, expr) -> str:
        return self._print(Step(expr.args[0], expr.args[1] if len(expr.args) > 1 else 0))

    def _print_Abs(self, expr) -> str:
        return f"torch.abs({self._print(expr.args[0])})"

    def _print_erf(self, expr) -> str:
        return f"torch.erf({self._print(expr.args[0])})"

    def _print_erfc(self, expr) -> str:
        return f"torch.erfc({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr) -> str:
        pieces = list(expr.args)
        text = 'float("nan")' if pieces[-1].cond != sp.true else self._print(pieces.pop().expr)
        for piece in reversed(pieces):
            text = f"torch.where({self._print(piece.cond)}, {self._print(piece.expr)}, {text})"
        return text

    def _print_Relational(self, expr) -> str:
        return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

    def _print_And(self, expr) -> str:
        return self._logical("logical_and", expr.args)

    def _print_Or(self, expr) -> str:
        return self._logical("logical_or", expr.args)

    def _print_Not(self, expr) -> str:
        return f"torch.logical_not({self._print(expr.args[0])})"

    def _logical(self, name: str, args) -> str:
        text = self._print(args[0])
        for arg in args[1:]:
            text = f"torch.{name}({text}, {self._print(arg)})"
        return text

    # ----------------------------------------------------------------- into ``out``
    def _assign(self, value: str) -> str:
        self.helpers.add("assign")
        return f"_assign({self.target}, {value})"

    def _ufunc(self, name: str, *args: str) -> str:  # type: ignore[override]
        return f"torch.{_TORCH_NAMES.get(name, name)}({', '.join(args)}, out={self.target})"

    def _into(self, expr: sp.Expr) -> str:
        if isinstance(expr, sigma):
            return self._ufunc("sigmoid", self._spine(expr.args[0]))
        if isinstance(expr, softplus):
            self.helpers.add("softplus")
            return f"_softplus({self._spine(expr.args[0])}, out={self.target})"
        if isinstance(expr, Step):
            self.helpers.add("step")
            at_zero = self._print(expr.args[1])
            return f"_step({self._spine(expr.args[0])}, {at_zero}, out={self.target})"
        if isinstance(expr, (sp.Max, sp.Min)) and len(expr.args) == 2:
            args = list(expr.args)
            spine = args.pop(_heaviest(args))
            if args[0].is_number:
                bound = "min" if isinstance(expr, sp.Max) else "max"
                limit = f"{bound}={self._print(args[0])}"
                return self._ufunc("clamp", self._spine(spine), limit)
            name = "maximum" if isinstance(expr, sp.Max) else "minimum"
            return self._ufunc(name, self._spine(spine), self._print(args[0]))
        if isinstance(expr, sp.Piecewise) and expr.args[-1].cond == sp.true:
            return self._into_selection(expr)
        return super()._into(expr)

    def _into_selection(self, expr: sp.Piecewise) -> str:
        """torch.where into ``out``; where one branch is a number (where's ``out=`` takes
        tensors only), the other branch into ``out`` and the number filled in where it is
        chosen."""
        (first, condition), rest = expr.args[0], expr.args[1:]
        otherwise = rest[0].expr if len(rest) == 1 else sp.Piecewise(*rest)
        if not (first.is_number or otherwise.is_number):
            shown = [self._print(part) for part in (condition, first, otherwise)]
            return self._ufunc("where", *shown)
        if first.is_number:
            number, kept, where = first, otherwise, condition
        else:
            number, kept, where = otherwise, first, sp.Not(condition)
        into = self._assign(self._print(kept)) if kept.is_Atom else self._into(kept)
        return f"{into}.masked_fill_({self._print(where)}, {self._print(number)})"

    def _into_sum(self, terms: list[sp.Expr]) -> str:
        """The heaviest term into ``out``, then the others added or subtracted one by one."""
        terms = [part for term in terms for part in sp.Add.make_args(term)]  # cse nests sums
        spine = terms.pop(_heaviest(terms))
        constant = sp.Add(*[term for term in terms if term.is_number])
        others = [term for term in terms if not term.is_number]
        fused = self._multiply_add(spine, others)
        if fused is not None:  # term + c·f·g in one pass
            text = fused
        elif spine.could_extract_minus_sign():  # -spine into out, then (another term) - it
            if constant != 0 or not others:
                minuend, constant = constant, sp.S.Zero
            else:
                minuend = others.pop(0)
            text = self._ufunc("subtract", self._print(minuend), self._spine(-spine))
        else:
            text = self._spine(spine)
        for term in [*others, *([constant] if constant != 0 else [])]:
            if term.could_extract_minus_sign():
                text = self._ufunc("subtract", text, self._print(-term))
            else:
                text = self._ufunc("add", text, self._print(term))
        return text

    def _multiply_add(self, spine: sp.Expr, others: list[sp.Expr]) -> str | None:
        """``torch.addcmul(t, f, g, value=c)`` = t + c·f·g, f written into ``out`` first, when
        the heaviest term is a product c·f·g and another term t is a tensor (t is then taken
        from ``others``); else None."""
        if not (isinstance(spine, sp.Mul) and others):
            return None
        coefficient, product = spine.as_coeff_Mul()
        factors = _flat_factors(product)
        if len(factors) < 2 or any(_is_reciprocal(factor) for factor in factors):
            return None
        last = factors.pop(min(range(len(factors)), key=lambda k: sp.count_ops(factors[k])))
        addend = self._print(others.pop(0))
        scaled = "" if coefficient == 1 else f", value={self._print(coefficient)}"
        first = self._spine(sp.Mul(*factors))
        return f"torch.addcmul({addend}, {first}, {self._print(last)}{scaled}, out={self.target})"

    def _into_product(self, expr: sp.Mul) -> str:
        """The heaviest factor into ``out``, then the others multiplied (or divided) into it
        one by one, the numbers as one constant."""
        factors = _flat_factors(expr)
        constant = sp.Mul(*[factor for factor in factors if factor.is_number])
        factors = [factor for factor in factors if not factor.is_number]
        if not factors:
            return self._assign(self._print(constant))
        spine = factors.pop(_heaviest(factors))
        above = [f for f in factors if not _is_reciprocal(f)]
        below = [1 / f for f in factors if _is_reciprocal(f)]
        if _is_reciprocal(spine):  # the denominator into out, then (a factor) / it
            if above:
                dividend = above.pop(0)
            else:
                dividend, constant = constant, sp.S.One
            text = self._ufunc("divide", self._print(dividend), self._spine(1 / spine))
        else:
            text = self._spine(spine)
        for factor in above:
            text = self._ufunc("multiply", text, self._print(factor))
        for factor in below:
            text = self._ufunc("divide", text, self._print(factor))
        if constant == -1:
            return self._ufunc("negative", text)
        if constant != 1:
            return self._ufunc("multiply", text, self._print(constant))
        return text


def _flat_factors(product: sp.Expr) -> list[sp.Expr]:
    """The factors of ``product``, with the products nested in it (as cse leaves them)
    opened up."""
    factors = []
    for factor in sp.Mul.make_args(product):
        factors.extend(_flat_factors(factor) if isinstance(factor, sp.Mul) else [factor])
    return factors
