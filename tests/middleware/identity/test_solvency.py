"""What the identity precompile owes (identity.owed), to the wei: the module is exact, so its
balance equals the bonds of the registered attesters after every call."""

from abci_app.middleware import identity

from .harness import IDENTITY, ISSUE, MIN_BOND, PHONE, REGISTER, UNREGISTER


def owed(net) -> dict[str, int]:
    return identity.owed(net.chain.app.reader.state)


def test_bonds_are_owed_until_their_attester_leaves(net, keys):
    first, second, subject = keys[2], keys[3], keys[4]
    assert owed(net) == {"bonds": 0}
    net.ok(first, REGISTER, value=MIN_BOND + 3)
    net.ok(second, REGISTER, value=2 * MIN_BOND)
    net.ok(first, ISSUE, subject.address, PHONE, net.chain.time_s + 50, b"\1" * 32)   # claims owe nothing
    assert owed(net) == {"bonds": 3 * MIN_BOND + 3} and net.chain.balance(IDENTITY) == 3 * MIN_BOND + 3
    net.ok(first, UNREGISTER)
    assert owed(net) == {"bonds": 2 * MIN_BOND} and net.chain.balance(IDENTITY) == 2 * MIN_BOND
    net.ok(second, UNREGISTER)
    assert owed(net) == {"bonds": 0} and net.chain.balance(IDENTITY) == 0
    net.assert_bonds()


def test_the_solvency_query_lists_identity(net, keys):
    net.ok(keys[2], REGISTER, value=MIN_BOND)
    doc = net.query("/solvency")
    assert doc["solvent"] is True
    assert doc["modules"]["identity"] == {
        "address": IDENTITY, "balance": str(MIN_BOND), "owed": {"bonds": str(MIN_BOND)},
        "owed_total": str(MIN_BOND), "surplus": "0", "solvent": True}
