"""Chapter 5: the real data sets, the text models and their Keras translations, the advice verdicts."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from gru_teach.tasks import forecasting, language, pydoc_text
from gru_teach.training import advice, real_tasks, text


# ----------------------------------------------------------------------------------------------- forecasting
def test_sunspots_ship_offline_and_windows_do_not_overlap_their_targets():
    years, values = forecasting.sunspots()
    assert years[0] == 1700 and years[-1] == 2008 and len(values) == 309
    x, y, t = forecasting.make_windows(np.arange(10.0), 3, 2)
    assert x.shape == (6, 3, 1) and y.shape == (6, 2)
    assert x[0, :, 0].tolist() == [0, 1, 2] and y[0].tolist() == [3, 4] and y[-1].tolist() == [8, 9]
    with pytest.raises(ValueError, match="no window"):
        forecasting.make_windows(np.arange(3.0), 3, 1)


def test_chronological_split_scaler_and_leaky_protocols():
    honest = forecasting.forecast_data("chronological")
    assert honest.years_train.max() + honest.horizon - 1 <= 1929 < honest.years_val.min()
    assert honest.years_val.max() + honest.horizon - 1 <= 1969 < honest.years_test.min()
    years, values = forecasting.sunspots()
    assert honest.scaler.max == values[years <= 1929].max()          # fitted on training years only
    assert honest.scaler.inverse(honest.y_test).max() > honest.scaler.max  # test values beyond it stay
    leak = forecasting.forecast_data("scaler_on_all")
    assert leak.scaler.max == values.max() and np.array_equal(leak.years_test, honest.years_test)
    recipe = forecasting.forecast_data("recipe", seed=0)
    assert max(p.max() for p in (recipe.years_train, recipe.years_val, recipe.years_test)) + 4 <= 1969
    # shuffled: test years interleave with training years
    assert recipe.years_test.min() < recipe.years_train.max()
    # the recipe's split alone: the same parts, the scaler fitted on the training windows' values only
    shuffled = forecasting.forecast_data("shuffled", seed=0)
    assert np.array_equal(shuffled.years_test, recipe.years_test)
    seen = shuffled.scaler.inverse(np.concatenate([shuffled.x_train.ravel(), shuffled.y_train.ravel()]))
    assert np.isclose(seen.max(), shuffled.scaler.max) and np.isclose(seen.min(), shuffled.scaler.min)
    np.testing.assert_allclose(forecasting.rescale(honest.x_test, honest, recipe),
                               recipe.scaler.transform(honest.scaler.inverse(honest.x_test)))
    with pytest.raises(ValueError, match="protocol must be one of"):
        forecasting.forecast_data("random")


def test_baselines_persistence_and_linear_ar():
    data = forecasting.forecast_data()
    base = forecasting.baselines(data)
    ar_key = next(k for k in base if k.startswith("linear AR"))
    assert base["persistence"][0] < base["persistence"][-1]          # persistence degrades with the horizon
    assert np.all(base[ar_key] < base["persistence"])
    # the control: the same AR model on another protocol's test windows (here the same windows: equal scores)
    np.testing.assert_allclose(forecasting.baselines(data, data)["linear AR, future"], base[ar_key])
    recipe = forecasting.baselines(forecasting.forecast_data("recipe"), data)
    assert not np.allclose(recipe["linear AR, future"], next(v for k, v in recipe.items() if k.startswith("linear AR(")))
    # AR fitted on an exactly autoregressive series recovers it
    s = np.zeros(60)
    s[:2] = 1.0, 0.5
    for i in range(2, 60):
        s[i] = 0.6 * s[i - 1] - 0.3 * s[i - 2] + 0.1
    x, y, _ = forecasting.make_windows(s, 5, 1)
    ar = forecasting.LinearAR.fit(x, y, 2)
    np.testing.assert_allclose(ar.coef[:, 0], [0.1, -0.3, 0.6], atol=1e-8)


def test_forecast_setup_run_reports_and_future_scores():
    rec = real_tasks.forecast_setup_run("honest, early stopping", 0, hidden=8, epochs=3)
    assert rec["reported_rmse"] == rec["future_rmse"] and len(rec["reported_rmse"]) == 5
    rec = real_tasks.forecast_setup_run("recipe", 0, hidden=8, epochs=2)
    assert rec["reported_rmse"] != rec["future_rmse"]
    with pytest.raises(ValueError, match="unknown setup"):
        real_tasks.forecast_setup_run("magic")


def test_the_committed_forecast_command_writes_its_file_with_provenance(tmp_path):
    from gru_teach.training import ch05
    ch05.main(["--quick", "--only", "forecast", "--out-dir", str(tmp_path)])
    import json
    result = json.loads((tmp_path / "ch05_forecast.json").read_text())
    assert result["provenance"]["command"] == "python -m gru_teach.training.ch05 --quick --only forecast"
    runs = real_tasks.summarise_forecast(result["forecast"])
    assert list(runs) == list(real_tasks.FORECAST_SETUPS)
    assert all("linear AR, future" in r["baselines"] for r in runs.values())
    ar = runs["recipe"]["ar"]                 # the control, found by name, not by position
    assert ar["name"].startswith("AR(") and ar["future"] == np.mean(runs["recipe"]["baselines"]["linear AR, future"])
    assert not (tmp_path / "ch05_tasks.json").exists()


# ----------------------------------------------------------------------------------------------- text data
@pytest.fixture(scope="module")
def words():
    return language.language_data(per_language=150)


def test_language_data_removes_ambiguous_words_and_splits_types(words):
    sets = [set(d.words) for d in (words.train, words.val, words.test)]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    lists = language.word_lists(per_language=150)
    both = set(lists["en"]) & set(lists["de"])
    assert both and not both & set(words.train.words)                   # e.g. "die", "in"
    assert words.ambiguous >= len(both)
    assert all(w.isalpha() and 2 <= len(w) <= 16 for w in words.train.words)
    assert words.vocab.encode("zz?") == [words.vocab.index["z"]] * 2 + [language.UNK]


def test_pad_and_sort_for_packing(words):
    batch = [words.train[i] for i in range(7)]
    (ids, lengths), labels = language.pad_and_sort(batch)
    assert lengths.tolist() == sorted(lengths.tolist(), reverse=True)
    for row in range(7):
        n = int(lengths[row])
        word = words.vocab.decode(ids[row, :n].tolist())
        assert (ids[row, n:] == 0).all()
        i = words.train.words.index(word)
        assert labels[row] == words.train.labels[i]
    with pytest.raises(ValueError, match="empty batch"):
        language.pad_and_sort([])


def test_word_classifier_packed_reads_the_last_real_state(words):
    torch.manual_seed(0)
    model = text.WordClassifier(len(words.vocab), 6, embed=4, hidden=5, layers=2, norm="layer").eval()
    (ids, lengths), _ = language.pad_and_sort([words.train[i] for i in range(5)])
    out = model(ids, lengths)
    for row in range(5):            # each word alone, without padding, gives the same logits
        n = int(lengths[row])
        alone = model(ids[row:row + 1, :n], lengths[row:row + 1])
        torch.testing.assert_close(out[row:row + 1], alone, atol=1e-6, rtol=1e-5)
    # the padded read-out (the bug) with the same weights: right for the longest word only
    plain = text.WordClassifier(len(words.vocab), 6, embed=4, hidden=5, layers=2).eval()
    bug = text.WordClassifier(len(words.vocab), 6, embed=4, hidden=5, layers=2, packed=False).eval()
    bug.load_state_dict(plain.state_dict())
    right, wrong = plain(ids, lengths), bug(ids, lengths)
    torch.testing.assert_close(right[0], wrong[0], atol=1e-6, rtol=1e-5)
    shorter = lengths < lengths[0]
    assert shorter.any() and not torch.allclose(right[shorter], wrong[shorter], atol=1e-4)
    assert text.WordClassifier(len(words.vocab), 1, embed=None, hidden=3, layers=1)(ids, lengths).shape == (5,)


def test_last_column_gaps_when_the_padded_read_out_is_wrong():
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, batch_first=True, num_layers=2)
    lengths = torch.tensor([6, 4, 6, 2])                      # any order; two without padding
    x = torch.randn(4, 6, 3)
    x[torch.arange(6)[None, :] >= lengths[:, None]] = 0       # padding vectors after each sequence
    gaps = text.last_column_gaps(gru, x, lengths)
    full = lengths == 6
    assert gaps["right"][full].max() < 1e-6 and gaps["left"][full].max() < 1e-6   # no padding: correct
    assert gaps["right"][~full].min() > 1e-3                                      # right padding: wrong
    # left padding reads each word last; it is exact when a padding step leaves the zero state at zero
    one = nn.GRU(3, 4, batch_first=True)
    assert text.last_column_gaps(one, x, lengths)["left"][~full].min() > 1e-4     # biases move the state
    with torch.no_grad():
        one.bias_ih_l0.zero_()
        one.bias_hh_l0.zero_()
    exact = text.last_column_gaps(one, x, lengths)
    assert exact["left"].max() < 1e-6 and exact["right"][~full].min() > 1e-3
    # the gap is measured against packing's final state, which returns in the batch's own order
    _, h = one(nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
    torch.testing.assert_close(h[0, 1], one(x[1:2, :4])[1][0, 0])
    with pytest.raises(ValueError, match="batch-first"):
        text.last_column_gaps(nn.GRU(3, 4), x, lengths)


def test_batchnorm_on_packed_data_uses_real_tokens_only(words):
    torch.manual_seed(0)
    model = text.WordClassifier(len(words.vocab), 6, embed=4, hidden=5, layers=1, norm="batch")
    (ids, lengths), _ = language.pad_and_sort([words.train[i] for i in range(8)])
    model(ids, lengths)
    real = torch.cat([model.embed(ids[i, :int(n)]) for i, n in enumerate(lengths)])
    torch.testing.assert_close(model.norms[0].running_mean, 0.1 * real.mean(0).detach(), atol=1e-6, rtol=1e-5)


def test_keras_gru_loop_equals_nn_gru_and_masks_are_fixed_over_time():
    torch.manual_seed(0)
    layer = text.KerasGRU(3, 4, return_sequences=True)
    x, lengths = torch.randn(4, 6, 3), torch.tensor([6, 5, 3, 1])
    with torch.no_grad():
        torch.testing.assert_close(layer(x, lengths), layer.loop(x, lengths), atol=1e-6, rtol=1e-5)
        last = text.KerasGRU(3, 4)
        last.gru.load_state_dict(layer.gru.state_dict())
        torch.testing.assert_close(last(x, lengths), layer(x, lengths)[torch.arange(4), lengths - 1])
    # a recurrent mask that drops unit 0 of h_{t-1} for every gate makes the output independent of h_{t-1}[0]
    masks = torch.ones(3, 4, 4)
    masks[:, :, 0] = 0
    out = layer.loop(x, lengths, recurrent_masks=masks)
    out.sum().backward()
    assert layer.gru.weight_hh_l0.grad[:, 0].abs().max() == 0
    # enforce_sorted=False: a batch in any order comes back in its own order (outputs and final states)
    mixed = torch.tensor([2, 0, 3, 1])
    with torch.no_grad():
        torch.testing.assert_close(layer(x[mixed], lengths[mixed]), layer.loop(x, lengths)[mixed],
                                   atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(last(x[mixed], lengths[mixed]), last(x, lengths)[mixed])
    drop = text.KerasGRU(3, 4, dropout=0.5, recurrent_dropout=0.5).train()
    assert drop(x, lengths).shape == (4, 4)
    with pytest.raises(ValueError, match="recurrent_dropout"):
        text.KerasGRU(3, 4, recurrent_dropout=1.0)


def test_keras_parameter_counts_match_the_formulas():
    assert text.keras_gru_params(10, 4) == 3 * 4 * (10 + 4 + 2)
    assert text.keras_gru_params(10, 4, reset_after=False) == 3 * 4 * (10 + 4 + 1)
    binary = text.KerasBinaryGRU(40, 128)
    rows = text.parameter_table(binary)
    assert [r["keras_params"] for r in rows] == [3 * 128 * (40 + 128 + 2), 129]
    assert all(r["keras_params"] == r["torch_params"] for r in rows)
    stacked = text.KerasStackedGRU(50, 16, 64, 6)
    rows = text.parameter_table(stacked)
    assert sum(r["torch_params"] for r in rows) == sum(p.numel() for p in stacked.parameters())
    assert [r["keras_params"] - r["keras_trainable"] for r in rows] == [0, 32, 0, 128, 0, 0]
    assert all(r["torch_params"] + r["torch_running_stats"] == r["keras_params"] for r in rows)
    with pytest.raises(TypeError):
        text.parameter_table(nn.Linear(2, 2))


def test_language_runs_learn_something(words):
    run = real_tasks.language_run(words, hidden=8, layers=1, epochs=2, patience=None)
    assert run["test_accuracy"] > run["majority_accuracy"]
    binary = real_tasks.binary_subset(words)
    assert set(binary.train.labels.tolist()) == {0.0, 1.0}
    run = real_tasks.keras_binary_run(binary, units=8, epochs=1)
    assert 0 <= run["test_accuracy"] <= 1
    run = real_tasks.keras_stacked_run(words, units=8, epochs=1, max_steps=3)
    assert run["history"].steps == 3


# ----------------------------------------------------------------------------------------------- language model
def test_pydoc_text_split_by_topic_and_ngram_baselines():
    corpus = pydoc_text.text_data(max_chars=30_000)
    assert not set(corpus.split["train"]) & set(corpus.split["test"])
    chunk_x, chunk_y = corpus.chunks("train", 10)[0]
    assert torch.equal(chunk_x[1:], chunk_y[:-1])
    V = len(corpus.vocab)
    uni = pydoc_text.ngram_cross_entropy(corpus.train, corpus.test, V, 1)
    bi = pydoc_text.ngram_cross_entropy(corpus.train, corpus.test, V, 2)
    assert bi < uni < math.log(V)
    # a unigram model on its own training text has exactly the entropy of the smoothed frequencies
    ids = np.array([1, 1, 2, 0])
    p = (np.bincount(ids, minlength=3) + 1) / 7
    assert pydoc_text.ngram_cross_entropy(ids, ids, 3, 1) == pytest.approx(-np.mean(np.log(p[ids])))


def test_charlm_trains_and_samples():
    corpus = pydoc_text.text_data(max_chars=20_000)
    run = real_tasks.charlm_run(corpus, hidden=16, embed=8, length=16, max_steps=5, sample_length=20,
                                temperatures=(0.0, 1.0))
    assert run["history"].steps == 5 and set(run["samples"]) == {"0.0", "1.0"}
    assert all(s.startswith("The ") and len(s) == 24 for s in run["samples"].values())
    greedy = text.sample(run["model"], corpus.vocab, "The ", 20, 0.0, seed=1)
    assert greedy == run["samples"]["0.0"]           # temperature 0 does not depend on the seed
    with pytest.raises(ValueError, match="temperature"):
        text.sample(run["model"], corpus.vocab, "The ", 5, -1.0)


# ----------------------------------------------------------------------------------------------- advice
def _records(scores):
    return [{"variant": v, "seed": i, "score": s} for v, ss in scores.items() for i, s in enumerate(ss)]


def test_verdict_rule():
    v = advice.verdict(_records({"a": [0.9, 0.95, 0.92], "b": [0.8, 0.85, 0.7], "c": [0.91, 0.5, 0.6]}),
                       higher_is_better=True)
    assert v.best == "a" and v.clearly_worse == ["b"] and v.within_spread == ["c"]
    assert v.text == ("a is best; every seed of it beats every seed of b; "
                      "c within the seed spread of it (seed by seed: ahead on 2, behind on 1)")
    assert v.paired == {"b": (3, 0, 0), "c": (2, 0, 1)} and v.identical == []
    v = advice.verdict(_records({"x": [3.0, 2.0], "y": [1.0, 1.5]}), higher_is_better=False)
    assert v.best == "y" and v.clearly_worse == ["x"]
    # paired by seed: the seeds' spread hides an advantage that every seed shows
    v = advice.verdict(_records({"p": [0.6, 0.8, 0.7], "q": [0.59, 0.79, 0.69]}), higher_is_better=True)
    assert v.within_spread == ["q"] and v.paired["q"] == (3, 0, 0)
    v = advice.verdict(_records({"clip": [0.5, 0.6], "none": [0.5, 0.6]}), higher_is_better=True)
    assert v.text == "clip, none gave the same score on every seed"
    # two variants that were one run (e.g. clipping that never engaged) are called that
    v = advice.verdict(_records({"clip": [0.5, 0.6], "none": [0.5, 0.6], "other": [0.5, 0.55]}),
                       higher_is_better=True)
    assert v.identical == ["none"] and "none gave the same score as it on every seed" in v.text
    assert "other within the seed spread of it (seed by seed: ahead on 1, level on 1, behind on 0)" in v.text
    with pytest.raises(ValueError, match="at least two"):
        advice.verdict(_records({"x": [1.0]}), higher_is_better=True)


def test_sign_test():
    assert advice.sign_test_p(5, 0) == 1 / 16 and advice.sign_test_p(0, 5) == 1 / 16
    assert advice.sign_test_p(3, 0) == 0.25 and advice.sign_test_p(0, 0) == 1.0
    assert advice.sign_test_p(1, 1) == 1.0 and advice.sign_test_p(9, 1) == 22 / 1024


def test_experiments_share_the_baseline_and_pick_learning_rates(monkeypatch):
    calls = []

    def fake(cfg, seed, size="live", data=None):
        calls.append((tuple(sorted(cfg.items())), seed))
        return {"score": float(seed), "curve": [1.0], "diverged": False}
    monkeypatch.setattr(advice, "run_config", fake)
    monkeypatch.setattr(advice.language, "language_data", lambda **kw: "words")
    monkeypatch.setattr(advice.forecasting, "forecast_data", lambda **kw: "series")
    cache = {}
    out = advice.run_experiments(("clipping", "dropout"), seeds=(0, 1), cache=cache)
    assert len(out["clipping"]) == 4 and len(out["dropout"]) == 6
    assert len(calls) == 2 * (2 + 2)          # the baseline (clip 1, dropout 0) ran once per seed
    advice.run_experiments("normalisation", seeds=(0, 1), cache=cache)
    assert len(calls) == 2 * (2 + 2 + 2)
    grid = [{"variant": "adam", "lr": lr, "score": s} for lr, s in ((0.1, 3.0), (0.01, 1.0), (0.01, 2.0))]
    assert advice.best_learning_rates(grid) == {"adam": 0.01}
    assert advice.config("optimizer", "sgd", {"sgd": 1.0})["lr"] == 1.0
    with pytest.raises(ValueError, match="unknown experiment"):
        advice.variants("batch size")


def test_figures_draw_what_they_are_given():
    import matplotlib
    matplotlib.use("Agg")
    from gru_teach.training import figures
    fig = figures.plot_curves({"train": [3.0, 2.0, 1.0], "validation": [3.0, 1.5, 2.0]}, logy=True)
    line = fig.axes[0].lines
    assert len(line) == 3 and tuple(line[2].get_xdata()) == (2,)          # the dot at the best epoch
    fig = figures.plot_curves({"val accuracy": [0.5, 0.7, 0.6]}, best="max")
    assert tuple(fig.axes[0].lines[1].get_xdata()) == (2,)
    fig = figures.plot_rmse_by_horizon({"a": np.ones((3, 5)), "b": np.arange(5.0)})
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[0].collections) == 1   # a band for the seeds
    fig = figures.plot_seeds({"x": [1, 2, 3], "y": [2, 3, 4]}, ylabel="score", reference={"x": [1.5]})
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["x", "y"]
    fig = figures.plot_forecasts(np.arange(4), np.ones((4, 2)), {"m": np.zeros((4, 2))}, step=1)
    assert tuple(fig.axes[0].lines[0].get_xdata()) == (1, 2, 3, 4)
    import matplotlib.pyplot as plt
    plt.close("all")


def test_samples_are_shown_folded_with_their_newlines_visible():
    s = ("The quick brown fox\njumps over the lazy dog.\t" * 12)
    shown = text.show_sample(s, width=40)
    assert all(len(line) <= 40 for line in shown.split("\n"))
    assert shown.replace("\n", "") == repr(s)          # nothing lost, nothing added
    assert text.show_sample("short") == "'short'"


# ----------------------------------------------------------------------------------------------- chapter 5.2 review
def test_ambiguous_types_and_list_entries_are_both_counted(words):
    lists = language.word_lists(per_language=150)
    kept = len(words.train) + len(words.val) + len(words.test)
    assert kept == 6 * 150 - words.ambiguous_entries          # entries, not types, add up
    assert words.ambiguous_entries >= 2 * words.ambiguous      # each type sits in two lists or more
    seen = {}
    for lang, ws in lists.items():
        for w in ws:
            seen.setdefault(w, set()).add(lang)
    assert words.ambiguous == sum(len(s) > 1 for s in seen.values())
    assert words.ambiguous_entries == sum(len(s) for s in seen.values() if len(s) > 1)
    assert real_tasks.binary_subset(words).ambiguous_entries == words.ambiguous_entries


def test_constant_baselines_chance_training_majority_and_best_in_hindsight():
    vocab = language.CharVocab(["ab"])
    ds = lambda labels: language.WordDataset(["ab"] * len(labels), labels, vocab)  # noqa: E731
    # label 2 is the most frequent in training and the rarest in test: below chance
    data = language.LanguageData(ds([2, 2, 2, 0, 1]), ds([0]), ds([0, 0, 1, 1, 1, 2]), vocab, ("a", "b", "c"), 0)
    base = data.constant_baselines()
    assert base["counts"]["train"].tolist() == [1, 1, 3] and base["counts"]["test"].tolist() == [2, 3, 1]
    assert base["chance"] == pytest.approx(1 / 3)
    assert base["majority_label"] == "c" and base["majority"] == pytest.approx(1 / 6)
    assert base["majority"] < base["chance"]
    assert base["best_constant_label"] == "b" and base["best_constant"] == pytest.approx(0.5)
    assert data.majority_accuracy() == base["majority"]
    binary = language.LanguageData(ds([0.0, 1.0, 1.0]), ds([0.0]), ds([0.0, 0.0, 1.0]), vocab, ("a", "b"), 0)
    assert binary.constant_baselines()["majority"] == pytest.approx(1 / 3)   # float labels work too


def test_sign_test_and_the_paired_packed_vs_padded_comparison():
    assert advice.sign_test_p(2, 1) == 1.0
    runs = [{"packed": True, "seed": s, "test_accuracy": a} for s, a in enumerate((0.72, 0.73, 0.70))]
    runs += [{"packed": False, "seed": s, "test_accuracy": a} for s, a in enumerate((0.71, 0.73, 0.72))]
    pair = real_tasks.packed_vs_padded(runs, n_test=1000)
    np.testing.assert_allclose(pair["diffs"], [1, 0, -2], atol=1e-9)
    assert (pair["ahead"], pair["level"], pair["behind"]) == (1, 1, 1) and pair["p"] == 1.0
    assert pair["words"].tolist() == [10, 0, -20]
    flipped = [{**r, "packed": not r["packed"]} for r in runs]   # padded best: counts turned round
    assert (real_tasks.packed_vs_padded(flipped)["ahead"], real_tasks.packed_vs_padded(flipped)["behind"]) == (1, 1)


def test_committed_language_runs_paired_and_binary_runs_still_improving():
    from gru_teach.data import load_results
    tasks = load_results("ch05_tasks.json")
    pair = real_tasks.packed_vs_padded(tasks["language"]["runs"], n_test=tasks["language"]["words"]["test"])
    assert pair["ahead"] == 3 and pair["p"] == 0.25
    assert 1.2 <= pair["diffs"].min() < pair["diffs"].max() <= 1.7 and pair["words"].tolist() == [16, 12, 16]
    assert all(real_tasks.still_improving(r["curves"]["val_acc"]) for r in tasks["keras_binary"])
    assert real_tasks.still_improving([0.5, 0.8, 0.797]) and not real_tasks.still_improving([0.5, 0.8, 0.7])


def test_provenance_device_reads_grammatically():
    assert real_tasks.provenance_device({"device": "CPU (x), 1 torch threads"}) == "CPU (x), 1 torch thread"
    assert real_tasks.provenance_device({"device": "CPU (x), 11 torch threads"}) == "CPU (x), 11 torch threads"
    assert real_tasks.provenance_device({"device": "CUDA GPU H200"}) == "CUDA GPU H200"
