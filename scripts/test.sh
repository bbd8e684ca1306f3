#!/usr/bin/env bash
# Install everything, then run the whole test suite (unit, app, socket, gRPC, end to end).
# Extra arguments go to pytest, e.g. `scripts/test.sh -m "not e2e"` for the fast part alone.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" -m pytest "$@"
