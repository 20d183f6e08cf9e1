"""Which code cells of a book notebook draw a figure: what each chapter page must show (tests/test_site.py,
tests/test_browser.py).

The expectation is read from the committed notebook's source, not from its executed outputs, so that a build
whose kernels captured no figures (MPLBACKEND=Agg) cannot lower it. A code cell is figure-producing when its
code (comments and strings aside) calls

  - a pyplot function that opens or shows a figure: plt.show(), plt.subplots(...), plt.figure(...), ...;
  - a plotting helper, i.e. any function whose name starts with `plot_` or `draw_` (gru_teach's convention:
    vanishing.plot_norms_vs_lag, plot_gates_over_time, diagram.draw_gru_cell, ...);
  - a kernel-free explorer, any function whose name ends in `explorer` (vanishing.explorer, gate_explorer),

and its outputs reach the page (no `remove-output` or `remove-cell` tag). tests/test_site.py checks the rule
against the executed notebooks in both directions, so a figure drawn some other way is reported, with the
fix: end that cell with plt.show().

A cell tagged `optional-figure` draws only when an optional results file is there (a GPU run, say) and prints
what is missing otherwise: it is not counted, and may or may not show a figure.
"""
import io
import json
import pathlib
import re
import tokenize

PYPLOT = {"show", "subplots", "figure", "subplot", "subplot_mosaic", "imshow", "plot", "scatter", "bar", "hist"}
HELPERS = ("plot_", "draw_")
HIDDEN = {"remove-output", "remove-cell"}
OPTIONAL = "optional-figure"


def code_names(source):
    """The names called in a cell, as (object, name) pairs; comments and strings are ignored."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type not in (tokenize.COMMENT, tokenize.STRING)]
    except (tokenize.TokenError, IndentationError, SyntaxError):   # e.g. an IPython magic: read it as text
        return {(m[1] or "", m[2]) for m in re.finditer(r"(?:(\w+)\.)?(\w+)\s*\(", source)}
    calls = set()
    for i, t in enumerate(tokens[:-1]):
        if t.type == tokenize.NAME and tokens[i + 1].string == "(":
            is_def = i > 0 and tokens[i - 1].string in ("def", "class")
            owner = tokens[i - 2].string if i > 1 and tokens[i - 1].string == "." else ""
            if not is_def:
                calls.add((owner, t.string))
    return calls


def draws_figure(cell):
    """Whether a notebook cell (a dict as in the .ipynb file) is figure-producing by the rule above."""
    if cell.get("cell_type") != "code" or (HIDDEN | {OPTIONAL}) & set(cell.get("metadata", {}).get("tags", [])):
        return False
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return any((owner == "plt" and name in PYPLOT) or name.startswith(HELPERS) or name.endswith("explorer")
               for owner, name in code_names(source))


def shows_figure(cell):
    """Whether an executed cell's outputs hold a figure (an image, or HTML with an <img>)."""
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        html = data.get("text/html", "")
        if any(k.startswith("image/") for k in data) or "<img" in ("".join(html) if isinstance(html, list) else html):
            return True
    return False


def optional_figure(cell):
    """Whether a cell is tagged `optional-figure` (see the module docstring)."""
    return OPTIONAL in cell.get("metadata", {}).get("tags", [])


def code_cells(path):
    """(index among the notebook's cells, cell) for every code cell of a notebook file."""
    nb = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def expected_figures(path):
    """The number of figure-producing cells of a notebook: its page must show at least that many figures."""
    return sum(draws_figure(c) for _, c in code_cells(path))
