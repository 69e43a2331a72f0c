"""A learner's layer equations, evaluated in a concrete network against the proven gradients.

The file holds one equation a line, in the course's NumPy names (``#`` starts a comment)::

    network: 5,4,3 relu          # optional: layer sizes n[0..L] and the hidden activation
    dZ2 = A2 - Y
    dW2 = 1/m * dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T dZ2               # juxtaposition of two arrays is a matrix product
    dZ1 = dA1 * relu'(A1)        # g'(Z1), relu'(Z1), sigmoid'(Z1), tanh'(Z1), or written out

Names: ``W1 b1 Z1 A1 dZ1 dW1 db1 dA1`` (also ``W[1]``), ``A0``/``X``, ``Y``, ``AL``/``ZL`` for
the output layer, ``m``; ``np.sum np.mean np.dot np.multiply np.transpose np.exp np.log np.tanh
np.maximum`` (``axis=``, ``keepdims=``), ``sigmoid tanh relu``, ``.T`` (or ``ᵀ``), ``⊙`` for
``*``. The text is read by an ``ast`` whitelist, never ``eval``.

Each right side is evaluated with the network's true arrays (one random network with distinct
layer sizes, sigmoid output and cross-entropy, columns are examples), so every equation is
judged on its own: its shape against the network's, then entry by entry against
:meth:`~chainrule.numeric.network.Network.backward`, which runs the proven equations. A wrong
equation is tried with one fix at a time (a transpose of the result or of one operand, the
other axis of a sum, keepdims, a factor m or 1/m, the sign, the hidden activation's own
derivative); the fix that makes it right names the mistake.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from chainrule.errors import InputError
from chainrule.numeric.activations import ACTIVATIONS
from chainrule.numeric.gradcheck import relative_error
from chainrule.numeric.network import Network

__all__ = ["EquationReport", "check_layer_equations", "read_layer_equations"]

_TOLERANCE = 1e-9
_SEED = 14
_EXAMPLES = 6
_GRADIENT = re.compile(r"^d(Z|W|b|A)(\d+|L)$")
_DERIVATIVES = {name: f"{name}_prime" for name in ("sigmoid", "tanh", "relu", "g")}


@dataclass(frozen=True)
class Equation:
    number: int
    lhs: str
    text: str
    tree: ast.expr


@dataclass(frozen=True)
class EquationReport:
    """One equation's verdict: ``ok``, the shapes, the worst entry and the diagnosis."""

    equation: Equation
    ok: bool
    expected_shape: tuple[int, ...]
    shape: tuple[int, ...] | None
    relative_error: float | None
    worst_index: tuple[int, ...] | None
    diagnosis: str | None
    problem: str | None = None

    def __str__(self) -> str:
        mark = "✓" if self.ok else "✗"
        head = f"  line {self.equation.number}  {self.equation.text}  {mark}"
        if self.ok:
            return f"{head} shape {self.expected_shape}, entries equal to the proven gradient"
        parts = [head]
        if self.problem:
            parts.append(f"    {self.problem}")
        if self.relative_error is not None:
            parts.append(
                f"    relative error {self.relative_error:.3g}, worst entry at {self.worst_index}"
            )
        if self.diagnosis:
            parts.append(f"    diagnosis: {self.diagnosis}")
        else:
            compared = "; compared entry by entry above" if self.relative_error is not None else ""
            parts.append(f"    diagnosis: no single fix makes it right{compared}")
        return "\n".join(parts)


def _fail(name: str, number: int, reason: str) -> InputError:
    return InputError(f"file '{name}', line {number}: {reason}")


def _normalised(text: str) -> str:
    text = text.replace("ᵀ", ".T").replace("⊙", "*").replace("·", "*")
    text = re.sub(r"\b(d?[WbZA])\[(\d+|L)\]", r"\1\2", text)
    text = re.sub(r"\b(sigmoid|tanh|relu|g)'\s*\(", lambda m: _DERIVATIVES[m.group(1)] + "(", text)
    # juxtaposition of two operands (W2 dZ2, (1/m) dZ1) becomes the % operator, read as product
    return re.sub(r"(?<=[\w)])\s+(?=[A-Za-z(])", " % ", text)


def read_layer_equations(text: str, name: str = "<input>") -> tuple[list[Equation], dict]:
    """The equations of ``text`` and the network header's settings (``sizes``, ``activation``).

    Raises
    ------
    InputError
        One line: ``file 'NAME', line N: expected ..., got ...``.
    """
    equations: list[Equation] = []
    settings: dict = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("network:"):
            settings = _header(line[8:], name, number)
            continue
        lhs, equals, rhs = line.partition("=")
        lhs = re.sub(r"\b(d?[WbZA])\[(\d+|L)\]", r"\1\2", lhs.strip())
        if not equals or not _GRADIENT.match(lhs):
            raise _fail(
                name,
                number,
                f"expected 'dZ1 = ...', 'dW1 = ...', 'db1 = ...' or 'dA0 = ...', got {line!r}",
            )
        try:
            tree = ast.parse(_normalised(rhs.strip()), mode="eval").body
        except SyntaxError as error:
            raise _fail(
                name, number, f"expected a NumPy expression, got {rhs.strip()!r} ({error.msg})"
            ) from None
        equations.append(Equation(number, lhs, line, tree))
    if not equations:
        raise _fail(name, 1, "expected at least one equation such as 'dW1 = dZ1 @ A0.T / m'")
    return equations, settings


def _header(text: str, name: str, number: int) -> dict:
    parts = text.split()
    try:
        sizes = [int(s) for s in parts[0].split(",")]
    except (IndexError, ValueError):
        raise _fail(name, number, f"expected 'network: 5,4,3 relu', got {text.strip()!r}") from None
    activation = parts[1] if len(parts) > 1 else "relu"
    if activation not in ("relu", "tanh", "sigmoid") or len(sizes) < 2 or min(sizes) < 1:
        raise _fail(
            name,
            number,
            f"expected sizes n0,...,nL and relu, tanh or sigmoid, got {text.strip()!r}",
        )
    return {"sizes": sizes, "activation": activation}


# --------------------------------------------------------------------------- the network


def _network_arrays(sizes: list[int], activation: str) -> tuple[dict, dict, int]:
    """The true arrays of one random network: forward values and proven gradients."""
    rng = np.random.default_rng(_SEED)
    net = Network(sizes, activation=activation, output="sigmoid", init="xavier", seed=_SEED)
    X = rng.standard_normal((sizes[0], _EXAMPLES))
    Y = (rng.random((sizes[-1], _EXAMPLES)) > 0.5).astype(float)
    AL, caches = net.forward(X)
    values = {k: np.array(v) for k, v in caches.items()}
    grads = {k: np.array(v) for k, v in net.backward(Y, caches).items()}
    L = net.n_layers
    values.update({k: np.array(v) for k, v in net.params.items()})
    values.update(grads)
    values.update({"X": values["A0"], "Y": Y, "AL": values[f"A{L}"], "ZL": values[f"Z{L}"]})
    values.update({"dZL": grads[f"dZ{L}"], "dAL": _output_dA(values[f"A{L}"], Y)})
    values[f"dA{L}"] = values["dAL"]
    return values, grads, L


def _output_dA(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dA[L] = -(Y/AL - (1 - Y)/(1 - AL)), the course's dAL (shape of AL)."""
    return -(Y / AL - (1 - Y) / (1 - AL))


def _default_sizes(equations: list[Equation]) -> list[int]:
    layers = [int(n) for e in equations for n in re.findall(r"\d+", e.text)]
    depth = max([2, *(n for n in layers if n < 10)])
    return list(range(depth + 3, 2, -1))  # distinct sizes: n[0] > n[1] > ... > n[L] = 3


# --------------------------------------------------------------------------- evaluation


class _Evaluator:
    """Evaluates a whitelisted tree over the network's arrays."""

    def __init__(self, values: dict, m: int, hidden: str, layer: int, depth: int) -> None:
        self.values = values
        self.m = m
        self.functions: dict[str, Callable] = {
            "sum": np.sum,
            "mean": np.mean,
            "dot": np.dot,
            "multiply": np.multiply,
            "transpose": np.transpose,
            "exp": np.exp,
            "log": np.log,
            "tanh": np.tanh,
            "maximum": np.maximum,
            "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
            "relu": lambda z: np.maximum(z, 0),
            "float64": np.float64,
            "int64": np.int64,
            "float": np.float64,
            "int": np.int64,
            "array": np.asarray,
        }
        for name in ("sigmoid", "tanh", "relu"):
            act = ACTIVATIONS[name]
            self.functions[f"{name}_prime"] = _prime(act)
        output = "sigmoid" if layer == depth else hidden
        self.functions["g_prime"] = _prime(ACTIVATIONS[output])

    def __call__(self, node: ast.AST):
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ValueError(f"{type(node).__name__} is not allowed")
        return method(node)

    def _BinOp(self, node: ast.BinOp):  # noqa: N802
        left, right = self(node.left), self(node.right)
        op = type(node.op)
        if op is ast.Mod:  # juxtaposition
            both = np.ndim(left) == 2 and np.ndim(right) == 2
            op = ast.MatMult if both else ast.Mult
        if op is ast.MatMult and np.shape(left)[-1:] != np.shape(right)[:1]:
            raise ValueError(f"the shapes do not conform: {np.shape(left)} times {np.shape(right)}")
        operators = {
            ast.Add: np.add,
            ast.Sub: np.subtract,
            ast.Mult: np.multiply,
            ast.Div: np.divide,
            ast.MatMult: np.matmul,
            ast.Pow: np.power,
        }
        if op not in operators:
            raise ValueError(f"the operator {op.__name__} is not allowed")
        return operators[op](left, right)

    def _UnaryOp(self, node: ast.UnaryOp):  # noqa: N802
        if isinstance(node.op, ast.USub):
            return -self(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self(node.operand)
        raise ValueError("only unary - and + are allowed")

    def _Compare(self, node: ast.Compare):  # noqa: N802
        if len(node.ops) != 1:
            raise ValueError("only one comparison at a time")
        ops = {
            ast.Gt: np.greater,
            ast.Lt: np.less,
            ast.GtE: np.greater_equal,
            ast.LtE: np.less_equal,
        }
        op = ops.get(type(node.ops[0]))
        if op is None:
            raise ValueError("only > < >= <= comparisons are allowed")
        return op(self(node.left), self(node.comparators[0])).astype(float)

    def _Constant(self, node: ast.Constant):  # noqa: N802
        if isinstance(node.value, (bool, int, float)):
            return node.value
        raise ValueError(f"the constant {node.value!r} is not allowed")

    def _Name(self, node: ast.Name):  # noqa: N802
        if node.id == "m":
            return self.m
        if node.id in self.values:
            return self.values[node.id]
        raise ValueError(f"unknown name {node.id!r}")

    def _Attribute(self, node: ast.Attribute):  # noqa: N802
        if node.attr == "T":
            return np.transpose(self(node.value))
        raise ValueError(f"the attribute .{node.attr} is not allowed")

    def _Call(self, node: ast.Call):  # noqa: N802
        function = self._function(node.func)
        args = [self(arg) for arg in node.args]
        keywords = {}
        for keyword in node.keywords:
            if keyword.arg not in ("axis", "keepdims"):
                raise ValueError(f"the keyword {keyword.arg}= is not allowed")
            keywords[keyword.arg] = self(keyword.value)
        return function(*args, **keywords)

    def _function(self, node: ast.AST) -> Callable:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in ("np", "numpy") and node.attr in self.functions:
                return self.functions[node.attr]
        if isinstance(node, ast.Name) and node.id in self.functions:
            return self.functions[node.id]
        raise ValueError(f"the function {ast.unparse(node)} is not allowed")


def _prime(activation) -> Callable:
    def derivative(Z: np.ndarray) -> np.ndarray:
        Z = np.asarray(Z, dtype=float)
        A = activation.forward(Z.copy())
        return activation.derivative(Z, A)

    return derivative


# --------------------------------------------------------------------------- one fix at a time


def _fixes(tree: ast.expr, hidden: str) -> Iterator[tuple[str, ast.expr]]:
    """The equation with one change: each operand transposed (or untransposed), each sum over
    its other axis (keeping its column shape) or with keepdims added, each activation
    derivative replaced by another."""
    for index, node in enumerate(_depth_first(tree)):
        if isinstance(node, ast.Name) and node.id != "m" and not node.id.endswith("_prime"):
            yield (
                f"off by a transpose: {node.id} should be {node.id}.T",
                _transformed(tree, index, lambda n: ast.Attribute(n, "T", ast.Load())),
            )
        if isinstance(node, ast.Attribute) and node.attr == "T":
            yield (
                f"off by a transpose: {ast.unparse(node)} should be {ast.unparse(node.value)}",
                _transformed(tree, index, lambda n: n.value),
            )
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(("sum", "mean")):
            yield from _sum_fixes(tree, index, node)
        if isinstance(node, ast.Name) and node.id.endswith("_prime"):
            for other in ("sigmoid", "tanh", "relu"):
                if f"{other}_prime" != node.id:
                    wrong = node.id.removesuffix("_prime")
                    yield (
                        f"activation derivative of the wrong function: {wrong}' where the "
                        f"layer's is {other}'",
                        _transformed(
                            tree, index, lambda n, o=other: ast.Name(f"{o}_prime", ast.Load())
                        ),
                    )


def _sum_fixes(tree: ast.expr, index: int, call: ast.Call) -> Iterator[tuple[str, ast.expr]]:
    """A sum over the other axis (with keepdims=True), or with keepdims=True added."""
    keywords = {k.arg: k for k in call.keywords}
    keep = ast.keyword("keepdims", ast.Constant(True))
    axis = getattr(keywords.get("axis"), "value", None)
    if isinstance(axis, ast.Constant) and axis.value in (0, 1):
        other = 1 - axis.value
        flipped = [k for k in call.keywords if k.arg not in ("axis", "keepdims")]
        flipped += [ast.keyword("axis", ast.Constant(other)), keep]
        yield (
            f"summed over the wrong axis: axis={other}, not axis={axis.value}",
            _transformed(tree, index, lambda n: ast.Call(n.func, n.args, flipped)),
        )
    if "keepdims" not in keywords:
        yield (
            "keepdims=True is missing: the sum loses its column shape",
            _transformed(tree, index, lambda n: ast.Call(n.func, n.args, [*n.keywords, keep])),
        )


def _depth_first(node: ast.AST) -> Iterator[ast.AST]:
    """Every node, parents before children, in the order a NodeTransformer visits them."""
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _depth_first(child)


def _transformed(tree: ast.expr, index: int, change: Callable) -> ast.expr:
    copy = ast.parse(ast.unparse(tree), mode="eval").body

    class Swap(ast.NodeTransformer):
        def __init__(self) -> None:
            self.count = -1

        def visit(self, node):
            self.count += 1
            if self.count == index:
                return change(node)
            return self.generic_visit(node)

    return Swap().visit(copy)


def _close(value, expected: np.ndarray) -> bool:
    value = np.asarray(value, dtype=float)
    if value.shape != expected.shape:
        return False
    return bool(np.allclose(value, expected, rtol=1e-9, atol=1e-12))


def _diagnosis(
    equation: Equation, value, expected: np.ndarray, evaluate, hidden: str
) -> str | None:
    if value is not None:
        value = np.asarray(value, dtype=float)
        if value.shape == expected.T.shape and _close(value.T, expected) and value.ndim == 2:
            return "off by a transpose: the whole right side should be transposed"
        m = _EXAMPLES
        summed = "sum" in ast.unparse(equation.tree)
        if _close(value / m, expected):
            return (
                "a sum where a mean belongs: divide the sum by m (or use np.mean)"
                if summed
                else "missing 1/m"
            )
        if _close(value * m, expected):
            return "extra 1/m"
        if _close(-value, expected):
            return "dropped minus sign: the right side has the wrong sign"
    for description, tree in _fixes(equation.tree, hidden):
        try:
            if _close(evaluate(tree), expected):
                return description
        except (ValueError, TypeError, KeyError):
            continue
    return None


def check_layer_equations(
    equations: list[Equation], settings: dict | None = None, name: str = "<input>"
) -> list[EquationReport]:
    """Check each equation's shape and entries against the proven gradients of one network.

    Raises
    ------
    InputError
        For an equation whose left side is not an array of the network (file, line, what).
    """
    settings = settings or {}
    sizes = settings.get("sizes") or _default_sizes(equations)
    hidden = settings.get("activation", "relu")
    values, _, depth = _network_arrays(sizes, hidden)
    for equation in equations:
        if _array_name(equation.lhs, depth) not in values or _layer(equation.lhs, depth) > depth:
            raise _fail(
                name,
                equation.number,
                f"expected an array of the {depth}-layer network (dZ1..dZ{depth}, dW1..dW{depth}, "
                f"db1..db{depth}, dA0..dA{depth - 1}), got {equation.lhs}",
            )
    return [_check_one(equation, values, depth, hidden) for equation in equations]


def _array_name(lhs: str, depth: int) -> str:
    """dZL -> dZ{depth}; dA{depth} is not an equation's array (the course's dAL is given)."""
    name = lhs[:-1] + str(depth) if lhs.endswith("L") else lhs
    return "" if name == f"dA{depth}" else name


def _layer(lhs: str, depth: int) -> int:
    """The layer number of an equation's array (past the network for one it lacks)."""
    number = _array_name(lhs, depth)[2:]
    return int(number) if number.isdigit() else depth + 1


def _check_one(equation: Equation, values: dict, depth: int, hidden: str) -> EquationReport:
    lhs = _array_name(equation.lhs, depth)
    layer = _layer(equation.lhs, depth)
    expected = values[lhs]
    evaluator = _Evaluator(
        values, _EXAMPLES, hidden, layer if not lhs.startswith("dA") else layer + 1, depth
    )

    def evaluate(tree):
        with np.errstate(all="ignore"):
            return evaluator(tree)

    try:
        value = np.asarray(evaluate(equation.tree), dtype=float)
        problem = None
    except ValueError as refusal:
        value, problem = None, f"cannot be evaluated: {refusal}"
    if value is not None and value.shape != expected.shape:
        problem = f"shape {value.shape} where {equation.lhs} is {expected.shape}"
    ok = value is not None and _close(value, expected)
    gap_size, worst = None, None
    if value is not None and value.shape == expected.shape and not ok:
        gap = np.abs(value - expected)
        gap_size = relative_error(value, expected)
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
    diagnosis = None if ok else _diagnosis(equation, value, expected, evaluate, hidden)
    return EquationReport(
        equation,
        ok,
        expected.shape,
        None if value is None else value.shape,
        gap_size,
        worst,
        diagnosis,
        problem,
    )
