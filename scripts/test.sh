#!/usr/bin/env bash
# THE test command (.ci/run calls it):
#   (a) unit tests       pytest: everything in tests/ except the `site` marker
#   (b) notebooks        pytest --nbval-lax over every notebook in book/ (every cell must run; checks are asserts)
#   (c) strict build     jupyter-book build . -W -n --keep-going (notebooks executed; a cell error fails)
#   (d) site checks      pytest -m site on the freshly built HTML in _build/html
set -euo pipefail
T_SETUP0=$(date +%s.%N)
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"   # cd's to the repository root
export MPLBACKEND=Agg

declare -a STAGES=() TIMES=()
elapsed() { python -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
STAGES+=("venv set-up"); TIMES+=("$(elapsed "$T_SETUP0" "$(date +%s.%N)")")

report() {
    local i
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

stage "(a) unit tests" python -m pytest -q -m "not site"

mapfile -t notebooks < <(find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
if [ ${#notebooks[@]} -eq 0 ]; then
    echo
    echo "=== (b) notebooks === skipped: there are no notebooks under book/ yet"
    STAGES+=("(b) notebooks (skipped: none)"); TIMES+=("0.0")
else
    stage "(b) notebooks (nbval-lax, ${#notebooks[@]})" \
        python -m pytest -q --nbval-lax --nbval-current-env -p no:cacheprovider "${notebooks[@]}"
fi

# a fresh site, so the site checks never look at pages left over from an earlier build
rm -rf _build/html _build/.doctrees _build/jupyter_execute
# MathJax / widget manager for offline pages (npm, once); without them the pages use the CDNs: not a failure
stage "offline assets (npm)" bash scripts/offline-assets.sh ||
    echo "[test] offline assets unavailable: the site will load MathJax and widgets from CDNs"
stage "(c) strict build (-W -n)" jupyter-book build . -W -n --keep-going
stage "(d) site checks" python -m pytest -q -m site
