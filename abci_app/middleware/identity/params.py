"""Identity parameters, fixed at genesis in `app_state.identity` (defaults shown)."""

from dataclasses import dataclass

from ...precompiles.params import params_from_json, params_to_json

WEI_PER_CMT = 10**18


@dataclass(frozen=True, slots=True)
class IdentityParams:
    min_attester_bond_wei: int = 100 * WEI_PER_CMT   # what registerAttester must send, at least

    @classmethod
    def from_json(cls, doc: dict) -> "IdentityParams":
        return params_from_json(cls, doc, "identity")

    def validate(self) -> None:
        if not 1 <= self.min_attester_bond_wei < 2**128:
            raise ValueError("identity param min_attester_bond_wei must be between 1 and 2**128 - 1 wei")

    def to_json(self) -> dict:
        return params_to_json(self)
