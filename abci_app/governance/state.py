"""Where every governance record lives in the storage of the governance precompile (0x...CC07).

This module alone knows the layout; everything else asks it.
"""

import dataclasses

from ..precompiles import ModuleState, WordSet, address_int, slot_of
from .params import GovernanceParams
from .records import ChainParams, Proposal, UpgradePlan

CHAIN_PARAMS_SLOT = slot_of("chain_params")
_FIELD_INDEX = {f.name: i for i, f in enumerate(dataclasses.fields(Proposal))}

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc07")


class GovernanceState(ModuleState):
    """`funds` (ModuleState) are the deposits held; the account's balance above them is the
    community pool (staking's mint pays its share straight into the account)."""

    PARAMS = GovernanceParams

    @property
    def community_pool_wei(self) -> int:
        """The account's balance above the deposits it holds."""
        return self.storage.state.get_balance(ADDRESS) - self.funds_wei

    # ---- proposals ---------------------------------------------------------------------------

    @property
    def proposal_count(self) -> int:
        """Proposals submitted, ever: ids run from 1 to proposal_count."""
        return self.storage.word(slot_of("proposal_count"))

    def next_proposal_id(self) -> int:
        proposal_id = self.proposal_count + 1
        self.storage.set_word(slot_of("proposal_count"), proposal_id)
        return proposal_id

    def exists(self, proposal_id: int) -> bool:
        return 1 <= proposal_id <= self.proposal_count

    def proposal(self, proposal_id: int) -> Proposal:
        return self.storage.load(Proposal, slot_of("proposal", proposal_id))

    def proposal_word(self, proposal_id: int, name: str) -> int:
        """One integer field of a proposal (`status`, `voting_end_s`...), one read: what the
        end of every block and the share-change hook read, never the texts."""
        return self.storage.word(slot_of("proposal", proposal_id) + _FIELD_INDEX[name])

    def set_proposal(self, proposal_id: int, proposal: Proposal) -> None:
        self.storage.save(slot_of("proposal", proposal_id), proposal)

    @property
    def active(self) -> WordSet:
        """Ids of the proposals in their deposit or voting period (at most max_active_proposals)."""
        return WordSet(self.storage, "active")

    # ---- deposits ----------------------------------------------------------------------------

    def deposit(self, proposal_id: int, depositor: bytes) -> int:
        return self.storage.word(slot_of("deposit", proposal_id, depositor))

    def set_deposit(self, proposal_id: int, depositor: bytes, amount_wei: int) -> None:
        self.storage.set_word(slot_of("deposit", proposal_id, depositor), amount_wei)
        if amount_wei:
            self.depositors(proposal_id).add(address_int(depositor))

    def depositors(self, proposal_id: int) -> WordSet:
        """Who deposited on a proposal (at most rules.MAX_DEPOSITORS)."""
        return WordSet(self.storage, "depositors", proposal_id)

    # ---- votes and the running tally (tally.py) ------------------------------------------------

    def vote(self, proposal_id: int, voter: bytes) -> int:
        """The voter's option (0: has not voted)."""
        return self.storage.word(slot_of("vote", proposal_id, voter))

    def set_vote(self, proposal_id: int, voter: bytes, option: int) -> None:
        self.storage.set_word(slot_of("vote", proposal_id, voter), option)

    def voted_shares(self, proposal_id: int, candidate: bytes, option: int) -> int:
        """Shares of a candidate's pool whose holders voted `option` themselves."""
        return self.storage.word(slot_of("voted_shares", proposal_id, candidate, option))

    def add_voted_shares(self, proposal_id: int, candidate: bytes, option: int, delta: int) -> None:
        slot = slot_of("voted_shares", proposal_id, candidate, option)
        self.storage.set_word(slot, self.storage.word(slot) + delta)

    def votes_of(self, voter: bytes) -> WordSet:
        """Ids of the proposals a voter voted on that may still be in their voting period."""
        return WordSet(self.storage, "votes_of", voter)

    # ---- the chain's own params ----------------------------------------------------------------

    def chain_params(self) -> ChainParams:
        return self.storage.load(ChainParams, CHAIN_PARAMS_SLOT)

    # ---- upgrades ----------------------------------------------------------------------------

    def upgrade_plan(self) -> UpgradePlan:
        """The scheduled upgrade (height 0: none)."""
        return self.storage.load(UpgradePlan, slot_of("upgrade_plan"))

    def set_upgrade_plan(self, plan: UpgradePlan) -> None:
        self.storage.save(slot_of("upgrade_plan"), plan)

    def upgrade_done(self, name: str) -> int:
        """The height at which the plan `name` was carried out (0: never)."""
        return self.storage.word(slot_of("upgrade_done", name))

    def set_upgrade_done(self, name: str, height: int) -> None:
        self.storage.set_word(slot_of("upgrade_done", name), height)
