"""chainrule derive embedding / rnn / lstm / attention: every line proven (the LSTM's cell and
backpropagation through time), planted wrong lines
caught by the checker, the notes' conventions and errata, and the directly taken derivatives
checked against PyTorch autograd (where installed) at a random point."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.trees import add, frac, group, mul, neg
from chainrule.symbolic.derivations.layers import (
    attention_instance,
    embedding,
    lstm_bptt_instance,
    lstm_instance,
    rnn_instance,
)
from chainrule.symbolic.proof.instances import check_claim

SEQUENCE_DERIVATIONS = ("embedding", "rnn", "lstm", "lstm_bptt", "attention")


@pytest.fixture(scope="module")
def derivations(layer_derivations):
    return {name: layer_derivations[name] for name in SEQUENCE_DERIVATIONS}


@pytest.fixture(scope="module")
def layers():
    return {
        "embedding": [
            embedding.instance(rows, size) for rows, size in zip(embedding.IDS, (4, 3), strict=True)
        ],
        "rnn": [rnn_instance.instance(size) for size in rnn_instance.SIZES],
        "lstm": [lstm_instance.instance(size) for size in lstm_instance.SIZES],
        "lstm_bptt": [lstm_bptt_instance.instance(size) for size in lstm_bptt_instance.SIZES],
        "attention": [attention_instance.instance(size) for size in attention_instance.SIZES],
    }


@pytest.mark.parametrize(
    ("name", "steps", "entries"),
    [
        ("embedding", 5, 14),
        ("rnn", 16, 49),
        ("lstm", 35, 120),
        ("lstm_bptt", 37, 66),
        ("attention", 11, 38),
    ],
)
def test_every_line_is_proved(derivations, name, steps, entries):
    derivation = derivations[name]
    (route,) = derivation.routes
    assert len(route.steps) == steps
    assert all(step.verdict is Verdict.PROVED for step in derivation.steps())
    assert derivation.oracle.verdict is Verdict.PROVED
    assert f"all {entries} entries" in derivation.oracle.method
    assert all("Shapes:" in step.text for step in route.steps if step.move != "differentiate")


def _fails(lhs, rhs, notation, layers) -> str:
    check = check_claim(lhs, rhs, notation, layers)
    assert check.verdict is Verdict.FAILED
    return check.method


# --- embedding ----------------------------------------------------------------------------


def test_the_gradient_of_a_repeated_word_is_summed_not_assigned(layers):
    notation, (k, v, i, t) = embedding.NOTATION, (sp.Symbol(n) for n in "kvit")
    dE, de, ids = embedding.dE, embedding.de, embedding.ids
    method = _fails(dE[k, ids[i, t]], de[k, i, t], notation, layers["embedding"])
    assert "differs from ∂J/∂E" in method
    one_step = sp.Sum(mul(sp.KroneckerDelta(v, ids[i, 0]), de[k, i, 0]), (i, 0, sp.Symbol("m") - 1))
    _fails(dE[k, v], one_step, notation, layers["embedding"])
    # a word never used gets a zero column
    assert layers["embedding"][0].arrays["dE"][0, 2] == 0


# --- rnn --------------------------------------------------------------------------------------

_R = rnn_instance


def _rnn_sum(body, *letters):
    return sp.Sum(body, *((letter, *_R.NOTATION.ranges[letter]) for letter in letters))


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (  # only the output's path into a⟨t⟩, not the next step's
            _R.da[_R.j, _R.i, _R.t],
            _rnn_sum(mul(_R.Wya[_R.q, _R.j], _R.dz_y[_R.q, _R.i, _R.t]), _R.q),
        ),
        (_R.dz[_R.j, _R.i, _R.t], _R.da[_R.j, _R.i, _R.t]),  # without tanh'
        (  # the state after the step instead of the one it reads
            _R.dWaa[_R.j, _R.l],
            _rnn_sum(mul(_R.dz[_R.j, _R.i, _R.t], _R.a[_R.l, _R.i, _R.t]), _R.i, _R.t),
        ),
        (  # the softmax skipped: dz_y = dŷ
            _R.dz_y[_R.q, _R.i, _R.t],
            _R.dyhat[_R.q, _R.i, _R.t],
        ),
    ],
    ids=["da-without-next-step", "no-tanh-slope", "dWaa-with-a", "no-softmax-jacobian"],
)
def test_a_planted_wrong_rnn_line_fails(layers, lhs, rhs):
    _fails(lhs, rhs, _R.NOTATION, layers["rnn"])


# --- lstm -------------------------------------------------------------------------------------

_L = lstm_instance
_N = _L.NAMES
_E = (_L.j, _L.i)


def _tanh_slope():
    return group(add(1, neg(sp.tanh(_N["c"][_E]) ** 2)))


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (_N["dc_prev"][_E], _N["dc"][_E]),  # without Γf
        (_N["dc_prev"][_E], mul(_N["dc_next"][_E], _N["Gamma_f"][_E])),  # without the a path
        (  # dc assigned the a path, dc_next dropped
            _N["dc"][_E],
            mul(_N["da_next"][_E], _N["Gamma_o"][_E], _tanh_slope()),
        ),
        (_N["dz_f"][_E], mul(_N["dGamma_f"][_E], _N["Gamma_f"][_E])),  # σ instead of σ'
        (  # the blocks of the stacked weights taken as rows, W[:n_a, :]
            _N["da_prev"][_L.l, _L.i],
            sp.Sum(
                mul(_N["Wf"][_L.l, _L.j], _N["dz_f"][_E]),
                (_L.j, *_L.NOTATION.ranges[_L.j]),
            ),
        ),
        (sp.Derivative(_N["c"][_E], _N["c_prev"][_L.l, _L.i]), _N["Gamma_f"][_E]),  # no δ
        (_N["dx"][_L.k, _L.i], _N["dconcat"][_L.k, _L.i]),  # the leading block, not x's rows
    ],
    ids=[
        "dc_prev-without-forget-gate",
        "dc_prev-without-hidden-path",
        "dc-assigned",
        "no-sigmoid-slope",
        "rows-not-columns",
        "jacobian-not-diagonal",
        "dx-from-the-wrong-block",
    ],
)
def test_a_planted_wrong_lstm_line_fails(layers, lhs, rhs):
    _fails(lhs, rhs, _L.NOTATION, layers["lstm"])


def test_the_lstm_notes_explain_the_forget_gate_and_cite_the_errata(derivations):
    notes = " ".join(derivations["lstm"].notes)
    assert "Why ∂c⟨t⟩/∂c⟨t-1⟩ = Γf" in notes and "diag(Γf)" in notes
    for source in (
        "jinzishuai/learn2deeplearn issue 44",
        "apache/mxnet issue 4057",
        "CaptainE/RNN-LSTM-in-numpy issue 1",
        "sagarnildass/andrew_ng_deep_learning issue 1",
    ):
        assert source in notes
    assert "Wf[:, :n_a]" in notes and "Wf[:n_a, :]" in notes


# --- lstm through time ----------------------------------------------------------------------

_T = lstm_bptt_instance
_M = _T.NAMES
_S = (_T.j, _T.i, _T.t)


def _bptt_sum(body, *letters):
    return sp.Sum(body, *((letter, *_T.NOTATION.ranges[letter]) for letter in letters))


def _through_a():
    """What reaches c⟨t⟩ through a⟨t⟩: da ⊙ Γo ⊙ (1 - tanh²(c))."""
    slope = group(add(1, neg(sp.tanh(_M["c"][_S]) ** 2)))
    return mul(_M["da"][_S], _M["Gamma_o"][_S], slope)


def test_the_lstm_through_time_lines_are_the_cells_with_the_next_steps_gradients(derivations):
    (route,) = derivations["lstm_bptt"].routes
    assert route.name == "through time"
    shown = {sp.sstr(step.lhs): sp.sstr(step.after) for step in route.steps}
    assert shown["da[j, i, t]"] == "da_out[j, i, t] + da_prev[j, i, t + 1]"
    assert shown["dc[j, i, t]"] == (
        "Gamma_o[j, i, t]*da[j, i, t]*(1 - tanh(c[j, i, t])**2) + dc_prev[j, i, t + 1]"
    )
    assert shown["da0[l, i]"] == "da_prev[l, i, 0]"
    cell = {sp.sstr(step.lhs) for step in derivations["lstm"].routes[0].steps}
    for gradient in ("dz_f", "dz_u", "dz_c", "dz_o", "dGamma_f", "dconcat", "dx"):
        assert any(lhs.startswith(gradient + "[") for lhs in cell)
        assert any(lhs.startswith(gradient + "[") for lhs in shown)


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (_M["da"][_S], _M["da_out"][_S]),  # the next step's da_prev dropped
        (_M["dc"][_S], _through_a()),  # the next step's dc_prev dropped
        (_M["dc_prev"][_S], _M["dc"][_S]),  # without Γf
        (  # the course's formula with Γf on the cell path only
            _M["dc_prev"][_S],
            add(mul(_M["dc_prev"][_T.j, _T.i, _T.t + 1], _M["Gamma_f"][_S]), _through_a()),
        ),
        (  # Γo from the output's gradient only, not the whole da
            _M["dGamma_o"][_S],
            mul(_M["da_out"][_S], sp.tanh(_M["c"][_S])),
        ),
        (_M["dGamma_f"][_S], mul(_M["dc"][_S], _M["c"][_S])),  # c⟨t⟩ for c⟨t-1⟩
        (  # the weight gradient of one step, not the sum over the steps
            _M["dWf"][_T.j, _T.p],
            _bptt_sum(mul(_M["dz_f"][_T.j, _T.i, 0], _M["concat"][_T.p, _T.i, 0]), _T.i),
        ),
        (_M["da0"][_T.l, _T.i], _M["da"][_T.l, _T.i, 0]),  # a⟨0⟩'s gradient, not a0's
    ],
    ids=[
        "da-without-next-step",
        "dc-without-next-step",
        "dc_prev-without-forget-gate",
        "dc_prev-substituted-without-forget-gate-on-the-a-path",
        "dGamma_o-from-the-output-only",
        "dGamma_f-with-c",
        "dWf-of-one-step",
        "da0-is-da-of-step-0",
    ],
)
def test_a_planted_wrong_lstm_through_time_line_fails(layers, lhs, rhs):
    _fails(lhs, rhs, _T.NOTATION, layers["lstm_bptt"])


def test_lstm_through_time_holds_with_a_middle_step():
    from chainrule.symbolic.derivations.layers.lstm_bptt import lstm_through_time

    derivation = lstm_through_time(sizes=(_T.LSTMSequence(1, 1, 1, 3),))
    assert all(step.verdict is Verdict.PROVED for step in derivation.steps())
    assert "T_x = 3" in derivation.oracle.method


def test_a_planted_wrong_line_stops_the_lstm_through_time_route(layers):
    from chainrule.symbolic.derivations.layers import lstm_bptt
    from chainrule.symbolic.derivations.layers.assembly import Line, build_route

    lines = list(lstm_bptt._FORWARD + lstm_bptt._BACKWARD)
    at = next(n for n, line in enumerate(lines) if line.lhs == _M["dc_prev"][_S])
    lines[at] = Line(_M["dc_prev"][_S], _M["dc"][_S], "chain_rule", "Γf forgotten.")
    with pytest.raises(ProofError, match=r"route .through time. \(Γf forgotten.*failed its check"):
        build_route("through time", lines, _T.NOTATION, layers["lstm_bptt"])


# --- attention ----------------------------------------------------------------------------

_A = attention_instance


def _attention_sum(body, letter):
    return sp.Sum(body, (letter, *_A.NOTATION.ranges[letter]))


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (_A.dK[_A.j, _A.k], _attention_sum(mul(_A.dS[_A.i, _A.j], _A.Q[_A.i, _A.k]), _A.i)),
        (
            _A.dQ[_A.i, _A.k],
            mul(frac(1, _A.d), _attention_sum(mul(_A.dS[_A.i, _A.j], _A.K[_A.j, _A.k]), _A.j)),
        ),
        (_A.dS[_A.i, _A.j], _A.dP[_A.i, _A.j]),
    ],
    ids=["dK-without-scale", "dQ-over-d", "dS-without-softmax"],
)
def test_a_planted_wrong_attention_line_fails(layers, lhs, rhs):
    _fails(lhs, rhs, _A.NOTATION, layers["attention"])


def test_an_untransposed_dV_is_refused_by_its_shapes(layers):
    rhs = _attention_sum(mul(_A.P[_A.j, _A.i], _A.dO[_A.i, _A.c]), _A.i)
    with pytest.raises(ProofError, match="runs over"):
        check_claim(_A.dV[_A.j, _A.c], rhs, _A.NOTATION, layers["attention"])


def test_a_masked_score_has_zero_probability_and_zero_gradient(layers):
    causal = layers["attention"][1]
    for i_ in range(3):
        for j_ in range(i_ + 1, 3):
            assert causal.arrays["P"][i_, j_] == 0 and causal.arrays["dS"][i_, j_] == 0
    assert causal.arrays["P"][1, 0] != 0


# --- the directly taken derivatives against PyTorch autograd -------------------------------


def _point(layer, rng):
    """Random numbers for every input variable of ``layer``."""
    names = {
        name
        for entries in layer.arrays.values()
        for value in entries.values()
        if not isinstance(value, int)
        for monomial in value.terms
        for name, _ in monomial
        if "#" not in name and not name.startswith("ε")
    }
    return {name: float(rng.normal(scale=0.6)) for name in names}


def _array(layer, name, point, shape):
    out = np.zeros(shape)
    for index, value in layer.arrays[name].items():
        out[index] = layer.algebra.at(value, point)
    return out


def test_the_rnn_oracle_matches_pytorch_autograd(layers):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for size, layer in zip(_R.SIZES, layers["rnn"], strict=True):
        point = _point(layer, rng)
        shapes = {
            "x": (size.n_x, size.m, size.T_x),
            "a0": (size.n_a, size.m),
            "Wax": (size.n_a, size.n_x),
            "Waa": (size.n_a, size.n_a),
            "ba": (size.n_a,),
            "Wya": (size.n_y, size.n_a),
            "by": (size.n_y,),
        }
        given = {
            name: torch.tensor(_array(layer, name, point, shape), requires_grad=True)
            for name, shape in shapes.items()
        }
        upstream = torch.tensor(_array(layer, "dyhat", point, (size.n_y, size.m, size.T_x)))
        state, cost = given["a0"], 0
        for t_ in range(size.T_x):
            inner = given["Wax"] @ given["x"][:, :, t_] + given["Waa"] @ state
            state = torch.tanh(inner + given["ba"][:, None])
            scores = (given["Wya"] @ state + given["by"][:, None]).T
            cost = cost + (torch.softmax(scores, dim=1) * upstream[:, :, t_].T).sum()
        cost.backward()
        for name, shape in shapes.items():
            found = _array(layer, f"d{name}", point, shape)
            np.testing.assert_allclose(found, given[name].grad.numpy(), rtol=1e-9, atol=1e-12)


def test_the_lstm_oracle_matches_pytorch_lstm_cell(layers):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    for size, layer in zip(_L.SIZES, layers["lstm"], strict=True):
        point = _point(layer, rng)
        state, stack = (size.n_a, size.m), (size.n_a, size.n_a + size.n_x)
        x = torch.tensor(_array(layer, "x", point, (size.n_x, size.m)), requires_grad=True)
        h = torch.tensor(_array(layer, "a_prev", point, state), requires_grad=True)
        s = torch.tensor(_array(layer, "c_prev", point, state), requires_grad=True)
        # PyTorch stacks the gates i, f, g, o: the course's Γu, Γf, c̃, Γo
        order = ("u", "f", "c", "o")
        weights = np.concatenate([_array(layer, f"W{g}", point, stack) for g in order])
        biases = np.concatenate([_array(layer, f"b{g}", point, (size.n_a,)) for g in order])
        cell = torch.nn.LSTMCell(size.n_x, size.n_a).double()
        with torch.no_grad():
            cell.weight_hh.copy_(torch.tensor(weights[:, : size.n_a]))  # the columns of a_prev
            cell.weight_ih.copy_(torch.tensor(weights[:, size.n_a :]))  # the columns of x
            cell.bias_ih.copy_(torch.tensor(biases))
            cell.bias_hh.zero_()
        a, c = cell(x.T, (h.T, s.T))
        upstream_a = torch.tensor(_array(layer, "da_next", point, state))
        upstream_c = torch.tensor(_array(layer, "dc_next", point, state))
        ((a * upstream_a.T).sum() + (c * upstream_c.T).sum()).backward()
        for name, tensor in (("dx", x), ("da_prev", h), ("dc_prev", s)):
            found = _array(layer, name, point, tensor.shape)
            np.testing.assert_allclose(found, tensor.grad.numpy(), rtol=1e-9, atol=1e-12)
        gradient = np.concatenate([_array(layer, f"dW{g}", point, stack) for g in order])
        expected = torch.cat([cell.weight_hh.grad, cell.weight_ih.grad], dim=1).numpy()
        np.testing.assert_allclose(gradient, expected, rtol=1e-9, atol=1e-12)


def test_the_lstm_through_time_oracle_matches_pytorch_lstm_cells_unrolled(layers):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    for size, layer in zip(_T.SIZES, layers["lstm_bptt"], strict=True):
        point = _point(layer, rng)
        state, stack = (size.n_a, size.m), (size.n_a, size.n_a + size.n_x)
        steps = (size.n_x, size.m, size.T_x)
        x = torch.tensor(_array(layer, "x", point, steps), requires_grad=True)
        h = torch.tensor(_array(layer, "a0", point, state), requires_grad=True)
        s = torch.tensor(_array(layer, "c0", point, state), requires_grad=True)
        order = ("u", "f", "c", "o")  # PyTorch's i, f, g, o
        weights = np.concatenate([_array(layer, f"W{g}", point, stack) for g in order])
        biases = np.concatenate([_array(layer, f"b{g}", point, (size.n_a,)) for g in order])
        cell = torch.nn.LSTMCell(size.n_x, size.n_a).double()
        with torch.no_grad():
            cell.weight_hh.copy_(torch.tensor(weights[:, : size.n_a]))
            cell.weight_ih.copy_(torch.tensor(weights[:, size.n_a :]))
            cell.bias_ih.copy_(torch.tensor(biases))
            cell.bias_hh.zero_()
        upstream = torch.tensor(_array(layer, "da_out", point, (size.n_a, size.m, size.T_x)))
        a, c, cost = h.T, s.T, 0
        for t_ in range(size.T_x):  # the same cell, weights shared, at every step
            a, c = cell(x[:, :, t_].T, (a, c))
            cost = cost + (a * upstream[:, :, t_].T).sum()
        cost.backward()
        for name, tensor in (("dx", x), ("da0", h), ("dc0", s)):
            found = _array(layer, name, point, tensor.shape)
            np.testing.assert_allclose(found, tensor.grad.numpy(), rtol=1e-9, atol=1e-12)
        gradient = np.concatenate([_array(layer, f"dW{g}", point, stack) for g in order])
        expected = torch.cat([cell.weight_hh.grad, cell.weight_ih.grad], dim=1).numpy()
        np.testing.assert_allclose(gradient, expected, rtol=1e-9, atol=1e-12)
        bias = np.concatenate([_array(layer, f"db{g}", point, (size.n_a,)) for g in order])
        np.testing.assert_allclose(bias, cell.bias_ih.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_the_attention_oracle_matches_scaled_dot_product_attention(layers):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    for size, layer in zip(_A.SIZES, layers["attention"], strict=True):
        point = _point(layer, rng)
        shapes = {"Q": (size.n_q, size.d), "K": (size.n_k, size.d), "V": (size.n_k, size.d_v)}
        given = {
            name: torch.tensor(_array(layer, name, point, shape), requires_grad=True)
            for name, shape in shapes.items()
        }
        out = torch.nn.functional.scaled_dot_product_attention(
            *(given[n][None] for n in ("Q", "K", "V")), is_causal=size.causal
        )[0]
        np.testing.assert_allclose(
            _array(layer, "O", point, (size.n_q, size.d_v)), out.detach().numpy(), rtol=1e-9
        )
        upstream = torch.tensor(_array(layer, "dO", point, (size.n_q, size.d_v)))
        (out * upstream).sum().backward()
        for name, shape in shapes.items():
            found = _array(layer, f"d{name}", point, shape)
            np.testing.assert_allclose(found, given[name].grad.numpy(), rtol=1e-9, atol=1e-12)
