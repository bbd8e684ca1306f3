"""ethers v6 (npm, run with node), unchanged, against the gateway in front of a real single-validator
chain: a CMT transfer and its receipt, a Counter deploy and increment(), `newHeads` over WebSocket.

tests/rpc/ethers_client.mjs does the ethers side and prints one JSON line; this test checks it and
cross-checks the results with web3.py on the same gateway. node and contracts/node_modules/ethers
are installed by scripts/bootstrap.sh, so their absence is a failure, not a skip.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from eth_account import Account

from abci_app.cli.wallet import dev_account
from abci_app.contracts import get_artifact_path, load_contract

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("ethers_client.mjs")
CONTRACTS = ROOT / "contracts"
EVM_CHAIN_ID = 1818
GWEI = 10**9
TRANSFER_WEI = 15 * 10**17  # 1.5 CMT, as in ethers_client.mjs
SENDER = dev_account(9)  # sends nothing in the other tests of tests/rpc


def pinned_ethers_version() -> str:
    return json.loads((CONTRACTS / "package.json").read_text())["dependencies"]["ethers"]


def require_node_and_ethers() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found on PATH: install Node.js (18 or newer), then run scripts/bootstrap.sh")
    installed = CONTRACTS / "node_modules" / "ethers" / "package.json"
    if not installed.is_file():
        pytest.fail(f"ethers is not installed ({installed} missing): run scripts/bootstrap.sh")
    version = json.loads(installed.read_text())["version"]
    if version != pinned_ethers_version():
        pytest.fail(f"contracts/node_modules has ethers {version}, package.json pins {pinned_ethers_version()}: "
                    "run scripts/bootstrap.sh")
    return node


@pytest.fixture(scope="module")
def ethers_run(node_gateway):
    """Run ethers_client.mjs once against the gateway; its JSON result and the fresh recipient."""
    node = require_node_and_ethers()
    recipient = Account.create().address
    command = [node, str(SCRIPT), node_gateway.url, node_gateway.ws_url, "0x" + SENDER.key.hex().removeprefix("0x"),
               str(get_artifact_path("Counter")), recipient]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=ROOT,
                              env={**os.environ, "ETHERS_DEBUG": "0"})
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"ethers_client.mjs still running after 90 s; stderr:\n{error.stderr}")
    assert done.returncode == 0, f"ethers_client.mjs exited {done.returncode}:\n{done.stderr}\n{done.stdout}"
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, f"expected one JSON line, got:\n{done.stdout}"
    return json.loads(lines[0]), recipient


def test_ethers_reads(w3, ethers_run):
    result, _ = ethers_run
    assert result["ethersVersion"] == pinned_ethers_version()
    assert int(result["chainId"]) == int(result["networkChainId"]) == int(result["wsChainId"]) == EVM_CHAIN_ID
    assert result["from"] == SENDER.address
    assert int(result["balance"]) > 10**6 * 10**18
    assert int(result["gasPrice"]) == w3.eth.gas_price == GWEI + GWEI // 8  # the base fee, room for a full block's rise
    assert int(result["maxFeePerGas"]) >= GWEI


def test_ethers_transfer(w3, ethers_run):
    result, recipient = ethers_run
    transfer = result["transfer"]
    assert transfer["status"] == 1 and transfer["type"] == 2
    assert transfer["to"] == recipient and int(transfer["value"]) == TRANSFER_WEI
    assert int(transfer["gasLimit"]) == int(transfer["gasUsed"]) == 21_000  # ethers' eth_estimateGas
    assert transfer["fetchedHash"] == transfer["hash"]
    assert transfer["fetchedBlockNumber"] == transfer["blockNumber"]
    assert int(transfer["recipientBefore"]) == 0 and int(transfer["recipientAfter"]) == TRANSFER_WEI

    receipt = w3.eth.get_transaction_receipt(transfer["hash"])
    assert receipt["status"] == 1
    assert receipt["transactionHash"].to_0x_hex() == transfer["hash"]
    assert receipt["blockNumber"] == transfer["blockNumber"]
    assert receipt["blockHash"].to_0x_hex() == transfer["blockHash"]
    assert receipt["from"] == SENDER.address and receipt["to"] == recipient
    assert receipt["gasUsed"] == 21_000 and receipt["effectiveGasPrice"] == GWEI
    assert w3.eth.get_transaction(transfer["hash"])["nonce"] == transfer["nonce"]
    assert w3.eth.get_balance(recipient) == TRANSFER_WEI


def test_ethers_contract_deploy_and_call(w3, ethers_run):
    result, _ = ethers_run
    counter = result["counter"]
    assert counter["deployStatus"] == 1 and counter["incrementStatus"] == 1
    assert counter["deployContractAddress"] == counter["address"]
    assert int(counter["countBefore"]) == 0 and int(counter["count"]) == 1
    assert counter["events"] == [{"name": "Incremented", "by": SENDER.address, "newCount": "1"}]

    artifact = load_contract("Counter")
    assert w3.eth.get_code(counter["address"]) == artifact.deployed_bytecode
    assert counter["codeLength"] == len(artifact.deployed_bytecode)
    deployed = w3.eth.get_transaction_receipt(counter["deployHash"])
    assert deployed["status"] == 1 and deployed["contractAddress"] == counter["address"]
    incremented = w3.eth.get_transaction_receipt(counter["incrementHash"])
    assert incremented["status"] == 1 and incremented["to"] == counter["address"]
    assert len(incremented["logs"]) == 1
    contract = w3.eth.contract(counter["address"], abi=artifact.abi)
    assert contract.functions.count().call() == 1
    # transfer, deploy, increment: three transactions from the sender, in nonce order
    nonces = [w3.eth.get_transaction(tx)["nonce"]
              for tx in (result["transfer"]["hash"], counter["deployHash"], counter["incrementHash"])]
    assert nonces == [nonces[0], nonces[0] + 1, nonces[0] + 2]
    assert w3.eth.get_transaction_count(SENDER.address) == nonces[0] + 3


def test_ethers_new_heads_over_websocket(w3, ethers_run):
    result, _ = ethers_run
    blocks = result["ws"]["blocks"]
    assert len(blocks) >= 2
    assert blocks[0] >= 1
    assert blocks == list(range(blocks[0], blocks[0] + len(blocks))), f"not consecutive: {blocks}"
    assert blocks[0] > result["transfer"]["blockNumber"]  # subscribed after the transactions
    assert result["ws"]["blockNumber"] >= blocks[-1]
    assert w3.eth.block_number >= blocks[-1]
    for number in blocks:
        assert w3.eth.get_block(number)["number"] == number
