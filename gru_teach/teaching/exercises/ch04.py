"""Auto-checks for chapter 4 (GRU vs LSTM). Every check returns a Feedback and never raises.

* :func:`check_stacked_param_count` — ``count(cell, input_size, hidden_size, num_layers, bidirectional) -> int``, the
  parameters of ``torch.nn.<cell>(…)``; names the usual slips (one bias vector, later layers reading the input
  size, a bidirectional layer counted once, the wrong number of gate blocks).
* :func:`check_equal_budget` — ``fn(cell, budget, input_size, output_size) -> H``, the hidden size whose model
  (layer + linear read-out) comes closest to the budget.
* :func:`check_lstm_step` — ``step(x, h, c, W_ih, W_hh, b_ih, b_hh) -> (h_new, c_new)``, one LSTM step in PyTorch's
  convention (gate blocks i, f, g, o), compared with ``gru_teach.LSTM``; names a missing forget gate, h and c
  swapped, a missing tanh, a sigmoid candidate, a missing bias, gate blocks read in the wrong order.
* :func:`check_coupled_gates` — ``fn(params, hidden_size) -> params`` giving an LSTM whose forget gate is
  f = 1 − i exactly.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..checking import check_array, compare_array, failed, passed, safe_call
from ...analysis.cost import equal_budget_hidden, gate_blocks, num_parameters, readout_parameters
from ...cells import LSTM
from ...cells.recurrent import sigmoid

LSTM_GATES = LSTM.GATES     # ("i", "f", "g", "o")


def _as_int(value):
    """``value`` as an int when it is a whole number (int, NumPy integer, float like 12.0), else None."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if np.isfinite(f) and f == int(f) else None


# ---------------------------------------------------------------- counting parameters

def count_variant(cell, input_size, hidden_size, num_layers=1, bidirectional=False, *, biases=2,
                  later_reads_input=False, later_reads_one_direction=False, count_directions=True, blocks=None):
    """The parameter count with one deliberate slip switched on (the correct count with the defaults)."""
    G = gate_blocks(cell) if blocks is None else blocks
    dirs = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        width = input_size if layer == 0 or later_reads_input else (
            hidden_size if later_reads_one_direction else dirs * hidden_size)
        total += (dirs if count_directions else 1) * G * hidden_size * (width + hidden_size + biases)
    return total


PARAM_CASES = [("GRU", 10, 32, 1, False), ("LSTM", 10, 32, 2, False), ("GRU", 5, 16, 3, True),
               ("LSTM", 8, 20, 2, True), ("RNN", 3, 7, 1, True)]

PARAM_MISTAKES = [
    ({"biases": 1}, "you counted one bias vector per gate block; PyTorch has two (b_ih and b_hh)"),
    ({"biases": 0}, "you forgot the biases: each gate block has two bias vectors of size H"),
    ({"later_reads_input": True}, "layers after the first read the layer below, so their input size is H "
                                  "(2H when bidirectional), not input_size"),
    ({"later_reads_one_direction": True}, "a layer above a bidirectional layer reads both directions: its "
                                          "input size is 2H, not H"),
    ({"count_directions": False}, "a bidirectional layer has two independent sets of weights, one per "
                                  "direction: count each layer twice"),
]


def _block_mistakes(cell):
    wrong = {"GRU": (4, "a GRU has 3 gate blocks (r, z, n), not 4 — that is the LSTM"),
             "LSTM": (3, "an LSTM has 4 gate blocks (i, f, g, o), not 3 — that is the GRU"),
             "RNN": (3, "a plain RNN has 1 block, not 3")}
    blocks, message = wrong[cell]
    return [({"blocks": blocks}, message)]


def check_stacked_param_count(count):
    """``count(cell, input_size, hidden_size, num_layers, bidirectional)`` against torch's layer sizes."""
    for case in PARAM_CASES:
        got, problem = safe_call(count, *case)
        if problem is not None:
            return problem
        expected = num_parameters(case[0], case[1], case[2], num_layers=case[3], bidirectional=case[4])
        value = _as_int(got)
        if value is None:
            return failed(f"return a whole number; for {case} you returned {got!r}")
        if value == expected:
            continue
        for kwargs, message in PARAM_MISTAKES + _block_mistakes(case[0]):
            if value == count_variant(*case, **kwargs):
                return failed(f"not yet: {message} (case cell={case[0]}, input_size={case[1]}, hidden_size="
                              f"{case[2]}, num_layers={case[3]}, bidirectional={case[4]}: {value} instead of "
                              f"{expected})")
        return failed(f"for cell={case[0]}, input_size={case[1]}, hidden_size={case[2]}, num_layers={case[3]}, "
                      f"bidirectional={case[4]} torch has {expected} parameters; you counted {value}")
    return passed("every count matches torch's modules (stacked and bidirectional layers included)")


# ---------------------------------------------------------------- equal budgets

BUDGET_CASES = [("LSTM", 977, 2, 1), ("RNN", 977, 2, 1), ("GRU", 4554, 10, 10), ("LSTM", 2194, 1, 10),
                ("LSTM", 453, 2, 3)]


def _closest_layer_only(cell, budget, I, O):
    return min(range(1, 400), key=lambda H: (abs(num_parameters(cell, I, H) - budget), H))


def _largest_within(cell, budget, I, O):
    fits = [H for H in range(1, 400) if num_parameters(cell, I, H) + readout_parameters(H, O) <= budget]
    return max(fits) if fits else 1


def check_equal_budget(fn):
    """``fn(cell, budget, input_size, output_size)`` must return the H whose model is closest to the budget."""
    for cell, budget, I, O in BUDGET_CASES:
        got, problem = safe_call(fn, cell, budget, I, O)
        if problem is not None:
            return problem
        value, expected = _as_int(got), equal_budget_hidden(cell, budget, I, O)
        if value is None:
            return failed(f"return a whole number (a hidden size); for {cell} you returned {got!r}")
        if value == expected:
            continue
        where = f"({cell}, budget {budget}, input {I}, output {O}: H = {value} instead of {expected})"
        if value == _closest_layer_only(cell, budget, I, O):
            return failed(f"not yet: count the read-out too, H·O + O parameters of the linear layer {where}")
        if value == _largest_within(cell, budget, I, O):
            return failed(f"not yet: you took the largest H that stays within the budget; the book compares at "
                          f"the H whose count is *closest* to it, above or below {where}")
        return failed(f"not the closest hidden size {where}")
    return passed("each hidden size gives the count closest to the budget")


# ---------------------------------------------------------------- one LSTM step

def variant_lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh, *, order=LSTM_GATES, forget=True, tanh_c=True,
                      g_act=np.tanh, use_b_hh=True, swap=False):
    """One LSTM step with one deliberate mistake switched on (the correct step with the defaults).

    ``order``: the block order the code *assumes*; ``forget=False``: c_new = c + i ⊙ g; ``tanh_c=False``:
    h_new = o ⊙ c; ``swap``: returns (c_new, h_new).
    """
    H = len(h)
    a = np.asarray(W_ih) @ x + b_ih + np.asarray(W_hh) @ h + (b_hh if use_b_hh else 0)
    blk = {g: a[k * H:(k + 1) * H] for k, g in enumerate(order)}
    i, f, o = sigmoid(blk["i"]), sigmoid(blk["f"]), sigmoid(blk["o"])
    g = g_act(blk["g"])
    c_new = (f * c if forget else c) + i * g
    h_new = o * (np.tanh(c_new) if tanh_c else c_new)
    return (c_new, h_new) if swap else (h_new, c_new)


LSTM_MISTAKES = [
    ({"forget": False}, "the forget gate is missing: c_new = f ⊙ c + i ⊙ g, not c + i ⊙ g"),
    ({"swap": True}, "h and c are swapped: return (h_new, c_new), where h_new = o ⊙ tanh(c_new)"),
    ({"tanh_c": False}, "h_new = o ⊙ tanh(c_new): the cell state passes through tanh before the output gate"),
    ({"g_act": sigmoid}, "the candidate g uses σ; it uses tanh (values in (−1, 1)), the gates use σ"),
    ({"use_b_hh": False}, "the recurrent bias b_hh is missing (PyTorch has two bias vectors, b_ih and b_hh)"),
] + [({"order": p}, f"the gate blocks are read in the order ({', '.join(p)}); PyTorch stacks them (i, f, g, o): "
                    "rows 0:H input gate, H:2H forget gate, 2H:3H candidate, 3H:4H output gate")
     for p in itertools.permutations(LSTM_GATES) if p != LSTM_GATES]


def reference_lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """(h_new, c_new) from ``gru_teach.LSTM`` (the book's torch-exact layer), for 1-D x, h, c."""
    layer = LSTM(len(x), len(h))
    layer.set_parameters(weight_ih=W_ih, weight_hh=W_hh, bias_ih=b_ih, bias_hh=b_hh)
    _, (h_new, c_new) = layer.forward(np.asarray(x, float)[None, None], (np.asarray(h, float)[None],
                                                                          np.asarray(c, float)[None]))
    return h_new[0], c_new[0]


def _lstm_cases(n_cases=3, I=3, H=4, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n_cases):
        yield (rng.normal(size=I), rng.uniform(-0.9, 0.9, H), rng.normal(size=H), rng.normal(0, 0.8, (4 * H, I)),
               rng.normal(0, 0.8, (4 * H, H)), rng.normal(0, 0.8, 4 * H), rng.normal(0, 0.8, 4 * H))


def _pair(result):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    try:
        return tuple(np.asarray(r, dtype=float) for r in result)
    except (TypeError, ValueError):
        return None


def check_lstm_step(step):
    """Compare ``step(x, h, c, W_ih, W_hh, b_ih, b_hh) -> (h_new, c_new)`` with ``gru_teach.LSTM`` (I = 3, H = 4)."""
    for k, case in enumerate(_lstm_cases()):
        got, problem = safe_call(step, *(np.array(a) for a in case))
        if problem is not None:
            return problem
        pair = _pair(got)
        if pair is None:
            return failed(f"return a pair (h_new, c_new) of arrays; got {type(got).__name__}")
        h_ref, c_ref = reference_lstm_step(*case)
        bad = compare_array(pair[0], h_ref, "h_new")
        bad = compare_array(pair[1], c_ref, "c_new") if bad is None else bad
        if bad is None:
            continue
        if all(np.shape(p) == (len(case[1]),) and np.all(np.isfinite(p)) for p in pair):
            for kwargs, message in LSTM_MISTAKES:
                wrong = variant_lstm_step(*case, **kwargs)
                if all(np.allclose(p, w, rtol=1e-6, atol=1e-8) for p, w in zip(pair, wrong)):
                    return failed(f"not yet: {message}")
        return failed(f"{bad.message} (random case {k + 1})")
    return passed("your step matches torch.nn.LSTM's (gru_teach.LSTM) on random inputs")


# ---------------------------------------------------------------- coupling the gates

def check_coupled_gates(fn):
    """``fn(params, hidden_size) -> params``: an LSTM whose forget gate equals 1 − input gate for every input."""
    H, I = 3, 2
    original = LSTM(I, H, seed=7).parameters()
    given = {k: v.copy() for k, v in original.items()}
    got, problem = safe_call(fn, given, H)
    if problem is not None:
        return problem
    if not isinstance(got, dict) or set(got) != set(original):
        return failed(f"return a dict with the four parameters {sorted(original)}; got "
                      f"{sorted(got) if isinstance(got, dict) else type(got).__name__}")
    blocks = {g: slice(k * H, (k + 1) * H) for k, g in enumerate(LSTM_GATES)}
    arrays = {}
    for name, ref in original.items():
        bad = check_array(got[name], ref.shape, name)
        if bad is not None:
            return bad
        arrays[name] = np.asarray(got[name], dtype=float)
        for gate in ("i", "g", "o"):
            if not np.allclose(arrays[name][blocks[gate]], ref[blocks[gate]]):
                return failed(f"only the forget rows should change; the {gate} rows of {name} changed")
    for name, ref in original.items():
        f_rows, i_rows = arrays[name][blocks["f"]], ref[blocks["i"]]
        if np.allclose(f_rows, -i_rows):
            continue
        if np.allclose(f_rows, 1 - i_rows):
            return failed(f"{name}: 1 − W is not the way; σ(−a) = 1 − σ(a), so negate the input rows: "
                          "f rows = −(i rows)")
        if np.allclose(f_rows, i_rows):
            return failed(f"{name}: copying the input rows gives f = i; negate them to get f = 1 − i")
        if np.allclose(f_rows, ref[blocks["f"]]):
            return failed(f"{name}: the forget rows are unchanged — both weight matrices and both biases need "
                          "f rows = −(i rows)")
        return failed(f"{name}: the forget rows must be the negated input rows")
    layer = LSTM(I, H)
    layer.set_parameters(**got)
    layer.forward(np.random.default_rng(0).normal(size=(4, 6, I)))
    gates = layer.last_gates()
    gap = float(np.abs(gates["f"] - (1 - gates["i"])).max())
    if gap > 1e-12:       # pragma: no cover - the row checks above already guarantee this
        return failed(f"f differs from 1 − i by up to {gap:.2g}")
    return passed(f"f = 1 − i on every unit and step (largest difference {gap:.1e}): σ(−a) = 1 − σ(a)")
