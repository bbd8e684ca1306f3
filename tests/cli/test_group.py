"""`miles group ...`: flag checking without a node, the call data the precompile decodes, then an
owner's and a member's whole story through the real CLI against a real devnet."""

import argparse
import json

import pytest
from eth_abi import decode
from eth_hash.auto import keccak

from abci_app import contracts
from abci_app.cli.group import create_args
from abci_app.cli.localnode import LocalNode
from abci_app.cli.wallet import dev_account
from abci_app.middleware import groups
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from .inprocess import run_inprocess
from .test_stake import miles, query

ADDRESS = "0x" + "ab" * 20
ZERO = "0x" + "00" * 20
PHONE = "miles.phone.verified"


@pytest.mark.parametrize("argv, message", [
    (("create", "--name", "g", "--rule", "min-token"), "--token: required by rule min-token"),
    (("create", "--name", "g", "--rule", "open", "--token", ADDRESS), "--token: not used by rule open"),
    (("create", "--name", "g", "--rule", "claim", "--attester", ADDRESS), "--claim-type: required by rule claim"),
    (("create", "--name", "g", "--rule", "min-cmt"), "--min-balance: required by rule min-cmt"),
    (("create", "--name", "g", "--rule", "approval", "--min-balance", "5"), "--min-balance: not used"),
    (("create", "--name", "g", "--rule", "min-token", "--token", ADDRESS, "--min-balance", "1.5"),
     "not a whole number"),
    (("create", "--name", "g", "--rule", "min-token", "--token", "nope", "--min-balance", "1"), "not an address"),
    (("join", "first"), "not a group id"),
    (("join", "0"), "not a group id"),
    (("approve", "1", "0x1234"), "not an address"),
    (("moderator", "add", "1", "bad"), "not an address"),
    (("show", "x"), "not a group id"),
    (("member", "1", "bad"), "not an address"),
])
def test_bad_flags_exit_2_before_anything_is_sent(argv, message, capsys):
    assert run_inprocess("group", *argv) == 2
    assert message in capsys.readouterr().err


def test_create_call_data_is_what_the_precompile_decodes():
    args = argparse.Namespace(name="Verified buyers", category="shop", rule="claim", token=None, min_balance=None,
                              attester=ADDRESS, claim_type=PHONE)
    data = contracts.encode_call("IGroups", "createGroup", *create_args(args))
    function = groups.PRECOMPILE.functions[data[:4]]
    assert function.signature == "createGroup(string,string,uint8,address,uint256,address,bytes32)"
    assert decode(list(function.inputs), data[4:]) == ("Verified buyers", "shop", 4, ZERO, 0, ADDRESS,
                                                       keccak(PHONE.encode()))
    args = argparse.Namespace(name="Whales", category="", rule="min-cmt", token=None, min_balance="2.5",
                              attester=None, claim_type=None)
    assert create_args(args)[2:5] == (2, ZERO, 25 * 10**17)


@pytest.mark.e2e
def test_an_owner_and_members_through_the_cli(tmp_path):
    node = LocalNode.create(tmp_path / "node")
    try:
        node.start()
        url = node.config.rpc_url
        owner, alice = dev_account(2).address.lower(), dev_account(3).address.lower()

        def ok(*argv):
            result = miles(url, "group", *argv)
            assert result.returncode == 0, result.stderr
            return result

        def view(*argv):
            return json.loads(ok(*argv).stdout)

        ok("create", "--name", "Zurich foodies", "--category", "food", "--rule", "approval", "--dev-account", "2")
        shown = view("show", "1")["result"]
        assert (shown["owner"], shown["name"], shown["rule"], shown["memberCount"]) == (owner, "Zurich foodies", "1",
                                                                                        "1")
        ok("join", "1", "--dev-account", "3")
        assert view("member", "1", alice) == {"membership": {"status": "1", "since": view("member", "1", alice)[
            "membership"]["since"], "isModerator": False}, "isMember": False}
        again = miles(url, "group", "join", "1", "--dev-account", "3")
        assert again.returncode == 1 and "already applied" in again.stderr
        ok("approve", "1", alice, "--dev-account", "2")
        ok("moderator", "add", "1", alice, "--dev-account", "2")
        assert view("member", "1", alice)["isMember"] is True
        assert view("members", "1") == {"result": [owner, alice]}
        ok("moderator", "remove", "1", alice, "--dev-account", "2")
        ok("remove", "1", alice, "--dev-account", "2")
        assert view("members", "1", "--limit", "1") == {"result": [owner]}
        ok("close", "1", "--dev-account", "2")
        assert view("show", "1")["result"]["closed"] is True
        assert query(url, "solvency")["modules"]["groups"]["owed"] == {"bonds": "0"}
        assert_solvent(CometRPC(url))
    finally:
        node.stop()
