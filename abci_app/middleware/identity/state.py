"""Where every identity record lives in the storage of the identity precompile (0x...CC06).

This module alone knows the layout (README.md, "Storage layout"); everything else asks it.
"""

from ...precompiles import AddressSet, ModuleState, Storage, slot_of
from .params import IdentityParams
from .records import Attester, Claim

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc06")


class IdentityState(ModuleState):
    PARAMS = IdentityParams

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage)
        self.attesters = AddressSet(storage, "attesters")   # registered attesters (solvency sums their bonds)

    @property
    def claim_count(self) -> int:
        """issueClaim calls that succeeded, ever (renewals included)."""
        return self.storage.word(slot_of("claim_count"))

    def count_claim(self) -> None:
        self.storage.set_word(slot_of("claim_count"), self.claim_count + 1)

    def attester(self, address: bytes) -> Attester:
        return self.storage.load(Attester, slot_of("attester", address))

    def set_attester(self, address: bytes, attester: Attester) -> None:
        self.storage.save(slot_of("attester", address), attester)

    def claim(self, attester: bytes, subject: bytes, claim_type: bytes) -> Claim:
        return self.storage.load(Claim, slot_of("claim", attester, subject, claim_type))

    def set_claim(self, attester: bytes, subject: bytes, claim_type: bytes, claim: Claim) -> None:
        self.storage.save(slot_of("claim", attester, subject, claim_type), claim)
