// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStaking} from "../interfaces/IStaking.sol";

/// @title A contract that stakes through the staking precompile
/// @notice Shows that Solidity contracts call the precompile unchanged through its interface, and
/// is used by the tests to check static-call protection.
contract StakingClient {
    IStaking public constant STAKING = IStaking(0x000000000000000000000000000000000000cC01);

    /// Delegates the CMT sent along, in this contract's name.
    function delegateFor(address candidate) external payable {
        STAKING.delegate{value: msg.value}(candidate);
    }

    /// What this contract's delegation to `candidate` is worth.
    function stakedWith(address candidate) external view returns (uint256 tokens) {
        (, tokens) = STAKING.delegation(address(this), candidate);
    }

    /// Tries a state-changing call inside a static call: the precompile must refuse it.
    function delegateStatically(address candidate) external view returns (bool ok, bytes memory returned) {
        (ok, returned) = address(STAKING).staticcall(abi.encodeCall(IStaking.delegate, (candidate)));
    }
}
