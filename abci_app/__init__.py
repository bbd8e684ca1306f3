"""miles: a CyberMiles-style e-commerce chain, a Python ABCI 2.0 application for CometBFT v0.38."""

import os

# Keccak-256 through safe-pysha3's C code rather than pycryptodome's (about 7x less per hash; the
# state trie hashes every node it touches): eth-hash picks the backend at its first hash, and
# this package is imported before anything hashes. Both compute the same function (a test checks).
os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")
