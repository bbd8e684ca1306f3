"""The interpreter's recursion limit fits both the EVM and the stack (issue 13).

py-evm raises the limit to 100,000 on import, so C-recursive parsers went past the thread stack
before RecursionError: a query of nested JSON brackets crashed the node. The chain sets a limit
the EVM's 1,024 call levels fit in and an 8 MiB stack holds.
"""

import subprocess
import sys
import textwrap

from eth._utils.address import generate_contract_address

from abci_app.evm.fork import EVM_RECURSION_LIMIT

from ..chain import Chain, app_state, transfer

# CALL itself with all its gas, down to the EVM's 1,024-level limit (each level ~2,800 gas).
RECURSE = bytes.fromhex("5f5f5f5f5f305af100")
DEPLOY_RECURSE = bytes.fromhex("68") + RECURSE + bytes.fromhex("5f5260096017f3")


def test_the_limit_is_the_chains_after_py_evm_is_imported():
    import abci_app.app.application  # noqa: F401  (imports py-evm and py_ecc, which raise it)
    assert sys.getrecursionlimit() == EVM_RECURSION_LIMIT


def test_a_contract_recursing_to_the_evm_depth_limit_executes(tmp_path, keys):
    """With gas priced to the engine a level costs ~2,800 gas and keeps 1/64 of the rest, so a
    60M-gas block reaches ~620 levels; a genesis may raise the block gas limit, and 2e12 gas
    reaches the EVM's 1,024."""
    gas = 2 * 10**12
    chain = Chain.start(str(tmp_path / "db"), app_state(keys, block_gas_limit=gas))
    try:
        stopped = []
        chain.app.on_fatal = stopped.append
        (deployed,) = chain.block([transfer(keys[0], 0, "", 0, gas=200_000, data=DEPLOY_RECURSE)])
        assert deployed.code == 0
        contract = "0x" + generate_contract_address(bytes.fromhex(keys[0].address[2:]), 0).hex()
        (result,) = chain.block([transfer(keys[0], 1, contract, 0, gas=gas)])
        assert result.code == 0 and stopped == []
        assert result.gas_used > 21_000 + 1_023 * 2_800  # every level down to 1,024 ran
    finally:
        chain.app.close()


def test_nested_json_in_queries_is_a_bad_request_not_a_crash(tmp_path):
    """Queries anyone can send through CometBFT's RPC, and the gateway's JSON-RPC body, in a
    child process that must live to report their answers."""
    script = textwrap.dedent(f"""
        from abci_app.abci import types
        from abci_app.cli.wallet import dev_account
        from abci_app.rpc.gateway.server import dispatch
        from tests.chain import Chain, app_state
        chain = Chain.start({str(tmp_path / "db")!r}, app_state([dev_account(0)]))
        nested = b"[" * 150_000 + b"]" * 150_000
        for path in ("/call", "/logs"):
            answer = chain.app.query(types.RequestQuery(path=path, data=nested))
            print("RESULT", path, answer.code)
        print("RESULT gateway", dispatch(None, nested).decode())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    results = [line.split(" ", 2)[1:] for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert results[:2] == [["/call", "41"], ["/logs", "41"]]
    assert results[2][0] == "gateway" and '"code": -32700' in results[2][1]
