"""Fuzzing the command line: random expressions, CSV bytes, model files and option values.

The property, for every input: the command succeeds (exit 0), or it refuses with exactly one
line on standard error and exit status 2; never a traceback, never a hang (symbolic work runs
under ``--time-limit``; sizes are capped before anything is allocated), and never a changed
file other than the output the command was asked to write. Every command runs in-process
through :func:`chainrule.cli.main` in a folder of its own with files that must not change; a
few run as real processes. Bounded: modest example counts, no example database.

Run with ``-s`` to see how many malformed inputs were tried and the slowest refusal.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from chainrule.cli import main  # noqa: E402

FUZZ = settings(
    max_examples=25,
    deadline=None,  # no timed tests: the commands bound themselves (see the module docstring)
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GOOD_ROWS = "a,b,label\n" + "".join(f"{i},{(i * 7) % 5},{i % 2}\n" for i in range(24))

#: Refusals seen: how many, and the slowest (seconds, command).
RECORD: dict = {"refused": 0, "succeeded": 0, "slowest": (0.0, "")}


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    seconds, command = RECORD["slowest"]
    print(
        f"\nfuzz: {RECORD['refused']} malformed inputs refused, {RECORD['succeeded']} accepted; "
        f"slowest refusal {seconds:.2f} s: {command}"
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A folder with a data file, a saved model and a bystander file, none of which any
    command may change."""
    path = tmp_path_factory.mktemp("fuzz")
    (path / "d.csv").write_text(GOOD_ROWS)
    (path / "bystander.txt").write_text("must stay")
    argv = ["train", "--data", str(path / "d.csv"), "--epochs", "2", "--quiet"]
    assert main([*argv, "--save", str(path / "m.npz")]) == 0
    return path


def snapshot(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def check(capsys, folder: Path, argv: list[str], output: str | None = None) -> int:
    """Run ``chainrule argv`` in ``folder``; assert the property; return the exit status."""
    before = snapshot(folder)
    cwd = os.getcwd()
    os.chdir(folder)
    start = time.monotonic()
    try:
        status = main(argv)
    finally:
        os.chdir(cwd)
    seconds = time.monotonic() - start
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    assert status in (0, 2), (argv, status, err)
    if status == 2:
        errors = [line for line in err.splitlines() if "error:" in line]
        assert len(errors) == 1 and err.endswith("\n") and errors[0] == err.splitlines()[-1]
        RECORD["refused"] += 1
        if seconds > RECORD["slowest"][0]:
            RECORD["slowest"] = (seconds, " ".join(argv)[:120])
    else:
        RECORD["succeeded"] += 1
    after = snapshot(folder)
    for name in set(before) | set(after):
        if name != output:
            assert before.get(name) == after.get(name), f"{name} changed by {argv}"
    if output is not None and output in after:
        (folder / output).unlink()
    return status


# ----------------------------------------------------------------------------- expressions
ATOMS = st.sampled_from(
    ["z", "x", "w", "a", "1", "0", "2", "0.5", "1e3", "pi", "e", "-1", "9**9", "q", "__import__"]
)
FUNCTIONS = ["exp", "log", "sqrt", "sigmoid", "tanh", "sin", "relu", "softplus", "abs", "foo"]


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^", "//"]), children)
    call = st.tuples(st.sampled_from(FUNCTIONS), children)
    return binary.map(lambda t: f"({t[0]}{t[1]}{t[2]})") | call.map(lambda t: f"{t[0]}({t[1]})")


EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=10) | st.text(
    alphabet="z()+-*/.,e0123456789 sqrtlogexp[]'\"_٣", max_size=40
)


@FUZZ
@given(text=EXPRESSIONS)
def test_random_expressions(capsys, folder, text):
    check(capsys, folder, ["derive", "--expr", text, "--wrt", "z", "--time-limit", "0.5"])


@FUZZ
@given(activation=EXPRESSIONS, loss=st.sampled_from(["mse", "(a-y)**2", "log(a)", "a*y"]))
def test_random_math_for_training(capsys, folder, activation, loss):
    argv = ["train", "--data", "d.csv", "--epochs", "1", "--layers", "2", "--quiet"]
    check(capsys, folder, [*argv, "--activation", activation, "--loss", loss, "--time-limit", "1"])


# ----------------------------------------------------------------------------- CSV bytes
CELLS = st.sampled_from(
    ["1", "-2.5", "", "x", "nan", "inf", "1e308", "-1.7e308", "1_0", "٣", '"q"', "  3 ", "0x1"]
)
CSV_TEXT = st.lists(st.lists(CELLS, min_size=1, max_size=4), min_size=0, max_size=12).map(
    lambda rows: "\n".join(",".join(row) for row in rows)
)
CSV_BYTES = (
    st.binary(max_size=200)
    | CSV_TEXT.map(str.encode)
    | st.builds(
        lambda head, tail: (GOOD_ROWS[:head] + tail + GOOD_ROWS[head:]).encode(),
        st.integers(0, len(GOOD_ROWS)),
        st.text(max_size=20),
    )
)


@FUZZ
@given(content=CSV_BYTES)
def test_random_csv_bytes(capsys, folder, content):
    (folder / "fuzz.csv").write_bytes(content)
    try:
        check(
            capsys, folder, ["train", "--data", "fuzz.csv", "--epochs", "1", "--quiet"], "fuzz.csv"
        )
    finally:
        (folder / "fuzz.csv").unlink(missing_ok=True)


# ----------------------------------------------------------------------------- model files
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def _npy(array) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array))
    return buffer.getvalue()


def _altered_architecture(model: bytes, key: str, value) -> bytes:
    import numpy as np

    with zipfile.ZipFile(io.BytesIO(model)) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    spec = json.loads(str(np.load(io.BytesIO(entries["architecture.npy"]))))
    spec[key] = value
    entries["architecture.npy"] = _npy(json.dumps(spec))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


KEYS = ["layer_sizes", "activation", "output", "init", "dtype", "rng_state", "schema", "format"]


@FUZZ
@given(data=st.data())
def test_random_model_files(capsys, folder, data):
    model = (folder / "m.npz").read_bytes()
    how = data.draw(st.sampled_from(["truncate", "overwrite", "architecture"]))
    if how == "truncate":
        content = model[: data.draw(st.integers(0, len(model)))]
    elif how == "overwrite":
        start = data.draw(st.integers(0, len(model) - 1))
        patch = data.draw(st.binary(min_size=1, max_size=16))
        content = model[:start] + patch + model[start + len(patch) :]
    else:
        content = _altered_architecture(
            model, data.draw(st.sampled_from(KEYS)), data.draw(JSON_VALUES)
        )
    (folder / "fuzz.npz").write_bytes(content)
    try:
        argv = ["predict", "--model", "fuzz.npz", "--data", "d.csv", "--time-limit", "1"]
        check(capsys, folder, argv, "fuzz.npz")
    finally:
        (folder / "fuzz.npz").unlink(missing_ok=True)


# ----------------------------------------------------------------------------- option values
OPTIONS = [
    "--layers",
    "--lr",
    "--l2",
    "--keep-prob",
    "--momentum",
    "--beta1",
    "--beta2",
    "--lr-decay",
    "--seed",
    "--batch-size",
    "--dtype",
    "--init",
    "--optimizer",
    "--output",
    "--loss",
    "--patience",
    "--validation-fraction",
    "--target",
    "--save",
    "--plot",
    "--time-limit",
]
VALUES = st.text(alphabet="0123456789.,-e+ xnaifz", max_size=4) | st.sampled_from(
    [
        "",
        "-",
        "nan",
        "inf",
        "1e309",
        "0",
        "-1",
        "adam",
        "softmax",
        "out.npz",
        ".",
        "/dev/full",
        "d.csv",
        "bystander.txt",
        "out.png",
        "1" * 5000,
    ]
)


@FUZZ
@given(option=st.sampled_from(OPTIONS), value=VALUES, stop=st.booleans())
def test_random_option_values(capsys, folder, option, value, stop):
    argv = ["train", "--data", "moons", "--epochs", "1", "--layers", "2", "--quiet"]
    argv += ["--early-stopping"] if stop else []
    output = value if option in ("--save", "--plot") else None
    check(capsys, folder, [*argv, "--time-limit", "1", option, value], output)


# ----------------------------------------------------------------------------- processes
@settings(FUZZ, max_examples=3)
@given(content=CSV_BYTES, text=EXPRESSIONS)
def test_random_inputs_in_a_real_process(folder, content, text):
    (folder / "fuzz.csv").write_bytes(content)
    try:
        for argv in (
            ["train", "--data", "fuzz.csv", "--epochs", "1", "--quiet"],
            ["derive", "--expr", text, "--wrt", "z", "--time-limit", "0.5", "--no-cache"],
        ):
            done = subprocess.run(
                [sys.executable, "-m", "chainrule", *argv],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            assert done.returncode in (0, 2) and "Traceback" not in done.stderr, done.stderr
            if done.returncode == 2:
                assert done.stderr.count("\n") == 1
                RECORD["refused"] += 1
    finally:
        (folder / "fuzz.csv").unlink(missing_ok=True)
