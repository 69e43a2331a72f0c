"""``chainrule gradcheck`` through main(argv): a table per parameter array, PASS with exit 0,
FAIL with exit 1 on a planted wrong gradient, one line and exit 2 on bad input."""

from __future__ import annotations

import pytest

from chainrule.cli import main
from chainrule.numeric import Network


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def table_rows(out: str) -> dict[str, list[str]]:
    """Cells of the table's body rows, by array name."""
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if len(cells) == 7 and cells[0][:1] in ("W", "b"):
            rows[cells[0]] = cells[1:]
    return rows


def test_default_network_passes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["gradcheck"], capsys)
    assert status == 0 and err == ""
    assert out.splitlines()[0] == (
        "network 30-8-1 (sigmoid hidden, sigmoid output), 16 examples of breast_cancer, step 1e-05"
    )
    rows = table_rows(out)
    assert list(rows) == ["W1", "b1", "W2", "b2"]
    assert rows["W1"][0] == "8x30" and rows["b2"][0] == "1x1"
    assert all(cells[-1] == "PASS" and float(cells[1]) < 1e-7 for cells in rows.values())
    last = out.splitlines()[-1]
    assert last.startswith("gradient check: PASS (largest relative error ")
    assert last.endswith("< threshold 1e-07)")


@pytest.mark.parametrize(
    "argv",
    [
        ["--layers", "6,4", "--activation", "relu", "--data", "digits", "--samples", "8"],
        ["--layers", "5", "--activation", "tanh", "--output", "linear", "--data", "moons"],
        ["--layers", "", "--output", "softmax"],
    ],
)
def test_other_architectures_pass(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["gradcheck", *argv], capsys)
    assert status == 0, out + err
    assert out.splitlines()[-1].startswith("gradient check: PASS")


def test_a_planted_wrong_gradient_fails_with_status_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    honest_backward = Network.backward

    def corrupted_backward(self, Y, caches):
        grads = honest_backward(self, Y, caches)
        grads["db1"][3, 0] += 1e-3
        return grads

    monkeypatch.setattr(Network, "backward", corrupted_backward)
    status, out, err = run(["gradcheck"], capsys)
    assert status == 1 and err == ""
    rows = table_rows(out)
    assert rows["b1"][-1] == "FAIL" and rows["b1"][2] == "[3, 0]"
    assert [cells[-1] for name, cells in rows.items() if name != "b1"] == ["PASS"] * 3
    assert out.splitlines()[-1].startswith("gradient check: FAIL (largest relative error ")
    assert "in b1 >= threshold 1e-07" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--data", "iris"], "argument --data: expected one of"),
        (["--layers", "3,0"], "argument --layers: expected comma-separated positive integers"),
        (["--activation", "swoosh"], "'--activation' must be one of sigmoid"),
        (["--samples", "0"], "argument --samples: expected a positive integer, got '0'"),
        (["--epsilon=-1e-5"], "argument --epsilon: expected a positive number"),
        (["--threshold", "x"], "argument --threshold: expected a number, got 'x'"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["gradcheck", *argv], capsys)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and expected in err


def test_a_csv_file_with_its_class_column_named(tmp_path, capsys) -> None:
    rows = ["a,b,label,c"] + [f"{i % 3},{(i * 7) % 5},{'xy'[i % 2]},{i / 10}" for i in range(12)]
    path = tmp_path / "measurements.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    status, out, err = run(["gradcheck", "--data", str(path), "--target", "label"], capsys)
    assert status == 0 and err == ""
    assert "gradient check: PASS" in out
