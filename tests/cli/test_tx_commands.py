"""The wallet CLI end to end, against one real single-validator node: import a key into a
keystore, `tx send --from` with it, `tx deploy` Counter, call it with `tx send --data/--sig`, and
read it back with `tx call`. Every command is the real `miles` in its own process."""

import json
import os
import subprocess
import sys

import pytest
from eth_hash.auto import keccak

from abci_app.cli.localnode import LocalNode, free_port
from abci_app.cli.wallet import dev_account

from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

PASSWORD = "e2e keystore password"
SIGNER = dev_account(3)
RECIPIENT = "0x" + "5e" * 20


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    local = LocalNode.create(tmp_path_factory.mktemp("wallet-node"))
    try:
        local.start()
        yield local
        assert_solvent(local.rpc)
    finally:
        local.stop()


@pytest.fixture(scope="module")
def keystore(tmp_path_factory):
    return tmp_path_factory.mktemp("keystore")


def miles(node: LocalNode, *args: str, stdin: str | None = None, keystore=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MILES_PASSWORD": PASSWORD}
    if keystore is not None:
        env["MILES_KEYSTORE"] = str(keystore)
    return subprocess.run([sys.executable, "-m", "abci_app.cli.main", "--node", node.config.rpc_url, *args],
                          input=stdin, capture_output=True, text=True, timeout=90, env=env)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def account(node: LocalNode, address: str) -> dict:
    return node.rpc.query_json(f"/account/{address}")


def test_keystore_key_sends_deploys_and_calls(node, keystore):
    imported = miles(node, "keys", "import", "--light-kdf", stdin=SIGNER.key.hex() + "\n", keystore=keystore)
    assert ok(imported).strip() == SIGNER.address

    sent = miles(node, "tx", "send", "--from", SIGNER.address, "--to", RECIPIENT, "--value", "1.5", "--wait",
                 keystore=keystore)
    assert f"sent 1.5 CMT from {SIGNER.address} to" in ok(sent)
    assert int(account(node, RECIPIENT)["balance"]) == 15 * 10**17

    deployed = miles(node, "tx", "deploy", "--contract", "Counter", "--from", SIGNER.address, keystore=keystore)
    counter = ok(deployed).strip()
    assert counter.startswith("0x") and len(counter) == 42
    assert "deployed Counter" in deployed.stderr

    increment = "0x" + keccak(b"increment()")[:4].hex()
    ok(miles(node, "tx", "send", "--from", SIGNER.address, "--to", counter, "--data", increment, "--wait",
             keystore=keystore))
    ok(miles(node, "tx", "send", "--from", SIGNER.address, "--to", counter, "--sig", "add(uint256)", "--args", "41",
             "--wait", keystore=keystore))

    read = miles(node, "tx", "call", "--to", counter, "--sig", "count()", "--returns", "uint256")
    assert ok(read).splitlines() == ["0x" + (42).to_bytes(32, "big").hex(), "42"]
    # --node after the subcommand wins over the global one (here a port nobody listens on)
    raw = subprocess.run([sys.executable, "-m", "abci_app.cli.main", "--node", f"http://127.0.0.1:{free_port()}",
                          "tx", "call", "--to", counter, "--data", "0x" + keccak(b"count()")[:4].hex(),
                          "--node", node.config.rpc_url], capture_output=True, text=True, timeout=90)
    assert ok(raw).strip() == "0x" + (42).to_bytes(32, "big").hex()

    # A call that reverts: refused before signing (the estimate), or reverted in its block.
    refused = miles(node, "tx", "send", "--from", SIGNER.address, "--to", counter, "--sig", "add(uint256)",
                    "--args", "0", keystore=keystore)
    assert refused.returncode == 1 and "Counter: amount is zero" in refused.stderr
    reverted = miles(node, "tx", "send", "--dev-account", "2", "--to", counter, "--sig", "add(uint256)",
                     "--args", "0", "--gas", "100000", "--wait")
    assert reverted.returncode == 1 and "Counter: amount is zero" in reverted.stderr
    failed_call = miles(node, "tx", "call", "--to", counter, "--sig", "add(uint256)", "--args", "0")
    assert failed_call.returncode == 1 and "Counter: amount is zero" in failed_call.stderr

    wrong = miles(node, "tx", "send", "--from", SIGNER.address, "--to", RECIPIENT, "--value", "1",
                  "--password-file", os.devnull, keystore=keystore)
    assert wrong.returncode == 2 and "wrong password" in wrong.stderr

    # Only signed transactions reached the node: the key appears in none of its logs.
    assert account(node, SIGNER.address)["nonce"] == 4
    secret = SIGNER.key.hex().removeprefix("0x")
    assert secret not in node.log_text("app") + node.log_text("cometbft")
