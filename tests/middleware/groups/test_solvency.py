"""What the groups precompile owes (groups.owed), to the wei: the module is exact, so its balance
equals the bonds of the open groups after every call."""

from abci_app.middleware import groups

from .harness import BOND, CLOSE, GROUPS, JOIN


def owed(net) -> dict[str, int]:
    return groups.owed(net.chain.app.reader.state)


def test_bonds_are_owed_until_their_group_closes(net, keys):
    assert owed(net) == {"bonds": 0}
    first, second = net.create(keys[2]), net.create(keys[3])
    net.ok(keys[4], JOIN, first)                                   # members owe nothing
    assert owed(net) == {"bonds": 2 * BOND} and net.chain.balance(GROUPS) == 2 * BOND
    net.ok(keys[2], CLOSE, first)
    assert owed(net) == {"bonds": BOND} and net.chain.balance(GROUPS) == BOND
    net.ok(keys[3], CLOSE, second)
    assert owed(net) == {"bonds": 0} and net.chain.balance(GROUPS) == 0
    net.assert_bonds()


def test_the_solvency_query_lists_groups(net, keys):
    net.create(keys[2])
    doc = net.query("/solvency")
    assert doc["solvent"] is True
    assert doc["modules"]["groups"] == {
        "address": GROUPS, "balance": str(BOND), "owed": {"bonds": str(BOND)},
        "owed_total": str(BOND), "surplus": "0", "solvent": True}
