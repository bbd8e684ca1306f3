"""Staking parameters, fixed at genesis (DESIGN.md §5; defaults shown)."""

from dataclasses import dataclass

from ..precompiles.params import params_from_json, params_to_json

WEI_PER_CMT = 10**18
BPS = 10_000
YEAR_SECONDS = 366 * 24 * 3600


@dataclass(frozen=True, slots=True)
class StakingParams:
    min_self_stake_ratio_bps: int = 1_000
    min_delegation_wei: int = 1_000 * WEI_PER_CMT
    max_validators: int = 19
    unbonding_seconds: int = 7 * 24 * 3600
    max_commission_change_bps: int = 100
    max_power_share_bps: int = 1_200
    slash_double_sign_bps: int = 500
    slash_downtime_bps: int = 1
    downtime_window: int = 1_000
    downtime_max_missed: int = 500
    jail_seconds: int = 600
    min_undelegation_wei: int = WEI_PER_CMT  # each undelegation is a queue entry: no dust entries

    @classmethod
    def from_json(cls, doc: dict) -> "StakingParams":
        return params_from_json(cls, doc, "staking")

    def validate(self) -> None:
        for name in ("min_self_stake_ratio_bps", "max_commission_change_bps", "max_power_share_bps",
                     "slash_double_sign_bps", "slash_downtime_bps"):
            if getattr(self, name) > BPS:
                raise ValueError(f"staking param {name} must be at most {BPS} bps")
        if self.max_validators < 1 or self.downtime_window < 1:
            raise ValueError("max_validators and downtime_window must be at least 1")
        if self.max_validators > 1_000:
            raise ValueError("max_validators must be at most 1000")
        if self.jail_seconds >= 2**32:
            raise ValueError("staking param jail_seconds must be below 2**32 seconds")
        if self.unbonding_seconds > YEAR_SECONDS:
            raise ValueError(f"staking param unbonding_seconds must be at most {YEAR_SECONDS} (a year)")
        if self.min_delegation_wei >= 2**128:
            raise ValueError("staking param min_delegation_wei must be below 2**128 wei")
        if self.downtime_max_missed >= self.downtime_window:
            raise ValueError("downtime_max_missed must be below downtime_window")

    def to_json(self) -> dict:
        return params_to_json(self)
