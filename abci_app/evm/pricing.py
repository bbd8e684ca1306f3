"""Gas priced to this engine (issue 14): a gas unit buys about the same time whatever it is spent on.

Ethereum's prices assume a compiled client, where an instruction's dispatch is nearly free and a
curve operation takes microseconds. py-evm dispatches an instruction in ~0.7 us and computes
curves in pure Python (py_ecc), so at Ethereum's prices a JUMP loop burned ~5 Mgas/s and a
bn256 pairing ~0.3 Mgas/s while token transfers burn ~60: a full block of the slowest work took
minutes. Here every instruction pays a dispatch charge, message calls pay for the frame py-evm
builds, and each slow precompile pays a multiple of Ethereum's price, so that every kind of work
burns at least TARGET_GAS_PER_US (docs/performance.md, "Gas against time", measured by
scripts/gas_speed.py). The stipend a value transfer gives its callee grows by what the dispatch
charge takes from it, and SSTORE's EIP-2200 sentry with it, so a `receive()` that emits an event
still runs on `transfer()`'s stipend and still cannot write storage.
"""

from collections.abc import Callable, Mapping

from eth.abc import ComputationAPI, OpcodeAPI
from eth.constants import GAS_CALLSTIPEND
from eth.exceptions import OutOfGas
from eth.vm.gas_meter import GasMeter
from eth.vm.logic.call import BaseCall
from eth.vm.opcode import Opcode, _FastOpcode

TARGET_GAS_PER_US = 20            # the slowest work burns at least 20 Mgas/s on the reference machine
DISPATCH_GAS = 24                 # every instruction: py-evm's ~0.7-1.2 us per dispatch
FRAME_GAS = 2_500                 # CALL, CALLCODE, DELEGATECALL, STATICCALL: ~70-100 us per frame
STIPEND_GAS = GAS_CALLSTIPEND + 1_700  # Ethereum's 2,300 plus dispatch for ~70 instructions
STOP = 0x00      # free, as py-evm runs one at the end of all code (an empty account's too)
SSTORE = 0x55

# Instructions whose own work outruns the dispatch charge (measured: gas_speed.py --opcodes).
EXTRA_GAS = {
    0x51: 24, 0x52: 24, 0x53: 24,  # MLOAD, MSTORE, MSTORE8: py-evm's memory is a bytearray per word
    0x1D: 24,                      # SAR: signed arithmetic in Python
    0x20: 24,                      # KECCAK256: hashing and the memory read
    0x37: 96, 0x3E: 96,            # CALLDATACOPY, RETURNDATACOPY: ~6 us each
    0x39: 160,                     # CODECOPY: ~9 us
    0x3C: 48,                      # EXTCODECOPY (besides its account access)
    0x5E: 64,                      # MCOPY: ~4 us
    SSTORE: 200,                   # SSTORE: the journal and the storage overlay (~14 us warm)
}

# Precompile address -> (multiple of Ethereum's price, fixed extra gas): the curve arithmetic of
# py_ecc is pure Python; blake2f and modexp pay for their parsing (~40-170 us) and for Python's
# pow on long exponents.
PRECOMPILE_PRICES = {
    0x01: (1, 500),    # ecrecover: ~95 us
    0x05: (10, 0),     # modexp: a 1,024-byte exponent mod 8 bytes took 0.9 ms for 2,730 gas
    0x06: (8, 0),      # bn256 add: 32 us
    0x07: (44, 0),     # bn256 mul: 8 ms
    0x08: (80, 0),     # bn256 pairing: 0.26 s for one pair, 0.6 s for four
    0x09: (1, 1_500),  # blake2f: native rounds, ~45 us to parse
    0x0B: (14, 0),     # BLS12-381 G1 add: 0.13 ms
    0x0C: (64, 0),     # G1 MSM: 17 ms a point
    0x0D: (40, 0),     # G2 add: 0.8 ms
    0x0E: (140, 0),    # G2 MSM: 72 ms a point
    0x0F: (220, 0),    # pairing check: 0.36 s a pair
    0x10: (16, 0),     # map to G1: 2 ms
    0x11: (110, 0),    # map to G2: 81 ms
}


def priced_opcodes(opcodes: Mapping[int, OpcodeAPI]) -> dict[int, OpcodeAPI]:
    """`opcodes` with every instruction's static gas raised by its dispatch (and extra) charge."""
    return {number: _priced_opcode(number, opcode) for number, opcode in opcodes.items()}


def _priced_opcode(number: int, opcode: OpcodeAPI) -> OpcodeAPI:
    extra = (DISPATCH_GAS if number != STOP else 0) + EXTRA_GAS.get(number, 0)
    if isinstance(opcode, _FastOpcode):
        logic = _sentried(opcode.logic_fn) if number == SSTORE else opcode.logic_fn
        return _FastOpcode(logic, opcode.mnemonic, opcode.gas_cost + extra)
    if isinstance(opcode, BaseCall):
        return _with_stipend(type(opcode)).configure(gas_cost=opcode.gas_cost + extra + FRAME_GAS)()
    if isinstance(opcode, Opcode):  # CREATE, CREATE2
        return type(opcode).configure(gas_cost=opcode.gas_cost + extra)()
    raise TypeError(f"no price rule for opcode 0x{number:02x} ({opcode!r})")


def _sentried(sstore: Callable[[ComputationAPI], None]) -> Callable[[ComputationAPI], None]:
    """SSTORE refused with no more gas left than the stipend (EIP-2200's sentry, at our stipend)."""

    def logic(computation: ComputationAPI) -> None:
        if computation.get_gas_remaining() <= STIPEND_GAS:
            raise OutOfGas(f"SSTORE needs more than the {STIPEND_GAS:,}-gas stipend")
        sstore(computation)

    return logic


def _with_stipend(call_class: type[BaseCall]) -> type[BaseCall]:
    """`call_class` whose value-bearing calls give the callee STIPEND_GAS instead of 2,300 (the
    callee returns what it leaves: the caller's 9,000 for the value transfer still covers it)."""

    class Stipended(call_class):
        def compute_msg_gas(self, computation, gas, to, value):
            child_gas, total_fee = super().compute_msg_gas(computation, gas, to, value)
            return child_gas + (STIPEND_GAS - GAS_CALLSTIPEND if value else 0), total_fee

    Stipended.__name__ = call_class.__name__
    return Stipended


def priced_precompiles(precompiles: Mapping[bytes, Callable[[ComputationAPI], ComputationAPI]]) -> dict:
    """`precompiles` with each of PRECOMPILE_PRICES charging its multiple and extra."""
    return {address: _priced_precompile(run, *PRECOMPILE_PRICES[int.from_bytes(address, "big")])
            if int.from_bytes(address, "big") in PRECOMPILE_PRICES else run
            for address, run in precompiles.items()}


def _priced_precompile(run: Callable[[ComputationAPI], ComputationAPI], multiple: int, extra: int):
    """`run` charged `multiple` times its own price plus `extra`: it runs against a meter holding
    1/multiple of the gas left, so it stops for want of gas before its work, as at Ethereum's price,
    and what it took from that meter is charged `multiple` times."""

    def priced(computation: ComputationAPI) -> ComputationAPI:
        computation.consume_gas(extra, reason="precompile base")
        meter = computation._gas_meter
        scaled = GasMeter(meter.gas_remaining // multiple)
        computation._gas_meter = scaled
        try:
            run(computation)
        finally:
            computation._gas_meter = meter
        computation.consume_gas((scaled.start_gas - scaled.gas_remaining) * multiple, reason="precompile")
        return computation

    return priced
