// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface ITransferable {
    function transfer(address to, uint256 value) external returns (bool);
}

/// Sends one amount of a token it holds to many addresses in one transaction: how a shop (or
/// `miles bench scale`) gives a token to many holders without a transaction each. Only its
/// deployer may send.
contract Airdrop {
    address public immutable owner = msg.sender;

    function drop(ITransferable token, address[] calldata to, uint256 amount) external {
        require(msg.sender == owner, "not the owner");
        for (uint256 i = 0; i < to.length; i++) {
            require(token.transfer(to[i], amount), "transfer failed");
        }
    }
}
