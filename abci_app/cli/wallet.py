"""Client-side signing: the well-known development keys and a transaction signer.

The dev keys come from the standard test mnemonic every Ethereum tool ships with. Never fund them
on a real network: their private keys are public.
"""

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10
GWEI = 10**9

Account.enable_unaudited_hdwallet_features()


def dev_account(index: int) -> LocalAccount:
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def sign_tx(key: LocalAccount, nonce: int, to: str, value_wei: int, *, chain_id: int,
            gas: int = 21_000, gas_price_wei: int = GWEI, fee_market: bool = True, data: bytes = b"") -> bytes:
    """Sign a transaction; `to` empty deploys `data`. Fee market: max fee 2x the price, tip = price."""
    tx = {"nonce": nonce, "value": value_wei, "gas": gas, "chainId": chain_id, "data": data}
    if to:
        tx["to"] = to_checksum_address(to)
    if fee_market:
        tx.update(maxFeePerGas=2 * gas_price_wei, maxPriorityFeePerGas=gas_price_wei)
    else:
        tx["gasPrice"] = gas_price_wei
    return bytes(key.sign_transaction(tx).raw_transaction)
