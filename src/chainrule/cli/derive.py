"""``chainrule derive``: the reference derivations, any activation and loss, or any expression,
step by step, proven."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from chainrule import __version__
from chainrule.budget import time_limit
from chainrule.cache import CachedDocument, cached_document
from chainrule.cli import COMMANDS
from chainrule.cli.options import add_time_limit_option
from chainrule.cli.output import write_output
from chainrule.errors import InputError
from chainrule.render import FORMATS, render
from chainrule.render.printing import folded
from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.symbols import BASE_SYMBOLS
from chainrule.symbolic.derivations.reference import REFERENCE_IDS, reference_derivations

ROUTES = {"chain": ("chain rule",), "direct": ("direct",), "both": ("chain rule", "direct")}
DEFAULT_LOSS = "binary_cross_entropy"
#: What --show-code prints code for.
TARGETS = ("numpy", "torch", "jax")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "derive",
        help=COMMANDS["derive"],
        description=(
            "Reproduce the reference derivations ([1] dL/da, ln, [2] dσ/dz, [3] dL/dz, "
            "[4] dz/dw, [5] dL/dw, [6] dL/db, layers) step by step, each step proven; the same "
            "set for any activation and loss with --activation/--loss; or derive any "
            "expression with --expr. --list shows the catalogue."
        ),
    )
    parser.add_argument(
        "ids",
        nargs="*",
        metavar="ID",
        help=f"derivations to show (default: all reference ones): {', '.join(REFERENCE_IDS)}, "
        "or a layer's derivations by name (see --list)",
    )
    parser.add_argument("--route", choices=sorted(ROUTES), default="both")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        dest="fmt",
        help="output format (default: from the -o file's extension, .md .tex .html .json, "
        "else text)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead")
    parser.add_argument("--expr", metavar="TEXT", help='an expression, e.g. "log(1 + exp(-z))"')
    parser.add_argument(
        "--wrt",
        metavar="VAR",
        help="variable for --expr (default: its only variable; needed when it has several)",
    )
    parser.add_argument(
        "--activation",
        metavar="NAME|TEXT",
        help="a catalogue activation (tanh, relu, swish, ...) or math in z, e.g. 'z*sigmoid(z)'",
    )
    parser.add_argument(
        "--loss",
        metavar="NAME|TEXT",
        help=(
            "a catalogue loss (mse, hinge, ...; default with --activation: "
            f"{DEFAULT_LOSS}), math in a and y, or softmax_cross_entropy"
        ),
    )
    parser.add_argument(
        "--hidden",
        metavar="NAMES",
        help="with the derivation layers: the hidden activation (tanh, the default, sigmoid or "
        "relu), or one per hidden layer, comma-separated from layer 1 (relu,tanh needs 3 layers)",
    )
    parser.add_argument(
        "--brief",
        action="store_true",
        help="fold every side step (the proof of d(ln x)/dx, ...) into one line of the step "
        "that uses it; its lines are proven all the same",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the catalogue of activations and losses"
    )
    parser.add_argument(
        "--show-code",
        action="store_true",
        help="instead of the derivations, print the code generated for --activation and "
        "--loss as a Python module (see --target)",
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        help="with --show-code: numpy (default; g, g', the cost and the output delta), torch "
        "(a torch.autograd.Function per activation and loss, the proven derivative as its "
        "backward) or jax (a jax.custom_vjp function each)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="prove the named derivations again instead of reading them from the cache of "
        "proven derivations ($CHAINRULE_CACHE_DIR, else $XDG_CACHE_HOME/chainrule)",
    )
    add_time_limit_option(parser, "deriving --expr, --activation and --loss (or their code)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print (or write) what the options ask for; return the exit status."""
    if args.list:
        _check_list(args)
        _write(args, catalogue_text())
        return 0
    if args.show_code:
        with time_limit(args.time_limit, "generating the code of --activation and --loss"):
            code = _code(args)
        _write(args, code)
        return 0
    if args.target is not None:
        raise InputError(f"'--target' applies only with '--show-code' (got --target {args.target})")
    args.fmt = args.fmt or _format_of(args.output)
    if args.wrt is not None and args.expr is None:
        raise InputError(f"'--wrt' applies only with '--expr' (got --wrt {args.wrt})")
    rendered = _rendered(args)
    for note in rendered.notes:
        print(note, file=sys.stderr)
    _write(args, rendered.document)
    return 0


def _rendered(args: argparse.Namespace) -> CachedDocument:
    """The document the options ask for; named derivations (the reference set, the layer
    families) come from the cache of proven derivations when it holds them."""

    def make() -> CachedDocument:
        derivations, notes = _derivations(args)
        if args.brief:
            derivations = folded(derivations)
        return CachedDocument(render(derivations, args.fmt, version=__version__), notes)

    if args.expr is not None or args.activation is not None or args.loss is not None:
        return make()
    request = ["derive", *args.ids, "--route", args.route, "--format", args.fmt]
    if args.hidden is not None:
        request += ["--hidden", args.hidden]
    if args.brief:
        request.append("--brief")
    return cached_document(request, make, use_cache=not args.no_cache)


#: The format an ``-o`` file's extension names when ``--format`` is not given.
_EXTENSIONS = {
    ".md": "markdown",
    ".tex": "latex",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}


def _format_of(output: str | None) -> str:
    """The format an output file's extension names; text when there is none or no file."""
    if output is None:
        return "text"
    return _EXTENSIONS.get(os.path.splitext(output)[1].lower(), "text")


def _check_list(args: argparse.Namespace) -> None:
    """``--list`` prints the catalogue as text and takes nothing that would change it."""
    others = [
        ("derivation ids", bool(args.ids)),
        ("--expr", args.expr is not None),
        ("--activation", args.activation is not None),
        ("--loss", args.loss is not None),
        ("--show-code", args.show_code),
        (f"--format {args.fmt}", args.fmt not in (None, "text")),
    ]
    found = [name for name, given in others if given]
    if found:
        raise InputError(f"'--list' prints the catalogue as text on its own (got {found[0]})")


def _notes_on_routes(route: str, derivations: list[Derivation]) -> tuple[str, ...]:
    """The notes for stderr on the derivations --route could not choose for: they have one
    route, or none of the routes it names (a layer's: im2col, full convolution)."""
    if route == "both":
        return ()
    notes = []
    single = [f"[{d.id}]" for d in derivations if len(d.routes) < 2]
    if single:
        notes.append(
            f"chainrule: note: --route {route} chooses between two routes; "
            f"{', '.join(single)} {'has' if len(single) == 1 else 'have'} one, shown as it is"
        )
    wanted = ROUTES[route]
    other = [
        f"[{d.id}]"
        for d in derivations
        if len(d.routes) > 1 and not any(r.name in wanted for r in d.routes)
    ]
    if other:
        names = " and ".join(repr(name) for name in wanted)
        notes.append(
            f"chainrule: note: {', '.join(other)} {'has' if len(other) == 1 else 'have'} no "
            f"route {names}; shown with all routes"
        )
    return tuple(notes)


def _write(args: argparse.Namespace, text: str) -> None:
    if args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _derivations(args: argparse.Namespace) -> tuple[list[Derivation], tuple[str, ...]]:
    """The derivations the options ask for, and the notes on their routes."""
    pair = args.activation is not None or args.loss is not None
    if args.expr is not None:
        if pair:
            option = "--activation" if args.activation is not None else "--loss"
            raise InputError(f"'--expr' cannot be combined with '{option}'")
        with time_limit(args.time_limit, "deriving --expr"):
            derivations = _expression(args)
        return derivations, _notes_on_routes(args.route, derivations)
    if pair:
        with time_limit(_pair_limit(args), "deriving --activation and --loss"):
            derivations = _pair(args)
    else:
        derivations = _shown_once(_named(args.ids, args.hidden))
    wanted = ROUTES[args.route]
    notes = _notes_on_routes(args.route, derivations)
    return [_only_routes(d, wanted) for d in derivations], notes


def _named(ids: list[str], hidden: str | None = None) -> list[Derivation]:
    """The reference derivations and layer families named by ``ids``, in the order asked (all
    reference derivations when there are none); ``hidden`` is --hidden for "layers"."""
    from chainrule.symbolic.derivations.layers import FAMILIES

    if hidden is not None:
        return _with_hidden(ids, hidden)

    if not ids:
        return reference_derivations()
    unknown = [i for i in ids if i not in REFERENCE_IDS and i not in FAMILIES]
    if unknown:
        known = ", ".join([*REFERENCE_IDS, *FAMILIES])
        raise InputError(f"'derivation' must be one of {known} (got {unknown[0]!r})")
    reference = [i for i in ids if i in REFERENCE_IDS]
    built = dict(zip(reference, reference_derivations(reference), strict=True))
    found: list[Derivation] = []
    for i in ids:
        found.extend(FAMILIES[i].derivations().build() if i in FAMILIES else [built[i]])
    return found


def _shown_once(derivations: list[Derivation]) -> list[Derivation]:
    """``derivations`` without those that another one already shows as its sub-derivation
    (the side proof [ln] sits inside [1], where it is used)."""
    nested = {
        sub.id
        for derivation in derivations
        for route in derivation.routes
        for step in route.steps
        for sub in step.subderivations
    }
    return [d for d in derivations if d.id not in nested] or derivations


#: The hidden activations the layer equations are proven with, and how many layers at most
#: (each one adds to the symbolic proof).
_HIDDEN = ("tanh", "sigmoid", "relu")
_MAX_HIDDEN_LAYERS = 6


def _with_hidden(ids: list[str], hidden: str) -> list[Derivation]:
    """The derivation "layers" with the hidden activations --hidden names, one or one per
    hidden layer (the network then gets that many hidden layers)."""
    from chainrule.symbolic.derivations.layers.dense import layer_equations

    if ids != ["layers"]:
        raise InputError(f"'--hidden' applies only to the derivation layers alone (got {ids})")
    names = [name.strip() for name in hidden.split(",")]
    unknown = [name for name in names if name not in _HIDDEN]
    if unknown:
        raise InputError(
            f"'--hidden' must be {', '.join(_HIDDEN)} or a comma list of them (got {unknown[0]!r})"
        )
    if len(names) > _MAX_HIDDEN_LAYERS:
        raise InputError(
            f"'--hidden' names at most {_MAX_HIDDEN_LAYERS} hidden layers (got {len(names)})"
        )
    if len(names) == 1:
        return [layer_equations(hidden=names[0])]
    sizes = (3, *([2] * len(names)), 1)
    return [layer_equations(sizes=sizes, hidden=names)]


def _only_routes(derivation: Derivation, names: tuple[str, ...]) -> Derivation:
    """Keep the routes named ``names`` where a derivation has a choice of routes (all of them
    for ``--route both``, and where it has none of those names)."""
    if len(derivation.routes) < 2 or names == ROUTES["both"]:
        return derivation
    kept = tuple(r for r in derivation.routes if r.name in names)
    return dataclasses.replace(derivation, routes=kept) if kept else derivation


def _pair_limit(args: argparse.Namespace) -> float | None:
    """The time limit of a pair: none when both are catalogue names (each catalogue pair's
    time is known: the derive benchmark times them all), ``--time-limit`` when either is
    math text."""
    from chainrule.symbolic.catalog import is_softmax, lookup

    def named(kind: str, spec: str | None) -> bool:
        return spec is None or is_softmax(spec) or lookup(kind, spec) is not None

    try:
        catalogue = named("activation", args.activation) and named("loss", args.loss)
    except InputError:  # a bad constant, as in leaky_relu(-5): _pair names the option
        return args.time_limit
    return None if catalogue else args.time_limit


def _pair(args: argparse.Namespace) -> list[Derivation]:
    """The set [1]-[6] and layers for --activation and --loss, or the softmax set."""
    from chainrule.symbolic.catalog import get_activation, get_loss, is_softmax
    from chainrule.symbolic.derivations.pair import derive_pair

    if is_softmax(args.loss) or (args.loss is None and is_softmax(args.activation)):
        if args.activation is not None and not is_softmax(args.activation):
            raise InputError(
                f"'--activation' must be softmax or left out with '--loss {args.loss}': the "
                f"softmax is the output activation of that loss (got {args.activation!r})"
            )
        from chainrule.symbolic.derivations.softmax import softmax_derivations

        return softmax_derivations(args.ids or None)
    activation = get_activation(args.activation or "sigmoid", parameter="--activation")
    loss = get_loss(args.loss or DEFAULT_LOSS, parameter="--loss")
    return derive_pair(activation, loss, args.ids or None)


def _code(args: argparse.Namespace) -> str:
    """The generated NumPy code of the pair that --activation and --loss name."""
    from chainrule.custom import pair_source
    from chainrule.symbolic.catalog import is_softmax

    if args.expr is not None or args.ids:
        found = "--expr" if args.expr is not None else "derivation ids"
        raise InputError(f"'--show-code' shows the code of --activation and --loss (got {found})")
    if args.fmt not in (None, "text"):
        raise InputError(f"'--show-code' prints Python code; leave out '--format {args.fmt}'")
    if args.target in ("torch", "jax"):
        return _export(args)
    loss = args.loss or DEFAULT_LOSS
    activation = args.activation or (None if is_softmax(loss) else "sigmoid")
    return pair_source(activation, loss)


def _export(args: argparse.Namespace) -> str:
    """The PyTorch or JAX module of --activation and/or --loss."""
    from chainrule.codegen import jax_source, torch_source
    from chainrule.symbolic.catalog import is_softmax

    if args.activation is None and args.loss is None:
        raise InputError(
            f"'--show-code --target {args.target}' exports --activation, --loss or both "
            "(got neither)"
        )
    for option, value in (("--activation", args.activation), ("--loss", args.loss)):
        if is_softmax(value):
            raise InputError(
                f"'{option}' must be element-wise for --target {args.target}: the softmax "
                f"couples the units (got {value!r})"
            )
    source = torch_source if args.target == "torch" else jax_source
    activation = None if args.activation is None else _entry("activation", args.activation)
    loss = None if args.loss is None else _entry("loss", args.loss)
    return source(activation, loss)


def _entry(kind: str, spec: str):
    from chainrule.symbolic.catalog import get_activation, get_loss

    get = get_activation if kind == "activation" else get_loss
    return get(spec, parameter=f"--{kind}")


def _expression(args: argparse.Namespace) -> list[Derivation]:
    from chainrule.symbolic.catalog.parse import parse_expression
    from chainrule.symbolic.derivations.expression import derive_expression

    if args.ids:
        raise InputError(f"'--expr' takes no derivation ids (got {' '.join(args.ids)})")
    if args.wrt is not None and args.wrt not in BASE_SYMBOLS:
        raise InputError(f"'--wrt' must be one of {', '.join(BASE_SYMBOLS)} (got {args.wrt!r})")
    expr = parse_expression(args.expr, BASE_SYMBOLS, parameter="--expr")
    variable = _variable(expr, args.wrt)
    return [derive_expression(expr, variable, text=args.expr, parameter="--expr")]


def _variable(expr, wrt: str | None):
    """The symbol to differentiate by: ``--wrt``, else the expression's only variable (z for
    a constant); an expression in several variables needs ``--wrt``."""
    if wrt is not None:
        return BASE_SYMBOLS[wrt]
    variables = sorted(name for name, symbol in BASE_SYMBOLS.items() if symbol in expr.free_symbols)
    if len(variables) > 1:
        raise InputError(
            f"'--wrt' is needed: the expression has the variables {', '.join(variables)} "
            f"(got no --wrt)"
        )
    return BASE_SYMBOLS[variables[0] if variables else "z"]


def catalogue_text() -> str:
    """The catalogue as text: names (aliases), formulas and the derivatives' forms."""
    from chainrule.render import expr_text
    from chainrule.symbolic.catalog import ACTIVATIONS, LOSSES, SOFTMAX_CROSS_ENTROPY
    from chainrule.symbolic.derivations.layers import FAMILIES

    def rows(entries, derivative: str, missing: str) -> list[tuple[str, str, str]]:
        found = []
        for entry in entries:
            name = entry.name + (f" ({', '.join(entry.aliases)})" if entry.aliases else "")
            form = entry.derivative_form
            shown = f"{derivative} = {expr_text(form)}" if form is not None else missing
            found.append((name, entry.text, shown))
        return found

    sections = [
        (
            "activations: --activation NAME, or math in z such as 'z*sigmoid(z)'",
            rows(ACTIVATIONS.values(), "da/dz", "da/dz: no form in a; see derive 2 --activation"),
        ),
        (
            "losses: --loss NAME, or math in a and y such as '(a - y)**2/2'",
            rows(LOSSES.values(), "dL/da", ""),
        ),
        (
            "output pairs: --loss NAME",
            rows([SOFTMAX_CROSS_ENTROPY], "dL/dz_j", ""),
        ),
    ]
    families = [(f.name, f.title, "") for f in FAMILIES.values()]
    if families:
        sections.append(("layer derivations: chainrule derive NAME", families))
    lines = []
    for heading, table in sections:
        lines.append(heading)
        widths = [max(len(row[k]) for row in table) for k in range(2)]
        for name, text, shown in table:
            lines.append(f"  {name:<{widths[0]}}  {text:<{widths[1]}}  {shown}".rstrip())
        lines.append("")
    lines.append("leaky_relu(SLOPE) and elu(ALPHA) take other constants, e.g. leaky_relu(0.2)")
    return "\n".join(lines) + "\n"
