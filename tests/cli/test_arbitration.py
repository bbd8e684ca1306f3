"""`miles arbitration credit ADDR`: flag checking without a node, the call data the precompile
decodes, then a buyer's and a seller's records through the real CLI against a real devnet, after an
order opened, confirmed and reviewed with `miles tx send`."""

import json

import pytest
from eth_abi import decode

from abci_app import contracts
from abci_app.cli.localnode import LocalNode
from abci_app.cli.wallet import dev_account
from abci_app.middleware import arbitration
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from .inprocess import run_inprocess
from .test_stake import miles

ADDRESS = "0x" + "ab" * 20
ARBITRATION = "0x" + arbitration.ADDRESS.hex()
FIELDS = ("ordersAsBuyer", "volumeAsBuyer", "ordersAsSeller", "volumeAsSeller", "disputesWon", "disputesLost",
          "reviewsReceived", "starsReceived", "firstActivity", "lastActivity")


@pytest.mark.parametrize("argv", [("credit", "bad"), ("credit", "0x1234"), ("credit",)])
def test_bad_addresses_exit_2_before_anything_is_sent(argv, capsys):
    assert run_inprocess("arbitration", *argv) == 2
    assert "ADDR" in capsys.readouterr().err


def test_call_data_is_what_the_precompile_decodes():
    data = contracts.encode_call("IArbitration", "credit", ADDRESS)
    function = arbitration.PRECOMPILE.functions[data[:4]]
    assert function.signature == "credit(address)" and function.view
    assert decode(list(function.inputs), data[4:]) == (ADDRESS,)


@pytest.fixture
def devnet(tmp_path):
    """A real single-validator node; its RPC address. Solvent when the test is done."""
    node = LocalNode.create(tmp_path / "node")
    try:
        node.start()
        yield node.config.rpc_url
        assert_solvent(CometRPC(node.config.rpc_url))
    finally:
        node.stop()


def _send(url: str, account: str, sig: str, *args: str, value: str = "0") -> None:
    """An arbitration call by `miles tx send`, waited for."""
    result = miles(url, "tx", "send", "--dev-account", account, "--to", ARBITRATION, "--sig", sig, "--args", *args,
                   "--value", value, "--wait")
    assert result.returncode == 0, result.stderr


def _credit(url: str, address: str) -> dict:
    result = miles(url, "arbitration", "credit", address)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.e2e
def test_a_buyer_and_a_seller_through_the_cli(devnet):
    buyer, seller = dev_account(2).address.lower(), dev_account(3).address.lower()
    assert _credit(devnet, seller) == {"record": dict.fromkeys(FIELDS, "0"), "score": "0"}
    _send(devnet, "2", "openOrder(address,bytes32,uint64)", seller, "0x" + "01" * 32, str(2**40), value="5")
    _send(devnet, "3", "acceptOrder(uint256)", "1")
    _send(devnet, "2", "confirmDelivery(uint256)", "1")
    _send(devnet, "2", "review(uint256,uint8,string)", "1", "4", "as described")
    bought, sold = _credit(devnet, buyer), _credit(devnet, seller)
    ended_at = sold["record"]["firstActivity"]
    assert int(ended_at) > 0
    five_cmt, activity = str(5 * 10**18), {"firstActivity": ended_at, "lastActivity": ended_at}
    assert bought == {"record": {**dict.fromkeys(FIELDS, "0"), "ordersAsBuyer": "1", "volumeAsBuyer": five_cmt,
                                 **activity}, "score": "45"}
    assert sold == {"record": {**dict.fromkeys(FIELDS, "0"), "ordersAsSeller": "1", "volumeAsSeller": five_cmt,
                               "reviewsReceived": "1", "starsReceived": "4", **activity}, "score": "53"}
