"""The staking records as they sit in the precompile's storage (see state.py for where)."""

from dataclasses import dataclass

JAILED_FOREVER = 2**64 - 1


@dataclass(frozen=True, slots=True)
class Candidate:
    exists: bool
    pubkey: bytes               # ed25519 consensus key, 32 bytes
    next_pubkey: bytes          # a rotation waiting for the next validator-set update, or b""
    tokens_wei: int             # bonded to the pool: self-stake + delegations, after slashes
    shares: int                 # total shares of the pool
    commission_bps: int
    commission_window_start_s: int  # the day against which commission changes are limited
    commission_window_base_bps: int
    active: bool
    jailed_until_s: int         # 0: not jailed; JAILED_FOREVER: double sign
    name: str
    website: str
    details: str

    @property
    def jailed(self) -> bool:
        return self.jailed_until_s != 0

    @property
    def eligible(self) -> bool:
        """May be chosen as a validator."""
        return self.exists and self.active and not self.jailed


@dataclass(frozen=True, slots=True)
class Applied:
    """What CometBFT was last told about an operator: the key it signs with and its power.

    Kept apart from the candidate record, so that a candidacy withdrawn and declared again in the
    same block still removes the old key from CometBFT's set."""

    pubkey: bytes
    power: int


@dataclass(frozen=True, slots=True)
class Unbonding:
    delegator: bytes
    candidate: bytes
    amount_wei: int
    start_height: int
    completion_s: int


@dataclass(frozen=True, slots=True)
class Redelegation:
    """Stake moved from `source` to `target`: until `completion_s` a slash of the source for a
    fault at or before `start_height` follows it to the target (as Cosmos SDK's entries do)."""

    delegator: bytes
    source: bytes
    target: bytes
    amount_wei: int
    start_height: int
    completion_s: int


@dataclass(frozen=True, slots=True)
class Uptime:
    """Downtime tracking of one validator over the sliding window."""

    observed: int   # blocks whose commit included this validator since the window was reset
    missed: int     # missed blocks inside the window
