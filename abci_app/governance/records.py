"""The governance records as they sit in the precompile's storage (see state.py for where)."""

from dataclasses import dataclass

TEXT, PARAM_CHANGE, COMMUNITY_SPEND, SOFTWARE_UPGRADE, CANCEL_UPGRADE = 1, 2, 3, 4, 5   # Proposal.kind
KIND_NAMES = {TEXT: "text", PARAM_CHANGE: "param_change", COMMUNITY_SPEND: "community_spend",
              SOFTWARE_UPGRADE: "software_upgrade", CANCEL_UPGRADE: "cancel_upgrade"}

# Proposal.status: DEPOSIT and VOTING are active; the others are final.
DEPOSIT, VOTING, PASSED, REJECTED, VETOED, EXPIRED, FAILED = 1, 2, 3, 4, 5, 6, 7
STATUS_NAMES = {DEPOSIT: "deposit", VOTING: "voting", PASSED: "passed", REJECTED: "rejected",
                VETOED: "vetoed", EXPIRED: "expired", FAILED: "failed"}

YES, ABSTAIN, NO, VETO = 1, 2, 3, 4   # vote options (as Cosmos SDK numbers them)
OPTIONS = (YES, ABSTAIN, NO, VETO)
OPTION_NAMES = {YES: "yes", ABSTAIN: "abstain", NO: "no", VETO: "veto"}


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes in wei of bonded stake, and the bonded stake they are measured against."""

    yes_wei: int = 0
    abstain_wei: int = 0
    no_wei: int = 0
    veto_wei: int = 0
    bonded_wei: int = 0

    @property
    def voted_wei(self) -> int:
        return self.yes_wei + self.abstain_wei + self.no_wei + self.veto_wei


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposal. `target`, `value`, `recipient` and `info` say what it does, by kind:
    PARAM_CHANGE: target "module.param", value the new value; COMMUNITY_SPEND: recipient, value
    the amount; SOFTWARE_UPGRADE: target the plan name, value its height, info; CANCEL_UPGRADE:
    target the plan name."""

    kind: int
    status: int
    proposer: int               # address as an integer
    submit_s: int
    deposit_end_s: int
    voting_end_s: int           # 0 until the deposit reaches the minimum
    deposit_wei: int            # all deposits, until returned or burned
    value: int
    recipient: int
    ended_height: int           # the block that ended it (0 while active)
    yes_wei: int                # the final tally (zeros while active)
    abstain_wei: int
    no_wei: int
    veto_wei: int
    bonded_wei: int
    title: str
    description: str
    target: str
    info: str
    outcome: str                # why it ended as it did (a FAILED proposal: why it could not be applied)

    @property
    def active(self) -> bool:
        return self.status in (DEPOSIT, VOTING)


@dataclass(frozen=True, slots=True)
class UpgradePlan:
    """The software upgrade a passed proposal scheduled: every node stops before executing
    `height` unless its binary has a handler for `name` (app/upgrades.py)."""

    height: int
    proposal_id: int
    name: str
    info: str


@dataclass(frozen=True, slots=True)
class ChainParams:
    """The block gas limit and the fee market's minimum gas price as proposals set them; 0 keeps
    the genesis value (the app reads them at every block: app/genesis.py `current_params`)."""

    block_gas_limit: int = 0
    min_gas_price_wei: int = 0

    def validate(self) -> None:
        if self.block_gas_limit and not 21_000 <= self.block_gas_limit <= 1_000_000_000:
            raise ValueError("chain param block_gas_limit must be 21000 to 1000000000 (or 0: the genesis value)")
        if self.min_gas_price_wei >= 2**64:
            raise ValueError("chain param min_gas_price_wei must be below 2**64 wei (or 0: the genesis value)")
