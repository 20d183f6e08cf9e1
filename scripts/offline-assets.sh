#!/usr/bin/env bash
# Fetch MathJax 3, the ipywidgets HTML manager and RequireJS with npm and stage them in _build/.offline-assets,
# so that maths and widgets render with no network (the pages otherwise load them from CDNs).
# _ext/offline_assets.py (a Sphinx extension in _config.yml) uses them when they are there, else the CDNs.
#   bash scripts/offline-assets.sh      (build-book.sh and test.sh call it; failure is not fatal there)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PKGS=(mathjax@3.2.2 @jupyter-widgets/html-manager@1.0.15 requirejs@2.3.8)
NPM_DIR=_build/.offline-npm          # ignored (_build/), excluded from Sphinx
OUT=_build/.offline-assets/offline   # becomes _static/offline/ in the site
STAMP="${PKGS[*]}"

if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$STAMP" ]; then
    exit 0   # already staged
fi
command -v npm >/dev/null || { echo "[offline-assets] npm not found" >&2; exit 1; }
echo "[offline-assets] npm install ${PKGS[*]} (about 15 s, once)"
mkdir -p "$NPM_DIR"
log="$(mktemp)"
if ! npm install --prefix "$NPM_DIR" --no-audit --no-fund --no-save --loglevel=error "${PKGS[@]}" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    echo "[offline-assets] npm install failed" >&2
    exit 1
fi
rm -f "$log"

NM="$NPM_DIR/node_modules"
rm -rf "$OUT"
mkdir -p "$OUT/mathjax/input" "$OUT/mathjax/output" "$OUT/widgets"
# MathJax: the tex-chtml component plus what it loads lazily (TeX extensions, CHTML fonts, menu, a11y)
cp "$NM/mathjax/es5/tex-chtml.js" "$OUT/mathjax/"
cp -r "$NM/mathjax/es5/input/tex" "$OUT/mathjax/input/"
cp -r "$NM/mathjax/es5/output/chtml" "$OUT/mathjax/output/"
cp -r "$NM/mathjax/es5/ui" "$NM/mathjax/es5/a11y" "$OUT/mathjax/"
cp "$NM/mathjax/LICENSE" "$OUT/mathjax/" 2>/dev/null || true
# widgets: the AMD embed bundle (includes @jupyter-widgets/base and controls) with its font files, and RequireJS
find "$NM/@jupyter-widgets/html-manager/dist" -maxdepth 1 -type f ! -name '*.map' ! -name 'embed.js*' \
    ! -name 'libembed-amd.js' -exec cp {} "$OUT/widgets/" \;
cp "$NM/requirejs/require.js" "$OUT/require.js"
echo "$STAMP" >"$OUT/.stamp"
echo "[offline-assets] staged in $OUT ($(du -sh "$OUT" | cut -f1))"
