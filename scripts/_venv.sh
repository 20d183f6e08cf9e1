# shellcheck shell=bash
# Sourced by the other scripts: make sure .venv exists and matches requirements.txt + pyproject.toml.
#   source scripts/_venv.sh      (from any directory; it cd's to the repository root)
# Re-installs only when requirements.txt or pyproject.toml changed (sha256 stamp in .venv/.gru_book_stamp).
# Set PYTHON to choose the interpreter that creates the venv (default: python3).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || return 1
VENV="$REPO_ROOT/.venv"
VPY="$VENV/bin/python"

_gru_stamp() {
    cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1
}

_gru_venv_setup() {
    local want have log
    if [ ! -x "$VPY" ]; then
        echo "[venv] creating .venv with ${PYTHON:-python3}"
        "${PYTHON:-python3}" -m venv "$VENV" || return 1
    fi
    want="$(_gru_stamp)"
    have="$(cat "$VENV/.gru_book_stamp" 2>/dev/null || true)"
    if [ "$want" != "$have" ]; then
        echo "[venv] installing requirements.txt and gru_teach (editable); this takes about a minute the first time"
        log="$(mktemp)"
        if ! { "$VPY" -m pip install --quiet --disable-pip-version-check -r requirements.txt &&
               "$VPY" -m pip install --quiet --disable-pip-version-check --no-deps -e . ; } >"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            echo "[venv] installation failed" >&2
            return 1
        fi
        rm -f "$log"   # success: pip's output is noise (on failure it is all shown above)
        echo "$want" >"$VENV/.gru_book_stamp"
    fi
    export PATH="$VENV/bin:$PATH"
    export VIRTUAL_ENV="$VENV"
}

_gru_venv_setup || { echo "[venv] setup failed" >&2; return 1 2>/dev/null || exit 1; }
