"""Tables and figures of chapter 5's speed measurements: the live ones and the committed GPU reference side by side.

The reference file (``gru_teach/data/ch05_gpu_benchmark.json``, from ``python -m gru_teach.bench.gpu``) exists in
two versions: schema 1, the first H100 run (models × {float32, bf16 autocast}; its "float32" is PyTorch's default,
which lets cuDNN use TF32), and schema 2 (this package's benchmark: float32 with TF32 off, TF32, bf16 autocast,
plus the compiled loop, sweeps, profiles, DeepBench shapes and the loop-vs-ceiling ratio). The functions here
accept both and say which parts a file lacks.
"""
from __future__ import annotations

GPU_COMMAND = "python -m gru_teach.bench.gpu --out gru_teach/data/ch05_gpu_benchmark.json"
PARTS = ("rows", "compiled", "sweeps", "profile", "deepbench", "ceiling")
COLOURS = {"nn.GRU": "C0", "GRUCell loop": "C3", "GRUCell loop, compiled cell": "C1", "nn.LSTM": "C2"}


def reference_info(data: dict) -> dict:
    """Who measured the reference: GPU, date, versions, schema, which parts it has and which it lacks.

    ``float32_label`` says what the file's "float32" means (for a table's note), ``float32_short`` the same in a
    few words (for a figure's axis): a schema-1 file was measured with PyTorch's default, which lets cuDNN use
    TF32.
    """
    prov = data["provenance"]
    schema = int(prov.get("schema", 1))
    return {"gpu": prov.get("gpu", prov.get("device", "?")), "date": prov.get("date", "?")[:10],
            "torch": prov.get("torch", "?"), "cuda": prov.get("cuda"), "cudnn": prov.get("cudnn"),
            "schema": schema, "missing": [p for p in PARTS if not data.get(p)],
            "has": [p for p in PARTS if data.get(p)],
            "float32_label": "float32 (cuDNN may use TF32, PyTorch's default)" if schema == 1 else "float32 (IEEE)",
            "float32_short": "float32 (TF32 allowed)" if schema == 1 else "float32"}


#: each part of the reference file in words, for the text
PART_NAMES = {"rows": "the basic cases (nn.GRU, the cell loop and nn.LSTM)", "compiled": "the compiled cell loop",
              "profile": "a profiler summary", "sweeps": "the size sweeps",
              "deepbench": "the DeepBench shapes", "ceiling": "the loop-vs-ceiling ratios"}


def words(items, conjunction: str = "and") -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def parts_sentence(data: dict) -> str:
    """One or two sentences for the page: which parts the reference holds, and which it lacks or failed."""
    failed = [p for p in PARTS if isinstance(data.get(p), dict) and "error" in data[p]]
    has = [p for p in PARTS if data.get(p) and p not in failed]
    missing = [p for p in PARTS if not data.get(p)]
    text = f"It holds {words(PART_NAMES[p] for p in has) or 'no measurement'}"
    if not missing and not failed:
        return text + ", every part the benchmark measures."
    text += "."
    if missing:
        text += (f" It does not hold {words((PART_NAMES[p] for p in missing), 'or')} yet: those need a run "
                 "on a GPU machine.")
    if failed:
        text += f" The run failed to measure {words(PART_NAMES[p] for p in failed)} (the errors are printed below)."
    return text


#: modules that moved when gru_teach was regrouped (old dotted path -> today's), for recorded commands
MOVED_MODULES = {"gru_teach.gpu_bench": "gru_teach.bench.gpu"}


def reference_command(data: dict) -> str:
    """The command that wrote the reference, with today's module path (a file written before the package was
    regrouped records the old one)."""
    command = data["provenance"].get("command", GPU_COMMAND)
    for old, new in MOVED_MODULES.items():
        command = command.replace(old, new)
    return command


def part_status(data: dict, part: str) -> str:
    """A clause for the text: whether the committed reference has ``part``, lacks it, or recorded an error."""
    value = data.get(part)
    if isinstance(value, dict) and "error" in value:
        return "the run that wrote the committed reference failed to measure it; the error is printed above"
    if value:
        return "the committed reference has it"
    return "the committed reference does not have it yet"


def missing_note(data: dict, part: str, what: str) -> str | None:
    """None if ``data`` has ``part``; else one line saying that the reference lacks it (the page lists the
    missing parts, and the command that measures them, once), or the error the run recorded for it."""
    value = data.get(part)
    if isinstance(value, dict) and "error" in value:
        return f"The GPU run that wrote the reference failed to measure the {what}:\n  {value['error']}"
    if value:
        return None
    return f"(the committed GPU reference has no {what} yet)"


def profile_summary(profiles: dict) -> str:
    """The reference's ``profile`` part (one :func:`~gru_teach.bench.timing.profile` summary per model)."""
    from .timing import format_profile
    head = f"reference profile at B={profiles['batch']}, T={profiles['time']}, D=H={profiles['hidden']}:"
    parts = [head]
    for name, summary in profiles.items():
        if isinstance(summary, dict):
            parts.append(f"{name}: failed: {summary['error']}" if "error" in summary
                         else format_profile(summary, name) + (f"\n  GPU busy {summary['device_ms']:.2f} ms of "
                                                               f"{summary['wall_ms']:.2f} ms wall per step"))
    return "\n".join(parts)


KEY_OPS = ("aten::gru", "aten::gru_cell", "aten::lstm", "aten::mkldnn_rnn_layer", "aten::addmm", "aten::mm", "aten::sigmoid", "aten::sigmoid_",
           "aten::tanh", "aten::tanh_", "aten::mul", "aten::add", "aten::stack")


def op_count_table(profiles: dict, ops=KEY_OPS) -> str:
    """Calls per training step of the operators that do a GRU's work, one column per profiled model, and the
    total of all operator calls (from :func:`~gru_teach.bench.timing.profile` summaries)."""
    names = list(profiles)
    lines = [f"{'operator':<24}" + "".join(f"{n:>14}" for n in names)]
    for op in ops:
        counts = [profiles[n]["op_counts"].get(op, 0) for n in names]
        if any(counts):
            lines.append(f"{op:<24}" + "".join(f"{c:>14.0f}" for c in counts))
    lines.append(f"{'all operators':<24}" + "".join(f"{profiles[n]['op_calls']:>14.0f}" for n in names))
    return "\n".join(lines + ["(calls per training step: forward and backward)"])


def case_of(row) -> tuple:
    return row["batch"], row["time"], row["input"], row["hidden"]


def by_case(rows) -> dict:
    """``{(B, T, D, H): {(model, precision): tokens/s}}`` (rows with an error are left out)."""
    table: dict = {}
    for r in rows:
        if "tokens_per_s" in r:
            table.setdefault(case_of(r), {})[(r["model"], r["precision"])] = r["tokens_per_s"]
    return table


def case_text(case) -> str:
    """``(B, T, D, H)`` as the text writes it: ``"B = 64, T = 100, D = H = 128"`` (``D = 8, H = 16`` if unequal)."""
    B, T, D, H = case
    return f"B = {B}, T = {T}, " + (f"D = H = {H}" if D == H else f"D = {D}, H = {H}")


def step_flops(case) -> int:
    """FLOPs of the matrix products of one time step's forward pass for the whole batch: B · 2 · 3H (D + H).

    The size by which the text orders the reference's cases: they change B, T and H together, and a time step is
    what runs one after the other (T only repeats it)."""
    B, _, D, H = case
    return B * 2 * 3 * H * (D + H)


def speedups(rows, fast=("nn.GRU", "float32"), slow=("GRUCell loop", "float32")) -> dict:
    """``{(B, T, D, H): tokens/s of fast / tokens/s of slow}`` for every case that has both."""
    return {case: v[fast] / v[slow] for case, v in by_case(rows).items() if fast in v and slow in v}


def speed_table(rows, float32_label: str = "float32") -> str:
    """A fixed-width table: one line per case and model, tokens/s (millions) per precision."""
    table = by_case(rows)
    precisions = []
    for r in rows:
        if r["precision"] not in precisions:
            precisions.append(r["precision"])
    head = f"{'B':>5}{'T':>5}{'D=H':>6}  {'model':<13}" + "".join(f"{p:>15}" for p in precisions)
    lines = [head, "-" * len(head)]
    for (B, T, D, H), values in table.items():
        for model in dict.fromkeys(m for m, _ in values):
            cells = "".join(f"{values[(model, p)] / 1e6:>15.3f}" if (model, p) in values else f"{'–':>15}"
                            for p in precisions)
            lines.append(f"{B:>5}{T:>5}{H:>6}  {model[:13]:<13}{cells}")
    note = f"tokens/s in millions; 'float32' = {float32_label}".replace(" (", "\n  (", 1)
    return "\n".join(lines + [note])


def _dots(ax, rows, title, float32_label="float32"):
    """A dot plot of tokens/s (log scale) for the first case in ``rows``: one dot per model and precision, filled
    for float32, open for reduced precision, each with its value. Dots, not bars: on a log axis a bar's length
    depends on where the axis happens to start, a dot's position does not."""
    table = by_case(rows)
    (B, T, D, H), values = next(iter(table.items()))
    labels = list(values)
    for i, (model, precision) in enumerate(labels):
        colour, v = COLOURS.get(model, "C7"), values[(model, precision)]
        full = precision.startswith("float32")
        ax.plot([i], [v], "o", ms=8, mew=2, color=colour, mfc=colour if full else "white")
        ax.annotate(f"{v / 1e6:.3g} M", (i, v), xytext=(0, 8), textcoords="offset points", ha="center",
                    fontsize=7)
    ax.set_xticks(range(len(labels)), [f"{m}\n{float32_label if p == 'float32' else p}" for m, p in labels],
                  rotation=35, ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    low, high = min(values.values()), max(values.values())
    ax.set_ylim(low / 1.6, high * 1.8)
    ax.set_yscale("log")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.set_title(f"{title}\nB={B}, T={T}, D=H={H}", fontsize=9)
    ax.set_ylabel("tokens / s (training step, log scale)")


def plot_throughput(live_rows, reference_rows, live_label: str, reference_label: str,
                    reference_float32: str = "float32"):
    """Two dot plots (log scale): the live case on this device, and the GPU reference's case of the same
    hidden size (or its smallest case). Open dots: reduced precision. ``reference_float32`` names the
    reference's float32 on its axis (``reference_info(data)["float32_short"]``: "float32 (TF32 allowed)" for the
    first H100 file)."""
    import matplotlib.pyplot as plt
    live_case = case_of(live_rows[0])
    ref_cases = list(by_case(reference_rows))
    same_h = [c for c in ref_cases if c[3] == live_case[3]]
    ref_case = (same_h or sorted(ref_cases, key=lambda c: c[3]))[0]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    _dots(axes[0], live_rows, live_label)
    _dots(axes[1], [r for r in reference_rows if case_of(r) == ref_case], reference_label, reference_float32)
    fig.tight_layout()
    return fig


SWEEP_LABELS = {"batch": "batch size B", "hidden": "hidden size H (= D)", "time": "sequence length T"}


def sweep_values(rows, sweep: str, series=("nn.GRU", "float32")) -> dict:
    """``{value of the varied size: tokens/s}`` of one (model, precision) along one sweep."""
    key = {"batch": "batch", "hidden": "hidden", "time": "time"}[sweep]
    return {r[key]: r["tokens_per_s"] for r in rows
            if r.get("sweep") == sweep and (r["model"], r["precision"]) == tuple(series) and "tokens_per_s" in r}


def sweep_noise(rows, base, series=("nn.GRU", "float32")) -> dict:
    """The base case is measured once by every sweep that passes through it: the same work, timed two or three
    times. ``{"values": tokens/s of each repeat, "spread": largest / smallest}`` (``spread`` is None with fewer
    than two repeats): on a shared machine, differences smaller than the spread are noise."""
    values = [r["tokens_per_s"] for r in rows if r.get("sweep") and case_of(r) == tuple(base)
              and (r["model"], r["precision"]) == tuple(series) and "tokens_per_s" in r]
    return {"values": values, "spread": max(values) / min(values) if len(values) > 1 else None}


def within_noise(factor: float, spread: float | None) -> bool:
    """Whether a change by ``factor`` (either direction) is no larger than the ``spread`` of repeats."""
    return spread is not None and max(factor, 1 / factor) <= spread


def loop_wins(rows, fast=("nn.GRU", "float32"), slow=("GRUCell loop", "float32")) -> list[dict]:
    """The sweep points where ``slow`` measured at least as many tokens/s as ``fast``: ``{"sweep", "value",
    "label" ("H = 64"), "factor" (slow / fast)}`` each."""
    symbol = {"batch": "B", "hidden": "H", "time": "T"}
    wins = []
    for sweep in SWEEP_LABELS:
        a, b = sweep_values(rows, sweep, fast), sweep_values(rows, sweep, slow)
        for v in sorted(set(a) & set(b)):
            if b[v] >= a[v]:
                wins.append({"sweep": sweep, "value": v, "label": f"{symbol[sweep]} = {v}", "factor": b[v] / a[v]})
    return wins


def sweep_summary(rows, base, fast=("nn.GRU", "float32"), slow=("GRUCell loop", "float32")) -> dict:
    """What the text says about a sweep measurement, with the noise to read it against.

    ``range``/``change``: per sweep, the smallest and largest varied value and ``fast``'s tokens/s at the largest
    over that at the smallest; ``noise``/``noise_slow``: the spread of the base case's repeats
    (:func:`sweep_noise`) for ``fast`` and ``slow``; ``beyond_noise``: per sweep, whether ``change`` exceeds
    ``noise``; ``repeats``: ``{(model, precision): tokens/s of each repeat of the base case}``;
    ``wins``: :func:`loop_wins`; ``wins_within_noise``: whether every such win is no larger than the
    larger of the two spreads.
    """
    by = {s: sweep_values(rows, s, fast) for s in SWEEP_LABELS}
    by = {s: v for s, v in by.items() if v}
    repeats = {m: sweep_noise(rows, base, m) for m in (tuple(fast), tuple(slow))}
    noise, noise_slow = repeats[tuple(fast)]["spread"], repeats[tuple(slow)]["spread"]
    change = {s: v[max(v)] / v[min(v)] for s, v in by.items()}
    wins = loop_wins(rows, fast, slow)
    both = max(n for n in (noise, noise_slow, 1.0) if n is not None)
    return {"base": tuple(base), "repeats": {m: r["values"] for m, r in repeats.items()},
            "range": {s: (min(v), max(v)) for s, v in by.items()}, "change": change, "noise": noise,
            "noise_slow": noise_slow, "beyond_noise": {s: not within_noise(c, noise) for s, c in change.items()},
            "wins": wins, "wins_within_noise": all(within_noise(w["factor"], both) for w in wins)}


def noise_text(summary: dict) -> str:
    """The base case's repeats from :func:`sweep_summary`, one line per model, and where the loop won."""
    lines = [f"the base case, {case_text(summary['base'])}, once per sweep:"]
    for (model, _), values in summary["repeats"].items():
        spread = max(values) / min(values) if len(values) > 1 else float("nan")
        lines.append(f"  {model:<13}" + ", ".join(f"{v / 1e6:.3f}" for v in values)
                     + f" M tok/s: largest / smallest = {spread:.2f}")
    wins = words(w["label"] for w in summary["wins"])
    lines.append(f"the loop at least as fast as nn.GRU at: {wins or 'no point'}")
    return "\n".join(lines)


def plot_sweeps(live_rows, reference_rows=None, live_label="this device", reference_label="GPU reference",
                log_span: float = 2.0):
    """tokens/s against batch size, hidden size and sequence length (one varied per panel; log x axes): solid
    lines the live measurement, dashed the reference (when it has sweeps). A panel whose values span at least
    ``log_span``-fold gets a log y axis; one with a smaller span a linear axis from 0, on which a nearly flat
    curve looks flat."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for rows, style, label in ((live_rows, "-o", live_label), (reference_rows or [], "--s", reference_label)):
        for ax, sweep in zip(axes, SWEEP_LABELS):
            series: dict = {}
            for r in rows:
                if r.get("sweep") == sweep and "tokens_per_s" in r:
                    x = {"batch": r["batch"], "hidden": r["hidden"], "time": r["time"]}[sweep]
                    series.setdefault((r["model"], r["precision"]), []).append((x, r["tokens_per_s"]))
            for (model, precision), points in series.items():
                xs, ys = zip(*sorted(points))
                ax.plot(xs, ys, style, color=COLOURS.get(model, "C7"), ms=4,
                        alpha=1.0 if precision == "float32" else 0.5,
                        label=f"{label}: {model}" + ("" if precision == "float32" else f", {precision}"))
    from matplotlib.ticker import NullFormatter
    for ax, sweep in zip(axes, SWEEP_LABELS):
        values = sorted({x for line in ax.get_lines() for x in line.get_xdata()})
        ys = [y for line in ax.get_lines() for y in line.get_ydata()]
        log = bool(ys) and max(ys) >= log_span * min(ys)
        ax.set(xscale="log", xlabel=SWEEP_LABELS[sweep], ylabel="tokens / s" + (" (log scale)" if log else ""))
        if log:
            ax.set_yscale("log")
        else:
            ax.set_ylim(0, max(ys or [1]) * 1.1)
        ax.set_xticks(values, [f"{v:g}" for v in values])      # the measured sizes, not log-scale decades
        ax.xaxis.set_minor_formatter(NullFormatter())
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08 + 0.05 * (len(labels) > 3), 1, 1))
    return fig


def ceiling_table(rows) -> str:
    """The loop-vs-ceiling rows as a table: variant, tokens/s, ratio to the bare loop (and how it is computed)."""
    lines = [f"{'B':>4}{'T':>5}{'H':>5}  {'variant':<28}{'tokens/s':>11}{'ratio':>7}"]
    for r in rows:
        lines.append(f"{r['batch']:>4}{r['time']:>5}{r['hidden']:>5}  {r['variant']:<28}"
                     f"{r['tokens_per_s']:>11,.0f}{r['ratio']:>7.2f}")
    lines.append("tokens/s: median of the rounds; ratio: tokens/s / bare's")
    return "\n".join(lines)


def explain_table(explained: dict, reads: dict | None = None) -> str:
    """:func:`gru_teach.bench.ceiling.explain`'s numbers per step (operators, DataLoader time, wall time) and,
    with ``reads`` from :func:`~gru_teach.bench.ceiling.extra_host_reads`, the extra host reads per epoch."""
    lengths = sorted(next(iter(reads.values()))) if reads else []
    head = f"{'variant':<28}{'ops':>6}{'loader ms':>10}{'wall ms':>9}"
    head += "".join(f"{f'reads@{n}':>9}" for n in lengths)
    lines = [head]
    for name, v in explained.items():
        line = f"{name:<28}{v['op_calls']:>6.0f}{v['loader_ms']:>10.2f}{v['wall_ms']:>9.2f}"
        line += "".join(f"{reads[name][n]:>9d}" if reads and name in reads else f"{'':>9}" for n in lengths)
        lines.append(line)
    notes = ["ops, loader ms, wall ms: per step, under torch.profiler"]
    if reads:
        notes.append("reads@n: host reads in one epoch of n steps beyond the bare loop's")
    return "\n".join(lines + notes)


def plot_deepbench(rows):
    """Our time per DeepBench shape next to the published V100 time (ms, log scale), one bar pair per shape."""
    import matplotlib.pyplot as plt
    import numpy as np
    ok = [r for r in rows if "ms" in r]
    precisions = list(dict.fromkeys(r["precision"] for r in ok))
    shapes = list(dict.fromkeys((r["hidden"], r["batch"], r["time"]) for r in ok))
    fig, ax = plt.subplots(figsize=(11, 3.6))
    width = 0.8 / (len(precisions) + 1)
    x = np.arange(len(shapes))
    v100 = {(r["hidden"], r["batch"], r["time"]): r["v100_ms"] for r in ok}
    ax.bar(x, [v100[s] for s in shapes], width, color="C7", label="V100, FP32 (DeepBench, published)")
    for i, p in enumerate(precisions):
        ms = {(r["hidden"], r["batch"], r["time"]): r["ms"] for r in ok if r["precision"] == p}
        ax.bar(x + (i + 1) * width, [ms.get(s, np.nan) for s in shapes], width, color=f"C{i}", label=p)
    ax.set_xticks(x + width * len(precisions) / 2, [f"H={h}\nN={n}\nT={t}" for h, n, t in shapes], fontsize=7)
    ax.set(yscale="log", ylabel="forward + backward, ms (log scale)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
