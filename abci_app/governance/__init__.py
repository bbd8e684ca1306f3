"""Governance (DESIGN.md §4): the governance precompile at 0x...CC07.

Anyone submits a proposal with a deposit; once deposits reach the minimum, bonded stake votes yes,
abstain, no or veto (a validator's vote counts for its delegators unless they vote themselves).
Passed proposals change a module's param, spend from the community pool, or schedule (or cancel)
a software upgrade; text proposals only record the vote.

It has the middleware boundary (abci_app/middleware/__init__.py): NAME, ADDRESS, PRECOMPILE,
EVENTS, EVENT_PREFIX, parse_params, params_json, init_genesis, owed; and `end_block` for the app,
`shares_changed` for staking (staking.watch_shares) and `state_view` for tests and queries. It
is no middleware module: it reads staking and may change any module's params.
"""

from ..precompiles import Precompile, Storage
from . import solvency
from .calls import GovernanceCalls
from .end_block import Ended, end_block
from .events import EVENTS
from .params import GovernanceParams
from .records import ChainParams, UpgradePlan
from .state import ADDRESS, GovernanceState
from .tally import shares_changed

NAME = "governance"
EVENT_PREFIX = "gov"   # its logs become ABCI events "gov.<name>" (ProposalSubmitted -> gov.proposal_submitted)
PRECOMPILE = Precompile(ADDRESS, GovernanceCalls())


def parse_params(doc: dict) -> GovernanceParams:
    """The genesis section `app_state.governance` (ValueError if bad; unknown keys refused)."""
    return GovernanceParams.from_json(doc)


def params_json(params: GovernanceParams) -> dict:
    return params.to_json()


def init_genesis(state, params: GovernanceParams) -> None:
    """Store the params; no proposal, deposit or community pool exists at genesis."""
    GovernanceState(Storage(state, ADDRESS)).set_params(params)


def state_view(state) -> GovernanceState:
    """Governance records in a py-evm state, read-only."""
    return GovernanceState(Storage(state, ADDRESS, writable=False))


def chain_params(state) -> ChainParams:
    """The block gas limit and minimum gas price proposals set (0: the genesis value holds)."""
    return state_view(state).chain_params()


def upgrade_plan(state) -> UpgradePlan:
    """The scheduled software upgrade (height 0: none)."""
    return state_view(state).upgrade_plan()


def finish_upgrade(state, height: int) -> None:
    """The scheduled plan was carried out at `height`: remember it, and schedule nothing."""
    gov = GovernanceState(Storage(state, ADDRESS))
    gov.set_upgrade_done(gov.upgrade_plan().name, height)
    gov.set_upgrade_plan(UpgradePlan(0, 0, "", ""))


def owed(state) -> dict[str, int]:
    return solvency.owed(state_view(state))


__all__ = ["ADDRESS", "ChainParams", "chain_params", "EVENTS", "EVENT_PREFIX", "NAME", "PRECOMPILE", "Ended", "GovernanceParams",
           "GovernanceState", "UpgradePlan", "end_block", "finish_upgrade", "init_genesis", "owed",
           "params_json", "parse_params", "shares_changed", "state_view", "upgrade_plan"]
