#!/usr/bin/env bash
# Build the website: set up .venv if needed, execute every notebook, write _build/html.
#   bash scripts/build-book.sh [extra jupyter-book build options]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"   # cd's to the repository root

bash scripts/offline-assets.sh || echo "[build] could not fetch the offline assets: maths and widgets will load from CDNs"
jupyter-book build . "$@"

echo
echo "Book built: $REPO_ROOT/_build/html/index.html"
