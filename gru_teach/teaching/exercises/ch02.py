"""Auto-checks for chapter 2 (the GRU cell). Every check returns a Feedback and never raises.

* :func:`check_step` — a student's ``step(x, h, W_ih, W_hh, b_ih, b_hh) -> h_new`` in PyTorch's convention::

      r = σ(W_ir x + b_ir + W_hr h + b_hr)       z = σ(W_iz x + b_iz + W_hz h + b_hz)
      n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h_new = (1 − z) ⊙ n + z ⊙ h

  compared with the reference on random inputs; when the result matches a known mistake (flipped update,
  tanh for a gate, reset before the product, a missing bias, gates read in the wrong order, a plain tanh
  RNN step without gates, a gate left out) the message names it.
* :func:`check_hand_step` — numbers computed by hand for one step of the chapter's small cell.
* :func:`check_param_count` — ``count(input_size, hidden_size) -> int``.
* :func:`check_chung_conversion` — ``convert(params) -> params``: a cell written with Chung's update rule
  h = (1 − z) h + z n (otherwise PyTorch's equations) turned into an equivalent PyTorch cell.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..checking import check_array, compare_array, failed, passed, safe_call
from ...analysis.conventions import step as convention_step
from ...cells.recurrent import sigmoid
from ...analysis.trace import example_weights, gru_step, gru_step_record

GATES = ("r", "z", "n")


def variant_step(x, h, W_ih, W_hh, b_ih, b_hh, *, order=GATES, r_act=sigmoid, z_act=sigmoid, reset="after",
                 update="keep", use_b_ih=True, use_b_hh=True) -> np.ndarray:
    """A GRU step with one deliberate mistake switched on (the correct step with the defaults).

    ``order``: the gate order the code *assumes* for the stacked blocks; ``reset``: "after", "before",
    "outside" (b_hn added outside the reset product) or "ignored" (no reset gate, r = 1); ``update``: "keep"
    (correct), "take" (flipped) or "ignored" (h_new = n). Both ignored: a plain tanh RNN step on the n rows.
    """
    H = len(h)
    W_ih, W_hh = np.asarray(W_ih, float), np.asarray(W_hh, float)
    b_ih = np.asarray(b_ih, float) if use_b_ih else np.zeros(3 * H)
    b_hh = np.asarray(b_hh, float) if use_b_hh else np.zeros(3 * H)
    blk = {g: slice(i * H, (i + 1) * H) for i, g in enumerate(order)}
    r = r_act(W_ih[blk["r"]] @ x + b_ih[blk["r"]] + W_hh[blk["r"]] @ h + b_hh[blk["r"]])
    z = z_act(W_ih[blk["z"]] @ x + b_ih[blk["z"]] + W_hh[blk["z"]] @ h + b_hh[blk["z"]])
    i_n = W_ih[blk["n"]] @ x + b_ih[blk["n"]]
    if reset == "after":
        n = np.tanh(i_n + r * (W_hh[blk["n"]] @ h + b_hh[blk["n"]]))
    elif reset == "before":
        n = np.tanh(i_n + W_hh[blk["n"]] @ (r * h) + b_hh[blk["n"]])
    elif reset == "outside":
        n = np.tanh(i_n + r * (W_hh[blk["n"]] @ h) + b_hh[blk["n"]])
    elif reset == "ignored":
        n = np.tanh(i_n + W_hh[blk["n"]] @ h + b_hh[blk["n"]])
    else:
        raise ValueError(f"reset must be 'after', 'before', 'outside' or 'ignored'; got {reset!r}")
    if update == "ignored":
        return n
    return (1 - z) * n + z * h if update == "keep" else (1 - z) * h + z * n


#: (keyword arguments of variant_step, what the student did) for each recognised mistake
MISTAKES = [
    ({"update": "take"}, "the update direction is flipped: you computed h_new = (1 − z) ⊙ h + z ⊙ n (Chung's "
                         "convention). In PyTorch's, h_new = (1 − z) ⊙ n + z ⊙ h, so z ≈ 1 keeps the old state."),
    ({"r_act": np.tanh}, "the reset gate uses tanh; gates use the sigmoid σ, so that they lie in (0, 1)."),
    ({"z_act": np.tanh}, "the update gate uses tanh; gates use the sigmoid σ, so that they lie in (0, 1)."),
    ({"r_act": np.tanh, "z_act": np.tanh}, "both gates use tanh; gates use the sigmoid σ (values in (0, 1)); "
                                           "tanh is only for the candidate n."),
    ({"reset": "before"}, "the reset is applied before the product, W_hn (r ⊙ h) + b_hn (Cho et al.'s form); "
                          "PyTorch applies it after: r ⊙ (W_hn h + b_hn)."),
    ({"reset": "outside"}, "b_hn is added outside the reset product; PyTorch scales it too: r ⊙ (W_hn h + b_hn)."),
    ({"reset": "ignored", "update": "ignored"},
     "there are no gates: that is a plain tanh RNN step, h_new = tanh(W_in x + b_in + W_hn h + b_hn). The GRU "
     "also computes r and z: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_new = (1 − z) ⊙ n + z ⊙ h."),
    ({"reset": "ignored"}, "the reset gate is ignored: the candidate is n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); "
                           "without r the cell cannot leave the old state out of n."),
    ({"update": "ignored"}, "the update gate is ignored: you returned the candidate n; the new state mixes it with "
                            "the old one, h_new = (1 − z) ⊙ n + z ⊙ h."),
    ({"use_b_hh": False}, "the recurrent bias b_hh is missing (PyTorch has two bias vectors, b_ih and b_hh)."),
    ({"use_b_ih": False}, "the input bias b_ih is missing (PyTorch has two bias vectors, b_ih and b_hh)."),
    ({"use_b_ih": False, "use_b_hh": False}, "both biases are missing."),
] + [({"order": p}, f"the gate blocks are read in the order ({', '.join(p)}); PyTorch stacks them (r, z, n): "
                    "rows 0:H reset, H:2H update, 2H:3H candidate.")
     for p in itertools.permutations(GATES) if p != GATES]


def _random_cases(n_cases=3, I=3, H=4, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n_cases):
        yield (rng.normal(size=I), rng.uniform(-0.9, 0.9, H), rng.normal(0, 0.8, (3 * H, I)),
               rng.normal(0, 0.8, (3 * H, H)), rng.normal(0, 0.8, 3 * H), rng.normal(0, 0.8, 3 * H))


def _matches(fn_out, case, kwargs):
    return np.allclose(fn_out, variant_step(*case, **kwargs), rtol=1e-6, atol=1e-8)


def diagnose_step(got, case):
    """The message of the first known mistake whose output equals ``got`` on ``case``, else None."""
    for kwargs, message in MISTAKES:
        if _matches(got, case, kwargs):
            return message
    return None


def _is_rnn_on_all_rows(got, case) -> bool:
    """``got`` is tanh(W_ih x + b_ih + W_hh h + b_hh) over all 3H rows: one tanh RNN step, gates never split."""
    x, h, W_ih, W_hh, b_ih, b_hh = case
    want = np.tanh(W_ih @ x + b_ih + W_hh @ h + b_hh)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return arr.shape == want.shape and bool(np.allclose(arr, want, rtol=1e-6, atol=1e-8))


def check_step(step):
    """Compare ``step(x, h, W_ih, W_hh, b_ih, b_hh)`` with the reference on random inputs (I = 3, H = 4)."""
    for k, case in enumerate(_random_cases()):
        args = tuple(np.array(a) for a in case)               # copies: the student may modify them
        got, problem = safe_call(step, *args)
        if problem is not None:
            return problem
        expected = gru_step(*case)
        bad = compare_array(got, expected, name="h_new")
        if bad is None:
            continue
        if _is_rnn_on_all_rows(got, case):
            return failed("not yet: that is a plain tanh RNN step on all 3H rows, tanh(W_ih x + b_ih + W_hh h + "
                          "b_hh), with shape (3H,). Split the rows into the blocks (r, z, n), apply σ to r and z, "
                          "and combine: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_new = (1 − z) ⊙ n + z ⊙ h.")
        if np.shape(got) == expected.shape and np.all(np.isfinite(np.asarray(got, dtype=float))):
            known = diagnose_step(np.asarray(got, float), case)
            if known:
                return failed(f"not yet: {known}")
        return failed(f"{bad.message} (random case {k + 1}: x of shape {case[0].shape}, h of shape "
                      f"{case[1].shape})")
    return passed("your step matches PyTorch's GRU cell on random inputs")


# ---------------------------------------------------------------- one step by hand

def hand_step_problem():
    """The hand-computation exercise: the chapter's example weights, x = (1, 1), h_prev = (0.5, −0.5)."""
    return {"x": np.array([1.0, 1.0]), "h_prev": np.array([0.5, -0.5]), **example_weights()}


def hand_step_answer() -> dict[str, np.ndarray]:
    """r, z, n, h of :func:`hand_step_problem` (the reference)."""
    p = hand_step_problem()
    rec = gru_step_record(p["x"], p["h_prev"], p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"])
    return {k: rec[k] for k in ("r", "z", "n", "h")}


def check_hand_step(answer, tol: float = 5e-3):
    """``answer``: dict with keys r, z, n, h (two numbers each), computed by hand to about 3 decimals."""
    if not isinstance(answer, dict):
        return failed(f"give a dict with keys 'r', 'z', 'n', 'h'; got {type(answer).__name__}")
    ref = hand_step_answer()
    for key in ("r", "z", "n", "h"):
        if key not in answer:
            return failed(f"the answer has no entry {key!r}; give r, z, n and h (two numbers each)")
        if answer[key] is None:
            return failed(f"{key} is None: fill in your two numbers, e.g. {key!r}: [0.123, 0.456]")
        bad = compare_array(answer[key], ref[key], name=key, rtol=0, atol=tol)
        if bad is not None:
            hint = {"r": "a_r = W_ir x + b_ir + W_hr h + b_hr, then σ",
                    "z": "a_z = W_iz x + b_iz + W_hz h + b_hz, then σ",
                    "n": "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); the reset multiplies b_hn too",
                    "h": "h = (1 − z) ⊙ n + z ⊙ h_prev"}[key]
            return failed(f"{bad.message}. Hint: {hint}")
    return passed("all four match to 3 decimals")


# ---------------------------------------------------------------- counting parameters

def check_param_count(count):
    """``count(input_size, hidden_size)`` must give the parameters of torch.nn.GRU(input_size, hidden_size)."""
    wrong = {lambda I, H: 3 * H * (I + H + 1): "you counted one bias vector; PyTorch has two (b_ih and b_hh)",
             lambda I, H: 3 * H * (I + H): "you left out the biases (2 vectors of 3H)",
             lambda I, H: 4 * H * (I + H + 2): "that is the LSTM's count (four blocks); the GRU has three",
             lambda I, H: H * (I + H + 2): "that is a plain RNN's count; the GRU has three blocks (r, z, n)"}
    for I, H in [(1, 1), (3, 5), (10, 32), (7, 2)]:
        got, problem = safe_call(count, I, H)
        if problem is not None:
            return problem
        expected = 3 * H * (I + H + 2)
        try:
            ok = got is not None and int(got) == got and int(got) == expected
        except (TypeError, ValueError, OverflowError):
            return failed(f"count should return a whole number; got {got!r}")
        if not ok:
            why = next((msg for f, msg in wrong.items() if got == f(I, H)), "")
            return failed(f"for input_size={I}, hidden_size={H} you gave {got!r}; torch.nn.GRU has {expected}"
                          + (f": {why}" if why else ""))
    return passed("3H(I + H + 2) on every size tried")


# ---------------------------------------------------------------- Chung -> PyTorch

def _random_params(I=3, H=4, seed=1):
    rng = np.random.default_rng(seed)
    return {"weight_ih": rng.normal(size=(3 * H, I)), "weight_hh": rng.normal(size=(3 * H, H)),
            "bias_ih": rng.normal(size=3 * H), "bias_hh": rng.normal(size=3 * H)}


def check_chung_conversion(convert):
    """``convert(params)`` turns a Chung-update cell (h = (1 − z) h + z n) into an equal PyTorch cell."""
    params = _random_params()
    got, problem = safe_call(convert, {k: v.copy() for k, v in params.items()})
    if problem is not None:
        return problem
    if not isinstance(got, dict) or not set(params) <= set(got):
        return failed(f"return a dict with keys {sorted(params)}; got {type(got).__name__}")
    for name, value in params.items():
        bad = check_array(got[name], value.shape, name)
        if bad is not None:
            return failed(bad.message + " (keep the layout of the input)")
    got = {k: np.asarray(got[k], float) for k in params}
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=(5, 3)), rng.uniform(-0.9, 0.9, (5, 4))
    want = convention_step(x, h, params, update="take")
    bad = compare_array(convention_step(x, h, got, update="keep"), want, name="the converted cell's h_new")
    if bad is None:
        return passed("the converted PyTorch cell computes exactly what the Chung-convention cell computes")
    H = 4
    if all(np.allclose(got[k], params[k]) for k in params):
        return failed("the weights came back unchanged; the z block must change so that the new z' equals 1 − z")
    if all(np.allclose(got[k][H:2 * H], -params[k][H:2 * H]) for k in ("weight_ih", "weight_hh")) and not all(
            np.allclose(got[k][H:2 * H], -params[k][H:2 * H]) for k in ("bias_ih", "bias_hh")):
        return failed("negate the z blocks of both biases as well: σ(−a) = 1 − σ(a) needs the whole "
                      "pre-activation a_z negated")
    return failed(f"{bad.message}. Hint: σ(−a) = 1 − σ(a); which rows of the stacked arrays hold z?")
