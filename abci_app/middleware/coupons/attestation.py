"""Location attestations: a signature by the campaign's attester that a claimer stood at a place.

The attester signs the 32-byte digest
    keccak256(abi.encode(uint256 chainId, address coupons, uint256 campaignId, address claimer,
                         int32 latE6, int32 lonE6, uint64 deadline))
DIRECTLY, with no "\\x19Ethereum Signed Message" prefix (eth_keys `sign_msg_hash`, eth_account
`unsafe_sign_hash`). The chain id and the precompile address keep a signature from being replayed
on another chain; the claimer and the position bind it to one claim; the deadline bounds its life.
A signature is 65 bytes r || s || v with v in {27, 28} or {0, 1}; s must be in the lower half of
the curve order (no malleable twin). Recovery uses eth_keys with the coincurve backend.
"""

from eth_abi import encode
from eth_hash.auto import keccak
from eth_keys import KeyAPI
from eth_keys.backends import CoinCurveECCBackend
from eth_keys.exceptions import BadSignature, ValidationError

from ...errors import CallError

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SIGNATURE_BYTES = 65

_KEYS = KeyAPI(CoinCurveECCBackend)


def attestation_digest(chain_id: int, coupons_address: bytes, campaign_id: int, claimer: bytes,
                       lat_e6: int, lon_e6: int, deadline_s: int) -> bytes:
    """What the attester signs (see the module docstring)."""
    return keccak(encode(
        ["uint256", "address", "uint256", "address", "int32", "int32", "uint64"],
        [chain_id, coupons_address, campaign_id, claimer, lat_e6, lon_e6, deadline_s],
    ))


def recover_attester(digest: bytes, signature: bytes) -> bytes:
    """The address that signed `digest`; CallError if the signature is malformed or high-s."""
    if len(signature) != SIGNATURE_BYTES:
        raise CallError(f"attestation must be a {SIGNATURE_BYTES}-byte signature")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if v in (27, 28):
        v -= 27
    if v not in (0, 1):
        raise CallError("attestation signature v must be 27, 28, 0 or 1")
    if not (1 <= r < SECP256K1_N and 1 <= s < SECP256K1_N):
        raise CallError("attestation signature r or s out of range")
    if s > SECP256K1_N // 2:
        raise CallError("attestation signature has a high s")
    try:
        public_key = _KEYS.ecdsa_recover(digest, _KEYS.Signature(vrs=(v, r, s)))
    except (BadSignature, ValidationError, ValueError):
        raise CallError("attestation signature recovers no key") from None
    return public_key.to_canonical_address()
