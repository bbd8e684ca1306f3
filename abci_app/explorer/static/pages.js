// The chain's pages: latest blocks and txs, a block, a transaction, an account, validators, supply.
import { abci, cometbft, eth, ethers, latestIds, moduleAt, modules, view } from "./chain.js";
import { lineChart } from "./chart.js";
import { address, blockLink, card, cmt, decoded, esc, fields, num, short, table, time, txLink } from "./view.js";

const LATEST = 10;
const YEAR_SECONDS = 31_557_600n;   // the chain's year (economics/inflation.py): 365.25 days
const hex = (n) => "0x" + n.toString(16);

const RECENT_BLOCKS = 1000;   // how far back the latest page looks for txs (the explorer's server allows no more)

export async function latest() {   // two reads: CometBFT's latest block metas, then its tx index over recent blocks
  const chain = await cometbft("blockchain");
  const since = Math.max(0, Number(chain.last_height) - RECENT_BLOCKS + 1);
  const found = await cometbft("tx_search", { query: JSON.stringify(`tx.height>${since}`),
                                              order_by: JSON.stringify("desc"), per_page: String(LATEST) });
  const metas = chain.block_metas.slice(0, LATEST);
  const txs = found.txs.filter((item) => attribute(item, "hash")).map((item) => ({
    hash: attribute(item, "hash"), from: attribute(item, "from"), to: attribute(item, "to") || attribute(item, "contract"),
    value: ethers.Transaction.from(base64Hex(item.tx)).value, height: Number(item.height) }));
  return `<h1>Latest</h1><p class="muted">Block <span id="head">${esc(chain.last_height)}</span>, updated live.</p><div class="grid">
    ${card("Blocks", table("latest-blocks", "Latest blocks", ["Block", "Hash", "Txs", "Time"],
      metas.map((m) => [blockLink(Number(m.header.height)), `<span class="mono">${esc(short("0x" + m.block_id.hash.toLowerCase()))}</span>`,
                        esc(m.num_txs), esc(m.header.time.replace(/\.\d+Z$/, "Z"))]), "None yet.", [1]))}
    ${card("Transactions", table("latest-txs", "Latest transactions", ["Hash", "From", "To", "Value", "Block"],
      txs.map((tx) => [txLink(tx.hash), address(ethers.getAddress(tx.from)), tx.to ? address(ethers.getAddress(tx.to)) : "—",
                       cmt(tx.value), blockLink(tx.height)]), `No transactions in the last ${RECENT_BLOCKS} blocks.`, [2]))}</div>`;
}

const base64Hex = (text) => "0x" + Array.from(atob(text), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
const attribute = (item, key) => (item.tx_result.events.find((e) => e.type === "eth")?.attributes || [])
  .find((a) => a.key === key)?.value;

export async function block(ref) {
  const byHash = /^0x[0-9a-fA-F]{64}$/.test(ref);
  const b = await eth(byHash ? "eth_getBlockByHash" : "eth_getBlockByNumber", [byHash ? ref : hex(Number(ref)), true]);
  if (!b) return `<h1>Block ${esc(ref)}</h1><p>No such block on this chain (yet).</p>`;
  const n = num(b.number);
  return `<h1>Block ${n}</h1>${card("Header", fields([
    ["Number", `${n} ${n > 1 ? `<a href="#/block/${n - 1}" aria-label="Previous block">◀</a>` : ""} <a href="#/block/${n + 1}" aria-label="Next block">▶</a>`],
    ["Hash", `<span class="mono">${esc(b.hash)}</span>`], ["Parent", `<a class="mono" href="#/block/${esc(b.parentHash)}">${esc(b.parentHash)}</a>`],
    ["Time", time(num(b.timestamp))], ["Proposer", address(b.miner)], ["Transactions", b.transactions.length],
    ["Gas used", `${num(b.gasUsed)} of ${num(b.gasLimit)}`], ["Base fee", `${num(b.baseFeePerGas)} wei`],
    ["State root", `<span class="mono">${esc(b.stateRoot)}</span>`]]))}
    ${card("Transactions", table("block-txs", "Transactions in the block", ["Hash", "From", "To", "Value"],
      b.transactions.map((tx) => [txLink(tx.hash), address(tx.from), address(tx.to), cmt(tx.value)]), "None.", [2]))}`;
}

export async function transaction(hash) {
  const [tx, receipt] = await Promise.all([eth("eth_getTransactionByHash", [hash]), eth("eth_getTransactionReceipt", [hash])]);
  if (!tx) return `<h1>Transaction</h1><p>No transaction <span class="mono">${esc(hash)}</span> on this chain.</p>`;
  const module = await moduleAt(tx.to);
  let call = "";
  if (module && tx.input !== "0x") {
    const parsed = attempt(() => module.iface.parseTransaction({ data: tx.input, value: tx.value }));
    call = parsed ? `<p id="decoded-call">${esc(module.name)}: ${decoded(parsed.fragment, parsed.args)}</p>`
                  : `<p id="decoded-call" class="muted">A call the ${esc(module.name)} interface does not decode.</p>`;
  }
  const events = [];
  for (const log of receipt?.logs || []) {
    const emitter = await moduleAt(log.address);
    const parsed = emitter && attempt(() => emitter.iface.parseLog({ topics: log.topics, data: log.data }));
    events.push([num(log.logIndex), address(log.address),
                 parsed ? `${esc(emitter.name)}: ${decoded(parsed.fragment, parsed.args)}` : `<span class="mono">${esc(short(log.topics[0]))}</span>`]);
  }
  const status = !receipt ? `<span class="muted">pending</span>`
    : receipt.status === "0x1" ? `<span class="ok">success</span>` : `<span class="bad">failed</span>`;
  return `<h1>Transaction</h1>${card("Transaction", fields([
    ["Hash", `<span class="mono">${esc(tx.hash)}</span>`], ["Status", status],
    ["Block", tx.blockNumber ? blockLink(num(tx.blockNumber)) : "pending"], ["From", address(tx.from)],
    ["To", module ? `${address(tx.to)} <span class="tag">${esc(module.name)}</span>` : address(tx.to) || "contract creation"],
    ["Value", cmt(tx.value)], ["Nonce", num(tx.nonce)], ["Type", num(tx.type)],
    ["Gas used", receipt ? num(receipt.gasUsed) : "—"], ["Gas price", receipt ? `${num(receipt.effectiveGasPrice)} wei` : "—"],
    ["Contract created", address(receipt?.contractAddress)]]))}
    ${card("Call", call || `<p class="muted">${tx.input === "0x" ? "A plain transfer." : "Input: " + esc(short(tx.input))}</p>`)}
    ${card("Events", table("tx-events", "Events the transaction emitted", ["#", "Emitter", "Event"], events, "No events."))}`;
}

// What `decode` answers, or null for bytes the interface does not decode (anyone may send them).
function attempt(decode) {
  try {
    return decode();
  } catch {
    return null;
  }
}

// Logs of the last `blocks` blocks, in fewer if the gateway serves fewer in one eth_getLogs
// (its logs_max_blocks); [logs, the blocks read].
async function recentLogs(filter, head, blocks = 10_000) {
  for (let span = blocks; ; span = Math.floor(span / 10)) {
    try {
      return [await eth("eth_getLogs", [{ ...filter, fromBlock: hex(Math.max(1, head - span + 1)), toBlock: hex(head) }]), span];
    } catch (error) {
      if (span <= 10) throw error;
    }
  }
}

// The txs that name an account, from CometBFT's index of the app's `eth` events (newest first).
async function transactionsOf(account) {
  const found = new Map();
  for (const side of ["from", "to"]) {
    const result = await cometbft("tx_search", { query: JSON.stringify(`eth.${side}='${account.toLowerCase()}'`),
                                                 order_by: JSON.stringify("desc"), per_page: "20" });
    for (const item of result.txs) {
      const hash = attribute(item, "hash");
      if (hash) found.set(hash, { hash, height: Number(item.height), side });
    }
  }
  return [...found.values()].sort((a, b) => b.height - a.height).slice(0, 20);
}

export async function account(raw) {
  const a = ethers.getAddress(raw);
  const lower = a.toLowerCase();
  const head = num(await eth("eth_blockNumber"));
  const mods = await modules();
  const topic = ethers.zeroPadValue(lower, 32);
  const [balance, nonce, code, txs, delegations, rewards, credit, [reviews, reviewBlocks], groupCount] = await Promise.all([
    eth("eth_getBalance", [a, "latest"]), eth("eth_getTransactionCount", [a, "latest"]), eth("eth_getCode", [a, "latest"]),
    transactionsOf(a), abci(`/delegations/${lower}`), abci(`/rewards/${lower}`), view("ARBITRATION", "credit", [a]),
    recentLogs({ address: mods.ARBITRATION.address,
                 topics: [mods.ARBITRATION.iface.getEvent("Reviewed").topicHash, null, null, topic] }, head),
    view("GROUPS", "groupCount"),
  ]);
  const groups = (await Promise.all(latestIds(groupCount, 50).map(async (id) => [id, await view("GROUPS", "isMember", [id, a])])))
    .filter(([, member]) => member);
  const named = await Promise.all(groups.map(async ([id]) => [id, await view("GROUPS", "group", [id])]));
  const [record, score] = credit;
  const rewardOf = new Map((rewards?.rewards || []).map((r) => [r.candidate, r.pending]));
  return `<h1>Account</h1><p class="mono" id="account-address">${esc(a)}</p><div class="grid">
    ${card("Balance", fields([["Balance", cmt(balance)], ["Nonce", num(nonce)], ["Contract", code !== "0x" ? "yes" : "no"]]))}
    ${card("Credit", fields([["Score", `<strong id="credit-score">${score}</strong> of 999`],
      ["Orders bought", `${record.ordersAsBuyer} (${cmt(record.volumeAsBuyer)})`],
      ["Orders sold", `${record.ordersAsSeller} (${cmt(record.volumeAsSeller)})`],
      ["Disputes won / lost", `${record.disputesWon} / ${record.disputesLost}`],
      ["Reviews", `${record.reviewsReceived}, ${record.starsReceived} stars`]]))}</div>
    ${card("Transactions", table("account-txs", "The account's transactions", ["Hash", "Block", "Side"],
      txs.map((t) => [txLink(t.hash), blockLink(t.height), esc(t.side)])))}
    ${card("Delegations", table("account-delegations", "Delegations", ["Validator", "Staked", "Rewards pending"],
      (delegations?.delegations || []).map((d) => [address(d.candidate), cmt(d.tokens), cmt(rewardOf.get(d.candidate) || 0)])))}
    ${card("Reviews received", table("account-reviews", "Reviews", ["Order", "By", "Stars", "Comment"],
      reviews.map((log) => {
        const event = mods.ARBITRATION.iface.parseLog(log);
        return [esc(event.args.id), address(event.args.reviewer), esc(event.args.stars), esc(event.args.comment)];
      }), `None in the last ${reviewBlocks} blocks.`) + `<p class="muted">Reviews of the last ${reviewBlocks} blocks; the credit record counts them all.</p>`)}
    ${card("Groups", table("account-groups", "Group memberships", ["Group", "Name"],
      named.map(([id, group]) => [`<a href="#/groups">${esc(id)}</a>`, esc(group.name)]), "A member of none of the newest 50 groups."))}`;
}

export async function validators() {
  const [set, params] = await Promise.all([abci("/validators"), abci("/params")]);
  const window = Number(params.staking.downtime_window);
  const rows = set.validators.map((v) => {
    const observed = Math.min(v.uptime.observed, window);
    const uptime = observed ? (100 * (observed - v.uptime.missed) / observed).toFixed(2) + "%" : "—";
    return [address(v.operator), esc(v.name || ""), esc(v.power), cmt(v.tokens), `${(v.commission_bps / 100).toFixed(2)}%`,
            uptime, v.jailed ? `<span class="bad">jailed</span>` : `<span class="ok">no</span>`];
  });
  return `<h1>Validators</h1><p class="muted">At block ${set.height}; uptime over the last ${window} blocks.</p>
    ${card("Validator set", table("validators", "Validators", ["Operator", "Name", "Power", "Bonded", "Commission", "Uptime", "Jailed"],
      rows, "None yet.", [1, 3]))}`;
}

export async function supply() {
  const [now, history] = await Promise.all([abci("/supply"), abci("/history")]);
  const oldest = Math.max(history.oldest_state, history.height - 2000);
  const step = Math.max(1, Math.floor((history.height - oldest) / 23));
  const heights = [];
  for (let h = oldest; h <= history.height; h += step) heights.push(h);
  if (heights.at(-1) !== history.height) heights.push(history.height);
  const points = await Promise.all(heights.map(async (h) => ({
    h, s: await abci("/supply", h), time: num((await eth("eth_getBlockByNumber", [hex(h), false])).timestamp) })));
  // the line: what the annual provision mints from the first point on, by block time (8% of the
  // supply at the year's start, over the chain's 365.25-day year)
  const [first] = points;
  const minted = points.map(({ h, s }) => [h, Number(ethers.formatEther(BigInt(s.minted)))]);
  const line = points.map(({ h, time }) => [h, Number(ethers.formatEther(BigInt(first.s.minted)
    + BigInt(first.s.annual_provision) * BigInt(time - first.time) / YEAR_SECONDS))]);
  const share = Number(BigInt(now.total) * 10000n / BigInt(now.cap)) / 100;
  const total = points.map(({ h, s }) => [h, Number(ethers.formatEther(BigInt(s.total)))]);
  const cap = points.map(({ h, s }) => [h, Number(ethers.formatEther(BigInt(s.cap)))]);
  return `<h1>Supply</h1><div class="grid">
    ${card("Now", fields([["Total", `<span id="supply-total">${cmt(now.total)}</span>`], ["Genesis", cmt(now.genesis)],
      ["Minted", cmt(now.minted)], ["Burned", cmt(now.burned)], ["Cap", cmt(now.cap)],
      ["Of the cap", `${share}% <progress max="100" value="${share}" aria-label="Share of the cap"></progress>`],
      ["Inflation", `${now.inflation_bps / 100}% a year`]]))}
    ${card("Minted over time", lineChart("supply-chart", "Minted CMT by block, and the inflation line",
      [{ name: "minted", color: "#0b5fad", points: minted },
       { name: `${now.inflation_bps / 100}% a year`, color: "#d98c1f", points: line, dashed: true }], "block", "CMT") +
      `<p class="muted">Blocks ${heights[0]} to ${history.height}: the state this node keeps. The dashed line is what
       ${now.inflation_bps / 100}% a year mints over the blocks' time; a halt or a capped block falls below it.</p>`, true)}
    ${card("Supply and the cap", lineChart("cap-chart", "Total supply by block, and the hard cap",
      [{ name: "total supply", color: "#0b5fad", points: total }, { name: "cap", color: "#a3261b", points: cap, dashed: true }],
      "block", "CMT") + `<p class="muted">The supply is ${share}% of the cap.</p>`, true)}
  </div>`;
}
