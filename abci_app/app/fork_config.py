"""`/config`: the chain's EVM rules as EIP-7910 describes a fork (eth_config).

The chain runs Prague's rules from its first block, with its native precompiles beside
Ethereum's, so there is one configuration and nothing scheduled: a coordinated upgrade
(governance) is at a height and changes the software, not these rules. Its fork id is EIP-6122's
CRC32 of the genesis hash with no fork after genesis to add; a CometBFT chain has no genesis
block, so the genesis hash is the one the state records (chain_records: keccak of the genesis as
the store keeps it), which every node has, pruned or restored from a snapshot.
"""

import zlib

from .. import staking
from . import chain_records
from .modules import BOUNDARY_MODULES

# EIP-7910's names of Ethereum's precompiles (Prague), by address
ETHEREUM_PRECOMPILES = {
    0x01: "ECREC", 0x02: "SHA256", 0x03: "RIPEMD160", 0x04: "ID", 0x05: "MODEXP", 0x06: "BN254_ADD",
    0x07: "BN254_MUL", 0x08: "BN254_PAIRING", 0x09: "BLAKE2F", 0x0A: "KZG_POINT_EVALUATION",
    0x0B: "BLS12_G1ADD", 0x0C: "BLS12_G1MSM", 0x0D: "BLS12_G2ADD", 0x0E: "BLS12_G2MSM",
    0x0F: "BLS12_PAIRING_CHECK", 0x10: "BLS12_MAP_FP_TO_G1", 0x11: "BLS12_MAP_FP2_TO_G2",
}
NATIVE_PRECOMPILES = {module.ADDRESS: module.NAME.upper() for module in (staking, *BOUNDARY_MODULES)}
# No blob transactions are taken: no target, no maximum; the fraction is Prague's (EIP-7691), with
# which BLOBBASEFEE answers the minimum.
BLOB_SCHEDULE = {"target": 0, "max": 0, "baseFeeUpdateFraction": 5_007_716}
SYSTEM_ACCOUNTS = {"CHAIN_RECORDS": chain_records.ADDRESS, "REWARD_POOL": staking.REWARD_POOL}


def config_json(reader, chain_id: int) -> dict:
    """The configuration in force: {activation_time, chain_id, fork_id, blob_schedule,
    precompiles: {name: address}, system_contracts: {name: address}}."""
    genesis_hash = reader.state.get_storage(chain_records.ADDRESS, chain_records.GENESIS_HASH_SLOT).to_bytes(32, "big")
    precompiles = reader.vm.get_state_class().computation_class._precompiles
    names = {address: ETHEREUM_PRECOMPILES.get(int.from_bytes(address, "big"))
             or NATIVE_PRECOMPILES.get(address, "0x" + address.hex()) for address in precompiles}   # (a new one: its address)
    return {
        "activation_time": 0,   # in force from the first block, as a geth chain with its forks at genesis
        "chain_id": chain_id,
        "fork_id": f"0x{zlib.crc32(genesis_hash):08x}",
        "blob_schedule": BLOB_SCHEDULE,
        "precompiles": {name: "0x" + address.hex() for address, name in sorted(names.items())},
        "system_contracts": {name: "0x" + address.hex() for name, address in SYSTEM_ACCOUNTS.items()},
    }
