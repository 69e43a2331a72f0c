"""``chainrule derive`` for the layer families, through main(argv)."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from chainrule.cli import main
from chainrule.symbolic.derivations.layers import FAMILIES


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_the_layer_families(capsys):
    status, out, err = run(capsys, "derive", "--list")
    assert status == 0 and err == ""
    section = out[out.index("layer derivations: chainrule derive NAME") :]
    assert len(FAMILIES) == 8
    for name in FAMILIES:
        assert f"\n  {name} " in section


def test_two_families_in_the_order_asked(capsys):
    status, out, err = run(capsys, "derive", "avgpool", "maxpool")
    assert status == 0 and err == ""
    assert out.index("[avgpool]") < out.index("[maxpool]")
    assert "✓" in out and "FAILED" not in out
    assert "routes agree" not in out  # each has one route: nothing to agree with


def test_a_family_as_json_in_a_file(tmp_path, capsys):
    target = tmp_path / "avgpool.json"
    status, out, _ = run(capsys, "derive", "avgpool", "-o", str(target))
    assert status == 0 and out == ""
    (derivation,) = json.loads(target.read_text(encoding="utf-8"))["derivations"]
    assert derivation["id"] == "avgpool" and derivation["oracle"]["verdict"] == "proved"
    assert derivation["goal"] == "dA_prev[i, y, x, c]"
    assert derivation["symbols"]["dA_prev"] == "IndexedBase('dA_prev')"
    names = {name: sp.sympify(text) for name, text in derivation["symbols"].items()}
    assert isinstance(sp.sympify(derivation["result"], locals=names), sp.Sum)


def test_lstm_shows_the_cell_then_backpropagation_through_time(capsys, tmp_path):
    target = tmp_path / "lstm.json"
    status, out, err = run(capsys, "derive", "lstm", "-o", str(target))
    assert status == 0 and out == "" and err == ""
    cell, through_time = json.loads(target.read_text(encoding="utf-8"))["derivations"]
    assert (cell["id"], through_time["id"]) == ("lstm", "lstm_bptt")
    assert [route["name"] for route in through_time["routes"]] == ["through time"]
    assert through_time["oracle"]["verdict"] == "proved"
    steps = through_time["routes"][0]["steps"]
    assert len(steps) == 37 and all(step["verdict"] == "proved" for step in steps)


def test_route_keeps_a_layer_route_it_does_not_name(capsys, layer_derivations, monkeypatch):
    monkeypatch.setitem(FAMILIES, "conv", _Built([layer_derivations["conv"]]))
    status, out, err = run(capsys, "derive", "conv", "--route", "direct")
    assert status == 0
    assert "\nim2col\n" in out and "\nfull convolution\n" in out
    assert err == "chainrule: note: [conv] has no route 'direct'; shown with all routes\n"


class _Built:
    """A family whose derivations are already built (the session's), so the test is quick."""

    def __init__(self, derivations):
        self._derivations = derivations

    def derivations(self):
        return self

    def build(self, ids=None):
        return list(self._derivations)


@pytest.mark.parametrize("name", ["convolution", "Conv", "pool"])
def test_an_unknown_name_is_one_line_and_status_two(capsys, name):
    status, out, err = run(capsys, "derive", name)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and f"(got '{name}')" in err
    assert "batchnorm, conv, maxpool, avgpool" in err


def test_hidden_gives_each_hidden_layer_its_activation(capsys):
    status, out, err = run(capsys, "derive", "layers", "--hidden", "relu,tanh", "--no-cache")
    assert status == 0 and err == ""
    assert "g[1] = relu, g[2] = tanh, and g[3] = σ" in out
    assert "n = (3, 2, 2, 1), m = 4, relu then tanh hidden" in out
    assert "✓ proved" in out and "FAILED" not in out


def test_hidden_with_one_name_sets_every_hidden_layer(capsys):
    status, out, _ = run(capsys, "derive", "layers", "--hidden", "sigmoid", "--no-cache")
    assert status == 0
    assert "sigmoid hidden" in out and "tanh" not in out.split("Proof:")[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["layers", "--hidden", "swish"], "'--hidden' must be tanh, sigmoid, relu"),
        (["layers", "--hidden", ",".join(["relu"] * 7)], "at most 6 hidden layers (got 7)"),
        (["1", "--hidden", "relu"], "'--hidden' applies only to the derivation layers"),
        (["--hidden", "relu"], "'--hidden' applies only to the derivation layers"),
    ],
)
def test_hidden_refuses_in_one_line(capsys, argv, message):
    status, out, err = run(capsys, "derive", *argv)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
