#!/usr/bin/env bash
# Find the headless browser for the site's browser checks (tests/test_browser.py); install it when possible.
#   bash scripts/_browser.sh        prints the browser's path on stdout (messages go to stderr)
# Looks at $GRU_BOOK_BROWSER, then chromium, chromium-browser, google-chrome on the PATH. When none works and
# this runs as root on Debian/Ubuntu, it installs Chromium (apt-get, about a minute); otherwise it exits 1
# and says what to run. scripts/test.sh fails in that case: the browser checks are never skipped silently.
set -euo pipefail

works() {   # a real browser answers --version (a snap stub or a broken install does not)
    [ -n "$1" ] && command -v "$1" >/dev/null && "$1" --version 2>/dev/null | grep -qE '^(Chromium|Google Chrome) [0-9]'
}

find_browser() {
    local b
    for b in "${GRU_BOOK_BROWSER:-}" chromium chromium-browser google-chrome google-chrome-stable; do
        if works "$b"; then command -v "$b"; return 0; fi
    done
    return 1
}

if find_browser; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[browser] no Chromium found: installing it with apt-get (Debian package chromium, about a minute)" >&2
    log="$(mktemp)"
    if { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            chromium fonts-liberation; } >"$log" 2>&1 && find_browser; then
        rm -f "$log"
        exit 0
    fi
    tail -n 20 "$log" >&2
    rm -f "$log"
    echo "[browser] installing Chromium failed (output above)" >&2
    exit 1
fi

cat >&2 <<'EOF'
[browser] no headless Chromium found, and this is not root on a Debian/Ubuntu machine, so it cannot be
[browser] installed here. Install it once, e.g.
[browser]     sudo apt-get update && sudo apt-get install -y chromium      (Debian; Ubuntu: chromium-browser)
[browser] or point GRU_BOOK_BROWSER at a Chromium or Chrome executable, then run the tests again.
EOF
exit 1
