"""Where every ads record lives in the storage of the ads precompile (0x...CC04).

This module alone knows the layout (README.md, "Storage layout"); everything else asks it.
"""


from ...precompiles import ModuleState, Storage, WordSet, address_int, int_address, slot_of
from .params import AdsParams
from .records import Campaign, Message, Profile

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc04")


class AdsState(ModuleState):
    PARAMS = AdsParams

    # ---- totals (params and funds come from ModuleState) ------------------------------------

    @property
    def campaign_count(self) -> int:
        """Campaign ids run from 1 to campaign_count."""
        return self.storage.word(slot_of("campaign_count"))

    @property
    def message_count(self) -> int:
        return self.storage.word(slot_of("message_count"))

    # ---- users ---------------------------------------------------------------------------------

    def profile(self, user: bytes) -> Profile:
        return self.storage.load(Profile, slot_of("profile", user))

    def set_profile(self, user: bytes, profile: Profile) -> None:
        self.storage.save(slot_of("profile", user), profile)

    def is_blocked(self, user: bytes, advertiser: bytes) -> bool:
        return self.storage.word(slot_of("blocked", user, advertiser)) != 0

    def set_blocked(self, user: bytes, advertiser: bytes, blocked: bool) -> None:
        self.storage.set_word(slot_of("blocked", user, advertiser), int(blocked))

    def inbox(self, user: bytes) -> WordSet:
        """The ids of the user's pending messages."""
        return WordSet(self.storage, "inbox", user)

    def received(self, campaign_id: int, user: bytes) -> bool:
        return self.storage.word(slot_of("received", campaign_id, user)) != 0

    def mark_received(self, campaign_id: int, user: bytes) -> None:
        self.storage.set_word(slot_of("received", campaign_id, user), 1)

    # ---- campaigns -----------------------------------------------------------------------------

    def campaign_exists(self, campaign_id: int) -> bool:
        return 1 <= campaign_id <= self.campaign_count

    def campaign(self, campaign_id: int) -> Campaign:
        return self.storage.load(Campaign, slot_of("campaign", campaign_id))

    def set_campaign(self, campaign_id: int, campaign: Campaign) -> None:
        self.storage.save(slot_of("campaign", campaign_id), campaign)

    def campaign_group(self, campaign_id: int) -> int:
        """The group whose members alone may receive the campaign's messages (0: anyone)."""
        return self.storage.word(slot_of("campaign_group", campaign_id))

    def set_campaign_group(self, campaign_id: int, group_id: int) -> None:
        self.storage.set_word(slot_of("campaign_group", campaign_id), group_id)

    def content(self, campaign_id: int) -> str:
        return self.storage.blob(slot_of("content", campaign_id)).decode()

    def add_campaign(self, campaign: Campaign, content: str) -> int:
        campaign_id = self.campaign_count + 1
        self.storage.set_word(slot_of("campaign_count"), campaign_id)
        self.set_campaign(campaign_id, campaign)
        self.storage.set_blob(slot_of("content", campaign_id), content.encode())
        return campaign_id

    # ---- messages ------------------------------------------------------------------------------

    def message_exists(self, message_id: int) -> bool:
        return 1 <= message_id <= self.message_count

    def message(self, message_id: int) -> Message:
        return self.storage.load(Message, slot_of("message", message_id))

    def set_message(self, message_id: int, message: Message) -> None:
        self.storage.save(slot_of("message", message_id), message)

    def add_message(self, message: Message) -> int:
        message_id = self.message_count + 1
        self.storage.set_word(slot_of("message_count"), message_id)
        self.set_message(message_id, message)
        return message_id
