"""Read-only answers about staking, for the precompile's views and for abci_query (as JSON)."""

from .. import economics
from . import keeper, rewards, rules
from .params import StakingParams
from .records import JAILED_FOREVER
from .state import StakingState

CANDIDATE_ABI = "(address,bytes32,bytes32,uint256,uint256,uint256,uint16,bool,bool,uint64,uint256,string,string,string)"
DELEGATION_ABI = "(address,uint256,uint256)[]"
UNBONDING_ABI = "(address,uint256,uint64,uint64)[]"
PARAMS_ABI = "(uint16,uint256,uint16,uint64,uint16,uint16,uint16,uint16,uint32,uint32,uint64,uint256)"


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def candidate_tuple(st: StakingState, operator: bytes) -> tuple:
    c = st.candidate(operator)
    return (_hex(operator), c.pubkey.rjust(32, b"\0"), c.next_pubkey.rjust(32, b"\0"), c.tokens_wei, c.shares,
            st.shares(operator, operator), c.commission_bps, c.active, c.jailed, c.jailed_until_s,
            st.applied(operator).power,
            c.name, c.website, c.details)


def candidate_json(st: StakingState, operator: bytes) -> dict:
    c = st.candidate(operator)
    return {
        "operator": _hex(operator),
        "pub_key": _hex(c.pubkey),
        "next_pub_key": _hex(c.next_pubkey) if c.next_pubkey else None,
        "tokens": str(c.tokens_wei),
        "shares": str(c.shares),
        "self_tokens": str(keeper.self_tokens(st, operator)),
        "commission_bps": c.commission_bps,
        "active": c.active,
        "jailed": c.jailed,
        "jailed_until": None if not c.jailed else ("forever" if c.jailed_until_s == JAILED_FOREVER else c.jailed_until_s),
        "power": st.applied(operator).power,
        "uptime": _uptime_json(st.uptime(operator)),
        "name": c.name,
        "website": c.website,
        "details": c.details,
    }


def _uptime_json(uptime) -> dict:
    """The downtime window's count: blocks observed since it was reset, and those missed among
    the last `downtime_window` of them."""
    return {"observed": uptime.observed, "missed": uptime.missed}


def validator_set(st: StakingState) -> list[tuple[bytes, int]]:
    """(operator, power) of the current validators, ranked by power then address."""
    powered = [(op, st.applied(op).power) for op in st.validators]
    return sorted(powered, key=lambda v: (-v[1], v[0]))


def delegation(st: StakingState, delegator: bytes, operator: bytes) -> tuple[int, int]:
    c = st.candidate(operator)
    shares = st.shares(delegator, operator)
    return shares, rules.tokens_of(shares, c.tokens_wei, c.shares)


def delegation_tuples(st: StakingState, delegator: bytes) -> list[tuple]:
    return [(_hex(op), *delegation(st, delegator, op)) for op in sorted(st.delegations_of(delegator))]


def unbonding_tuples(st: StakingState, delegator: bytes) -> list[tuple]:
    entries = (st.unbondings.get(index) for index in sorted(st.unbondings_of(delegator)))
    return [(_hex(u.candidate), u.amount_wei, u.start_height, u.completion_s) for u in entries]


def delegations_json(st: StakingState, delegator: bytes) -> dict:
    return {
        "delegator": _hex(delegator),
        "delegations": [{"candidate": op, "shares": str(shares), "tokens": str(tokens)}
                        for op, shares, tokens in delegation_tuples(st, delegator)],
        "unbondings": [{"candidate": op, "amount": str(amount), "start_height": start, "completion_time": done}
                       for op, amount, start, done in unbonding_tuples(st, delegator)],
    }


def params_tuple(params: StakingParams) -> tuple:
    return (params.min_self_stake_ratio_bps, params.min_delegation_wei, params.max_validators,
            params.unbonding_seconds, params.max_commission_change_bps, params.max_power_share_bps,
            params.slash_double_sign_bps, params.slash_downtime_bps, params.downtime_window,
            params.downtime_max_missed, params.jail_seconds, params.min_undelegation_wei)


def supply_tuple(st: StakingState) -> tuple[int, int, int, int, int]:
    """(total, minted, burned, cap, this inflation year's annual provision)."""
    mint_state, mint_params = st.mint_state(), st.mint_params()
    return (st.supply_wei, mint_state.minted_total_wei, st.burned_wei, mint_params.supply_cap_wei,
            economics.annual_provision(mint_state.year_supply_wei, mint_params))


def supply_json(st: StakingState) -> dict:
    total, minted, burned, cap, annual = supply_tuple(st)
    mint_state = st.mint_state()
    return {"total": str(total), "genesis": str(st.genesis_supply_wei), "minted": str(minted), "burned": str(burned),
            "cap": str(cap), "annual_provision": str(annual), "inflation_bps": st.mint_params().inflation_bps,
            "year_elapsed_s": mint_state.elapsed_in_year_s, "minted_this_year": str(mint_state.minted_in_year_wei)}


def rewards_json(st: StakingState, delegator: bytes) -> dict:
    """Pending rewards of a delegator per candidate, and commission if it is a candidate."""
    pending = [{"candidate": _hex(op), "pending": str(rewards.pending_reward(st, delegator, op))}
               for op in sorted(st.delegations_of(delegator))]
    return {"delegator": _hex(delegator), "rewards": pending,
            "total": str(sum(int(p["pending"]) for p in pending)),
            "commission": str(st.commission_wei(delegator))}
