"""`miles identity ...`: flag checking without a node, the call data the precompile decodes, then
an attester's and a subject's whole story through the real CLI against a real devnet."""

import argparse
import json

import pytest
from eth_abi import decode
from eth_hash.auto import keccak

from abci_app import contracts
from abci_app.cli.identity import build_issue, parse_claim_type
from abci_app.cli.localnode import LocalNode
from abci_app.cli.wallet import dev_account
from abci_app.middleware import identity
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from .inprocess import run_inprocess
from .test_stake import miles, query

ADDRESS = "0x" + "ab" * 20
HASH = "0x" + "12" * 32
PHONE = "miles.phone.verified"


@pytest.mark.parametrize("argv, message", [
    (("register", "--bond", "-1"), "CMT"),
    (("issue", "--subject", "nope", "--type", PHONE, "--expiry", "99", "--data-hash", HASH), "not an address"),
    (("issue", "--subject", ADDRESS, "--type", PHONE, "--expiry", "soon", "--data-hash", HASH), "--expiry"),
    (("issue", "--subject", ADDRESS, "--type", PHONE, "--expiry", "0", "--data-hash", HASH), "--expiry"),
    (("issue", "--subject", ADDRESS, "--type", PHONE, "--expiry", "99", "--data-hash", "0x12"), "--data-hash"),
    (("issue", "--subject", ADDRESS, "--type", "0x" + "00" * 32, "--expiry", "99", "--data-hash", HASH), "--type"),
    (("drop", "--attester", "0x1234", "--type", PHONE), "not an address"),
    (("has", "--subject", ADDRESS, "--type", PHONE, "--attester", "bad"), "not an address"),
])
def test_bad_flags_exit_2_before_anything_is_sent(argv, message, capsys):
    assert run_inprocess("identity", *argv) == 2
    assert message in capsys.readouterr().err


def test_claim_types_are_hashes_or_hashed_names():
    assert parse_claim_type(PHONE) == keccak(PHONE.encode())
    assert parse_claim_type(HASH) == bytes.fromhex("12" * 32)


def test_call_data_is_what_the_precompile_decodes():
    args = argparse.Namespace(subject=ADDRESS, type=PHONE, expiry="4000000000", data_hash=HASH)
    built = build_issue(args, dev_account(2).address, None)
    data = contracts.encode_call("IIdentity", built.function, *built.args)
    function = identity.PRECOMPILE.functions[data[:4]]
    assert function.signature == "issueClaim(address,bytes32,uint64,bytes32)"
    assert decode(list(function.inputs), data[4:]) == (ADDRESS, keccak(PHONE.encode()), 4_000_000_000,
                                                       bytes.fromhex("12" * 32))


@pytest.mark.e2e
def test_an_attester_and_a_subject_through_the_cli(tmp_path):
    node = LocalNode.create(tmp_path / "node")
    try:
        node.start()
        url = node.config.rpc_url
        attester, subject = dev_account(2).address.lower(), dev_account(3).address.lower()
        ask = ("--subject", subject, "--type", PHONE, "--attester", attester)

        def ok(*argv):
            result = miles(url, "identity", *argv)
            assert result.returncode == 0, result.stderr
            return result

        def view(*argv):
            return json.loads(ok(*argv).stdout)

        ok("register", "--bond", "100", "--dev-account", "2")
        assert view("attester", attester)["result"]["registered"] is True
        expiry = str(2**40)
        ok("issue", "--subject", subject, "--type", PHONE, "--expiry", expiry, "--data-hash", HASH,
           "--dev-account", "2")
        assert view("has", *ask) == {"result": True}
        claim = view("claim", *ask)["result"]
        assert (claim["status"], claim["expiry"], claim["dataHash"], claim["valid"]) == ("1", expiry, HASH, True)
        again = miles(url, "identity", "register", "--bond", "100", "--dev-account", "2")
        assert again.returncode == 1 and "already an attester" in again.stderr
        ok("drop", "--attester", attester, "--type", PHONE, "--dev-account", "3")
        assert view("has", *ask) == {"result": False}
        ok("unregister", "--dev-account", "2")
        assert query(url, "solvency")["modules"]["identity"]["owed"] == {"bonds": "0"}
        assert_solvent(CometRPC(url))
    finally:
        node.stop()
