"""Pinned versions of the external binaries we run. The one place they are written.

`scripts/install_cometbft.sh` and `scripts/compose_local.sh` read COMETBFT_VERSION from this file
with sed, so keep the line's shape: NAME = "value".
"""

COMETBFT_VERSION = "v0.38.25"
