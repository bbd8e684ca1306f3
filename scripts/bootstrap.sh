#!/usr/bin/env bash
# Install everything a developer or CI needs, into the repo only:
#   1. .venv (python3 >= 3.11) with the package installed editable, with its test extras;
#   2. bin/cometbft at the pinned version (scripts/install_cometbft.sh);
#   3. contracts/node_modules (the pinned solc compiler and ethers, for client tests; what the explorer serves) from
#      contracts/package-lock.json;
#   4. Debian's chromium and chromedriver, for the explorer's browser test, where apt-get may run (else that
#      test is skipped and says why).
# Idempotent: a step already done is skipped (stamp files record the hash of what was installed),
# so a second run takes about a second. Works from any directory.
#
# Usage: scripts/bootstrap.sh          (PYTHON=/path/to/python3.12 to choose the interpreter)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
VENV_STAMP="$VENV/.bootstrap-stamp"
CONTRACTS="$ROOT/contracts"
NPM_STAMP="$CONTRACTS/node_modules/.bootstrap-stamp"
MIN_PYTHON="3.11"

say() { echo "bootstrap: $*"; }
fail() { echo "bootstrap: error: $*" >&2; exit 1; }

# Hash of the given files' contents (and names), to detect a changed pyproject or lockfile.
hash_files() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

# True if the interpreter $1 runs and is at least MIN_PYTHON.
python_ok() {
    "$1" -c "import sys; sys.exit(0 if sys.version_info >= tuple(map(int, '$MIN_PYTHON'.split('.'))) else 1)" \
        >/dev/null 2>&1
}

# The interpreter for a new .venv: $PYTHON if set, else the first new-enough python3 on PATH.
find_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        python_ok "$PYTHON" || fail "PYTHON=$PYTHON is not a Python >= $MIN_PYTHON"
        echo "$PYTHON"
        return
    fi
    local candidate
    for candidate in python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            command -v "$candidate"
            return
        fi
    done
    local found="none"
    if command -v python3 >/dev/null 2>&1; then
        found="$(python3 -c 'import sys; print(".".join(map(str, sys.version_info[:3])))' 2>/dev/null || echo unknown)"
    fi
    fail "need Python >= $MIN_PYTHON (python3 found: $found); install one or set PYTHON=/path/to/python3.X"
}

step_python() {
    local started=$SECONDS
    if [[ -x "$VENV/bin/python" ]] && ! python_ok "$VENV/bin/python"; then
        say ".venv's python is broken or older than $MIN_PYTHON: recreating .venv"
        rm -rf "$VENV"
    fi
    if [[ ! -x "$VENV/bin/python" ]]; then
        local python
        python="$(find_python)"
        say "creating .venv with $python ($("$python" --version 2>&1))"
        "$python" -m venv "$VENV"
    fi

    local want
    want="$(hash_files "$ROOT/pyproject.toml") $("$VENV/bin/python" --version 2>&1)"
    if [[ -f "$VENV_STAMP" && "$(cat "$VENV_STAMP")" == "$want" ]]; then
        say "python packages: up to date (pyproject.toml unchanged), skipping pip install"
        return
    fi
    say "pip install -e \".[test]\" into .venv (quiet; a first run takes a few minutes)"
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]")
    echo "$want" > "$VENV_STAMP"
    say "python packages installed in $((SECONDS - started)) s"
}

step_cometbft() {
    "$ROOT/scripts/install_cometbft.sh"
}

step_contracts() {
    local started=$SECONDS
    command -v node >/dev/null 2>&1 || fail "node not found: install Node.js (18 or newer) for the Solidity compiler"
    command -v npm >/dev/null 2>&1 || fail "npm not found: install npm (it comes with Node.js)"

    local lock="$CONTRACTS/package-lock.json" want
    if [[ -f "$lock" ]]; then
        want="$(hash_files "$CONTRACTS/package.json" "$lock")"
    else
        want="$(hash_files "$CONTRACTS/package.json")"
    fi
    if [[ -d "$CONTRACTS/node_modules" && -f "$NPM_STAMP" && "$(cat "$NPM_STAMP")" == "$want" ]]; then
        say "contracts/node_modules: up to date (package files unchanged), skipping npm"
        return
    fi
    if [[ -f "$lock" ]]; then
        say "npm ci in contracts/ (solc and ethers from package-lock.json)"
        (cd "$CONTRACTS" && npm ci --no-audit --no-fund --loglevel=error)
    else
        say "npm install in contracts/ (no package-lock.json yet: this writes one, commit it)"
        (cd "$CONTRACTS" && npm install --no-audit --no-fund --loglevel=error)
        want="$(hash_files "$CONTRACTS/package.json" "$lock")"
    fi
    echo "$want" > "$NPM_STAMP"
    say "contracts/node_modules installed in $((SECONDS - started)) s"
}

step_browser() {
    if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
        say "chromium and chromedriver: present"
        return
    fi
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        say "chromium: missing, and apt-get cannot run here: the explorer's browser test will be skipped"
        return
    fi
    local started=$SECONDS
    say "apt-get install chromium chromium-driver (the explorer's browser test)"
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
        >/dev/null 2>&1; then
        say "chromium installed in $((SECONDS - started)) s"
    else
        say "chromium could not be installed: the explorer's browser test will be skipped"
    fi
}

main() {
    local started=$SECONDS
    say "repo $ROOT"
    step_python
    step_cometbft
    step_contracts
    step_browser
    say "done in $((SECONDS - started)) s; activate with: source .venv/bin/activate"
}

main "$@"
