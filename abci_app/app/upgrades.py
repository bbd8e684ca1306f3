"""Coordinated software upgrades: what a node does at the height of the plan governance scheduled
(a passed SOFTWARE_UPGRADE proposal; abci_app/governance).

A binary knows the plans it has a handler for. At the start of the plan's height:
- with the handler, the node runs it inside that block, before its transactions (a migration of
  state, or nothing), records the plan as carried out, and goes on;
- without it (the old binary), the node stops before executing the block: it logs the plan,
  writes `upgrade-info.json` beside its database (what `miles start --upgrade-dir` reads) and
  exits with EXIT_UPGRADE_NEEDED. Restarted the same way, it stops again at the same place.
Before that height, a binary with the handler refuses the blocks (EXIT_UPGRADE_EARLY): it would
apply rules the chain has not switched to yet.

Handlers live in HANDLERS, keyed by plan name; a release that carries an upgrade adds its own.
MILES_TEST_UPGRADE_PLANS (comma-separated plan names) registers a handler that changes nothing
for each: tests of the mechanism only.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

from .. import governance

EXIT_UPGRADE_NEEDED = 5   # the chain reached an upgrade this binary does not know
EXIT_UPGRADE_EARLY = 6    # this binary knows an upgrade the chain has not reached
INFO_FILE = "upgrade-info.json"
TEST_PLANS_ENV = "MILES_TEST_UPGRADE_PLANS"

Handler = Callable[[object, int], None]   # (the block's py-evm state, the height)
HANDLERS: dict[str, Handler] = {}


class UpgradeNeeded(Exception):
    """The chain's plan is due at this height and this binary has no handler for it."""

    def __init__(self, plan: governance.UpgradePlan) -> None:
        super().__init__(f"UPGRADE NEEDED: plan {plan.name!r} at height {plan.height} ({plan.info or 'no info'}); "
                         f"this binary does not carry it. Install the release for {plan.name} and restart "
                         f"(miles start --upgrade-dir does it by itself)")
        self.plan = plan


class UpgradeEarly(Exception):
    """This binary carries the plan, but the chain has not reached its height."""

    def __init__(self, plan: governance.UpgradePlan, height: int) -> None:
        super().__init__(f"this binary carries upgrade {plan.name!r}, due at height {plan.height}, and the "
                         f"chain is at {height}: run the previous release until the upgrade height")
        self.plan = plan


def _no_change(state, height: int) -> None:
    """A test plan's handler: the upgrade itself is the only change."""


def known_handlers() -> dict[str, Handler]:
    """This binary's handlers, with the test plans named in MILES_TEST_UPGRADE_PLANS."""
    test_plans = [name for name in os.environ.get(TEST_PLANS_ENV, "").split(",") if name]
    return {**{name: _no_change for name in test_plans}, **HANDLERS}


def start_block(state, height: int, handlers: dict[str, Handler]) -> str | None:
    """At the start of block `height` (before its transactions): carry out the plan due now, if
    this binary can (its name, or None); UpgradeNeeded or UpgradeEarly if it must stop."""
    plan = governance.upgrade_plan(state)
    if plan.height == 0:
        return None
    if plan.name in handlers and height < plan.height:
        raise UpgradeEarly(plan, height)
    if height != plan.height:
        return None
    if plan.name not in handlers:
        raise UpgradeNeeded(plan)
    handlers[plan.name](state, height)
    governance.finish_upgrade(state, height)
    return plan.name


def write_info(db_path: str, plan: governance.UpgradePlan) -> Path:
    """upgrade-info.json beside the database: the plan a stopped node waits for (as cosmovisor's)."""
    path = Path(db_path).parent / INFO_FILE
    path.write_text(json.dumps({"name": plan.name, "height": plan.height, "info": plan.info}) + "\n")
    return path
