// The node's public interfaces, through the explorer's same-origin doors (explorer/server.py):
// the Ethereum JSON-RPC, CometBFT's RPC and abci_query. Nothing else is read.
import * as ethers from "/explorer/vendor/ethers.js";

const BASE = "/explorer/api";
let nextId = 1;

export async function eth(method, params = []) {
  const response = await fetch(`${BASE}/eth`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
  });
  const answer = await response.json();
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
}

export async function cometbft(method, params = {}) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${BASE}/cometbft/${method}${query ? "?" + query : ""}`);
  const answer = await response.json();
  if (answer.error) throw new Error(`${method}: ${answer.error.data || answer.error.message || answer.error}`);
  return answer.result;
}

// abci_query of one of the app's paths (docs/reference.md), its JSON answer; null when the app
// answers "not found" (40).
export async function abci(path, height = 0) {
  const params = { path: JSON.stringify(path) };
  if (height) params.height = String(height);
  const { response } = await cometbft("abci_query", params);
  if (response.code === 40) return null;
  if (response.code) throw new Error(`${path}: ${response.log}`);
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(response.value), (c) => c.charCodeAt(0))));
}

// The precompiles: eth_config names them, contracts/build holds their interfaces.
const INTERFACES = { STAKING: "IStaking", COUPONS: "ICoupons", ARBITRATION: "IArbitration", ADS: "IAds",
                     GROUPS: "IGroups", IDENTITY: "IIdentity", GOVERNANCE: "IGovernance" };
let modulesLoaded = null;

export function modules() {
  modulesLoaded ??= (async () => {
    const { current } = await eth("eth_config");
    const found = {};
    await Promise.all(Object.entries(INTERFACES).map(async ([name, file]) => {
      const address = current.precompiles[name];
      if (!address) return;
      const artifact = await (await fetch(`/explorer/abi/${file}.json`)).json();
      found[name] = { name, file, address: ethers.getAddress(address), iface: new ethers.Interface(artifact.abi) };
    }));
    return found;
  })();
  return modulesLoaded;
}

export async function moduleAt(address) {
  const all = await modules();
  return Object.values(all).find((m) => address && m.address.toLowerCase() === address.toLowerCase()) || null;
}

// A view of a precompile, read with eth_call; the decoded result (one value unwrapped).
export async function view(moduleName, fn, args = []) {
  const module = (await modules())[moduleName];
  const data = module.iface.encodeFunctionData(fn, args);
  const output = await eth("eth_call", [{ to: module.address, input: data }, "latest"]);
  const decoded = module.iface.decodeFunctionResult(fn, output);
  return decoded.length === 1 ? decoded[0] : decoded;
}

// The latest `count` ids of a module's numbered records, newest first (ids start at 1).
export function latestIds(total, count) {
  const ids = [];
  for (let id = Number(total); id >= 1 && ids.length < count; id--) ids.push(id);
  return ids;
}

// newHeads over the gateway's WebSocket; `onHead(header)` for each block; reconnects.
export function watchHeads(onHead, onState) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${BASE}/ws`;
  let socket;
  const open = () => {
    socket = new WebSocket(url);
    socket.onopen = () => {
      onState("live");
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.method === "eth_subscription") onHead(message.params.result);
    };
    socket.onclose = () => { onState("reconnecting"); setTimeout(open, 3000); };
  };
  open();
  return () => { socket.onclose = null; socket.close(); };
}

export { ethers };
