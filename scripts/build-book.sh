#!/usr/bin/env bash
# Build the website: set up .venv if needed, execute every notebook, write _build/html.
#   bash scripts/build-book.sh [extra jupyter-book build options, e.g. --path-output DIR]
# (a relative --path-output is taken from the repository root, where jupyter-book runs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"   # cd's to the repository root

out="$REPO_ROOT"            # jupyter-book writes into <path-output>/_build (default: the repository)
args=("$@")
for i in "${!args[@]}"; do
    case "${args[$i]}" in
        --path-output=*) out="${args[$i]#--path-output=}" ;;
        --path-output) out="${args[$((i + 1))]:-$out}" ;;
    esac
done
out="$(realpath -m "$out")"

bash scripts/offline-assets.sh ||
    echo "[build] could not fetch the offline assets: maths and widgets will load from CDNs"
jupyter-book build . "$@"

echo
if [ -f "$out/_build/html/index.html" ]; then
    echo "Book built: $out/_build/html/index.html"
else
    echo "Book built into $out/_build/"
fi
