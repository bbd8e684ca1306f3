"""Read-only answers about ads as Solidity tuples (the ABI types live here, next to the builders)."""

from .params import AdsParams
from .state import AdsState, int_address

PROFILE_ABI = ("bool", "uint256", "uint32", "uint256")
CAMPAIGN_ABI = ("(address,uint256,uint32,uint256,uint64,string,uint256,uint256,uint256,uint256,uint256,"
                "uint64,uint64,uint64,bool)")
MESSAGE_ABI = "(uint256,address,uint256,uint8,uint64)"
PARAMS_ABI = "(uint32,uint32,uint32)"


def _hex(address: bytes) -> str:
    return "0x" + address.hex()


def profile_tuple(st: AdsState, user: bytes) -> tuple:
    """(optedIn, interestMask, regionCode, minReward)."""
    p = st.profile(user)
    return p.opted_in, p.interest_mask, p.region_code, p.min_reward_wei


def campaign_tuple(st: AdsState, campaign_id: int) -> tuple:
    c = st.campaign(campaign_id)
    return (_hex(int_address(c.advertiser)), c.interest_mask, c.region_code, c.reward_per_message_wei, c.end_time_s,
            st.content(campaign_id), c.deposit_wei, c.budget_wei, c.reserved_wei, c.spent_wei, c.refunded_wei,
            c.sent, c.accepted, c.rejected, c.closed)


def message_tuple(st: AdsState, message_id: int) -> tuple:
    m = st.message(message_id)
    return m.campaign_id, _hex(int_address(m.user)), m.reward_wei, m.status, m.sent_at_s


def params_tuple(params: AdsParams) -> tuple:
    return params.max_content_bytes, params.max_inbox, params.answer_seconds
