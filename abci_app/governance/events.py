"""The governance events (EVM logs of 0x...CC07), as declared in IGovernance.sol. A proposal's end
is a block event (`gov.proposal_ended`, app/events.py), since it happens at the end of a block."""

from ..precompiles import Event

PROPOSAL_SUBMITTED = Event("ProposalSubmitted(uint256 proposalId,address proposer,uint8 kind,string title,"
                           "string target,uint256 value)", indexed=2)
DEPOSITED = Event("Deposited(uint256 proposalId,address depositor,uint256 amount,uint256 total)", indexed=2)
VOTING_STARTED = Event("VotingStarted(uint256 proposalId,uint256 votingEnd)", indexed=1)
VOTED = Event("Voted(uint256 proposalId,address voter,uint8 option)", indexed=2)

# Every event of the governance precompile (app/modules.py maps its logs to ABCI events).
EVENTS = (PROPOSAL_SUBMITTED, DEPOSITED, VOTING_STARTED, VOTED)
