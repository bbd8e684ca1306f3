"""Test vocabulary: genesis app_state for given keys, signed transfers on the test chain id."""


from eth_account.signers.local import LocalAccount

from abci_app.app.driver import InProcessChain as Chain
from abci_app.cli.node import DEFAULT_EVM_CHAIN_ID
from abci_app.cli.wallet import GWEI, sign_tx

__all__ = ["CHAIN_ID", "CMT", "GWEI", "Chain", "app_state", "transfer"]

CHAIN_ID = DEFAULT_EVM_CHAIN_ID
CMT = 10**18


def app_state(accounts: list[LocalAccount], balance_wei: int = 1_000_000 * CMT, inflation_bps: int = 0,
              **params) -> dict:
    """Genesis for tests; inflation is off unless a test is about it, so balances stay put."""
    state = {
        "chain_id": CHAIN_ID,
        "accounts": [{"address": a.address, "balance_wei": str(balance_wei)} for a in accounts],
        "economics": {"inflation_bps": inflation_bps},
    }
    if params:
        state["params"] = {k: str(v) if isinstance(v, int) else v for k, v in params.items()}
    return state


def transfer(key: LocalAccount, nonce: int, to: str, value_wei: int = 1, *, chain_id: int = CHAIN_ID,
             gas_price: int = GWEI, **options) -> bytes:
    """A signed transaction for the test chain (options: gas, fee_market, data)."""
    return sign_tx(key, nonce, to, value_wei, chain_id=chain_id, gas_price_wei=gas_price, **options)


