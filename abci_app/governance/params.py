"""Governance parameters, from genesis `app_state.governance` (defaults shown); a proposal may change them."""

from dataclasses import dataclass

from ..precompiles.params import params_from_json, params_to_json

WEI_PER_CMT = 10**18
BPS = 10_000
DAY = 24 * 3600


@dataclass(frozen=True, slots=True)
class GovernanceParams:
    min_deposit_wei: int = 10_000 * WEI_PER_CMT        # a proposal's deposit that opens its vote
    min_initial_deposit_wei: int = 1_000 * WEI_PER_CMT  # what a submission must bring
    deposit_period_s: int = 2 * DAY                     # to reach min_deposit_wei, or expire
    voting_period_s: int = 2 * DAY
    quorum_bps: int = 3_340                             # of the bonded stake must vote
    threshold_bps: int = 5_000                          # yes must exceed this share of yes + no + veto
    veto_threshold_bps: int = 3_340                     # veto above this share of all votes burns the deposit
    max_active_proposals: int = 20                      # in deposit or voting at once: bounds each block's work

    @classmethod
    def from_json(cls, doc: dict) -> "GovernanceParams":
        return params_from_json(cls, doc, "governance")

    def validate(self) -> None:
        for name in ("quorum_bps", "threshold_bps", "veto_threshold_bps"):
            if not 1 <= getattr(self, name) <= BPS:
                raise ValueError(f"governance param {name} must be 1 to {BPS} bps")
        if not 1 <= self.min_deposit_wei < 2**128:
            raise ValueError("governance param min_deposit_wei must be between 1 and 2**128 - 1 wei")
        if not 1 <= self.min_initial_deposit_wei <= self.min_deposit_wei:
            raise ValueError("governance param min_initial_deposit_wei must be between 1 and min_deposit_wei")
        for name in ("deposit_period_s", "voting_period_s"):
            if not 10 <= getattr(self, name) <= 365 * DAY:
                raise ValueError(f"governance param {name} must be between 10 seconds and a year")
        if not 1 <= self.max_active_proposals <= 100:
            raise ValueError("governance param max_active_proposals must be 1 to 100")

    def to_json(self) -> dict:
        return params_to_json(self)
