"""Pure integer economics: inflation and reward distribution. Imports nothing of ours."""

from .inflation import YEAR_SECONDS, MintParams, MintState, annual_provision, compute_mint, genesis_mint_state
from .rewards import SCALE, accrue, settle, split_by_power, split_commission

__all__ = [
    "SCALE",
    "YEAR_SECONDS",
    "MintParams",
    "MintState",
    "accrue",
    "annual_provision",
    "compute_mint",
    "genesis_mint_state",
    "settle",
    "split_by_power",
    "split_commission",
]
