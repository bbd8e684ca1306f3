#!/usr/bin/env bash
# The docker-compose network (docker-compose.yml) on a machine that cannot reach Docker Hub.
#
#   scripts/compose_local.sh up [options of up]   prepare what is missing (below), then `up -d`
#   scripts/compose_local.sh down [-v]            and any other compose command (ps, logs, exec,
#                                                 stop, ...), run as given, with the same settings
#
# Every command first makes sure of 1 and 2, and `up` of all, each step skipped (or a cached
# build) when already done:
#   1. docker.io and docker-compose (and debootstrap, for step 3) installed, with apt;
#   2. a running dockerd: started in the background when none answers (log .miles/compose/dockerd.log);
#   3. miles-debian:bookworm: Debian with python3, made by debootstrap and `docker import` (reused by tag);
#   4. miles-cometbft:<pinned version>: bin/cometbft (scripts/install_cometbft.sh) on that base;
#   5. build/wheelhouse: `pip wheel` of the package's pinned dependencies, on the host;
#   6. miles-chain:local: the Dockerfile on that base, from the wheelhouse, with no network.
# The compose file is the one `docker compose up -d --build` runs where Docker Hub is reachable;
# here COMETBFT_IMAGE names the local cometbft image. Compose v2 is used if installed, else v1.
# Exit status 3: no Docker engine can run here (none answers, and this script cannot start one:
# not root, or dockerd did not answer within DOCKERD_TIMEOUT_S).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.miles/compose"
WHEELHOUSE="$ROOT/build/wheelhouse"
DEBIAN_SUITE="bookworm"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_IMAGE="miles-debian:$DEBIAN_SUITE"
BASE_PACKAGES="python3,python3-venv"
APP_IMAGE="miles-chain:local"   # docker-compose.yml's image for init and app<i>
VERSION="$(sed -n 's/^COMETBFT_VERSION = "\(v[0-9][0-9.]*\)"$/\1/p' "$ROOT/abci_app/versions.py")"
export COMETBFT_IMAGE="miles-cometbft:$VERSION"
DOCKERD_TIMEOUT_S="${DOCKERD_TIMEOUT_S:-60}"
NO_ENGINE=3

say() { echo "compose_local: $*" >&2; }   # stderr: stdout is the compose command's (`ps -q`)
fail() { echo "compose_local: error: $1" >&2; exit "${2:-1}"; }

# Installing packages, starting dockerd and debootstrap need root.
need_root() { [[ $EUID -eq 0 ]] || fail "$1 needs root: run this script as root" "${2:-1}"; }

# Runs a long step with its output in .miles/compose/<name>.log; on failure shows the log's end.
logged() {
    local name="$1"
    shift
    mkdir -p "$STATE"
    if ! "$@" >"$STATE/$name.log" 2>&1; then
        tail -n 40 "$STATE/$name.log" >&2
        fail "$name failed (whole log: $STATE/$name.log)"
    fi
}

# apt-get install of the packages (given as command:package) whose command is missing.
APT_UPDATED=""
need_packages() {
    local pair missing=()
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    ((${#missing[@]})) || return 0
    local started=$SECONDS
    need_root "installing ${missing[*]}"
    say "installing ${missing[*]} with apt"
    if [[ -z "$APT_UPDATED" ]]; then
        logged apt-update apt-get update
        APT_UPDATED=1
    fi
    logged apt-install env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    say "installed ${missing[*]} in $((SECONDS - started)) s"
}

# The engine's own client: another docker earlier on PATH (say a newer static one) may speak
# another version of the API or lack the legacy builder.
set_docker_client() {
    local engine
    engine="$(command -v dockerd || true)"
    if [[ -n "$engine" && -x "$(dirname "$engine")/docker" ]]; then
        DOCKER="$(dirname "$engine")/docker"
    else
        DOCKER="docker"
    fi
}

compose() {
    if "$DOCKER" compose version >/dev/null 2>&1; then
        (cd "$ROOT" && "$DOCKER" compose "$@")
    else
        (cd "$ROOT" && docker-compose "$@")
    fi
}

step_engine() {
    set_docker_client
    if ! "$DOCKER" info >/dev/null 2>&1; then
        need_root "no Docker engine answers; installing and starting one" "$NO_ENGINE"
        need_packages dockerd:docker.io
        set_docker_client
        start_dockerd
    fi
    "$DOCKER" compose version >/dev/null 2>&1 || need_packages docker-compose:docker-compose
}

start_dockerd() {
    if "$DOCKER" info >/dev/null 2>&1; then
        return   # installing docker.io may have started one
    fi
    mkdir -p "$STATE"
    say "starting dockerd (log: $STATE/dockerd.log)"
    setsid dockerd </dev/null >>"$STATE/dockerd.log" 2>&1 &
    local pid=$! started=$SECONDS
    until "$DOCKER" info >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null || ((SECONDS - started >= DOCKERD_TIMEOUT_S)); then
            kill "$pid" 2>/dev/null || true   # ours, and of no use
            tail -n 20 "$STATE/dockerd.log" >&2
            fail "no Docker engine: dockerd did not answer within $DOCKERD_TIMEOUT_S s ($STATE/dockerd.log)" "$NO_ENGINE"
        fi
        sleep 0.5
    done
    say "dockerd answers after $((SECONDS - started)) s (storage driver $("$DOCKER" info -f '{{.Driver}}'))"
}

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

ROOTFS=""
remove_rootfs() { if [[ -n "$ROOTFS" ]]; then rm -rf --one-file-system "$ROOTFS"; fi; }

step_base_image() {
    if image_exists "$BASE_IMAGE"; then
        say "reusing $BASE_IMAGE"
        return
    fi
    local started=$SECONDS
    need_root "debootstrap"
    need_packages debootstrap:debootstrap
    ROOTFS="$(mktemp -d /var/tmp/miles-rootfs.XXXXXX)"
    trap remove_rootfs EXIT
    say "debootstrap $DEBIAN_SUITE (+ $BASE_PACKAGES) from $DEBIAN_MIRROR"
    logged debootstrap debootstrap --variant=minbase --include="$BASE_PACKAGES" \
        "$DEBIAN_SUITE" "$ROOTFS" "$DEBIAN_MIRROR"
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
    tar -C "$ROOTFS" -c . | "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
    remove_rootfs
    ROOTFS=""
    say "built $BASE_IMAGE in $((SECONDS - started)) s"
}

step_cometbft_image() {
    local started=$SECONDS
    "$ROOT/scripts/install_cometbft.sh" >&2
    logged build-cometbft "$DOCKER" build --network none --build-arg BASE_IMAGE="$BASE_IMAGE" \
        -f "$ROOT/scripts/cometbft.Dockerfile" -t "$COMETBFT_IMAGE" "$ROOT/bin"
    say "image $COMETBFT_IMAGE ready in $((SECONDS - started)) s"
}

# A host interpreter of the base image's Python version (the wheels' tags must match it).
wheel_python() {
    local want candidate
    want="$("$DOCKER" run --rm --network none "$BASE_IMAGE" \
        python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    for candidate in "$ROOT/.venv/bin/python" "python$want" python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && [[ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" == "$want" ]]; then
            echo "$candidate"
            return
        fi
    done
    fail "need a python$want with pip on this machine to make the wheels for $BASE_IMAGE"
}

step_wheelhouse() {
    local started=$SECONDS python want
    python="$(wheel_python)"
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1) $("$python" --version 2>&1)"
    if [[ -f "$WHEELHOUSE/.stamp" && "$(cat "$WHEELHOUSE/.stamp")" == "$want" ]]; then
        say "reusing $WHEELHOUSE (pyproject.toml unchanged)"
        return
    fi
    rm -rf "$WHEELHOUSE"
    mkdir -p "$WHEELHOUSE" "$STATE"
    # The package's dependencies and its build requirements (pip builds the package in the image).
    "$python" -c 'import sys, tomllib; p = tomllib.load(open(sys.argv[1], "rb"))
print("\n".join(p["project"]["dependencies"] + p["build-system"]["requires"]))' \
        "$ROOT/pyproject.toml" >"$STATE/requirements.txt"
    say "pip wheel of $(wc -l <"$STATE/requirements.txt") requirements into $WHEELHOUSE ($python)"
    logged pip-wheel "$python" -m pip wheel --disable-pip-version-check --wheel-dir "$WHEELHOUSE" \
        -r "$STATE/requirements.txt"
    echo "$want" >"$WHEELHOUSE/.stamp"
    say "wheelhouse made in $((SECONDS - started)) s"
}

step_app_image() {
    local started=$SECONDS
    logged build-app "$DOCKER" build --network none --build-arg BASE_IMAGE="$BASE_IMAGE" \
        -t "$APP_IMAGE" "$ROOT"
    say "image $APP_IMAGE ready in $((SECONDS - started)) s"
}

main() {
    local started=$SECONDS
    [[ -n "$VERSION" ]] || fail "no COMETBFT_VERSION line in $ROOT/abci_app/versions.py"
    [[ $# -gt 0 ]] || fail "usage: $0 up [options of up] | down [-v] | <any compose command>"
    step_engine
    if [[ "$1" != "up" ]]; then
        compose "$@"
        return
    fi
    shift
    step_base_image
    step_cometbft_image
    step_wheelhouse
    step_app_image
    compose up -d "$@"
    say "network up in $((SECONDS - started)) s: CometBFT RPC http://127.0.0.1:26657, Ethereum JSON-RPC http://127.0.0.1:8545"
}

main "$@"
