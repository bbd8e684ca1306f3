"""Read-only answers about governance as Solidity tuples (the ABI types live here, next to the
builders). An unknown proposal is no error: its views answer zeros."""

from ..precompiles import int_address
from .params import GovernanceParams
from .records import Proposal, Tally

PROPOSAL_ABI = ("(uint8,uint8,address,uint64,uint64,uint64,uint256,uint256,address,uint64,uint256,uint256,"
                "uint256,uint256,uint256,string,string,string,string,string)")
TALLY_ABI = "(uint256,uint256,uint256,uint256,uint256)"
PARAMS_ABI = "(uint256,uint256,uint64,uint64,uint16,uint16,uint16,uint16)"
PLAN_ABI = "(string,uint256,string,uint256)"


def _address(word: int) -> str:
    return "0x" + int_address(word).hex()


def proposal_tuple(p: Proposal) -> tuple:
    """IGovernance.Proposal: kind, status, proposer, submitTime, depositEnd, votingEnd, deposit,
    value, recipient, endedHeight, yes, abstain, no, veto, bonded (the final tally; zeros while
    active), title, description, target, info, outcome."""
    return (p.kind, p.status, _address(p.proposer), p.submit_s, p.deposit_end_s, p.voting_end_s, p.deposit_wei,
            p.value, _address(p.recipient), p.ended_height, p.yes_wei, p.abstain_wei, p.no_wei, p.veto_wei,
            p.bonded_wei, p.title, p.description, p.target, p.info, p.outcome)


def tally_tuple(t: Tally) -> tuple:
    return t.yes_wei, t.abstain_wei, t.no_wei, t.veto_wei, t.bonded_wei


def params_tuple(p: GovernanceParams) -> tuple:
    return (p.min_deposit_wei, p.min_initial_deposit_wei, p.deposit_period_s, p.voting_period_s, p.quorum_bps,
            p.threshold_bps, p.veto_threshold_bps, p.max_active_proposals)
