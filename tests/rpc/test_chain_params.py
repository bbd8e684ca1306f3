"""The gateway reads the chain's params again after PARAMS_TTL_S: a governance proposal may change
the block gas limit and the minimum gas price (`chain.*`) while it runs."""

from abci_app.rpc.gateway import chain as chain_module
from abci_app.rpc.gateway.chain import CometChain


def test_params_are_read_again_once_they_are_a_second_old(monkeypatch):
    chain = CometChain("http://127.0.0.1:1")
    answers = iter([{"chain_id": "1818", "min_gas_price_wei": "1", "block_gas_limit": "100"},
                    {"chain_id": "1818", "min_gas_price_wei": "3", "block_gas_limit": "200"}])
    monkeypatch.setattr(chain, "_query_json", lambda path, height=0: next(answers))
    clock = [100.0]
    monkeypatch.setattr(chain_module.time, "monotonic", lambda: clock[0])
    assert (chain.params.block_gas_limit, chain.params.min_gas_price_wei) == (100, 1)
    clock[0] += 0.5
    assert chain.params.block_gas_limit == 100            # no second read within the second
    clock[0] += 1.0
    assert (chain.params.block_gas_limit, chain.params.min_gas_price_wei, chain.params.chain_id) == (200, 3, 1818)
