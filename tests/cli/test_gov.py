"""`miles gov ...`: flag checking without a node, the call data the precompile decodes, then a
proposal's deposits, votes and reads through the real CLI against a real devnet."""

import argparse
import json

import pytest
from eth_abi import decode

from abci_app import contracts, governance
from abci_app.cli.devgenesis import DEV_SELF_STAKE_WEI
from abci_app.cli.gov import submit_args
from abci_app.cli.localnode import LocalNode
from abci_app.cli.wallet import dev_account
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from .inprocess import run_inprocess
from .test_stake import miles

WEI = 10**18
ADDRESS = "0x" + "ab" * 20
TEXT = ("submit", "text", "--title", "t")


@pytest.mark.parametrize("argv, message", [
    (("vote", "1", "maybe"), "invalid choice: 'maybe'"),
    (("vote", "first", "yes"), "not a proposal id"),
    (("deposit", "0", "--amount", "1"), "not a proposal id"),
    (("deposit", "1", "--amount", "lots"), "not an amount"),
    (("deposit", "1"), "--amount"),
    (("submit", "text"), "--title"),
    (("submit", "essay", "--title", "t"), "invalid choice: 'essay'"),
    ((*TEXT, "--deposit", "-1"), "not a CMT amount"),
    (("submit", "param", "--title", "t", "--param", "staking.max_validators", "--value", "2.5"),
     "not a whole number (--value)"),
    (("submit", "spend", "--title", "t", "--recipient", "0x1234", "--amount", "1"), "--recipient: not an address"),
    (("submit", "upgrade", "--title", "t", "--name", "v2", "--height", "soon"), "not a block height"),
    (("submit", "cancel-upgrade", "--title", "t"), "--name"),
    (("proposal", "x"), "not a proposal id"),
    (("tally", "-1"), "not a proposal id"),
    (("proposals", "--limit", "0"), "--limit must be 1 to 100"),
])
def test_bad_flags_exit_2_before_anything_is_sent(argv, message, capsys):
    assert run_inprocess("gov", *argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("kind, flags, signature, extra", [
    ("text", {}, "submitText(string,string)", ()),
    ("param", {"param": "staking.max_validators", "value": "21"}, "submitParamChange(string,string,string,uint256)",
     ("staking.max_validators", 21)),
    ("spend", {"recipient": ADDRESS, "amount": "2.5"}, "submitCommunitySpend(string,string,address,uint256)",
     (ADDRESS, 25 * 10**17)),
    ("upgrade", {"name": "v2", "height": "1000", "info": "sha256:00"},
     "submitUpgrade(string,string,string,uint256,string)", ("v2", 1000, "sha256:00")),
    ("cancel-upgrade", {"name": "v2"}, "submitCancelUpgrade(string,string,string)", ("v2",)),
])
def test_submit_call_data_is_what_the_precompile_decodes(kind, flags, signature, extra):
    args = argparse.Namespace(kind=kind, title="Title", description="Why", **flags)
    function_name = signature.split("(")[0]
    data = contracts.encode_call("IGovernance", function_name, *submit_args(args))
    function = governance.PRECOMPILE.functions[data[:4]]
    assert function.signature == signature
    assert decode(list(function.inputs), data[4:]) == ("Title", "Why", *extra)


@pytest.fixture
def devnet(tmp_path):
    """A real single-validator node (dev account 0) with 100-second deposit and voting periods; its
    RPC address. Solvent when the test is done."""
    node = LocalNode.create(tmp_path / "node")
    genesis_path = node.home.cometbft / "config" / "genesis.json"
    genesis = json.loads(genesis_path.read_text())
    genesis["app_state"]["governance"] = {"deposit_period_s": 100, "voting_period_s": 100}
    genesis_path.write_text(json.dumps(genesis, indent=2))
    try:
        node.start()
        yield node.config.rpc_url
        assert_solvent(CometRPC(node.config.rpc_url))
    finally:
        node.stop()


@pytest.mark.e2e
def test_a_proposal_through_the_cli(devnet):
    proposer = dev_account(2).address.lower()

    def gov(*argv):
        return miles(devnet, "gov", *argv)

    def ok(*argv):
        result = gov(*argv)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def view(*argv):
        return json.loads(ok(*argv))["result"]

    submitted = ok(*TEXT[:2], "--title", "Free shipping", "--description", "for all", "--dev-account", "2")
    assert "submit text proposal 'Free shipping' by" in submitted and submitted.endswith("\nproposal 1\n")
    shown = view("proposal", "1")
    assert (shown["id"], shown["kind"], shown["status"], shown["proposer"], shown["deposit"], shown["title"],
            shown["description"], shown["votingEnd"]) == ("1", "text", "deposit", proposer, str(1_000 * WEI),
                                                          "Free shipping", "for all", "0")
    assert int(shown["depositEnd"]) - int(shown["submitTime"]) == 100
    assert len(shown) == 21

    early = gov("vote", "1", "yes")
    assert early.returncode == 1 and "proposal is not in its voting period" in early.stderr
    ok("deposit", "1", "--amount", "9000", "--dev-account", "3")
    shown = view("proposal", "1")
    assert (shown["status"], shown["deposit"]) == ("voting", str(10_000 * WEI))
    assert int(shown["votingEnd"]) > 0
    unstaked = gov("vote", "1", "no", "--dev-account", "2")
    assert unstaked.returncode == 1 and "nothing staked to vote with" in unstaked.stderr
    ok("vote", "1", "yes")  # dev account 0: the genesis validator's operator
    stake = str(DEV_SELF_STAKE_WEI)
    assert view("tally", "1") == {"yes": stake, "abstain": "0", "no": "0", "veto": "0", "bonded": stake}
    ok("vote", "1", "veto")  # a second vote replaces the first
    assert view("tally", "1") == {"yes": "0", "abstain": "0", "no": "0", "veto": stake, "bonded": stake}

    refused = gov("submit", "param", "--title", "Bigger set", "--param", "staking.no_such_param", "--value", "1",
                  "--dev-account", "2")
    assert refused.returncode == 1 and "execution reverted" in refused.stderr and "no_such_param" in refused.stderr
    assert ok("submit", "param", "--title", "Bigger set", "--param", "staking.max_validators", "--value", "21",
              "--deposit", "1500", "--dev-account", "2").endswith("\nproposal 2\n")
    shown = view("proposal", "2")
    assert (shown["kind"], shown["target"], shown["value"], shown["deposit"]) == (
        "param_change", "staking.max_validators", "21", str(1_500 * WEI))
    assert view("proposals") == [{"id": "2", "kind": "param_change", "status": "deposit", "title": "Bigger set"},
                                 {"id": "1", "kind": "text", "status": "voting", "title": "Free shipping"}]
    assert [p["id"] for p in view("proposals", "--limit", "1")] == ["2"]
    assert [p["id"] for p in view("proposals", "--offset", "1")] == ["1"]
    missing = gov("proposal", "3")
    assert missing.returncode == 1 and "no proposal 3" in missing.stderr
