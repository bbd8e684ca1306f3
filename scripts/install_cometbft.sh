#!/usr/bin/env bash
# Install the pinned CometBFT binary into the project-local bin/ folder.
#
# The version is read from abci_app/versions.py (COMETBFT_VERSION), the one place it is written.
# If bin/cometbft already reports that version it is reused. Works from any directory.
#
# Usage: scripts/install_cometbft.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_FILE="$ROOT/abci_app/versions.py"

VERSION="$(sed -n 's/^COMETBFT_VERSION = "\(v[0-9][0-9.]*\)"$/\1/p' "$VERSIONS_FILE")"
if [[ -z "$VERSION" ]]; then
    echo "install_cometbft: no line COMETBFT_VERSION = \"vX.Y.Z\" in $VERSIONS_FILE" >&2
    exit 1
fi
WANT="${VERSION#v}"   # `cometbft version` prints the version without the leading v
BINARY="$ROOT/bin/cometbft"

if [[ -x "$BINARY" ]]; then
    HAVE="$("$BINARY" version 2>/dev/null || true)"
    if [[ "$HAVE" == "$WANT" ]]; then
        echo "install_cometbft: reusing $BINARY (version $HAVE)"
        exit 0
    fi
    echo "install_cometbft: $BINARY reports '${HAVE:-nothing}', want $WANT: reinstalling"
fi

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
    PATH="/usr/local/go/bin:$PATH"   # the official tarball's place, often not on a non-login PATH
fi
if ! command -v go >/dev/null 2>&1; then
    echo "install_cometbft: 'go' not found on PATH; install Go (1.22 or newer) and retry" >&2
    exit 1
fi

echo "install_cometbft: go install github.com/cometbft/cometbft/cmd/cometbft@$VERSION -> $ROOT/bin"
mkdir -p "$ROOT/bin"
CGO_ENABLED=0 GOBIN="$ROOT/bin" go install "github.com/cometbft/cometbft/cmd/cometbft@$VERSION"

HAVE="$("$BINARY" version)"
if [[ "$HAVE" != "$WANT" ]]; then
    echo "install_cometbft: installed binary reports '$HAVE', want $WANT" >&2
    exit 1
fi
echo "install_cometbft: installed $BINARY (version $HAVE)"
