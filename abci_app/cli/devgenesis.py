"""Genesis documents for devnets and localnets: funded dev accounts and genesis validators.

Validator i is operated by dev account i and self-stakes DEV_SELF_STAKE_WEI; the rest of the
genesis supply is split evenly over the dev accounts, so the supply is exactly 1,000,000,000 CMT
(plus whatever an `extra` genesis funds: a benchmark workload's senders). Staking parameters
are shortened so that downtime, jail and unbonding can be seen within minutes.
"""

import base64
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from ..app.genesis import GENESIS_SUPPLY_WEI, WEI_PER_CMT
from .wallet import DEV_ACCOUNT_COUNT, dev_account

DEV_SELF_STAKE_WEI = 10_000_000 * WEI_PER_CMT
DEVNET_STAKING_PARAMS = {
    "unbonding_seconds": 120,
    "downtime_window": 20,
    "downtime_max_missed": 10,
    "jail_seconds": 10,
}


def validator_pubkey(cometbft_home: Path) -> str:
    """The base64 ed25519 consensus public key `cometbft init` wrote for this node."""
    key = json.loads((cometbft_home / "config" / "priv_validator_key.json").read_text())
    return key["pub_key"]["value"]


def dev_app_state(evm_chain_id: int, validator_pubkeys: list[str], extra: Mapping | None = None) -> dict:
    """app_state with the dev accounts funded and one genesis validator per given key. `extra`
    (an app_state such as a benchmark workload's `genesis()`) adds its funded `accounts` and
    sets its `params`, so a node can run that workload's transactions as signed."""
    if len(validator_pubkeys) > DEV_ACCOUNT_COUNT:
        raise ValueError(f"at most {DEV_ACCOUNT_COUNT} genesis validators (one per dev account)")
    staked = DEV_SELF_STAKE_WEI * len(validator_pubkeys)
    share = (GENESIS_SUPPLY_WEI - staked) // DEV_ACCOUNT_COUNT
    state = {
        "chain_id": evm_chain_id,
        "accounts": [
            {"address": dev_account(i).address, "balance_wei": str(share)} for i in range(DEV_ACCOUNT_COUNT)
        ],
        "staking": {
            "params": DEVNET_STAKING_PARAMS,
            "validators": [
                {
                    "operator": dev_account(i).address,
                    "pub_key": pubkey,
                    "self_stake_wei": str(DEV_SELF_STAKE_WEI),
                    "commission_bps": 1000,
                    "name": f"validator-{i}",
                }
                for i, pubkey in enumerate(validator_pubkeys)
            ],
        },
    }
    return _merged(state, extra) if extra else state


def _merged(state: dict, extra: Mapping) -> dict:
    """`state` with `extra`'s accounts funded too and its params set (same EVM chain id only:
    the extra accounts' transactions are signed for it)."""
    if extra.get("chain_id", state["chain_id"]) != state["chain_id"]:
        raise ValueError(f"the extra genesis is for EVM chain id {extra['chain_id']}, not {state['chain_id']}")
    return {**state, "accounts": state["accounts"] + list(extra.get("accounts", [])),
            "params": dict(extra.get("params", {}))}


def genesis_validators(app_state: dict) -> list[dict]:
    """CometBFT's genesis.json `validators` for an app_state (the app's InitChain answer decides;
    these only have to be well-formed and name the same keys)."""
    validators = []
    for entry in app_state["staking"]["validators"]:
        address = _consensus_address(entry["pub_key"])
        validators.append({
            "address": address,
            "pub_key": {"type": "tendermint/PubKeyEd25519", "value": entry["pub_key"]},
            "power": str(int(entry["self_stake_wei"]) // WEI_PER_CMT),
            "name": entry["name"],
        })
    return validators


def _consensus_address(pubkey_b64: str) -> str:
    """CometBFT's validator address: the first 20 bytes of sha256(ed25519 public key), upper hex."""
    return hashlib.sha256(base64.b64decode(pubkey_b64)).digest()[:20].hex().upper()
