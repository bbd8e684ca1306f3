"""Chain records in the world state, so the app hash proves what execution reads besides accounts.

Execution reads three things that are not accounts: the genesis (chain id, gas limit, minimum gas
price, max tx bytes: kept as JSON in the store), the hashes of the last 256 blocks (BLOCKHASH,
and the arbiter draw of arbitration) and the base fee. All are recorded in the storage of a
system account, so a node restored from a snapshot can check them against the light client's
app hash (DESIGN.md §11):

- slot 256: keccak of the genesis JSON as the store keeps it (written by InitChain);
- slot `height % 256`: the CometBFT hash of block `height` (written by its FinalizeBlock), so the
  state after block H holds the hashes of blocks H-255..H;
- slot 257: the base fee of the next block (economics/fee_market.py; 0 until the first block
  ends: the minimum gas price).

The account has nonce 1 and no code: EIP-161 never deletes it, and nothing but the app writes its
storage (only an account's own code can).
"""

from itertools import dropwhile

from eth_hash.auto import keccak

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc00")
WINDOW = 256                  # blocks whose hashes BLOCKHASH can reach
GENESIS_HASH_SLOT = WINDOW    # after the ring of block hashes, slots 0..255
BASE_FEE_SLOT = WINDOW + 1
HASH_BYTES = 32


def init_genesis(state, genesis_json: bytes) -> None:
    """Create the account and record the hash of the genesis JSON the store keeps."""
    state.set_nonce(ADDRESS, 1)
    state.set_storage(ADDRESS, GENESIS_HASH_SLOT, int.from_bytes(keccak(genesis_json), "big"))


def record_block(state, height: int, block_hash: bytes) -> None:
    """Record block `height`'s hash in its ring slot, over the hash of block `height - 256`."""
    if len(block_hash) != HASH_BYTES:
        raise ValueError(f"a CometBFT block hash is {HASH_BYTES} bytes, got {len(block_hash)}")
    state.set_storage(ADDRESS, height % WINDOW, int.from_bytes(block_hash, "big"))


def genesis_matches(state, genesis_json: bytes) -> bool:
    return state.get_storage(ADDRESS, GENESIS_HASH_SLOT) == int.from_bytes(keccak(genesis_json), "big")


def recent_hashes(state, height: int) -> list[bytes]:
    """The hashes of blocks max(1, height - 255)..height recorded in the state after `height`,
    oldest first; heights before the chain's first block (empty slots) are left out."""
    words = [state.get_storage(ADDRESS, h % WINDOW) for h in range(max(1, height - WINDOW + 1), height + 1)]
    return [word.to_bytes(HASH_BYTES, "big") for word in dropwhile(lambda word: word == 0, words)]


def base_fee(state, minimum_wei: int) -> int:
    """The base fee of the block after the state's: what the last block recorded, or the
    minimum before any block has ended, or once a proposal raised the minimum above it."""
    return max(state.get_storage(ADDRESS, BASE_FEE_SLOT), minimum_wei)


def record_base_fee(state, base_fee_wei: int) -> None:
    state.set_storage(ADDRESS, BASE_FEE_SLOT, base_fee_wei)
