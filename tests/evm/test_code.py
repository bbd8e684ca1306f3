"""The shared jump-destination analysis answers exactly as py-evm's per-call look-back does."""

from eth.vm.code_stream import CodeStream
from hypothesis import given, strategies as st

from abci_app.evm.code import AnalysedCodeStream

# PUSH1..PUSH32 (0x60..0x7f) often, so PUSH data overlaps and runs off the end
code = st.lists(st.one_of(st.integers(0x60, 0x7f), st.integers(0, 255)), max_size=120).map(bytes)


@given(code)
def test_every_position_is_judged_as_py_evm_judges_it(code_bytes):
    ours, theirs = AnalysedCodeStream(code_bytes), CodeStream(code_bytes)
    for position in range(len(code_bytes) + 2):
        assert ours.is_valid_opcode(position) == theirs.is_valid_opcode(position)
