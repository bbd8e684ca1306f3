// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Counter
/// @notice A small counter used by the tests of our EVM. Besides the usual storage reads and
/// writes it deliberately exercises the opcodes that Cancun added, so a test that runs it proves
/// our py-evm fork executes them:
///   - PUSH0 (Shanghai): solc emits it for every zero constant when evmVersion >= shanghai;
///   - TSTORE / TLOAD (EIP-1153, transient storage): the reentrancy lock in `nonReentrant`;
///   - MCOPY (EIP-5656): the memory-to-memory copy in `incrementWithNote`.
/// It also has a call that reverts with a reason string (`add(0)`), for revert tests.
contract Counter {
    /// Transient-storage slot of the reentrancy lock. Transient storage is a separate space from
    /// storage and is wiped at the end of every transaction, so the lock can never stay stuck.
    uint256 private constant LOCK_SLOT = 0x4c4f434b; // "LOCK"

    /// The current count (storage slot 0).
    uint256 private _count;

    /// Emitted whenever the count goes up. `by` is the caller (msg.sender).
    event Incremented(address indexed by, uint256 newCount);

    /// Refuses a call made while another call of a `nonReentrant` function of this contract is
    /// still running in the same transaction. Uses TLOAD to read and TSTORE to set the lock.
    modifier nonReentrant() {
        uint256 held;
        assembly {
            held := tload(LOCK_SLOT)
        }
        require(held == 0, "Counter: reentrant call");
        assembly {
            tstore(LOCK_SLOT, 1)
        }
        _;
        assembly {
            tstore(LOCK_SLOT, 0)
        }
    }

    /// Adds one to the count.
    function increment() external {
        _increase(1);
    }

    /// Adds `amount` to the count. Reverts with the reason "Counter: amount is zero" when
    /// `amount` is 0: the revert-with-reason case of the tests.
    function add(uint256 amount) external {
        require(amount != 0, "Counter: amount is zero");
        _increase(amount);
    }

    /// Adds one to the count under the transient-storage lock and returns the new count
    /// (32 bytes, big-endian) followed by `note`. Building the result copies `note` from memory
    /// to memory, which solc compiles to MCOPY when targeting Cancun.
    function incrementWithNote(bytes memory note) external nonReentrant returns (bytes memory tagged) {
        uint256 newCount = _increase(1);
        tagged = abi.encodePacked(newCount, note);
    }

    /// Whether the lock is held; read with TLOAD. Always false between transactions.
    function isLocked() external view returns (bool locked) {
        assembly {
            locked := tload(LOCK_SLOT)
        }
    }

    /// The current count.
    function count() external view returns (uint256) {
        return _count;
    }

    /// Adds `amount` to the count, emits Incremented and returns the new count.
    function _increase(uint256 amount) private returns (uint256 newCount) {
        newCount = _count + amount;
        _count = newCount;
        emit Incremented(msg.sender, newCount);
    }
}
