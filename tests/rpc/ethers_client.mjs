// ethers v6, unchanged, against the Ethereum JSON-RPC gateway: a CMT transfer and its receipt, a
// contract deploy and call (the Counter example), and `newHeads` over WebSocket.
//
// Usage: node tests/rpc/ethers_client.mjs HTTP_URL WS_URL PRIVATE_KEY ARTIFACT [RECIPIENT]
//   (or the env variables ETHERS_HTTP_URL, ETHERS_WS_URL, ETHERS_PRIVATE_KEY, ETHERS_ARTIFACT,
//   ETHERS_RECIPIENT; ETHERS_DEBUG=1 logs every JSON-RPC request and answer to stderr).
// ARTIFACT is a contracts/build/*.json with `abi` and `bytecode` (contracts/build/Counter.json).
// Prints one JSON line with the results and exits 0; on any error prints the error (and the last
// JSON-RPC exchanges) to stderr and exits 1. ethers comes from contracts/node_modules
// (scripts/bootstrap.sh installs it from contracts/package-lock.json).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const CHAIN_ID = 1818;
const TRANSFER_WEI = 1_500_000_000_000_000_000n; // 1.5 CMT
const TOTAL_TIMEOUT_MS = 60_000;
const BLOCKS_TIMEOUT_MS = 20_000;
const BLOCKS_WANTED = Number(process.env.ETHERS_BLOCKS || 3);

const here = path.dirname(fileURLToPath(import.meta.url));
const contractsDir = path.resolve(here, "..", "..", "contracts");
const require = createRequire(path.join(contractsDir, "package.json"));
const { ethers } = require("ethers");

const debug = process.env.ETHERS_DEBUG === "1";
const traffic = []; // the last JSON-RPC exchanges, printed when something fails

function record(transport, event) {
    let line;
    if (event.action === "sendRpcPayload") line = `${transport} -> ${JSON.stringify(event.payload)}`;
    else if (event.action === "receiveRpcResult") line = `${transport} <- ${JSON.stringify(event.result)}`;
    else if (event.action === "receiveRpcError") line = `${transport} <! ${String(event.error)}`;
    else return;
    traffic.push(line);
    if (traffic.length > 40) traffic.shift();
    if (debug) process.stderr.write(line + "\n");
}

function fail(error) {
    process.stderr.write(`ethers_client: error: ${error && error.stack ? error.stack : error}\n`);
    if (traffic.length) process.stderr.write(`last JSON-RPC traffic:\n${traffic.join("\n")}\n`);
    process.exit(1);
}

function arg(index, name) {
    const value = process.argv[2 + index] || process.env[name];
    if (!value && name !== "ETHERS_RECIPIENT") throw new Error(`missing argument ${index + 1} (or env ${name})`);
    return value;
}

function json(value) {
    return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

async function blockNumbersOverWebSocket(ws) {
    const seen = [];
    await new Promise((resolve, reject) => {
        const timer = setTimeout(
            () => reject(new Error(`saw ${seen.length} of ${BLOCKS_WANTED} blocks over WebSocket in ${BLOCKS_TIMEOUT_MS} ms: ${seen}`)),
            BLOCKS_TIMEOUT_MS,
        );
        ws.on("block", (number) => {
            seen.push(number);
            if (seen.length >= BLOCKS_WANTED) {
                clearTimeout(timer);
                resolve();
            }
        }).catch(reject);
    });
    await ws.removeAllListeners("block");
    return seen;
}

async function main() {
    const httpUrl = arg(0, "ETHERS_HTTP_URL");
    const wsUrl = arg(1, "ETHERS_WS_URL");
    const key = arg(2, "ETHERS_PRIVATE_KEY");
    const artifact = JSON.parse(readFileSync(arg(3, "ETHERS_ARTIFACT"), "utf8"));
    const recipient = arg(4, "ETHERS_RECIPIENT") || ethers.Wallet.createRandom().address;

    // cacheTimeout -1: ethers reuses an identical request's answer for 250 ms by default, so with
    // 200 ms blocks the deploy right after the transfer would get the transfer's (stale) pending
    // nonce from that cache, without asking the node, and be refused ("nonce 0 already used").
    const provider = new ethers.JsonRpcProvider(httpUrl, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
    provider.pollingInterval = 250;
    provider.on("debug", (event) => record("http", event));
    let ws = null;
    try {
        const chainId = BigInt(await provider.send("eth_chainId", []));
        const network = await provider.getNetwork();
        const wallet = new ethers.Wallet(key, provider);
        const balance = await provider.getBalance(wallet.address);
        const feeData = await provider.getFeeData();

        // A CMT transfer: ethers fills in the nonce, the fees, the gas limit and the chain id.
        const recipientBefore = await provider.getBalance(recipient);
        const sent = await wallet.sendTransaction({ to: recipient, value: TRANSFER_WEI });
        const receipt = await sent.wait(1, 30_000);
        const fetched = await provider.getTransaction(sent.hash);
        const recipientAfter = await provider.getBalance(recipient);

        // The Counter: deploy, increment(), count().
        const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, wallet);
        const counter = await factory.deploy();
        const deployReceipt = await counter.deploymentTransaction().wait(1, 30_000);
        await counter.waitForDeployment();
        const counterAddress = await counter.getAddress();
        const code = await provider.getCode(counterAddress);
        const countBefore = await counter.count();
        const incrementTx = await counter.increment();
        const incrementReceipt = await incrementTx.wait(1, 30_000);
        const countAfter = await counter.count();
        const events = incrementReceipt.logs
            .map((log) => counter.interface.parseLog(log))
            .filter((parsed) => parsed !== null)
            .map((parsed) => ({ name: parsed.name, by: parsed.args.by, newCount: parsed.args.newCount }));

        // newHeads over WebSocket: provider.on("block") subscribes with eth_subscribe.
        ws = new ethers.WebSocketProvider(wsUrl);
        ws.on("debug", (event) => record("ws", event));
        const wsNetwork = await ws.getNetwork();
        const blocks = await blockNumbersOverWebSocket(ws);
        const wsBlockNumber = await ws.getBlockNumber();

        return {
            ethersVersion: ethers.version,
            chainId,
            networkChainId: network.chainId,
            wsChainId: wsNetwork.chainId,
            from: wallet.address,
            balance,
            gasPrice: feeData.gasPrice,
            maxFeePerGas: feeData.maxFeePerGas,
            maxPriorityFeePerGas: feeData.maxPriorityFeePerGas,
            transfer: {
                hash: sent.hash,
                nonce: sent.nonce,
                type: sent.type,
                gasLimit: sent.gasLimit,
                to: recipient,
                value: TRANSFER_WEI,
                status: receipt.status,
                blockNumber: receipt.blockNumber,
                blockHash: receipt.blockHash,
                gasUsed: receipt.gasUsed,
                fetchedHash: fetched && fetched.hash,
                fetchedBlockNumber: fetched && fetched.blockNumber,
                recipientBefore,
                recipientAfter,
            },
            counter: {
                address: counterAddress,
                deployHash: deployReceipt.hash,
                deployStatus: deployReceipt.status,
                deployContractAddress: deployReceipt.contractAddress,
                codeLength: (code.length - 2) / 2,
                countBefore,
                incrementHash: incrementReceipt.hash,
                incrementStatus: incrementReceipt.status,
                events,
                count: countAfter,
            },
            ws: { blocks, blockNumber: wsBlockNumber },
        };
    } finally {
        provider.destroy();
        if (ws !== null) await ws.destroy();
    }
}

const deadline = setTimeout(() => fail(new Error(`timed out after ${TOTAL_TIMEOUT_MS} ms`)), TOTAL_TIMEOUT_MS);
main().then(
    (result) => {
        clearTimeout(deadline);
        process.stdout.write(json(result) + "\n");
        process.exit(0);
    },
    fail,
);
