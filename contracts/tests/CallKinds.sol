// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Reaches any contract or precompile by any call kind
/// @notice For the security tests: the precompiles must answer only a CALL or STATICCALL addressed
/// to them. Each function forwards `data` to `target` (`times` times where it matters), returns
/// whether the last attempt succeeded and what it returned, and never reverts itself, so a test
/// sees exactly what a hostile contract would keep.
contract CallKinds {
    receive() external payable {}

    function viaCall(address target, bytes calldata data, uint256 value, uint256 times)
        external payable returns (bool ok, bytes memory output)
    {
        for (uint256 i = 0; i < times; i++) {
            (ok, output) = target.call{value: value}(data);
        }
    }

    function viaStaticCall(address target, bytes calldata data) external view returns (bool ok, bytes memory output) {
        (ok, output) = target.staticcall(data);
    }

    function viaDelegateCall(address target, bytes calldata data, uint256 times)
        external payable returns (bool ok, bytes memory output)
    {
        for (uint256 i = 0; i < times; i++) {
            (ok, output) = target.delegatecall(data);
        }
    }

    function viaCallCode(address target, bytes calldata data, uint256 value, uint256 times)
        external payable returns (bool ok, bytes memory output)
    {
        bytes memory input = data;
        for (uint256 i = 0; i < times; i++) {
            assembly {
                ok := callcode(gas(), target, value, add(input, 0x20), mload(input), 0, 0)
                output := mload(0x40)
                mstore(output, returndatasize())
                returndatacopy(add(output, 0x20), 0, returndatasize())
                mstore(0x40, add(add(output, 0x20), and(add(returndatasize(), 31), not(31))))
            }
        }
    }
}
