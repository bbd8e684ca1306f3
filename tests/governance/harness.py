"""Talking to the governance precompile like a wallet: the module harness pointed at 0x...CC07,
with genesis of short deposit and voting periods, helpers to submit, deposit, vote and let time
pass, and a reference tally computed the slow way from every delegation."""

from eth_abi import decode

from abci_app import governance, staking
from abci_app.governance.records import OPTIONS

from ..chain import CMT
from ..middleware.harness import ModuleChain
from ..staking.harness import staking_state

GOV = "0x" + governance.ADDRESS.hex()
MIN_DEPOSIT = 10_000 * CMT
MIN_INITIAL = 1_000 * CMT
PERIOD = 100   # deposit and voting periods of the test genesis, in seconds
YES, ABSTAIN, NO, VETO = 1, 2, 3, 4
DEPOSIT, VOTING, PASSED, REJECTED, VETOED, EXPIRED, FAILED = 1, 2, 3, 4, 5, 6, 7
TEXT, PARAM_CHANGE, COMMUNITY_SPEND, SOFTWARE_UPGRADE, CANCEL_UPGRADE = 1, 2, 3, 4, 5

SUBMIT_TEXT = "submitText(string,string)"
SUBMIT_PARAM = "submitParamChange(string,string,string,uint256)"
SUBMIT_SPEND = "submitCommunitySpend(string,string,address,uint256)"
SUBMIT_UPGRADE = "submitUpgrade(string,string,string,uint256,string)"
SUBMIT_CANCEL = "submitCancelUpgrade(string,string,string)"
DEPOSIT_CALL = "deposit(uint256)"
VOTE = "vote(uint256,uint8)"
PROPOSAL_ABI = ["(uint8,uint8,address,uint64,uint64,uint64,uint256,uint256,address,uint64,uint256,uint256,"
                "uint256,uint256,uint256,string,string,string,string,string)"]
TALLY_ABI = ["(uint256,uint256,uint256,uint256,uint256)"]


def gov_state(keys, params: dict | None = None, validators: int = 2, **economics) -> dict:
    """Genesis: funded keys (1,000,000 CMT each), `validators` staking validators of 100,000 CMT,
    deposit and voting periods of PERIOD seconds (other governance params as given)."""
    state = staking_state(keys, validators=validators)
    state["governance"] = {"deposit_period_s": PERIOD, "voting_period_s": PERIOD, **(params or {})}
    state["economics"].update(economics)
    return state


class GovChain(ModuleChain):
    """ModuleChain pointed at the governance precompile."""

    ADDRESS = GOV

    def submit(self, key, signature: str = SUBMIT_TEXT, *args, deposit: int = MIN_DEPOSIT) -> int:
        """A submission (default: a text proposal with the whole minimum deposit); its id."""
        args = args or ("Title", "Why")
        result = self.ok(key, signature, *args, value=deposit)
        (proposal_id,) = decode(["uint256"], result.data)
        return proposal_id

    def vote(self, key, proposal_id: int, option: int) -> None:
        self.ok(key, VOTE, proposal_id, option)

    def proposal(self, proposal_id: int) -> tuple:
        (answer,) = self.ask("proposal(uint256)", PROPOSAL_ABI, proposal_id)
        return answer

    def status(self, proposal_id: int) -> int:
        return self.proposal(proposal_id)[1]

    def tally(self, proposal_id: int) -> tuple:
        (answer,) = self.ask("tally(uint256)", TALLY_ABI, proposal_id)
        return answer

    def wait(self, seconds: int = PERIOD) -> None:
        """Let `seconds` of block time pass, in one empty block."""
        self.block([], seconds=seconds)

    def gov_records(self) -> tuple:
        st = governance.state_view(self.chain.app.reader.state)
        return st.proposal_count, tuple(sorted(st.active)), st.funds_wei

    def snapshot(self) -> tuple:
        return super().snapshot(), self.gov_records()

    def reference_tally(self, proposal_id: int) -> tuple:
        """The tally the slow way: every delegation of every validator in the set, each following
        its holder's vote, else its validator's; shares to wei per validator, rounded down."""
        state = self.chain.app.reader.state
        st, gov = staking.state_view(state), governance.state_view(state)
        totals = dict.fromkeys(OPTIONS, 0)
        bonded = 0
        for validator in st.validators:
            pool = st.candidate(validator)
            bonded += pool.tokens_wei
            shares = dict.fromkeys(OPTIONS, 0)
            for delegator in st.delegators_of(validator):
                option = gov.vote(proposal_id, delegator) or gov.vote(proposal_id, validator)
                if option:
                    shares[option] += st.shares(delegator, validator)
            for option in OPTIONS:
                totals[option] += shares[option] * pool.tokens_wei // pool.shares if pool.shares else 0
        return (*(totals[o] for o in OPTIONS), bonded)
