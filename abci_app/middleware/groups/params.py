"""Groups parameters, fixed at genesis in `app_state.groups` (defaults shown)."""

from dataclasses import dataclass

from ...precompiles.params import params_from_json, params_to_json

WEI_PER_CMT = 10**18
IDENTITY_ADDRESS = 0xCC06   # the identity precompile (abci_app/middleware/identity): asked, never imported


@dataclass(frozen=True, slots=True)
class GroupsParams:
    group_bond_wei: int = 1_000 * WEI_PER_CMT   # what createGroup must send, exactly; back at closeGroup
    max_moderators: int = 20                    # moderators of a group, the owner included
    identity_address: int = IDENTITY_ADDRESS    # whose hasClaim a CLAIM group asks

    @classmethod
    def from_json(cls, doc: dict) -> "GroupsParams":
        """As every module's params, except that identity_address may be given as 0x + 40 hex."""
        if isinstance(doc, dict) and isinstance(doc.get("identity_address"), str) \
                and doc["identity_address"].startswith("0x"):
            try:
                doc = {**doc, "identity_address": int(doc["identity_address"], 16)}
            except ValueError:
                raise ValueError("groups param identity_address must be an address") from None
        return params_from_json(cls, doc, "groups")

    def validate(self) -> None:
        if not 1 <= self.group_bond_wei < 2**128:
            raise ValueError("groups param group_bond_wei must be between 1 and 2**128 - 1 wei")
        if not 1 <= self.max_moderators <= 1_000:
            raise ValueError("groups param max_moderators must be between 1 and 1000")
        if not 1 <= self.identity_address < 2**160:
            raise ValueError("groups param identity_address must be a nonzero address")

    def to_json(self) -> dict:
        doc = params_to_json(self)
        doc["identity_address"] = "0x" + self.identity_address.to_bytes(20, "big").hex()
        return doc
