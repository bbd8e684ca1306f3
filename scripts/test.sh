#!/usr/bin/env bash
# Install everything, then run the whole test suite (unit, app, socket, gRPC, end to end).
# Extra arguments go to pytest, e.g. `scripts/test.sh -m "not e2e"` for the fast part alone.
#
# Without arguments the suite runs as two pytest processes at once, so that a 2-core machine
# is kept busy: the tests that only compute (in-process apps: the modules' rules, invariants and
# fuzzing, which never start a process or time anything) at the lowest CPU priority, beside the
# rest (real nodes, processes, timings) at normal priority, which therefore has the machine as
# if alone. The computing part's output follows the rest's; the exit code is 0 only if both pass.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
PYTEST=("$ROOT/.venv/bin/python" -m pytest)
if [ $# -gt 0 ]; then
    exec "${PYTEST[@]}" "$@"
fi

mapfile -t COMPUTING < <(grep -v '^#' tests/computing.txt)   # the computing tests' paths
computing_log="$(mktemp)"
nice -n 19 "${PYTEST[@]}" "${COMPUTING[@]}" >"$computing_log" 2>&1 &
computing=$!
trap 'kill "$computing" 2>/dev/null || true; rm -f "$computing_log"' EXIT

# Last, when the computing part is done: the benches, which measure throughput and latency
# beside the node's query workers (at nice 19, as the computing part).
LAST=(tests/bench)
mapfile -t REST < <(find tests -mindepth 1 -maxdepth 1 \( -type d -o -name 'test_*.py' \) \
                        ! -name bench ! -name __pycache__ | sort | grep -vxF -f <(printf '%s\n' "${COMPUTING[@]}"))
rest=0
"${PYTEST[@]}" "${REST[@]}" "${LAST[@]}" "${COMPUTING[@]/#/--ignore=}" "${LAST[@]/#/--ignore=}" || rest=$?
computed=0
wait "$computing" || computed=$?
echo
echo "==== the computing tests (tests/computing.txt), run beside the rest at the lowest priority ===="
cat "$computing_log"
[ "$rest" -eq 0 ] && [ "$computed" -eq 0 ]
