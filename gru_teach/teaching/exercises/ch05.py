"""Auto-checks for chapter 5's exercises. Each check returns a Feedback and never raises on student code.

- :func:`check_windows`: ``fn(series, window, horizon) -> (x, y)``, every input window and the targets after it,
  with no overlap between a window's inputs and its targets;
- :func:`check_train_only_scaling`: ``fn(train, test) -> (train_scaled, test_scaled)``, a min-max scaler fitted
  on the training values only;
- :func:`check_pad_and_sort`: ``fn(batch) -> ((padded, lengths), labels)``, the collate function that
  ``pack_padded_sequence`` needs.
"""
from __future__ import annotations

import numpy as np

from ..checking import compare_array, failed, passed, safe_call
from ...tasks import forecasting, language


def _pair(got, what: str):
    if got is None:
        return None, failed(f"your function returned None: did you forget to `return` {what}?")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return None, failed(f"return a pair {what}; got {type(got).__name__}"
                            + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
    return got, None


def check_windows(fn) -> "Feedback":  # noqa: F821
    """Compare ``fn`` with :func:`gru_teach.tasks.forecasting.make_windows` on small series, naming the usual
    mistakes: a target that overlaps the inputs (leakage), a missing last window, a missing feature axis."""
    cases = ((np.arange(10.0), 3, 2), (np.arange(100.0, 108.0), 4, 1), (np.array([5.0, 1.0, 4.0, 2.0, 3.0]), 2, 3))
    for series, window, horizon in cases:
        x_ref, y_ref, _ = forecasting.make_windows(series, window, horizon)
        got, err = safe_call(fn, series.copy(), window, horizon)
        if err is not None:     # (a failing Feedback is falsy)
            return err
        got, err = _pair(got, "(x, y)")
        if err is not None:
            return err
        try:
            x, y = (np.asarray(a, dtype=float) if a is not None else a for a in got)
        except (TypeError, ValueError):
            return failed("x and y should be arrays of numbers")
        label = f"series {series.tolist()}, window={window}, horizon={horizon}"
        if x is not None and x.shape == x_ref.shape[:2]:
            return failed(f"{label}: x has shape {x.shape}; expected {x_ref.shape} — add the feature axis "
                          "(x[..., None]): a GRU reads (batch, time, features)")
        if x is not None and y is not None and x.ndim == 3 and len(x) == len(x_ref) - 1 and len(y) == len(y_ref) - 1:
            return failed(f"{label}: {len(x)} windows; expected {len(x_ref)}. The last window is missing: "
                          "t runs up to len(series) - horizon inclusive")
        if x is not None and y is not None and x.shape == x_ref.shape and y.shape == y_ref.shape:
            if np.allclose(x, x_ref) and not np.allclose(y, y_ref):
                shifted = np.stack([series[t - 1:t - 1 + horizon] for t in range(window, window + len(y_ref))])
                if np.allclose(y, shifted):
                    return failed(f"{label}: each target starts with the last input value — the target overlaps "
                                  "the inputs (leakage): y must start at series[t], right after x = series[t-window:t]")
        bad = compare_array(x, x_ref, "x") or compare_array(y, y_ref, "y")
        if bad is not None:
            return failed(f"{label}: {bad.message}")
    return passed("correct: x[i] = series[t-window:t] (with a feature axis), y[i] = series[t:t+horizon], "
                  "for every t — no target value is also an input of its own window")


def check_train_only_scaling(fn) -> "Feedback":  # noqa: F821
    """``fn(train, test)`` must min-max scale both with the minimum and maximum of ``train`` only."""
    rng = np.random.default_rng(5)
    train, test = rng.uniform(10, 50, 30), rng.uniform(0, 80, 10)       # test reaches beyond the training range
    lo, hi = train.min(), train.max()
    expected = ((train - lo) / (hi - lo), (test - lo) / (hi - lo))
    got, err = safe_call(fn, train.copy(), test.copy())
    if err is not None:
        return err
    got, err = _pair(got, "(train_scaled, test_scaled)")
    if err is not None:
        return err
    both = np.concatenate([train, test])
    a, b = both.min(), both.max()
    try:
        arrays = [np.asarray(g, dtype=float).reshape(-1) for g in got]
    except (TypeError, ValueError):
        return failed("return two arrays of numbers")
    if [a_.shape for a_ in arrays] == [train.shape, test.shape]:
        if np.allclose(arrays[0], (train - a) / (b - a)) and np.allclose(arrays[1], (test - a) / (b - a)):
            return failed("the scaler was fitted on training AND test values: the test set's minimum and maximum "
                          "leaked into training. Fit min and max on the training values only")
        if np.allclose(arrays[1], (test - test.min()) / (test.max() - test.min())):
            return failed("the test values were scaled with their own minimum and maximum (a second fit): apply "
                          "the training scaler to them unchanged, even if some land outside [0, 1]")
        if np.allclose(arrays[0], (train - train.mean()) / train.std()):
            return failed("that is standardisation ((x - mean) / std); this exercise asks for min-max scaling")
    for name, g, e in (("train_scaled", arrays[0], expected[0]), ("test_scaled", arrays[1], expected[1])):
        bad = compare_array(g.reshape(e.shape) if g.size == e.size else g, e, name)
        if bad is not None:
            return bad
    return passed("correct: min and max come from the training values only; test values may fall outside [0, 1]")


def _reference_batch():
    words = ["zu", "bonjour", "the", "ciao", "a", "gezellig"]
    vocab = language.CharVocab(words)
    return [(language.WordDataset(words, [0] * len(words), vocab)[i][0], label)
            for i, label in enumerate([1, 2, 0, 4, 0, 5])]


def check_pad_and_sort(fn) -> "Feedback":  # noqa: F821
    """``fn(batch)`` for ``batch = [(ids, label), ...]`` must return ``((padded, lengths), labels)``: padded with
    0 to the longest sequence of the batch, sorted by length (longest first), labels reordered with them."""
    import torch
    batch = _reference_batch()
    (ref_ids, ref_len), ref_labels = language.pad_and_sort(batch)
    got, err = safe_call(fn, [(ids.clone(), label) for ids, label in batch])
    if err is not None:
        return err
    got, err = _pair(got, "((padded, lengths), labels)")
    if err is not None:
        return err
    inputs, labels = got
    inputs, err = _pair(inputs, "(padded, lengths) as the first element")
    if err is not None:
        return err
    try:
        padded, lengths, labels = (torch.as_tensor(t) for t in (*inputs, labels))
    except (TypeError, ValueError, RuntimeError):
        return failed("padded, lengths and labels should be tensors (or convertible to tensors)")
    if padded.shape != ref_ids.shape:
        if padded.ndim == 2 and padded.shape[0] == ref_ids.shape[1] and padded.shape[1] == ref_ids.shape[0]:
            return failed(f"padded has shape {tuple(padded.shape)}; expected (batch, time) = {tuple(ref_ids.shape)} "
                          "(batch first)")
        return failed(f"padded has shape {tuple(padded.shape)}; expected {tuple(ref_ids.shape)}: one row per "
                      "sequence, as long as the longest sequence of this batch")
    if lengths.tolist() != ref_len.tolist():
        if sorted(lengths.tolist(), reverse=True) == ref_len.tolist():
            return failed(f"lengths {lengths.tolist()} are not sorted longest first; pack_padded_sequence with "
                          "enforce_sorted=True needs decreasing lengths")
        return failed(f"lengths should be the true lengths before padding, longest first: {ref_len.tolist()}; "
                      f"got {lengths.tolist()}")
    if not torch.equal(padded, ref_ids):
        rows_ok = all(torch.equal(padded[i, :n], ref_ids[i, :n]) for i, n in enumerate(ref_len.tolist()))
        if rows_ok:
            return failed("the sequences are right, but the padding is not 0, the padding id of the vocabulary "
                          "(the embedding's padding_idx)")
        return failed("the rows of padded do not match the sequences sorted by length; sort the (ids, label) "
                      "pairs together, then copy each sequence to the start of its row")
    if labels.tolist() != ref_labels.tolist():
        if sorted(labels.tolist()) == sorted(ref_labels.tolist()):
            return failed("the labels are not reordered with their sequences: after sorting, label i must belong to "
                          "row i of padded")
        return failed(f"labels should be {ref_labels.tolist()}; got {labels.tolist()}")
    return passed("correct: padded with 0 to the batch's longest sequence, sorted longest first, labels aligned")
