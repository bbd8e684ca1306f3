#!/usr/bin/env node
// Compile every contracts/**/*.sol (outside node_modules and build) with the pinned solc package
// and write one build/<ContractName>.json per contract: {abi, bytecode, deployedBytecode}.
//
// The output is deterministic: source names are paths relative to contracts/ (never absolute),
// the metadata hash and its CBOR trailer are disabled so the bytecode does not depend on paths or
// comments, keys are sorted, and nothing records a time. The committed build/ folder must equal a
// fresh run (tests/contracts/test_build_in_sync.py checks it).
//
// Usage: node contracts/compile.js [--out DIR]     (default DIR: contracts/build)
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const CONTRACTS_DIR = __dirname;
const DEFAULT_OUT_DIR = path.join(CONTRACTS_DIR, 'build');
const SKIPPED_DIRS = new Set(['node_modules', 'build']);

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun', // what our py-evm fork runs
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
  },
};

/** Parse the command line: only `--out DIR` (or `--out=DIR`). */
function parseArgs(argv) {
  let outDir = DEFAULT_OUT_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' && i + 1 < argv.length) {
      outDir = path.resolve(argv[++i]);
    } else if (arg.startsWith('--out=')) {
      outDir = path.resolve(arg.slice('--out='.length));
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: compile.js [--out DIR]`);
    }
  }
  return { outDir };
}

/** All .sol files under `dir`, as sorted '/'-separated paths relative to CONTRACTS_DIR. */
function findSources(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...findSources(full));
    } else if (entry.isFile() && entry.name.endsWith('.sol')) {
      found.push(path.relative(CONTRACTS_DIR, full).split(path.sep).join('/'));
    }
  }
  return found.sort();
}

/** Import callback: resolve a source name inside contracts/ (then contracts/node_modules). */
function findImport(sourceName) {
  for (const base of [CONTRACTS_DIR, path.join(CONTRACTS_DIR, 'node_modules')]) {
    const full = path.resolve(base, sourceName);
    if (full.startsWith(base + path.sep) && fs.existsSync(full)) {
      return { contents: fs.readFileSync(full, 'utf8') };
    }
  }
  return { error: `import not found inside contracts/: ${sourceName}` };
}

/** Return a copy of `value` with the keys of every object sorted, for stable JSON. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
    return sorted;
  }
  return value;
}

/** Compile `sources` and return {ContractName: {abi, bytecode, deployedBytecode}}. */
function compile(sources) {
  const input = { language: 'Solidity', sources: {}, settings: SETTINGS };
  for (const name of sources) {
    input.sources[name] = { content: fs.readFileSync(path.join(CONTRACTS_DIR, name), 'utf8') };
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));

  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const message of output.errors || []) {
    process.stderr.write(message.formattedMessage || `${message.severity}: ${message.message}\n`);
  }
  if (errors.length > 0) {
    throw new Error(`solc reported ${errors.length} error(s)`);
  }

  const artifacts = {};
  const origin = {};
  for (const sourceName of Object.keys(output.contracts || {}).sort()) {
    const contracts = output.contracts[sourceName];
    for (const contractName of Object.keys(contracts).sort()) {
      if (contractName in artifacts) {
        throw new Error(
          `contract name ${contractName} is defined in both ${origin[contractName]} and ` +
            `${sourceName}; build/<ContractName>.json needs unique names`,
        );
      }
      const contract = contracts[contractName];
      origin[contractName] = sourceName;
      artifacts[contractName] = {
        abi: contract.abi,
        bytecode: '0x' + contract.evm.bytecode.object,
        deployedBytecode: '0x' + contract.evm.deployedBytecode.object,
      };
    }
  }
  return artifacts;
}

/** Write one <name>.json per artifact into outDir; in the default build dir, drop stale files. */
function writeArtifacts(artifacts, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const written = new Set();
  for (const name of Object.keys(artifacts).sort()) {
    const file = `${name}.json`;
    fs.writeFileSync(path.join(outDir, file), JSON.stringify(sortKeys(artifacts[name]), null, 2) + '\n');
    written.add(file);
  }
  if (outDir === DEFAULT_OUT_DIR) {
    for (const file of fs.readdirSync(outDir)) {
      if (file.endsWith('.json') && !written.has(file)) {
        fs.unlinkSync(path.join(outDir, file));
        console.log(`removed stale ${path.relative(process.cwd(), path.join(outDir, file))}`);
      }
    }
  }
  return [...written];
}

function main() {
  const { outDir } = parseArgs(process.argv.slice(2));
  const sources = findSources(CONTRACTS_DIR);
  if (sources.length === 0) throw new Error(`no .sol files under ${CONTRACTS_DIR}`);
  const artifacts = compile(sources);
  const written = writeArtifacts(artifacts, outDir);
  console.log(
    `solc ${solc.version()}: ${sources.length} source(s) -> ${written.length} contract(s) in ` +
      `${path.relative(process.cwd(), outDir) || '.'}`,
  );
}

try {
  main();
} catch (err) {
  process.stderr.write(`compile.js: ${err.message}\n`);
  process.exit(1);
}
