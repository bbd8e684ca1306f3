"""Pure integer economics: inflation, reward distribution, the base fee. Imports nothing of ours."""

from .fee_market import next_base_fee, split_base_fee
from .inflation import BPS, YEAR_SECONDS, MintParams, MintState, annual_provision, compute_mint, genesis_mint_state
from .rewards import SCALE, accrue, settle, split_by_power, split_commission

__all__ = [
    "BPS",
    "SCALE",
    "YEAR_SECONDS",
    "MintParams",
    "MintState",
    "accrue",
    "annual_provision",
    "compute_mint",
    "genesis_mint_state",
    "next_base_fee",
    "settle",
    "split_base_fee",
    "split_by_power",
    "split_commission",
]
