"""Talking to one middleware precompile like a wallet: the staking harness pointed at the module's
address (`ADDRESS` of a subclass), with calls in blocks of their own, reverts that must change
nothing (the subclass's snapshot), views through a transaction or the `/call` query, and gas
estimates. Shared by the module harnesses (identity, groups)."""

import json

from eth_abi import decode
from eth_hash.auto import keccak
from hypothesis import event

from abci_app.abci import types

from ..chain import transfer
from ..staking.harness import StakingChain, call_data

GAS = 1_000_000


def canonical(address: str) -> bytes:
    return bytes.fromhex(address[2:])


def topic(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()


def decode_data(log: dict, types_: list[str]) -> tuple:
    return decode(types_, bytes.fromhex(log["data"][2:]))


def abci_event(result, event_type: str) -> dict:
    """The attributes of the one ABCI event of this type in a transaction's result."""
    (event,) = [e for e in result.events if e.type == event_type]
    return {a.key: a.value for a in event.attributes}


class ModuleChain(StakingChain):
    """StakingChain whose calls go to the precompile at ADDRESS ("0x..") by default."""

    ADDRESS: str
    keys: list = []

    def call(self, key, signature: str, *args, value: int = 0, seconds: int = 1, gas: int = GAS):
        """One call in its own block."""
        return self.send(key, signature, *args, value=value, gas=gas, seconds=seconds, to=self.ADDRESS)

    def ok(self, key, signature: str, *args, value: int = 0, seconds: int = 1):
        result = self.call(key, signature, *args, value=value, seconds=seconds)
        assert result.code == 0, result.log
        return result

    def revert(self, key, reason: str, signature: str, *args, value: int = 0) -> None:
        self.expect_revert(key, reason, signature, *args, value=value, to=self.ADDRESS)

    def module_view(self, signature: str, returns: list[str], *args):
        """A view through a transaction (the first key pays the gas)."""
        return self.view(self.keys[0], signature, returns, *args, to=self.ADDRESS)

    def _query_call(self, path: str, key, signature: str, *args, value: int = 0) -> dict:
        """`/call` or `/estimate` (abci_query): no transaction, at the last committed block."""
        body = {"from": key.address, "to": self.ADDRESS, "data": "0x" + call_data(signature, *args).hex(),
                "value": str(value)}
        response = self.chain.app.query(types.RequestQuery(path=path, data=json.dumps(body).encode()))
        doc = json.loads(response.value)
        assert response.code == 0 and doc["success"], doc
        return doc

    def ask(self, signature: str, returns: list[str], *args):
        """A view through the `/call` abci_query (the first key asks)."""
        doc = self._query_call("/call", self.keys[0], signature, *args)
        return decode(returns, bytes.fromhex(doc["output"][2:]))

    def estimate(self, key, signature: str, *args, value: int = 0) -> int:
        """The gas a call needs (`/estimate`), transaction included."""
        return self._query_call("/estimate", key, signature, *args, value=value)["gas"]

    def deploy_code(self, key, initcode: bytes, gas: int = 3_000_000) -> str:
        """Deploy creation code (a compiled contract with its constructor arguments, or assembled
        code) from `key` in a block of its own; its address."""
        nonce = self.chain.account(key.address)["nonce"]
        raw = transfer(key, nonce, "", 0, gas=gas, data=initcode)
        (result,) = self.block([raw])
        assert result.code == 0, result.log
        return self.query("/tx/0x" + keccak(raw).hex())["contract_address"]

    def call_as_modelled(self, key, expected: bool, signature: str, *args, value: int = 0) -> None:
        """A model-based run's call: it succeeds exactly when the model says so, and a refused one
        changes nothing (the subclass's snapshot); the outcome is counted as a hypothesis event."""
        before = self.snapshot()
        result = self.call(key, signature, *args, value=value)
        assert result.code in (0, 32), result.log
        assert (result.code == 0) == expected, (signature, args, result.log)
        if result.code:
            assert self.snapshot() == before
        event(f"{signature.split('(')[0]} {'ok' if result.code == 0 else result.log}")
