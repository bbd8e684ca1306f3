"""Attested claims: the attester signs keccak256(abi.encode(chainId, CC02, campaignId, claimer, lat,
lon, deadline)) directly (no message prefix); every way a bad attestation is refused."""

from eth_account import Account
from eth_account.messages import encode_defunct

from abci_app.middleware.coupons.attestation import SECP256K1_N, attestation_digest
from tests.chain import CHAIN_ID

from .harness import CENTRE, CLAIM, COUPONS, sign_attestation

ATTESTER_KEY = bytes.fromhex("11" * 32)
OTHER_KEY = bytes.fromhex("22" * 32)
ATTESTER = Account.from_key(ATTESTER_KEY).address
POSITION = (CENTRE[0] + 1_000, CENTRE[1] - 1_000)


def _campaign(net, keys) -> int:
    return net.create(keys[0], keys[1].address, attester=ATTESTER)


def test_a_valid_attestation_claims(net, keys):
    campaign_id = _campaign(net, keys)
    user = keys[2]
    deadline = net.now + 60
    signature = sign_attestation(ATTESTER_KEY, campaign_id, user.address, *POSITION, deadline)
    result = net.send(user, CLAIM, campaign_id, *POSITION, deadline, signature)
    assert result.code == 0, result.log
    assert net.coupon(keys[5], 1) == (campaign_id, user.address.lower(), False)
    net.assert_funds()


def test_v_may_be_0_or_1_and_eth_account_signs_the_same_digest(net, keys):
    campaign_id = _campaign(net, keys)
    user = keys[3]
    deadline = net.now + 60
    digest = attestation_digest(CHAIN_ID, bytes.fromhex(COUPONS[2:]), campaign_id, bytes.fromhex(user.address[2:]),
                                *POSITION, deadline)
    signed = Account.unsafe_sign_hash(digest, ATTESTER_KEY)
    signature = signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v - 27])
    assert net.claim(user, campaign_id, POSITION, deadline, signature) == 1


def test_bad_attestations_are_refused(net, keys):
    campaign_id = _campaign(net, keys)
    user, other = keys[2], keys[3]
    deadline = net.now + 60
    good = sign_attestation(ATTESTER_KEY, campaign_id, user.address, *POSITION, deadline)

    def refuse(reason, signature, position=POSITION, until=deadline, key=user):
        net.expect_revert(key, reason, CLAIM, campaign_id, *position, until, signature)

    refuse("campaign requires a location attestation", b"")
    refuse("attestation not signed by the campaign's attester",
           sign_attestation(OTHER_KEY, campaign_id, user.address, *POSITION, deadline))
    moved = (POSITION[0] + 10, POSITION[1])
    refuse("attestation not signed by the campaign's attester", good, position=moved)       # tampered position
    refuse("attestation not signed by the campaign's attester", good, until=deadline + 1)   # tampered deadline
    refuse("attestation not signed by the campaign's attester", good, key=other)            # someone else's
    refuse("attestation not signed by the campaign's attester",
           sign_attestation(ATTESTER_KEY, campaign_id, user.address, *POSITION, deadline, chain_id=CHAIN_ID + 1))
    prefixed = Account.sign_message(encode_defunct(attestation_digest(
        CHAIN_ID, bytes.fromhex(COUPONS[2:]), campaign_id, bytes.fromhex(user.address[2:]), *POSITION, deadline)),
        ATTESTER_KEY)
    refuse("attestation not signed by the campaign's attester", prefixed.signature)          # prefix not accepted
    refuse("attestation must be a 65-byte signature", good[:64])
    refuse("attestation must be a 65-byte signature", good + b"\0")
    refuse("attestation signature v must be 27, 28, 0 or 1", good[:64] + bytes([29]))
    s = int.from_bytes(good[32:64], "big")
    high_s = good[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - good[64]])
    refuse("attestation signature has a high s", high_s)
    refuse("attestation signature r or s out of range", bytes(32) + good[32:])
    refuse("attestation signature r or s out of range", SECP256K1_N.to_bytes(32, "big") + good[32:])
    refuse("attestation signature r or s out of range", good[:32] + bytes(32) + good[64:])
    # an x-coordinate that is not on the curve: no key recovers
    refuse("attestation signature recovers no key", (5).to_bytes(32, "big") + good[32:])
    net.net.block(seconds=60)
    expired = net.now   # the next block runs at deadline + 1 when deadline == now
    refuse("attestation deadline has passed", sign_attestation(ATTESTER_KEY, campaign_id, user.address, *POSITION,
                                                               expired), until=expired)
    # the deadline itself is still fine (deadline >= now)
    on_time = net.now + 1
    assert net.claim(user, campaign_id, POSITION, on_time,
                     sign_attestation(ATTESTER_KEY, campaign_id, user.address, *POSITION, on_time)) == 1
    net.assert_funds()


def test_attestation_outside_the_radius_is_still_refused(net, keys):
    campaign_id = _campaign(net, keys)
    far = (CENTRE[0] + 50_000, CENTRE[1])
    deadline = net.now + 60
    signature = sign_attestation(ATTESTER_KEY, campaign_id, keys[2].address, *far, deadline)
    net.expect_revert(keys[2], "position outside the campaign area", CLAIM, campaign_id, *far, deadline, signature)
