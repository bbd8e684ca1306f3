// The explorer's router: #/<page>/<argument>, one page at a time into <main>; the search box;
// the latest page follows new blocks over the gateway's WebSocket.
import { eth, watchHeads } from "./chain.js";
import * as commerce from "./commerce.js";
import * as pages from "./pages.js";
import { esc } from "./view.js";

const ROUTES = {
  "": pages.latest, block: pages.block, tx: pages.transaction, address: pages.account,
  validators: pages.validators, supply: pages.supply, coupons: commerce.coupons, orders: commerce.orders,
  ads: commerce.ads, groups: commerce.groups, governance: commerce.governance,
};
const TITLES = { "": "Latest", block: "Block", tx: "Transaction", address: "Account", validators: "Validators",
                 supply: "Supply", coupons: "Coupons", orders: "Orders", ads: "Ads", groups: "Groups", governance: "Governance" };
const main = document.getElementById("main");
let shown = 0;

async function show() {
  const route = location.hash.startsWith("#/") ? location.hash.slice(2) : "";   // "#/page/argument"
  const [page = "", argument = ""] = route.split("/");
  const render = ROUTES[page];
  const ticket = ++shown;
  main.setAttribute("aria-busy", "true");
  document.title = `${TITLES[page] || "Not found"} · Miles explorer`;
  let html;
  try {
    html = render ? await render(decodeURIComponent(argument)) : `<h1>Not found</h1><p>No page ${esc(page)}.</p>`;
  } catch (error) {
    html = `<h1>${esc(TITLES[page])}</h1><p class="bad" role="alert">Could not read the chain: ${esc(error.message)}</p>`;
  }
  if (ticket !== shown) return;   // a newer page was asked for meanwhile
  main.innerHTML = html;
  main.setAttribute("aria-busy", "false");
  window.explorerFirstPageMs ??= Math.round(performance.now());   // from navigation start: the test's figure
  main.dataset.page = page || "latest";
  for (const link of document.querySelectorAll("nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#/${page}`);
  }
}

document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = new FormData(event.target).get("q").trim();
  if (/^\d+$/.test(q)) location.hash = `#/block/${q}`;
  else if (/^0x[0-9a-fA-F]{40}$/.test(q)) location.hash = `#/address/${q}`;
  else if (/^0x[0-9a-fA-F]{64}$/.test(q)) searchHash(q);
  else main.innerHTML = `<h1>Search</h1><p role="alert">Give a block number, a 0x hash of 64 hex digits or an address of 40.</p>`;
});

async function searchHash(hash) {   // a tx hash, else a block hash
  location.hash = (await eth("eth_getTransactionByHash", [hash])) ? `#/tx/${hash}` : `#/block/${hash}`;
}

window.addEventListener("hashchange", () => {
  if (location.hash && !location.hash.startsWith("#/")) return;   // an anchor in the page (the skip link)
  show();
  main.focus({ preventScroll: true });
});
const status = document.getElementById("status");
const REFRESH_MS = 2000;   // the latest page is redrawn at most this often, one redraw at a time
let pending = null, refreshed = 0;
watchHeads((header) => {
  status.textContent = `Live: block ${Number(BigInt(header.number))}`;
  const reading = main.contains(document.activeElement) && document.activeElement !== main;   // keep a reader's focus
  if (main.dataset.page === "latest" && !pending && !reading && performance.now() - refreshed > REFRESH_MS) {
    refreshed = performance.now();
    pending = show().finally(() => { pending = null; });
  }
}, (state) => { status.textContent = state === "live" ? "Live" : "Reconnecting…"; });
show();
