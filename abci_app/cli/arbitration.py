"""`miles arbitration ...`: the arbitration precompile (0x...CC03) from the command line.

One read so far: `credit ADDR`, an address's credit record and score (IArbitration.credit, the
arbitration README defines both), run through abci_query `/call` at the last committed block and
printed as JSON; no key is needed. Orders are wallets' and contracts' business: `miles tx send
--sig` reaches every function of IArbitration.sol.
"""

import argparse

from eth_utils import to_checksum_address

from ..middleware.arbitration import ADDRESS
from .precompile_tx import Target, print_view
from .send import parse_address

ARBITRATION = Target("IArbitration", to_checksum_address(ADDRESS), lambda function: None)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    arbitration = commands.add_parser("arbitration", help="arbitrated escrow: credit records").add_subparsers(
        dest="arbitration_command", required=True)
    credit = arbitration.add_parser(
        "credit", help="an address's credit record and score",
        description="an address's credit record (its ended orders as buyer and seller, disputes won and "
                    "lost, reviews received, first and last activity) and its score 0..999")
    credit.add_argument("address", metavar="ADDR")
    credit.set_defaults(run=lambda args: print_view(
        args, ARBITRATION, "credit", lambda a: (parse_address(a.address, "ADDR"),)))
