// The marketplace's pages: coupon campaigns on the map, orders and disputes, ads, groups, and
// governance's proposals; each read from its precompile's views (eth_call).
import { latestIds, view } from "./chain.js";
import { campaignMap } from "./map.js";
import { address, card, cmt, esc, fields, table, time, ZERO_ADDRESS } from "./view.js";

const SHOWN = 50;   // the newest records of each kind
const ORDER_STATES = ["—", "open", "disputed", "confirmed", "refunded", "settled", "resolved"];
const OUTCOMES = ["none yet", "released to the seller", "refunded to the buyer"];
const PROPOSAL_KINDS = ["—", "text", "parameter change", "community spend", "software upgrade", "cancel upgrade"];
const PROPOSAL_STATUS = ["unknown", "deposit", "voting", "passed", "rejected", "vetoed", "expired", "failed"];
const GROUP_RULES = ["open", "approval", "minimum CMT", "minimum token", "claim"];
const VOTES = ["not yet", "refund the buyer", "release to the seller"];

const records = (ids, read) => Promise.all(ids.map(async (id) => ({ id, ...(await read(id)) })));

export async function coupons() {
  const [campaigns] = await view("COUPONS", "totals");
  const list = await records(latestIds(campaigns, SHOWN), async (id) => ({ c: await view("COUPONS", "campaign", [id]) }));
  const areas = list.map(({ id, c }) => ({ id, lat: Number(c.latE6) / 1e6, lon: Number(c.lonE6) / 1e6,
                                          radius: Number(c.radiusMeters), label: `Campaign ${id}: ${c.metadata}` }));
  return `<h1>Coupon campaigns</h1><p class="muted">${campaigns} campaigns; the newest ${list.length} drawn.</p>
    ${card("Map", await campaignMap("coupon-map", areas))}
    ${card("Campaigns", table("coupon-campaigns", "Coupon campaigns",
      ["#", "Sponsor", "Merchant", "Coupon", "Claimed", "Centre", "Radius", "Ends", "About"],
      list.map(({ id, c }) => [esc(id), address(c.sponsor), address(c.merchant), cmt(c.couponValue),
        `${c.claimed} / ${c.maxCoupons}`, `${(Number(c.latE6) / 1e6).toFixed(4)}, ${(Number(c.lonE6) / 1e6).toFixed(4)}`,
        `${(Number(c.radiusMeters) / 1000).toFixed(1)} km`, time(c.endTime), esc(c.metadata)]), "None yet.", [1, 2, 5, 7]))}`;
}

export async function orders() {
  const count = await view("ARBITRATION", "orderCount");
  const list = await records(latestIds(count, SHOWN), async (id) => {
    const o = await view("ARBITRATION", "order", [id]);
    const panel = o.disputedBy !== ZERO_ADDRESS ? await view("ARBITRATION", "caseArbiters", [id]) : null;
    return { o, panel };
  });
  const disputes = list.filter(({ panel }) => panel);
  return `<h1>Orders and disputes</h1><p class="muted">${count} orders; the newest ${list.length} shown.</p>
    ${card("Orders", table("orders", "Orders in escrow", ["#", "Buyer", "Seller", "Escrow", "State", "Outcome", "Opened"],
      list.map(({ id, o }) => [esc(id), address(o.buyer), address(o.seller), cmt(o.escrow),
        esc(ORDER_STATES[Number(o.state)] || o.state), esc(OUTCOMES[Number(o.outcome)] || o.outcome), time(o.openedAt)]),
      "None yet.", [5, 6]))}
    ${card("Disputes", disputes.length ? disputes.map(({ id, o, panel }) => `<article aria-label="Dispute of order ${esc(id)}">
      <h3>Order ${esc(id)}: ${esc(ORDER_STATES[Number(o.state)])}</h3>${fields([
        ["Raised by", address(o.disputedBy)], ["Reason", esc(o.disputeReason)], ["Voting ends", time(o.votingEnds)],
        ["Votes", `${o.votesRefund} refund, ${o.votesRelease} release of ${o.arbiterCount}`]])}
      ${table(`arbiters-${id}`, `Arbiters of order ${id}`, ["Arbiter", "Vote"],
        panel.arbiters.map((a, i) => [address(a), esc(VOTES[Number(panel.votes[i])] || panel.votes[i])]), "Not drawn yet.")}
      </article>`).join("") : `<p id="disputes" class="muted">No disputes.</p>`)}`;
}

export async function ads() {
  const [campaigns] = await view("ADS", "totals");
  const list = await records(latestIds(campaigns, SHOWN), async (id) => ({ c: await view("ADS", "campaign", [id]) }));
  return `<h1>Ad campaigns</h1><p class="muted">${campaigns} campaigns; users are paid for the ads they accept.</p>
    ${card("Campaigns", table("ad-campaigns", "Ad campaigns", ["#", "Advertiser", "Reward", "Budget", "Sent", "Accepted", "Ends", "Content"],
      list.map(({ id, c }) => [esc(id), address(c.advertiser), cmt(c.rewardPerMessage), cmt(c.budget), esc(c.sent),
        esc(c.accepted), c.closed ? "closed" : time(c.endTime), esc(c.content)]), "None yet.", [1, 3, 4, 6]))}`;
}

export async function groups() {
  const count = await view("GROUPS", "groupCount");
  const list = await records(latestIds(count, SHOWN), async (id) => ({
    g: await view("GROUPS", "group", [id]), members: await view("GROUPS", "members", [id, 0, 5]) }));
  return `<h1>Groups</h1><p class="muted">${count} groups.</p>
    ${card("Groups", table("groups", "Groups", ["#", "Name", "Category", "Rule", "Members", "Owner", "First members"],
      list.map(({ id, g, members }) => [esc(id), esc(g.name), esc(g.category), esc(GROUP_RULES[Number(g.rule)] || g.rule),
        esc(g.memberCount), address(g.owner), members.map(address).join(" ") + (g.closed ? " (closed)" : "")]),
      "None yet.", [2, 5, 6]))}`;
}

export async function governance() {
  const count = await view("GOVERNANCE", "proposalCount");
  const list = await records(latestIds(count, SHOWN), async (id) => ({
    p: await view("GOVERNANCE", "proposal", [id]), t: await view("GOVERNANCE", "tally", [id]) }));
  const share = (part, t) => (t.bonded ? `${(Number(part * 10000n / t.bonded) / 100).toFixed(2)}%` : "—");
  return `<h1>Governance</h1><p class="muted">${count} proposals; community pool ${cmt(await view("GOVERNANCE", "communityPool"))}.</p>
    ${card("Proposals", table("proposals", "Proposals and their tallies",
      ["#", "Title", "Kind", "Status", "Deposit", "Yes", "No", "Abstain", "Veto", "Voting ends"],
      list.map(({ id, p, t }) => [esc(id), esc(p.title), esc(PROPOSAL_KINDS[Number(p.kind)] || p.kind),
        esc(PROPOSAL_STATUS[Number(p.status)] || p.status), cmt(p.deposit), share(t.yes, t), share(t.no, t),
        share(t.abstain, t), share(t.veto, t), time(p.votingEnd)]), "None yet.", [2, 4, 7, 8, 9]))}`;
}
