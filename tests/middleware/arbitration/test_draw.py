"""The arbiter draw: seeded by the previous block's hash and the order id, so two chains fed the
same blocks draw the same arbiters; never a party, never twice in a case."""

import hashlib

from abci_app.middleware.arbitration import rules

from .harness import CMT, DISPUTE, JOIN, MIN_STAKE, ArbitrationChain, arbitration_state, canonical

ORDERS = 6


def _run(path, keys) -> tuple[ArbitrationChain, list[tuple[int, int, list[str]]]]:
    """Seven arbiters (the buyer and the seller among them), six orders each disputed: (order id,
    height of the dispute block, drawn arbiters)."""
    net = ArbitrationChain.start(path, arbitration_state(keys))
    net.keys = keys
    buyer, seller = keys[2], keys[3]
    for k in keys[2:]:
        net.ok(k, JOIN, value=MIN_STAKE)
    cases = []
    for i in range(ORDERS):
        order_id = net.open_order(buyer, seller, (i + 1) * CMT)
        net.ok(seller if i % 2 else buyer, DISPUTE, order_id, f"case {i}")
        cases.append((order_id, net.chain.height, net.case(order_id)[0]))
    return net, cases


def test_same_blocks_same_arbiters_distinct_never_a_party(tmp_path, keys):
    one, cases_one = _run(str(tmp_path / "one"), keys)
    two, cases_two = _run(str(tmp_path / "two"), keys)
    try:
        assert cases_one == cases_two
        parties = {keys[2].address.lower(), keys[3].address.lower()}
        pool = ["0x" + m.hex() for m in one.state().pool]
        eligible = [canonical(m) for m in pool if m not in parties]
        draws = set()
        for order_id, height, drawn in cases_one:
            assert len(drawn) == 3 and len(set(drawn)) == 3 and not set(drawn) & parties
            # the seed is the previous block's hash (the test chain's hash of block h is
            # sha256("block-h")) and the order id
            seed = rules.draw_seed(hashlib.sha256(b"block-%d" % (height - 1)).digest(), order_id)
            assert drawn == ["0x" + a.hex() for a in rules.draw_arbiters(seed, eligible, 3)]
            draws.add(tuple(drawn))
        assert len(draws) > 1   # different orders and blocks give different draws
        one.assert_funds()
    finally:
        one.chain.app.close()
        two.chain.app.close()


def test_other_block_data_other_draw(tmp_path, keys):
    """One more empty block before the dispute changes the seed: the draw follows the agreed block
    data, not the caller."""
    drawn = []
    for name, extra_blocks in (("a", 0), ("b", 1), ("c", 2), ("d", 3)):
        net = ArbitrationChain.start(str(tmp_path / name), arbitration_state(keys))
        net.keys = keys
        try:
            for k in keys[4:9]:
                net.ok(k, JOIN, value=MIN_STAKE)
            order_id = net.open_order(keys[2], keys[3], CMT)
            for _ in range(extra_blocks):
                net.block([])
            net.ok(keys[2], DISPUTE, order_id, "x")
            drawn.append(tuple(net.case(order_id)[0]))
        finally:
            net.chain.app.close()
    assert len(set(drawn)) > 1
