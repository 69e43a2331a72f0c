"""The entry-wise checker of matrix (layer) equations.

A layer equation such as ``dW[l] = (1/m) dZ[l] A[l-1]ᵀ`` is written with SymPy matrix symbols of
symbolic shape (``W^{[l]}`` is ``(n^{[l]}, n^{[l-1]})``). It is proven in two parts:

1. **Shapes.** Both sides are walked symbolically: products must conform, sums and element-wise
   products need equal shapes (a column may be broadcast over the examples only where the
   equation says so), and the two sides must have the same shape. A mismatch raises
   :class:`~chainrule.errors.ProofError`.
2. **Entries.** The equation is instantiated in a small concrete network
   (:class:`LayerNetwork`) whose entries are symbols: every
   matrix symbol is bound to the concrete matrix its name means, the right side is evaluated,
   and every entry is compared with the left side's *definition*, taken directly with
   ``sympy.diff`` of the cost J = (1/m) Σᵢ L(a⁽ⁱ⁾, y⁽ⁱ⁾): ``dW = ∂J/∂W``, ``db = ∂J/∂b``,
   ``dZ = m·∂J/∂Z``, ``dA = m·∂J/∂A`` (the course's per-example convention). Quantities a side
   only reads (``dZ[l]`` in the ``dW`` equation) are bound to their definitions too, so each
   equation is proven on its own; :func:`check_backward_pass` then chains the formulas alone.

A matrix symbol means what its name says: ``<kind>^{[<layer>]}`` with kind one of ``W b Z A dZ
dA dW db`` and layer ``l``, ``l-1`` or ``L``; ``g^{[l]}(Z^{[l]})`` and ``g'^{[l]}(Z^{[l]})`` are
the activation and its derivative applied entry by entry; ``Y`` is the labels. σ and tanh stay
folded, so the comparison is algebra in those atoms (``expand``, then ``cancel``).
"""

from __future__ import annotations

import functools
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence

import sympy as sp

from chainrule.errors import InputError, ProofError
from chainrule.symbolic.functions import sigma
from chainrule.symbolic.model import Check, Verdict

__all__ = [
    "ACTIVATIONS",
    "EXAMPLES",
    "LayerNetwork",
    "check_backward_pass",
    "check_equation",
    "evaluate",
    "layer_matrix",
    "layer_size",
    "shape_of",
    "shape_text",
]

#: m, the number of examples (the columns of Z, A, Y).
EXAMPLES = sp.Symbol("m", positive=True, integer=True)

#: Hidden-layer activations a :class:`LayerNetwork` may use; the output layer is always σ.
ACTIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "tanh": sp.tanh,
    "sigmoid": sigma,
    "relu": lambda t: sp.Max(0, t),
}

Shape = tuple[sp.Expr, sp.Expr]
_NAME = re.compile(
    r"^(?P<kind>dZ|dA|dW|db|W|b|Z|A|g'|g)\^\{\[(?P<label>l|l-1|L)\]\}"
    r"(?P<arg>\(Z\^\{\[(?P=label)\]\}\))?$"
)
_PREVIOUS = {"l": "l-1", "L": "L-1"}


# --- notation: what a matrix symbol means -----------------------------------------------------


def layer_size(label: str) -> sp.Symbol:
    """n^{[label]}: the number of units in the layer called ``label`` (``l``, ``l-1``, ``L``)."""
    return sp.Symbol(f"n^{{[{label}]}}", positive=True, integer=True)


def layer_matrix(kind: str, label: str = "l") -> sp.MatrixSymbol:
    """The matrix symbol ``kind^{[label]}`` with its symbolic shape.

    ``W, dW``: (n[l], n[l-1]); ``b, db``: (n[l], 1); ``Z A dZ dA`` and ``g``/``g'`` (which name
    g[l](Z[l]) and g[l]'(Z[l])): (n[label], m); ``Y``: (n[L], m).
    """
    if kind == "Y":
        return sp.MatrixSymbol("Y", layer_size("L"), EXAMPLES)
    name = f"{kind}^{{[{label}]}}" + (f"(Z^{{[{label}]}})" if kind in ("g", "g'") else "")
    if _NAME.match(name) is None or (kind in ("W", "dW", "b", "db") and label not in _PREVIOUS):
        raise ValueError(f"no layer matrix {kind!r} at layer {label!r}")
    if kind in ("W", "dW"):
        columns = layer_size(_PREVIOUS[label])
    elif kind in ("b", "db"):
        columns = sp.Integer(1)
    else:
        columns = EXAMPLES
    return sp.MatrixSymbol(name, layer_size(label), columns)


def _role(symbol: sp.MatrixSymbol) -> tuple[str, str]:
    """(kind, layer label) of a matrix symbol, read from its name."""
    if symbol.name == "Y":
        return "Y", "L"
    match = _NAME.match(symbol.name)
    if match is None or (match["kind"] in ("g", "g'")) != (match["arg"] is not None):
        raise ProofError(f"the matrix checker does not know what {symbol.name} means")
    return match["kind"], match["label"]


def _layer(label: str, instance: int, depth: int) -> int:
    return {"l": instance, "l-1": instance - 1, "L": depth, "L-1": depth - 1}[label]


def _plain(expr: sp.Expr) -> str:
    """Text form of a name or size: n^{[l-1]} -> n[l-1]."""
    return re.sub(r"\^\{(.*?)\}", r"\1", sp.sstr(expr))


# --- shapes -----------------------------------------------------------------------------------


def shape_of(expr: sp.Expr, broadcast: bool = False) -> Shape | None:
    """The symbolic shape of a matrix expression (None for a scalar).

    Raises ProofError where a product does not conform, where the terms of a sum or the factors
    of an element-wise product differ in shape, or (``broadcast`` off) where a column is added
    to a wider matrix.
    """
    if not isinstance(expr, sp.MatrixExpr):
        return None
    if isinstance(expr, (sp.MatrixSymbol, sp.OneMatrix)):
        return expr.shape
    if isinstance(expr, sp.Transpose):
        rows, cols = _matrix_shape(expr.arg, broadcast)
        return cols, rows
    shapes = [s for s in (shape_of(arg, broadcast) for arg in expr.args) if s is not None]
    if isinstance(expr, sp.MatMul):
        for left, right in zip(shapes[:-1], shapes[1:], strict=True):
            if left[1] != right[0]:
                raise ProofError(f"{_plain(expr)}: the product does not conform: {_joined(expr)}")
        return shapes[0][0], shapes[-1][1]
    if isinstance(expr, (sp.MatAdd, sp.HadamardProduct)):
        full = next((s for s in shapes if s[1] != 1), shapes[0])
        column = (full[0], sp.Integer(1))
        for shape in shapes:
            spread = broadcast and isinstance(expr, sp.MatAdd) and shape == column
            if shape != full and not spread:
                raise ProofError(f"{_plain(expr)}: the shapes differ: {_joined(expr)}")
        return full
    raise ProofError(f"the matrix checker cannot handle {type(expr).__name__} in {_plain(expr)}")


def _matrix_shape(expr: sp.MatrixExpr, broadcast: bool) -> Shape:
    shape = shape_of(expr, broadcast)
    assert shape is not None, "a matrix expression has a shape"
    return shape


def _shape_str(shape: Shape) -> str:
    return f"({_plain(shape[0])}, {_plain(shape[1])})"


def _joined(expr: sp.MatrixExpr) -> str:
    """The shapes of the parts of ``expr`` joined by its operator, e.g. (n, m)·(m, 1)."""
    if isinstance(expr, sp.MatMul):
        factors = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        return "·".join(_shape_str(_matrix_shape(a, True)) for a in factors)
    if isinstance(expr, sp.HadamardProduct):
        return " ⊙ ".join(_term_text(a) for a in expr.args)
    if isinstance(expr, sp.MatAdd):
        terms = sorted(expr.args, key=_is_negative)
        text = _term_text(terms[0])
        for term in terms[1:]:
            text += (" - " if _is_negative(term) else " + ") + _term_text(term)
        return text
    return _shape_str(_matrix_shape(expr, True))


def _term_text(term: sp.MatrixExpr) -> str:
    if isinstance(term, sp.MatMul) and _is_negative(term):
        term = -term
    return _joined(term)


def _is_negative(term: sp.MatrixExpr) -> bool:
    return bool(isinstance(term, sp.MatMul) and term.args[0].is_number and term.args[0] < 0)


def shape_text(lhs: sp.MatrixExpr, rhs: sp.MatrixExpr) -> str:
    """The shape sentence of ``lhs = rhs``: "(n[l], n[l-1]) = (n[l], m)·(m, n[l-1])"."""
    return f"{_shape_str(_matrix_shape(lhs, False))} = {_joined(rhs)}"


# --- the concrete network ---------------------------------------------------------------------


class LayerNetwork:
    """A concrete network with symbolic entries: the place where layer equations are tested.

    ``sizes`` = (n[0], ..., n[L]); hidden layers use ``hidden``, the output layer σ, and the cost
    is the cross entropy J = (1/m) Σ over examples and output units of
    -(y ln a + (1 - y) ln(1 - a)). X (n[0], m), Y (n[L], m), W[l] (n[l], n[l-1]) and
    b[l] (n[l], 1) are matrices of distinct real symbols.
    """

    def __init__(self, sizes: Sequence[int] = (3, 2, 1), m: int = 4, hidden: str = "tanh"):
        sizes = tuple(sizes)
        if len(sizes) < 3 or not all(_is_count(n) for n in sizes):
            raise InputError(
                f"'sizes' must be at least 3 positive integers (input, hidden, output) "
                f"(got {sizes})"
            )
        if not _is_count(m):
            raise InputError(f"'m' must be a positive integer (got {m!r})")
        if hidden not in ACTIVATIONS:
            raise InputError(f"'hidden' must be one of {sorted(ACTIVATIONS)} (got {hidden!r})")
        self.sizes, self.m, self.hidden, self.depth = sizes, m, hidden, len(sizes) - 1
        self.X = _symbols("x", 0, sizes[0], m)
        self.Y = _symbols("y", self.depth, sizes[-1], m)
        self.weights = {k: _symbols("w", k, sizes[k], sizes[k - 1]) for k in self.layers}
        self.biases = {k: _symbols("b", k, sizes[k], 1) for k in self.layers}
        self._gradients: dict[tuple, sp.ImmutableMatrix] = {}

    @property
    def layers(self) -> range:
        return range(1, self.depth + 1)

    def describe(self) -> str:
        return f"n = {self.sizes}, m = {self.m}, {self.hidden} hidden"

    def free(self, kind: str, layer: int) -> sp.ImmutableMatrix:
        """Free symbols standing for Z[layer] or A[layer] (A[0] is X)."""
        if kind == "A" and layer == 0:
            return self.X
        return _symbols(kind.lower(), layer, self.sizes[layer], self.m)

    def activate(self, layer: int, Z: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
        """g[layer](Z) entry by entry."""
        g = sigma if layer == self.depth else ACTIVATIONS[self.hidden]
        return Z.applyfunc(g)

    def slope(self, layer: int, Z: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
        """g[layer]'(Z) entry by entry, g' taken with sympy.diff."""
        t = sp.Dummy("t", real=True)
        derivative = sp.diff(self.activate(layer, sp.ImmutableMatrix([[t]]))[0], t)
        return Z.applyfunc(lambda entry: derivative.xreplace({t: entry}))

    def pre_activation(self, layer: int, A_prev: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
        """Z[layer] = W[layer] A[layer-1] + b[layer], b added to every column."""
        ones = sp.ones(1, A_prev.shape[1])
        return self.weights[layer] * A_prev + self.biases[layer] * ones

    def losses_from(self, kind: str, layer: int) -> tuple[sp.Expr, ...]:
        """m·J split by example and unit: the loss terms as functions of the free Z[layer] or
        A[layer] and the parameters after it."""
        A = self.free(kind, layer)
        if kind == "Z":
            A = self.activate(layer, A)
        for k in range(layer + 1, self.depth + 1):
            A = self.activate(k, self.pre_activation(k, A))
        return tuple(
            -(y * sp.log(a) + (1 - y) * sp.log(1 - a)) for a, y in zip(A, self.Y, strict=True)
        )

    def parameter(self, kind: str, layer: int) -> sp.ImmutableMatrix:
        """W[layer], b[layer] or Y."""
        return self.Y if kind == "Y" else (self.weights if kind == "W" else self.biases)[layer]

    def forward_value(self, kind: str, layer: int, Z: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
        """Z[layer], A[layer] = g(Z[layer]) or g'(Z[layer]) given Z[layer]."""
        if kind not in ("Z", "A", "g", "g'"):
            raise ProofError(f"{kind}[{layer}] is not a forward quantity")
        if kind == "Z":
            return Z
        return self.slope(layer, Z) if kind == "g'" else self.activate(layer, Z)

    def derivative(self, start: tuple[str, int], at=None) -> sp.ImmutableMatrix:
        """m·∂J/∂(the free matrix of ``start``), evaluated where that matrix equals ``at``."""
        free = self.free(*start)
        value = self.m * self.gradient(start, free)
        return value if at is None else value.xreplace(dict(zip(free, at, strict=True)))

    def gradient(self, start: tuple[str, int], target: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
        """∂J/∂target entry by entry, J = (1/m) Σ losses_from(*start); cached."""
        key = (start, target)
        if key not in self._gradients:
            losses = self.losses_from(*start)

            def partial(v: sp.Symbol) -> sp.Expr:
                return sp.Add(*(sp.diff(t, v) for t in losses if v in t.free_symbols)) / self.m

            self._gradients[key] = target.applyfunc(partial)
        return self._gradients[key]


def _is_count(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n > 0


def _symbols(base: str, layer: int, rows: int, cols: int) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(
        rows, cols, lambda i, j: sp.Symbol(f"{base}{layer}_{i + 1}_{j + 1}", real=True)
    )


def _anchored_value(
    net: LayerNetwork, anchor: tuple[str, int], kind: str, layer: int
) -> sp.ImmutableMatrix:
    """The value of ``kind[layer]`` where the quantity ``anchor`` (Z[k] or A[k]) is left free.

    Z[k] free serves the checks of A[k] and dZ[k]; A[k] free those of Z, dW, db at layer k + 1
    and of dA[k]. Derivatives are bound to their definitions (``_MEANING``).
    """
    free_kind, k = anchor
    if kind in ("W", "b", "Y"):
        return net.parameter(kind, layer)
    if (free_kind, layer) == ("Z", k):
        Z = net.free("Z", k)
        if kind == "dA":
            return net.derivative(("A", k), at=net.activate(k, Z))
        return net.derivative(("Z", k)) if kind == "dZ" else net.forward_value(kind, k, Z)
    if (free_kind, layer, kind) in (("A", k, "A"), ("A", k, "dA")):
        return net.free("A", k) if kind == "A" else net.derivative(("A", k))
    if (free_kind, layer) == ("A", k + 1):
        if kind in ("dW", "db"):
            return net.gradient(("A", k), net.parameter(kind[1:], layer))
        Z = net.pre_activation(layer, net.free("A", k))
        return (
            net.derivative(("Z", layer), at=Z)
            if kind == "dZ"
            else net.forward_value(kind, layer, Z)
        )
    raise ProofError(f"a check with {free_kind}[{k}] free has no value for {kind}[{layer}]")


# --- evaluation and the checks ----------------------------------------------------------------


def evaluate(
    expr: sp.Expr,
    bind: Callable[[sp.MatrixSymbol], sp.MatrixBase],
    sizes: Mapping[sp.Symbol, int],
) -> sp.ImmutableMatrix | sp.Expr:
    """The concrete value of a matrix expression.

    ``bind`` gives each matrix symbol its explicit matrix (symbolic or numeric entries);
    ``sizes`` fills in the size symbols left in scalars and ones-columns (1/m, 1 of (m, 1)). A
    column added to a wider matrix is repeated over its columns, like numpy's broadcasting.
    """
    if not isinstance(expr, sp.MatrixExpr):
        return expr.xreplace(sizes)
    if isinstance(expr, sp.MatrixSymbol):
        return bind(expr)
    if isinstance(expr, sp.OneMatrix):
        return sp.ones(*(int(sp.sympify(d).xreplace(sizes)) for d in expr.shape))
    if isinstance(expr, sp.Transpose):
        return evaluate(expr.arg, bind, sizes).T
    parts = [evaluate(arg, bind, sizes) for arg in expr.args]
    result = parts[0]
    for part in parts[1:]:
        if isinstance(expr, sp.MatMul):
            result = result * part
        elif isinstance(expr, sp.HadamardProduct):
            result = result.multiply_elementwise(part)
        else:
            result = _broadcast(result, part.shape) + _broadcast(part, result.shape)
    return sp.ImmutableMatrix(result)


def _broadcast(matrix, shape):
    """A column repeated over the columns of ``shape`` (numpy's broadcasting of b)."""
    if matrix.shape[1] == 1 and shape[1] > 1:
        return matrix * sp.ones(1, shape[1])
    return matrix


def _binder(values: Callable[[str, int], sp.ImmutableMatrix], at: int, network: LayerNetwork):
    """Bind each matrix symbol to its concrete value where the layer l is ``at``."""
    sizes = {EXAMPLES: network.m}
    for label in ("l", "l-1", "L", "L-1"):
        sizes[layer_size(label)] = network.sizes[_layer(label, at, network.depth)]

    def bind(symbol: sp.MatrixSymbol) -> sp.ImmutableMatrix:
        kind, label = _role(symbol)
        try:
            value = values(kind, _layer(label, at, network.depth))
            expected = tuple(int(sp.sympify(d).xreplace(sizes)) for d in symbol.shape)
        except (KeyError, IndexError, TypeError) as exc:
            raise ProofError(f"{symbol.name} has no value at l = {at}") from exc
        if value.shape != expected:
            raise ProofError(f"{symbol.name} at l = {at} is {value.shape}, not {expected}")
        return value

    return bind, sizes


def _anchor(kind: str, layer: int) -> tuple[str, int]:
    """Which quantity is left free to check an equation for ``kind[layer]``."""
    return {"Z": ("A", layer - 1), "dW": ("A", layer - 1), "db": ("A", layer - 1)}.get(
        kind, ("A", layer) if kind == "dA" else ("Z", layer)
    )


def _instances(kind: str, label: str, depth: int) -> list[int]:
    """The layer numbers l at which an equation for ``kind^{[label]}`` is checked."""
    if label == "L":
        return [depth]
    first = 2 if label == "l-1" else 1
    return [
        at for at in range(depth, first - 1, -1) if kind != "dA" or _layer(label, at, depth) < depth
    ]


_MEANING = {"dZ": "m·∂J/∂Z", "dA": "m·∂J/∂A", "dW": "∂J/∂W", "db": "∂J/∂b"}


def check_equation(
    lhs: sp.MatrixSymbol, rhs: sp.MatrixExpr, network: LayerNetwork, broadcast: bool = False
) -> Check:
    """Check the layer equation ``lhs = rhs`` by shapes and entry by entry in ``network``.

    Forward equations (lhs Z or A) are definitions: their entries are compared with the
    network's own forward pass. Backward ones are compared with the direct derivative of J
    (``_MEANING``) at every layer where they apply. Raises ProofError on a shape mismatch;
    returns a FAILED check naming the first entry that differs.
    """
    start = time.perf_counter()
    lhs_shape, rhs_shape = shape_of(lhs), shape_of(rhs, broadcast)
    shapes = shape_text(lhs, rhs)
    if lhs_shape != rhs_shape:
        raise ProofError(f"{_plain(lhs)} = {_plain(rhs)}: the sides differ in shape: {shapes}")
    kind, label = _role(lhs)
    meaning = _MEANING.get(kind, "the forward pass's " + kind) + f"[{label}]"
    counts = []
    for at in _instances(kind, label, network.depth):
        anchor = _anchor(kind, _layer(label, at, network.depth))
        values = functools.partial(_anchored_value, network, anchor)
        bind, sizes = _binder(values, at, network)
        formula, definition = evaluate(rhs, bind, sizes), bind(lhs)
        difference = _first_difference(formula, definition)
        if difference is not None:
            (i, j), witness = difference
            return Check(
                Verdict.FAILED,
                f"entry ({i + 1}, {j + 1}) at l = {at} differs from {meaning} at "
                f"{network.describe()}: {witness}",
                time.perf_counter() - start,
            )
        counts.append(f"l = {at}: {len(formula)}")
    head = "definition; equals" if kind in ("Z", "A") else "exact: every entry equals"
    method = (
        f"{head} {meaning} ({', '.join(counts)} entries) at {network.describe()}; "
        f"shapes {shapes} agree"
    )
    return Check(Verdict.PROVED, method, time.perf_counter() - start)


def check_backward_pass(
    equations: Sequence[tuple[sp.MatrixSymbol, sp.MatrixExpr]], network: LayerNetwork
) -> Check:
    """Run the backward equations alone (dZ[L], then dW, db, dA[l-1], dZ[l-1] for l = L..1)
    on the network's forward pass; compare every dW[l], db[l] with ∂J/∂W[l], ∂J/∂b[l] taken
    directly through the whole network."""
    start = time.perf_counter()
    by_role = {_role(lhs): rhs for lhs, rhs in equations}
    values: dict[tuple[str, int], sp.ImmutableMatrix] = {("A", 0): network.X}
    for layer in network.layers:
        Z = values["Z", layer] = network.pre_activation(layer, values["A", layer - 1])
        values["A", layer] = values["g", layer] = network.activate(layer, Z)
        values["g'", layer] = network.slope(layer, Z)

    def lookup(kind: str, layer: int) -> sp.ImmutableMatrix:
        if kind in ("W", "b", "Y"):
            return network.parameter(kind, layer)
        return values[kind, layer]

    def run(kind: str, label: str, at: int) -> None:
        if (kind, label) not in by_role:
            raise ProofError(f"the backward pass needs an equation for {kind}[{label}]")
        bind, sizes = _binder(lookup, at, network)
        values[kind, _layer(label, at, network.depth)] = evaluate(by_role[kind, label], bind, sizes)

    run("dZ", "L", network.depth)
    entries = 0
    for layer in reversed(network.layers):
        run("dW", "l", layer)
        run("db", "l", layer)
        if layer > 1:
            run("dA", "l-1", layer)
            run("dZ", "l", layer - 1)
        for kind in ("dW", "db"):
            direct = network.gradient(("A", 0), network.parameter(kind[1:], layer))
            difference = _first_difference(values[kind, layer], direct)
            if difference is not None:
                (i, j), witness = difference
                return Check(
                    Verdict.FAILED,
                    f"the chained formulas give a wrong {kind}[{layer}] entry ({i + 1}, {j + 1}) "
                    f"at {network.describe()}: {witness}",
                    time.perf_counter() - start,
                )
            entries += len(direct)
    method = (
        f"exact: the backward equations chained from dZ[L] give all {entries} entries of "
        f"∂J/∂W[l], ∂J/∂b[l] (l = 1..{network.depth}) taken directly at {network.describe()}"
    )
    return Check(Verdict.PROVED, method, time.perf_counter() - start)


def _first_difference(formula, definition):
    """((i, j), witness) of the first entry where the two matrices differ, or None."""
    for i in range(formula.rows):
        for j in range(formula.cols):
            witness = _differs(formula[i, j] - definition[i, j])
            if witness is not None:
                return (i, j), witness
    return None


def _differs(difference: sp.Expr) -> str | None:
    """None when ``difference`` is 0, else a sentence showing that it is not.

    0 by ``expand``, else by ``cancel``, with σ(...), tanh(...) kept as atoms. Before the slower
    ``cancel``, the difference is evaluated at a random point, so a wrong formula fails fast."""
    if difference == 0 or sp.expand(difference) == 0:
        return None
    rng = random.Random(2024)
    point = {s: sp.Rational(rng.randint(-900, 900), 1000) for s in difference.free_symbols}
    value = difference.xreplace(point).rewrite(sigma, sp.exp).evalf(30)
    if value.is_number and abs(value) > 1e-12:
        return f"the two sides differ by {sp.N(value, 6)} at a random point"
    if sp.cancel(sp.together(sp.expand(difference))) == 0:
        return None
    return f"the difference {sp.sstr(difference)[:120]} does not reduce to 0"
