"""The entry-wise checker of matrix (layer) equations.

A layer equation such as ``dW[l] = (1/m) dZ[l] A[l-1]ᵀ`` is written with SymPy matrix symbols of
symbolic shape (see :mod:`chainrule.symbolic.proof.shapes`, which names them and checks the
shapes of both sides first). Its entries are then proven: the equation is instantiated in a
small concrete network (:class:`LayerNetwork`) whose entries are symbols, every matrix symbol is
bound to the concrete matrix its name means, the right side is evaluated, and every entry is
compared with the left side's *definition*, taken directly with ``sympy.diff`` of the cost
J = (1/m) Σᵢ L(a⁽ⁱ⁾, y⁽ⁱ⁾): ``dW = ∂J/∂W``, ``db = ∂J/∂b``, ``dZ = m·∂J/∂Z``, ``dA = m·∂J/∂A``
(the course's per-example convention). Quantities a side only reads (``dZ[l]`` in the ``dW``
equation) are bound to their definitions too, so each equation is proven on its own;
:func:`check_backward_pass` then chains the formulas alone. σ and tanh stay folded, so the
comparison is algebra in those atoms (``expand``, then ``cancel``).
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Mapping, Sequence

import sympy as sp

from chainrule.errors import InputError, ProofError
from chainrule.symbolic import catalog
from chainrule.symbolic.core.model import Check, Verdict
from chainrule.symbolic.core.symbols import sigma, z
from chainrule.symbolic.proof.shapes import (
    EXAMPLES,
    layer_number,
    layer_size,
    matrix_role,
    plain,
    shape_of,
    shape_text,
)

__all__ = [
    "ACTIVATIONS",
    "HIDDEN",
    "LayerNetwork",
    "check_backward_pass",
    "check_equation",
    "evaluate",
]

#: The hidden-layer activations a :class:`LayerNetwork` may use (the output layer is always σ).
HIDDEN = ("tanh", "sigmoid", "relu")


def _activation(name: str) -> Callable[[sp.Expr], sp.Expr]:
    """g of the catalogue's entry ``name``, as a function of its argument."""
    g = catalog.ACTIVATIONS[name].expr
    return lambda t: g.xreplace({z: t})


#: Their formulas, read from the catalogue: name -> g.
ACTIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {name: _activation(name) for name in HIDDEN}

# --- the concrete network ---------------------------------------------------------------------


class LayerNetwork:
    """A concrete network with symbolic entries: the place where layer equations are tested.

    ``sizes`` = (n[0], ..., n[L]); the hidden layers use ``hidden`` (one activation for all,
    or a tuple of one per hidden layer: g[1], ..., g[L-1]), the output layer σ, and the cost
    is the cross entropy J = (1/m) Σ over examples and output units of
    -(y ln a + (1 - y) ln(1 - a)). X (n[0], m), Y (n[L], m), W[l] (n[l], n[l-1]) and
    b[l] (n[l], 1) are matrices of distinct real symbols.
    """

    def __init__(
        self,
        sizes: Sequence[int] = (3, 2, 1),
        m: int = 4,
        hidden: str | Sequence[str] = "tanh",
    ):
        sizes = tuple(sizes)
        if len(sizes) < 3 or not all(_is_count(n) for n in sizes):
            raise InputError(
                f"'sizes' must be at least 3 positive integers (input, hidden, output) "
                f"(got {sizes})"
            )
        if not _is_count(m):
            raise InputError(f"'m' must be a positive integer (got {m!r})")
        per_layer = (hidden,) * (len(sizes) - 2) if isinstance(hidden, str) else tuple(hidden)
        if len(per_layer) != len(sizes) - 2:
            raise InputError(
                f"'hidden' must be one activation or one per hidden layer ({len(sizes) - 2}) "
                f"(got {hidden!r})"
            )
        for name in per_layer:
            if name not in ACTIVATIONS:
                raise InputError(f"'hidden' must be one of {sorted(ACTIVATIONS)} (got {name!r})")
        self.sizes, self.m, self.hidden, self.depth = sizes, m, hidden, len(sizes) - 1
        #: g[l] of each hidden layer l = 1..L-1, by name.
        self.per_layer: tuple[str, ...] = per_layer
        self.X = _symbols("x", 0, sizes[0], m)
        self.Y = _symbols("y", self.depth, sizes[-1], m)
        self.weights = {k: _symbols("w", k, sizes[k], sizes[k - 1]) for k in self.layers}
        self.biases = {k: _symbols("b", k, sizes[k], 1) for k in self.layers}
        self._gradients: dict[tuple, sp.ImmutableMatrix] = {}

    @property
    def layers(self) -> range:
        return range(1, self.depth + 1)

    def describe(self) -> str:
        hidden = self.hidden if isinstance(self.hidden, str) else " then ".join(self.per_layer)
        return f"n = {self.sizes}, m = {self.m}, {hidden} hidden"

    def free(self, kind: str, layer: int) -> sp.ImmutableMatrix:
        """Free symbols standing for Z[layer] or A[layer] (A[0] is X)."""
        if kind == "A" and layer == 0:
            return self.X
        return _symbols(kind.lower(), layer, self.sizes[layer], self.m)

    def activate(self, layer: int, Z: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
        """g[layer](Z) entry by entry."""
        g = sigma if layer == self.depth else ACTIVATIONS[self.per_layer[layer - 1]]
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
    if (free_kind, kind, layer) == ("Z", "dZ", k + 1):  # the layer above, through Z[k]
        above = net.pre_activation(layer, net.activate(k, net.free("Z", k)))
        return net.derivative(("Z", layer), at=above)
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
    for label in ("l", "l-1", "l+1", "L", "L-1"):
        layer = layer_number(label, at, network.depth)
        if 0 <= layer <= network.depth:
            sizes[layer_size(label)] = network.sizes[layer]

    def bind(symbol: sp.MatrixSymbol) -> sp.ImmutableMatrix:
        kind, label = matrix_role(symbol)
        try:
            value = values(kind, layer_number(label, at, network.depth))
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


def _instances(kind: str, label: str, depth: int, above: bool = False) -> list[int]:
    """The layer numbers l at which an equation for ``kind^{[label]}`` is checked; with
    ``above`` (its right side names layer l+1), the hidden layers only."""
    if label == "L":
        return [depth]
    first = 2 if label == "l-1" else 1
    return [
        at
        for at in range(depth - 1 if above else depth, first - 1, -1)
        if kind != "dA" or layer_number(label, at, depth) < depth
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
        raise ProofError(f"{plain(lhs)} = {plain(rhs)}: the sides differ in shape: {shapes}")
    kind, label = matrix_role(lhs)
    meaning = _MEANING.get(kind, "the forward pass's " + kind) + f"[{label}]"
    counts = []
    above = any(matrix_role(s)[1] == "l+1" for s in rhs.atoms(sp.MatrixSymbol))
    for at in _instances(kind, label, network.depth, above):
        anchor = _anchor(kind, layer_number(label, at, network.depth))
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
    by_role = {matrix_role(lhs): rhs for lhs, rhs in equations}
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
        values[kind, layer_number(label, at, network.depth)] = evaluate(
            by_role[kind, label], bind, sizes
        )

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
