"""How fast gas burns here, per kind of work: the table in docs/performance.md (issue 14).

Each case (abci_app/bench/gas_work.py) is a contract that repeats one kind of work (an opcode
class, one instruction, or a call of one precompile with a valid input) until its gas runs out;
one transaction of `--gas` gas runs it in a block of its own on an in-process chain. The block's
time, less an empty block's, over the gas used gives Mgas/s: the slowest case bounds how long a
full block can take (evm/pricing.py prices the work so that none is below its target).

    .venv/bin/python scripts/gas_speed.py [--gas 30000000] [--opcodes] [--only jump,sha256]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from abci_app.bench import gas_work  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gas", type=int, default=30_000_000, help="gas of each case's transaction")
    parser.add_argument("--opcodes", action="store_true", help="also one case per instruction")
    parser.add_argument("--only", default="", help="comma-separated case names (default: all)")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    cases = {name: code for name, code in gas_work.cases(args.opcodes).items() if not only or name in only}
    print("| work | gas used | ms | Mgas/s |")
    print("|---|---:|---:|---:|")
    for name, gas_used, seconds in sorted(gas_work.measure(args.gas, cases), key=lambda row: row[1] / row[2]):
        print(f"| {name} | {gas_used:,} | {seconds * 1000:,.0f} | {gas_used / seconds / 1e6:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
