"""Talking to the staking precompile the way a wallet does: signed transactions with ABI call data,
through the in-process chain (CheckTx is skipped: FinalizeBlock checks everything again)."""

import base64
import hashlib
import json

from eth_abi import decode, encode
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak

from abci_app import staking
from abci_app.abci import types
from abci_app.contracts import load_contract
from abci_app.precompiles.abi import parse_signature

from ..chain import CMT, Chain, app_state, transfer

STAKING = "0x" + staking.ADDRESS.hex()
SELF_STAKE = 100_000 * CMT
REASON_PREFIX = "execution reverted: "


def pubkey_of(name: str) -> bytes:
    """A made-up ed25519 public key (32 bytes) for tests."""
    return hashlib.sha256(name.encode()).digest()


def call_data(signature: str, *args) -> bytes:
    _, inputs = parse_signature(signature)
    return keccak(signature.encode())[:4] + encode(list(inputs), list(args))


def staking_state(keys: list[LocalAccount], validators: int = 2, params: dict | None = None,
                  balance_wei: int = 1_000_000 * CMT, inflation_bps: int = 0) -> dict:
    """app_state with funded keys; keys[0..validators-1] are genesis validators."""
    state = app_state(keys, balance_wei=balance_wei, inflation_bps=inflation_bps)
    state["staking"] = {
        "params": params or {},
        "validators": [
            {"operator": k.address, "pub_key": base64.b64encode(pubkey_of(f"v{i}")).decode(),
             "self_stake_wei": str(SELF_STAKE), "commission_bps": 1000, "name": f"v{i}"}
            for i, k in enumerate(keys[:validators])
        ],
    }
    return state


class StakingChain:
    """An in-process chain plus helpers to call the staking precompile and read staking state."""

    def __init__(self, chain: Chain, genesis_supply: int) -> None:
        self.chain = chain
        self.genesis_supply = genesis_supply
        self.last: types.ResponseFinalizeBlock | None = None

    @classmethod
    def start(cls, db_path: str, state: dict) -> "StakingChain":
        chain = Chain.start(db_path, state)
        supply = sum(int(a["balance_wei"]) for a in state["accounts"]) + sum(
            int(v["self_stake_wei"]) for v in state.get("staking", {}).get("validators", []))
        return cls(chain, supply)

    def deploy(self, key: LocalAccount, contract: str, gas: int = 2_000_000) -> str:
        """Deploy a compiled contract (contracts/build) from `key` in a block of its own; its address."""
        nonce = self.chain.account(key.address)["nonce"]
        raw = transfer(key, nonce, "", 0, gas=gas, data=load_contract(contract).bytecode)
        (result,) = self.block([raw])
        assert result.code == 0, result.log
        return self.query("/tx/0x" + keccak(raw).hex())["contract_address"]

    def send(self, key: LocalAccount, signature: str, *args, value: int = 0, gas: int = 1_000_000,
             seconds: int = 1, votes=None, to: str = STAKING) -> types.ExecTxResult:
        """Call `signature` on the precompile at `to` (default: staking) in a block of its own."""
        nonce = self.chain.account(key.address)["nonce"]
        raw = transfer(key, nonce, to, value, gas=gas, data=call_data(signature, *args))
        (result,) = self.block([raw], seconds=seconds, votes=votes)
        return result

    def expect_revert(self, key: LocalAccount, reason: str, signature: str, *args, value: int = 0,
                      to: str = STAKING) -> None:
        """The call fails with exactly `reason` and changes nothing but the sender's gas and nonce
        (checked on staking's records and on the balance of the called precompile)."""
        before = self.snapshot(), self.chain.balance(to)
        result = self.send(key, signature, *args, value=value, to=to)
        assert result.code == 32, f"expected a revert, got code {result.code}"
        assert result.log == REASON_PREFIX + reason, result.log
        assert (self.snapshot(), self.chain.balance(to)) == before

    def view(self, key: LocalAccount, signature: str, returns: list[str], *args, to: str = STAKING):
        result = self.send(key, signature, *args, to=to)
        assert result.code == 0, result.log
        return decode(returns, result.data)

    def block(self, txs: list[bytes] | None = None, seconds: int = 1, votes=None,
              misbehavior=None) -> list[types.ExecTxResult]:
        """One block; `votes` (validator address, signed) become decided_last_commit."""
        commit = types.BlockIDFlag.BLOCK_ID_FLAG_COMMIT
        absent = types.BlockIDFlag.BLOCK_ID_FLAG_ABSENT
        last_commit = types.CommitInfo(votes=[
            types.VoteInfo(validator=types.Validator(address=address, power=1),
                           block_id_flag=commit if signed else absent)
            for address, signed in (votes or [])
        ])
        results = self.chain.block(txs or [], seconds=seconds, last_commit=last_commit,
                                   misbehavior=misbehavior or [])
        self.last = self.chain.last
        return results

    def receipt(self, result: types.ExecTxResult) -> dict:
        """The stored receipt of an executed transaction (found by its `eth.hash` event)."""
        (event,) = [e for e in result.events if e.type == "eth"]
        return self.query("/tx/" + {a.key: a.value for a in event.attributes}["hash"])

    def fee(self, result: types.ExecTxResult) -> int:
        """What a transaction's sender paid for gas."""
        return result.gas_used * int(self.receipt(result)["effective_gas_price"])

    def logs(self, result: types.ExecTxResult) -> list[dict]:
        return self.receipt(result)["logs"]

    def query(self, path: str):
        response = self.chain.query(path)
        assert response.code == 0, response.log
        return json.loads(response.value)

    def candidate(self, address: str) -> dict:
        return self.query(f"/candidate/{address}")

    def validators(self) -> dict[str, int]:
        return {v["operator"]: v["power"] for v in self.query("/validators")["validators"]}

    def updates(self) -> dict[bytes, int]:
        """The validator updates of the last block: consensus key -> power."""
        return {u.pub_key.ed25519: u.power for u in self.last.validator_updates}

    def burned(self) -> int:
        return staking.state_view(self.chain.app.reader.state).burned_wei

    def minted(self) -> int:
        return staking.state_view(self.chain.app.reader.state).mint_state().minted_total_wei

    def assert_supply(self) -> None:
        """Sum of all balances == total supply == genesis supply + minted - burned."""
        total = staking.state_view(self.chain.app.reader.state).supply_wei
        assert self.chain.supply() == total == self.genesis_supply + self.minted() - self.burned()

    def snapshot(self) -> tuple:
        """What a failed call must not change: candidates, staked CMT, validators, supply."""
        st = staking.state_view(self.chain.app.reader.state)
        candidates = tuple(sorted((op.hex(), json.dumps(self.candidate("0x" + op.hex()), sort_keys=True))
                                  for op in st.candidates))
        return candidates, self.chain.balance(STAKING), self.validators(), self.chain.supply()
