"""Arbitration parameters, fixed at genesis in `app_state.arbitration` (defaults shown)."""

from dataclasses import dataclass

from ...precompiles.params import params_from_json, params_to_json

WEI_PER_CMT = 10**18
BPS = 10_000
DAY_S = 24 * 3600
MAX_ARBITERS_PER_CASE = 21   # bounds the work of a draw and of a resolution
MAX_DRAW_DELAY_BLOCKS = 128  # the draw block's hash must stay within BLOCKHASH's reach for a while


@dataclass(frozen=True, slots=True)
class ArbitrationParams:
    min_arbiter_stake_wei: int = 10_000 * WEI_PER_CMT
    arbiters_per_case: int = 3            # odd, so that a case where everybody votes has a majority
    fee_bps: int = 100                    # the arbitration fee reserve, out of each escrow
    dispute_window_seconds: int = 3 * DAY_S   # after the delivery deadline
    voting_seconds: int = 3 * DAY_S
    arbiter_penalty_bps: int = 500        # of a silent arbiter's stake
    unbonding_seconds: int = 7 * DAY_S
    dispute_fee_wei: int = WEI_PER_CMT     # paid by whoever raises a dispute; shared by the voters
    draw_delay_blocks: int = 2            # the panel is drawn from the hash of the block this far on

    @classmethod
    def from_json(cls, doc: dict) -> "ArbitrationParams":
        return params_from_json(cls, doc, "arbitration")

    def validate(self) -> None:
        if self.min_arbiter_stake_wei < 1:
            raise ValueError("arbitration param min_arbiter_stake_wei must be at least 1 wei")
        if not 1 <= self.arbiters_per_case <= MAX_ARBITERS_PER_CASE or self.arbiters_per_case % 2 == 0:
            raise ValueError(f"arbitration param arbiters_per_case must be odd, between 1 and {MAX_ARBITERS_PER_CASE}")
        if self.fee_bps >= BPS:
            raise ValueError(f"arbitration param fee_bps must be below {BPS}")
        if self.arbiter_penalty_bps > BPS:
            raise ValueError(f"arbitration param arbiter_penalty_bps must be at most {BPS}")
        if self.voting_seconds < 1:
            raise ValueError("arbitration param voting_seconds must be at least 1")
        for name in ("dispute_window_seconds", "voting_seconds", "unbonding_seconds"):
            if getattr(self, name) >= 2**32:
                raise ValueError(f"arbitration param {name} must be below 2**32 seconds")
        for name in ("min_arbiter_stake_wei", "dispute_fee_wei"):
            if getattr(self, name) >= 2**128:
                raise ValueError(f"arbitration param {name} must be below 2**128 wei")
        if not 1 <= self.draw_delay_blocks <= MAX_DRAW_DELAY_BLOCKS:
            raise ValueError(f"arbitration param draw_delay_blocks must be 1 to {MAX_DRAW_DELAY_BLOCKS}")

    def to_json(self) -> dict:
        return params_to_json(self)
