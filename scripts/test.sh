#!/usr/bin/env bash
# THE test command (.ci/run calls it):
#   browser              scripts/_browser.sh finds headless Chromium (as root it installs it); none: a failure
#   (a) unit tests       pytest: everything in tests/ except the `site`, `browser` and `otter` markers
#   (a2) assignments     pytest -m otter: otter assign + otter run on reference and mistaken submissions
#   (b) notebooks        pytest --nbval-lax over every notebook in book/ (every cell must run; checks are asserts),
#                        each a standalone copy outside the repository (scripts/standalone_notebooks.py)
#   (c) strict build     jupyter-book build . -W -n --keep-going (notebooks executed; a cell error fails),
#                        under MPLBACKEND=Agg on purpose (see below)
#   (d) site checks      pytest -m "site and not browser" on the freshly built HTML in _build/html
#   (e) browser checks   pytest -m browser: one Chromium session over every page (errors, maths, figures,
#                        overflow, explorers); screenshots of every page in _build/screenshots/
set -euo pipefail
T_SETUP0=$(date +%s.%N)
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"   # cd's to the repository root
# MPLBACKEND is set per stage, never exported: (a) and (b) use matplotlib's Agg backend (no figure output needed
# there). The build's kernels must capture every figure: _ext/build_kernel.py makes them plot inline whatever
# MPLBACKEND says, and (c) runs with MPLBACKEND=Agg ON PURPOSE, so that the figure checks in (d) and (e) prove it
# on every run (a kernel that inherited Agg would leave the chapter pages without figures).
unset MPLBACKEND

declare -a STAGES=() TIMES=()
elapsed() { python -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
STAGES+=("venv set-up"); TIMES+=("$(elapsed "$T_SETUP0" "$(date +%s.%N)")")

report() {
    local i shots
    if [ -f _build/screenshots/report.json ]; then
        shots="$(find _build/screenshots -name '*.png' | sort)"
        echo
        echo "=== screenshots of every page (what readers see; findings per page in _build/screenshots/report.json) ==="
        echo "$shots" | sed 's/^/  /'
    fi
    echo
    echo "=== elapsed seconds ==="
    for i in "${!STAGES[@]}"; do printf '  %-40s %7s\n' "${STAGES[$i]}" "${TIMES[$i]}"; done
}
trap report EXIT

stage() {   # stage NAME COMMAND... ; records the time even when the stage fails, then fails
    local name="$1" t0 rc=0
    shift
    echo
    echo "=== $name ==="
    t0=$(date +%s.%N)
    "$@" || rc=$?
    STAGES+=("$name$([ $rc -eq 0 ] || echo " (FAILED, exit $rc)")")
    TIMES+=("$(elapsed "$t0" "$(date +%s.%N)")")
    return $rc
}

locate_browser() {   # exports GRU_BOOK_BROWSER for tests/test_browser.py
    GRU_BOOK_BROWSER="$(bash scripts/_browser.sh)" || return 1
    export GRU_BOOK_BROWSER
    echo "[browser] $GRU_BOOK_BROWSER: $("$GRU_BOOK_BROWSER" --version 2>/dev/null)"
}
stage "browser (find or install)" locate_browser

stage "(a) unit tests" env MPLBACKEND=Agg python -m pytest -q -m "not site and not browser and not otter"
stage "(a2) graded assignments (otter-grader)" env MPLBACKEND=Agg python -m pytest -q -m otter

mapfile -t notebooks < <(find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
if [ ${#notebooks[@]} -eq 0 ]; then
    echo
    echo "=== (b) notebooks === skipped: there are no notebooks under book/ yet"
    STAGES+=("(b) notebooks (skipped: none)"); TIMES+=("0.0")
else
    # each notebook runs as a standalone copy in an empty temporary folder outside the repository, against a
    # non-editable install of gru_teach (as on Colab or in a student's folder): nothing beside it is needed
    stage "(b) notebooks (nbval-lax, ${#notebooks[@]} standalone copies)" \
        env MPLBACKEND=Agg python scripts/standalone_notebooks.py "${notebooks[@]}" -- -q
fi

# a fresh site, so the site checks never look at pages left over from an earlier build
rm -rf _build/html _build/.doctrees _build/jupyter_execute _build/screenshots
# MathJax / widget manager served from _static/offline (npm, once): the browser checks open the pages offline
stage "offline assets (npm)" bash scripts/offline-assets.sh
stage "(c) strict build (-W -n)" env MPLBACKEND=Agg jupyter-book build . -W -n --keep-going
stage "(d) site checks" python -m pytest -q -m "site and not browser"
stage "(e) browser checks (Chromium)" python -m pytest -q -m browser
