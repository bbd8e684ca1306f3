"""The gas a receipt reports is the gas the sender paid, also where Prague's calldata floor and a
storage refund meet (issue 13, found by review): py-evm's own finalize_gas_used reported less,
so less base fee reached the reward pool than the sender paid and CMT left the supply."""

from eth._utils.address import generate_contract_address

from ..chain import GWEI, transfer

CLEARS_A_SLOT = bytes.fromhex("60015f555f5f5500")  # SSTORE(0, 1); SSTORE(0, 0); STOP: a 19,900 refund
DEPLOY = bytes.fromhex("67") + CLEARS_A_SLOT + bytes.fromhex("5f5260086018f3")


def test_the_calldata_floor_with_a_refund_charges_what_it_reports(chain, keys):
    (deployed,) = chain.block([transfer(keys[0], 0, "", 0, gas=200_000, data=DEPLOY)])
    assert deployed.code == 0
    contract = "0x" + generate_contract_address(bytes.fromhex(keys[0].address[2:]), 0).hex()
    before = chain.balance(keys[1].address)
    (result,) = chain.block([transfer(keys[1], 0, contract, 0, gas=300_000, data=b"\xff" * 2_000)])
    assert result.code == 0, result.log
    floor = 21_000 + 10 * 4 * 2_000
    assert result.gas_used == floor  # executed gas less the refund is below the floor
    assert before - chain.balance(keys[1].address) == result.gas_used * 2 * GWEI  # max fee 2 gwei = base + tip
