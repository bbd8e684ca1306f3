"""A wallet as the attack run's accounts use it: the gateway's Ethereum JSON-RPC only, one
fee-market tx at a time in nonce order, priced from `eth_gasPrice` as a wallet prices it (a tip of
TIP_WEI, a max fee of twice the price plus the tip, so the tx stays includable while the base fee
rises 12.5% a full block for several blocks)."""

import json
import urllib.error
import urllib.request

from eth_utils import to_checksum_address

from ..cli.node import DEFAULT_EVM_CHAIN_ID
from ..cli.wallet import GWEI
from ..rpc import RpcError

TIP_WEI = GWEI


class Eth:
    """A minimal Ethereum JSON-RPC client: `eth("eth_gasPrice")`; RpcError for an error answer
    or an unreachable gateway."""

    def __init__(self, url: str, timeout_s: float = 120) -> None:
        self.url, self.timeout_s = url, timeout_s

    def __call__(self, method: str, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RpcError(f"{method}: cannot reach the gateway at {self.url}: {exc}") from None
        if "error" in answer:
            raise RpcError(f"{method}: {answer['error']}")
        return answer["result"]


class Wallet:
    """One account sending through the gateway, one tx at a time, in nonce order."""

    def __init__(self, key, eth: Eth) -> None:
        self.key, self.eth, self.nonce = key, eth, 0

    def sync(self) -> None:
        self.nonce = int(self.eth("eth_getTransactionCount", self.key.address, "pending"), 16)

    def balance_wei(self) -> int:
        return int(self.eth("eth_getBalance", self.key.address, "latest"), 16)

    def send(self, to: str, value_wei: int = 0, gas: int = 21_000, data: bytes = b"") -> str:
        """Sign at the current gas price and send; the tx hash. A refusal (RpcError) resyncs the
        nonce from the node."""
        price = int(self.eth("eth_gasPrice"), 16)
        tx = {"nonce": self.nonce, "value": value_wei, "gas": gas, "chainId": DEFAULT_EVM_CHAIN_ID, "data": data,
              "maxFeePerGas": 2 * price + TIP_WEI, "maxPriorityFeePerGas": TIP_WEI}
        if to:
            tx["to"] = to_checksum_address(to)
        raw = bytes(self.key.sign_transaction(tx).raw_transaction)
        try:
            tx_hash = self.eth("eth_sendRawTransaction", "0x" + raw.hex())
        except RpcError:
            self.sync()
            raise
        self.nonce += 1
        return tx_hash.lower()
