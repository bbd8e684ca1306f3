"""Where every staking record lives in the storage of the staking precompile (0x...CC01).

This module alone knows the layout; everything else asks it.
"""

import hashlib
from collections.abc import Callable

from ..economics import MintParams, MintState
from ..precompiles import AddressSet, Queue, Storage, WordSet, slot_of
from ..precompiles.module_state import PARAMS_SLOT
from .params import StakingParams
from .records import Applied, Candidate, Redelegation, Unbonding, Uptime

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc01")
MINT_PARAMS_SLOT = slot_of("mint_params")

# Told of every change of a delegation's shares: (staking's storage, delegator, candidate, old
# shares, new shares). Governance keeps its running vote tally with it (app/modules.py registers).
ShareWatcher = Callable[[Storage, bytes, bytes, int, int], None]
SHARE_WATCHERS: list[ShareWatcher] = []


def watch_shares(watcher: ShareWatcher) -> None:
    if watcher not in SHARE_WATCHERS:
        SHARE_WATCHERS.append(watcher)


def consensus_address(pubkey: bytes) -> bytes:
    """CometBFT's validator address for an ed25519 key: sha256(key)[:20]."""
    return hashlib.sha256(pubkey).digest()[:20]


class StakingState:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.payouts: list[tuple[bytes, bytes, int]] = []  # (delegator, candidate, wei) settled in this call
        self.candidates = AddressSet(storage, "candidates")
        self.validators = AddressSet(storage, "validators")
        self.unbondings = Queue(storage, Unbonding, "unbondings")           # in completion order
        self.redelegations = Queue(storage, Redelegation, "redelegations")  # in completion order

    # ---- params and totals ---------------------------------------------------------------------

    def params(self) -> StakingParams:
        return self.storage.load(StakingParams, PARAMS_SLOT)

    def set_params(self, params: StakingParams) -> None:
        self.storage.save(PARAMS_SLOT, params)

    @property
    def burned_wei(self) -> int:
        return self.storage.word(slot_of("burned"))

    def add_burned(self, amount_wei: int) -> None:
        self.storage.set_word(slot_of("burned"), self.burned_wei + amount_wei)

    # ---- supply and inflation ------------------------------------------------------------------

    @property
    def genesis_supply_wei(self) -> int:
        return self.storage.word(slot_of("genesis_supply"))

    def set_genesis_supply(self, supply_wei: int) -> None:
        self.storage.set_word(slot_of("genesis_supply"), supply_wei)

    def mint_params(self) -> MintParams:
        return self.storage.load(MintParams, MINT_PARAMS_SLOT)

    def set_mint_params(self, params: MintParams) -> None:
        self.storage.save(MINT_PARAMS_SLOT, params)

    def mint_state(self) -> MintState:
        return self.storage.load(MintState, slot_of("mint"))

    def set_mint_state(self, state: MintState) -> None:
        self.storage.save(slot_of("mint"), state)

    @property
    def supply_wei(self) -> int:
        """Genesis supply + everything minted - everything burned: the sum of all balances."""
        return self.genesis_supply_wei + self.mint_state().minted_total_wei - self.burned_wei

    # ---- rewards -------------------------------------------------------------------------------

    def reward_per_share(self, operator: bytes) -> int:
        return self.storage.word(slot_of("acc", operator))

    def set_reward_per_share(self, operator: bytes, acc: int) -> None:
        self.storage.set_word(slot_of("acc", operator), acc)

    def commission_wei(self, operator: bytes) -> int:
        return self.storage.word(slot_of("commission", operator))

    def set_commission_wei(self, operator: bytes, amount_wei: int) -> None:
        self.storage.set_word(slot_of("commission", operator), amount_wei)

    def debt_scaled(self, delegator: bytes, operator: bytes) -> int:
        return self.storage.word(slot_of("debt", delegator, operator))

    def set_debt_scaled(self, delegator: bytes, operator: bytes, debt: int) -> None:
        self.storage.set_word(slot_of("debt", delegator, operator), debt)

    def reward_carry(self, delegator: bytes, operator: bytes) -> int:
        return self.storage.word(slot_of("carry", delegator, operator))

    def set_reward_carry(self, delegator: bytes, operator: bytes, carry: int) -> None:
        self.storage.set_word(slot_of("carry", delegator, operator), carry)

    @property
    def set_changed(self) -> bool:
        """Something that can change the validator set happened since the last update."""
        return self.storage.word(slot_of("set_changed")) != 0

    def mark_set_changed(self, changed: bool = True) -> None:
        self.storage.set_word(slot_of("set_changed"), int(changed))

    # ---- candidates ----------------------------------------------------------------------------

    def candidate(self, operator: bytes) -> Candidate:
        return self.storage.load(Candidate, slot_of("candidate", operator))

    def set_candidate(self, operator: bytes, candidate: Candidate) -> None:
        self.storage.save(slot_of("candidate", operator), candidate)

    def applied(self, operator: bytes) -> Applied:
        return self.storage.load(Applied, slot_of("applied", operator))

    def set_applied(self, operator: bytes, applied: Applied) -> None:
        self.storage.save(slot_of("applied", operator), applied)

    def operator_of(self, consensus: bytes) -> bytes | None:
        """The candidate that signs with the key of this CometBFT validator address."""
        word = self.storage.word(slot_of("operator", consensus))
        return word.to_bytes(20, "big") if word else None

    def set_operator_of(self, consensus: bytes, operator: bytes) -> None:
        self.storage.set_word(slot_of("operator", consensus), int.from_bytes(operator, "big"))

    def pubkey_taken(self, pubkey: bytes) -> bool:
        return self.operator_of(consensus_address(pubkey)) is not None

    # ---- delegations ---------------------------------------------------------------------------

    def shares(self, delegator: bytes, candidate: bytes) -> int:
        return self.storage.word(slot_of("shares", delegator, candidate))

    def set_shares(self, delegator: bytes, candidate: bytes, shares: int) -> None:
        old = self.shares(delegator, candidate)
        self.storage.set_word(slot_of("shares", delegator, candidate), shares)
        for watcher in SHARE_WATCHERS:
            watcher(self.storage, delegator, candidate, old, shares)
        if shares:
            self.delegations_of(delegator).add(candidate)
            self.delegators_of(candidate).add(delegator)
        else:
            self.delegations_of(delegator).remove(candidate)
            self.delegators_of(candidate).remove(delegator)

    def delegations_of(self, delegator: bytes) -> AddressSet:
        """The candidates a delegator holds shares of."""
        return AddressSet(self.storage, "delegations", delegator)

    def delegators_of(self, candidate: bytes) -> AddressSet:
        return AddressSet(self.storage, "delegators", candidate)

    # ---- indexes of the queues: a view or a slash reads only its own entries ----------------------

    def unbondings_of(self, delegator: bytes) -> WordSet:
        """Queue indexes of a delegator's pending unbondings."""
        return WordSet(self.storage, "unbondings_of", delegator)

    def unbondings_to(self, candidate: bytes) -> WordSet:
        """Queue indexes of the pending unbondings from a candidate's pool."""
        return WordSet(self.storage, "unbondings_to", candidate)

    def unbondings_between(self, delegator: bytes, candidate: bytes) -> WordSet:
        """Queue indexes of a delegator's pending unbondings from one candidate (at most MAX_ENTRIES)."""
        return WordSet(self.storage, "unbondings_between", delegator, candidate)

    def redelegations_from(self, source: bytes) -> WordSet:
        """Queue indexes of the remembered redelegations away from a candidate."""
        return WordSet(self.storage, "redelegations_from", source)

    def redelegations_into(self, delegator: bytes, target: bytes) -> WordSet:
        """Queue indexes of a delegator's remembered redelegations to one candidate (at most
        MAX_ENTRIES); while there are any, that stake may not move on."""
        return WordSet(self.storage, "redelegations_into", delegator, target)

    # ---- uptime --------------------------------------------------------------------------------

    def uptime(self, candidate: bytes) -> Uptime:
        return self.storage.load(Uptime, slot_of("uptime", candidate))

    def set_uptime(self, candidate: bytes, uptime: Uptime) -> None:
        self.storage.save(slot_of("uptime", candidate), uptime)

    def missed_bit(self, candidate: bytes, index: int) -> bool:
        return (self.storage.word(slot_of("missed", candidate, index // 256)) >> (index % 256)) & 1 == 1

    def set_missed_bit(self, candidate: bytes, index: int, missed: bool) -> None:
        slot = slot_of("missed", candidate, index // 256)
        word = self.storage.word(slot)
        bit = 1 << (index % 256)
        self.storage.set_word(slot, word | bit if missed else word & ~bit)

    def reset_uptime(self, candidate: bytes, window: int) -> None:
        for i in range((window + 255) // 256):
            self.storage.set_word(slot_of("missed", candidate, i), 0)
        self.set_uptime(candidate, Uptime(observed=0, missed=0))
