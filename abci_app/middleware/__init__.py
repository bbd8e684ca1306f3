"""E-commerce middleware as native precompiles (DESIGN.md §7): coupons (0x...CC02), arbitration
(0x...CC03), opt-in ads (0x...CC04), groups (0x...CC05) and identity claims (0x...CC06).

Every module package has the same boundary, which `app/modules.py` relies on:
  NAME            its section in the genesis app_state ("coupons", ...)
  ADDRESS         its precompile address (20 bytes)
  PRECOMPILE      the py-evm precompile (abci_app.precompiles.Precompile)
  EVENTS          every Event its precompile emits (with the parameter names of its interface)
  EVENT_PREFIX    its ABCI event types' prefix: log CouponClaimed -> event `coupon.claimed`
  parse_params(doc: dict) -> params     genesis section -> a frozen params record (ValueError if bad)
  params_json(params) -> dict           and back, for the stored genesis
  init_genesis(state, params) -> None   writes the params into its own storage
  owed(state) -> dict[str, int]         what its records owe, by kind, in wei (app/solvency.py
                                        checks that its balance covers it)
Modules import `precompiles`, `economics` and `errors` only: never each other, `staking` or `app`.
A module that needs another's answer asks its Solidity interface, as any contract would
(`CallContext.view_call`: a metered STATICCALL), never its storage.
"""

from . import ads, arbitration, coupons, groups, identity

# Every middleware module, in the order the app initialises them (app/modules.py).
MODULES = (coupons, ads, arbitration, identity, groups)
