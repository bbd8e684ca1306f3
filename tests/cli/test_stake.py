"""`miles stake ...` and the staking queries: flag checking without a node, then a whole candidacy
and delegation lifecycle through the real CLI against a real single-validator devnet."""

import base64
import hashlib
import json
import subprocess
import sys

import pytest
from eth_abi import decode as abi_decode

from abci_app.cli.localnode import LocalNode
from abci_app.cli.stake import encode_call, parse_consensus_key, read_consensus_key, staking_functions
from abci_app.cli.wallet import dev_account
from abci_app.precompiles.abi import functions_of
from abci_app.staking.calls import StakingCalls

from .inprocess import run_inprocess

WEI = 10**18
CANDIDATE_KEY = hashlib.sha256(b"miles stake e2e candidate").digest()
ADDRESS = "0x" + "ab" * 20


# ---- no node needed ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ("stake", "delegate", "--candidate", "nope", "--amount", "1000"),
    ("stake", "delegate", "--candidate", "0x1234", "--amount", "1000"),
    ("stake", "undelegate", "--candidate", "0x" + "zz" * 20, "--amount", "1000"),
    ("stake", "redelegate", "--from", ADDRESS, "--to", "bad", "--amount", "1000"),
])
def test_a_bad_address_exits_2(argv, capsys):
    assert run_inprocess(*argv) == 2
    assert "not an address" in capsys.readouterr().err


@pytest.mark.parametrize("amount", ["abc", "-5", "1e-19", "0.0000000000000000001", "NaN", "inf", "1e80"])
def test_a_bad_amount_exits_2(amount, capsys):
    assert run_inprocess("stake", "delegate", "--candidate", ADDRESS, "--amount", amount) == 2
    assert run_inprocess("stake", "declare", "--pubkey", base64.b64encode(CANDIDATE_KEY).decode(),
                         "--self-stake", amount, "--name", "x") == 2
    assert "amount" in capsys.readouterr().err


@pytest.mark.parametrize("pubkey", [
    base64.b64encode(b"\1" * 31).decode(),     # one byte short
    base64.b64encode(b"\1" * 33).decode(),     # a secp256k1-sized key
    "not base64!",
    "0x" + "11" * 31,
    "0x" + "gg" * 32,
])
def test_a_bad_pubkey_exits_2(pubkey, capsys):
    assert run_inprocess("stake", "declare", "--pubkey", pubkey, "--self-stake", "20000", "--name", "x") == 2
    assert "--pubkey" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ("stake", "declare", "--self-stake", "1", "--name", "x"),                        # no key at all
    ("stake", "declare", "--pubkey", "0x" + "11" * 32, "--cometbft-home", "/tmp", "--self-stake", "1",
     "--name", "x"),                                                                  # two keys
    ("stake", "declare", "--pubkey", "0x" + "11" * 32, "--self-stake", "1", "--name", "x",
     "--commission-bps", "10001"),
    ("stake", "commission", "--bps", "-1"),
    ("stake", "delegate", "--candidate", ADDRESS, "--amount", "1", "--dev-account", "10"),
    ("stake", "delegate", "--candidate", ADDRESS, "--amount", "1", "--key", "0x1234"),
    ("stake", "update"),                                                              # nothing to update
    ("stake", "activate", "--wait-timeout", "soon"),
    ("stake", "activate", "--gas", "0"),
])
def test_other_bad_flags_exit_2(argv):
    assert run_inprocess(*argv) == 2


def test_a_missing_cometbft_home_exits_2(tmp_path, capsys):
    assert run_inprocess("stake", "declare", "--cometbft-home", str(tmp_path), "--self-stake", "1",
                         "--name", "x") == 2
    assert "priv_validator_key.json" in capsys.readouterr().err


def test_good_flags_reach_for_the_node(capsys):
    assert run_inprocess("stake", "delegate", "--candidate", ADDRESS, "--amount", "1000") == 1
    assert "cannot reach CometBFT" in capsys.readouterr().err


def test_consensus_keys_in_base64_hex_or_a_node_home(tmp_path):
    b64 = base64.b64encode(CANDIDATE_KEY).decode()
    assert parse_consensus_key(b64) == parse_consensus_key("0x" + CANDIDATE_KEY.hex()) == CANDIDATE_KEY
    config = tmp_path / "cometbft" / "config"
    config.mkdir(parents=True)
    (config / "priv_validator_key.json").write_text(json.dumps(
        {"pub_key": {"type": "tendermint/PubKeyEd25519", "value": b64}}))
    assert read_consensus_key(tmp_path / "cometbft") == CANDIDATE_KEY  # a CometBFT home
    assert read_consensus_key(tmp_path) == CANDIDATE_KEY               # a miles home


def test_call_data_is_what_the_precompile_decodes():
    served = functions_of(StakingCalls())
    for name, abi in staking_functions().items():
        selector = encode_call(name, tuple(_sample(i["type"]) for i in abi["inputs"]))[:4]
        assert selector in served, name
        assert served[selector].payable == (abi["stateMutability"] == "payable"), name
    data = encode_call("redelegate", (ADDRESS, ADDRESS.replace("ab", "cd"), 7 * WEI))
    assert served[data[:4]].signature == "redelegate(address,address,uint256)"
    assert abi_decode(["address", "address", "uint256"], data[4:]) == (ADDRESS, "0x" + "cd" * 20, 7 * WEI)


def _sample(abi_type: str):
    return {"address": ADDRESS, "bytes32": CANDIDATE_KEY, "string": "s"}.get(abi_type, 1)


# ---- end to end --------------------------------------------------------------------------------

def miles(node_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "abci_app.cli.main", "--node", node_url, *args],
                          capture_output=True, text=True, timeout=90)


def query(node_url: str, *args: str):
    result = miles(node_url, "query", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def stake(node_url: str, *args: str) -> subprocess.CompletedProcess:
    return miles(node_url, "stake", *args)


def _new_node(base) -> LocalNode:
    node = LocalNode.create(base)
    # The new candidate's key belongs to no running node, so it never signs. With the devnet's
    # short downtime window it would be jailed within seconds, at a moment that depends on block
    # timing; this test is about the CLI, so give it a window it cannot exhaust.
    genesis_path = node.home.cometbft / "config" / "genesis.json"
    genesis = json.loads(genesis_path.read_text())
    genesis["app_state"]["staking"]["params"].update(downtime_window=10_000, downtime_max_missed=9_999)
    genesis_path.write_text(json.dumps(genesis, indent=2))
    return node


@pytest.mark.e2e
def test_candidacy_and_delegation_lifecycle_through_the_cli(tmp_path):
    node = _new_node(tmp_path / "node")
    try:
        node.start()
        url = node.config.rpc_url
        operator, delegator = dev_account(1).address.lower(), dev_account(2).address.lower()
        assert query(url, "params")["staking"]["min_delegation_wei"] == str(1_000 * WEI)

        declared = stake(url, "declare", "--pubkey", base64.b64encode(CANDIDATE_KEY).decode(), "--self-stake",
                         "20000", "--commission-bps", "500", "--name", "shop-validator", "--website",
                         "https://shop.example", "--dev-account", "1")
        assert declared.returncode == 0, declared.stderr
        assert "done in block" in declared.stdout
        candidate = query(url, "candidate", operator)
        assert (candidate["operator"], candidate["pub_key"], candidate["tokens"], candidate["commission_bps"],
                candidate["name"], candidate["active"]) == (
                   operator, "0x" + CANDIDATE_KEY.hex(), str(20_000 * WEI), 500, "shop-validator", True)
        validators = query(url, "validators")["validators"]
        assert len(validators) == 2
        assert {v["operator"]: v["power"] for v in validators}[operator] == 20_000

        assert stake(url, "delegate", "--candidate", operator, "--amount", "5000",
                     "--dev-account", "2").returncode == 0
        held = query(url, "delegations", delegator)
        assert [(d["candidate"], d["tokens"]) for d in held["delegations"]] == [(operator, str(5_000 * WEI))]
        assert held["unbondings"] == []

        undelegated = stake(url, "undelegate", "--candidate", operator, "--amount", "1000", "--dev-account", "2")
        assert undelegated.returncode == 0, undelegated.stderr
        held = query(url, "delegations", delegator)
        assert [(d["candidate"], d["tokens"]) for d in held["delegations"]] == [(operator, str(4_000 * WEI))]
        assert [(u["candidate"], u["amount"]) for u in held["unbondings"]] == [(operator, str(1_000 * WEI))]

        too_small = stake(url, "delegate", "--candidate", operator, "--amount", "999.5", "--dev-account", "2")
        assert too_small.returncode == 1
        assert "execution reverted: amount below the minimum delegation" in too_small.stderr
        assert len(query(url, "delegations", delegator)["delegations"]) == 1

        assert stake(url, "deactivate", "--dev-account", "1").returncode == 0
        assert query(url, "candidate", operator)["active"] is False
        assert [v["operator"] for v in query(url, "validators")["validators"]] == [dev_account(0).address.lower()]
        assert stake(url, "activate", "--dev-account", "1").returncode == 0
        assert query(url, "candidate", operator)["active"] is True
        assert len(query(url, "validators")["validators"]) == 2
        assert query(url, "solvency")["solvent"] is True
    finally:
        node.stop()
