"""The fast Keccak backend is in use and computes exactly what pycryptodome's does."""

from eth_hash.auto import keccak
from eth_hash.backends.pycryptodome import CryptodomeBackend
from eth_hash.backends.pysha3 import PySha3Backend
from hypothesis import given, strategies as st

import abci_app  # noqa: F401  (chooses the backend)


def test_the_c_backend_is_chosen():
    keccak(b"")
    assert isinstance(keccak.hasher.__self__, PySha3Backend)


@given(st.binary(max_size=600))
def test_both_backends_agree(data):
    assert PySha3Backend().keccak256(data) == CryptodomeBackend().keccak256(data) == keccak(data)
