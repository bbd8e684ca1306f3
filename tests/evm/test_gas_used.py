"""The gas a receipt reports is the gas the sender paid, also where Prague's calldata floor and a
storage refund meet (issue 13, found by review): py-evm's own finalize_gas_used reported less,
so less base fee reached the reward pool than the sender paid and CMT left the supply."""

from eth._utils.address import generate_contract_address
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app.app.application import VM
from abci_app.evm import BlockContext, BlockExecution, TxLimits
from abci_app.evm.tx import decode_tx
from abci_app.store import Overlay, Store

from ..chain import CHAIN_ID, GWEI, transfer

CLEARS_A_SLOT = bytes.fromhex("60015f555f5f5500")  # SSTORE(0, 1); SSTORE(0, 0); STOP: a 19,900 refund
DEPLOY = bytes.fromhex("67") + CLEARS_A_SLOT + bytes.fromhex("5f5260086018f3")


def test_the_calldata_floor_with_a_refund_charges_what_it_reports(chain, keys):
    (deployed,) = chain.block([transfer(keys[0], 0, "", 0, gas=200_000, data=DEPLOY)])
    assert deployed.code == 0
    contract = "0x" + generate_contract_address(bytes.fromhex(keys[0].address[2:]), 0).hex()
    before = chain.balance(keys[1].address)
    (result,) = chain.block([transfer(keys[1], 0, contract, 0, gas=200_000, data=b"\xff" * 2_000)])
    assert result.code == 0, result.log
    floor = 21_000 + 10 * 4 * 2_000
    assert result.gas_used == floor  # executed gas less the refund is below the floor
    assert before - chain.balance(keys[1].address) == result.gas_used * 2 * GWEI  # max fee 2 gwei = base + tip


# k = calldata[0]; k times: SSTORE(k, 1); SSTORE(k, 0); k -= 1. Each pair earns a 19,900 refund.
REFUNDER = bytes.fromhex("60003560f81c" "5b801560" "1b" "57" "600181556000815560019003600656" "5b00")
REFUNDER_ADDRESS = b"\x0f" * 20
COINBASE = b"\xcc" * 20
BASE_FEE = GWEI
LIMITS = TxLimits(chain_id=CHAIN_ID, max_tx_bytes=128 * 1024, block_gas_limit=100_000_000, min_gas_price_wei=BASE_FEE)
EMPTY_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.integers(0, 12), calldata_size=st.integers(0, 3_000), zeros=st.integers(0, 100),
       extra_gas=st.sampled_from([0, 1, 5_000, 100_000, 1_000_000]), tip=st.sampled_from([0, 1, GWEI]),
       fee_market=st.booleans(), to_contract=st.booleans())
def test_charged_credited_and_reported_gas_are_one_number(tmp_path_factory, keys, pairs, calldata_size, zeros,
                                                          extra_gas, tip, fee_market, to_contract):
    """Issue 14: over random calldata (the floor) and refunds, the sender pays gas_used * price,
    the coinbase receives exactly that, and the receipt and the block report gas_used."""
    store = Store(str(tmp_path_factory.mktemp("gas") / "db"))
    try:
        ctx = BlockContext(height=1, timestamp_s=1_000, prev_randao=b"\0" * 32, gas_limit=100_000_000,
                           base_fee_wei=BASE_FEE, coinbase=COINBASE)
        execution = BlockExecution(VM, Overlay(store), EMPTY_ROOT, ctx, CHAIN_ID)
        state = execution.state
        sender = bytes.fromhex(keys[0].address[2:])
        state.set_balance(sender, 10**24)
        state.set_code(REFUNDER_ADDRESS, REFUNDER)
        data = bytes([pairs]) + bytes(i % 255 + 1 if i % 100 >= zeros else 0 for i in range(calldata_size))
        floor = 21_000 + 10 * (data.count(0) + 4 * (len(data) - data.count(0)))
        needed = max(floor, 21_000 + 16 * len(data) + 45_000 * pairs + 30_000)
        fields = {"nonce": 0, "value": 0, "gas": needed + extra_gas, "data": data, "chainId": CHAIN_ID,
                  "to": to_checksum_address(REFUNDER_ADDRESS if to_contract else b"\x0e" * 20)}
        if fee_market:
            fields.update(maxFeePerGas=BASE_FEE + 2 * tip, maxPriorityFeePerGas=tip)
        else:
            fields["gasPrice"] = BASE_FEE + tip
        raw = bytes(keys[0].sign_transaction(fields).raw_transaction)
        paid_before, credited_before = state.get_balance(sender), state.get_balance(COINBASE)
        outcome = execution.apply(decode_tx(raw, LIMITS))
        assert outcome.success, outcome.error
        price = outcome.effective_gas_price_wei
        assert paid_before - state.get_balance(sender) == outcome.gas_used * price
        assert state.get_balance(COINBASE) - credited_before == outcome.gas_used * price
        assert execution.gas_used == outcome.gas_used >= floor
    finally:
        store.close()
