"""What every middleware module keeps the same way in its storage: its params and its funds."""

from .storage import Storage, slot_of

PARAMS_SLOT = slot_of("params")   # where every module (staking too) keeps its params record


class ModuleState:
    """Base of a module's storage layout: the params record (`PARAMS` names its class) and the
    `funds` total, which always equals the precompile's balance (every module's tests check it)."""

    PARAMS: type

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def params(self):
        return self.storage.load(self.PARAMS, PARAMS_SLOT)

    def set_params(self, params) -> None:
        self.storage.save(PARAMS_SLOT, params)

    @property
    def funds_wei(self) -> int:
        return self.storage.word(slot_of("funds"))

    def set_funds_wei(self, amount_wei: int) -> None:
        self.storage.set_word(slot_of("funds"), amount_wei)

    def add_funds(self, delta_wei: int) -> None:
        self.set_funds_wei(self.funds_wei + delta_wei)
