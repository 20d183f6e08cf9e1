#!/usr/bin/env bash
# Screenshot one built page with headless Chromium (scripts/_browser.sh finds it). scripts/test.sh screenshots
# every page into _build/screenshots/.
#   bash scripts/screenshot.sh _build/html/book/intro.html /tmp/intro.png [WIDTHxHEIGHT, default 1280x2000]
set -euo pipefail
if [ $# -lt 2 ]; then echo "usage: $0 PAGE.html OUT.png [WIDTHxHEIGHT]" >&2; exit 2; fi
page="$1"; out="$2"; size="${3:-1280x2000}"
[ -f "$page" ] || { echo "no such page: $page" >&2; exit 1; }
browser="$(bash "$(dirname "${BASH_SOURCE[0]}")/_browser.sh")"   # finds (as root: installs) Chromium, or says how
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
url="file://$(realpath "$page")"
mkdir -p "$(dirname "$out")"
out="$(realpath "$out")"
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
    --virtual-time-budget=5000 --screenshot="$out" --window-size="${size/x/,}" "$url" 2>/dev/null
[ -s "$out" ] || { echo "screenshot failed" >&2; exit 1; }
echo "$out"
