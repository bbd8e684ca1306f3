"""Pinned versions of the external binaries we run. The one place they are written.

`scripts/install_cometbft.sh` reads COMETBFT_VERSION from this file with sed, so keep the line's
shape: NAME = "value".
"""

COMETBFT_VERSION = "v0.38.25"
