"""SELFDESTRUCT destroys no CMT (issue 13, found by the fuzz harness): what Cancun's rule would
destroy with a contract created and self-destructed in one transaction goes to the reward pool,
and the sum of all balances still equals the supply (which the test chain checks after every
block)."""

from eth._utils.address import generate_contract_address

from abci_app import staking

from ..chain import CMT, transfer

POOL = "0x" + staking.REWARD_POOL.hex()


def _address(sender: str, nonce: int) -> bytes:
    return generate_contract_address(bytes.fromhex(sender[2:]), nonce)


def _push(value: bytes) -> bytes:
    return bytes([0x5F + len(value)]) + value


def _fees(result) -> int:
    return result.gas_used * 2 * 10**9  # transfer()'s fee-market default: max fee 2 gwei, base 1 + tip 1


def test_a_contract_naming_itself_in_its_creation_pays_the_pool(chain, keys):
    pool = chain.balance(POOL)
    (result,) = chain.block([transfer(keys[0], 0, "", 5 * CMT, gas=100_000, data=bytes.fromhex("30ff"))])
    assert result.code == 0
    created = "0x" + _address(keys[0].address, 0).hex()
    assert (chain.balance(created), chain.account(created)["nonce"]) == (0, 0)  # deleted
    assert chain.balance(POOL) == pool + 5 * CMT + _fees(result)


def test_what_reaches_a_self_destructed_contract_later_pays_the_pool(chain, keys):
    """A factory creates C1 with 3 CMT; C1 self-destructs to the factory when called; then C2 is
    created with 4 CMT and self-destructs naming C1: the 4 CMT reach C1 after its SELFDESTRUCT,
    and Cancun would destroy them with C1 at the end of the transaction."""
    factory = _address(keys[0].address, 0)
    c1 = _address("0x" + factory.hex(), 1)
    c1_init = bytes.fromhex("6133ff5f526002601ef3")                # code CALLER SELFDESTRUCT
    c2_init = b"\x73" + c1 + b"\xff"                             # PUSH20 c1 SELFDESTRUCT
    code = (
        _push(c1_init) + b"\x5f\x52"                               # memory[22:32] = c1_init
        + _push(bytes([len(c1_init)])) + _push(bytes([32 - len(c1_init)])) + _push((3 * CMT).to_bytes(8, "big"))
        + b"\xf0"                                                  # CREATE c1 with 3 CMT
        + b"\x5f\x5f\x5f\x5f\x5f\x85\x5a\xf1\x50\x50"              # CALL c1 (it self-destructs to us)
        + _push(c2_init) + _push(b"\x20") + b"\x52"                # memory[42:64] = c2_init
        + _push(bytes([len(c2_init)])) + _push(bytes([64 - len(c2_init)])) + _push((4 * CMT).to_bytes(8, "big"))
        + b"\xf0\x50\x00"                                          # CREATE c2 with 4 CMT; stop
    )
    pool = chain.balance(POOL)
    (result,) = chain.block([transfer(keys[0], 0, "", 7 * CMT, gas=500_000, data=code)])
    assert result.code == 0, result.log
    assert chain.balance("0x" + factory.hex()) == 3 * CMT
    assert chain.balance("0x" + c1.hex()) == 0
    assert chain.balance(POOL) == pool + 4 * CMT + _fees(result)
