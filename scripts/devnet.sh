#!/usr/bin/env bash
# Install everything, then start a local single-validator chain on embedded defaults.
# The chain's home is .miles/devnet in the checkout (MILES_HOME to choose another); Ctrl-C stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
HOME_DIR="${MILES_HOME:-$ROOT/.miles/devnet}"
MILES="$ROOT/.venv/bin/miles"
if [[ ! -f "$HOME_DIR/miles.toml" && ! -f "$HOME_DIR/node.json" ]]; then
    "$MILES" --home "$HOME_DIR" init
fi
exec "$MILES" --home "$HOME_DIR" start
