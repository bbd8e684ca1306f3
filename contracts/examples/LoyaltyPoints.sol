// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Loyalty points: an ERC-20 a merchant mints to its customers on settled orders
/// @notice The owner appoints minters (the merchant's shop contract); only they create points.
/// Points are ordinary ERC-20 tokens: customers hold, transfer and spend them with any wallet.
contract LoyaltyPoints {
    string public name;
    string public symbol;
    uint8 public constant decimals = 0;
    uint256 public totalSupply;
    address public owner;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isMinter;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event MinterSet(address indexed minter, bool allowed);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
    }

    function setMinter(address minter, bool allowed) external {
        require(msg.sender == owner, "LoyaltyPoints: not the owner");
        isMinter[minter] = allowed;
        emit MinterSet(minter, allowed);
    }

    function mint(address to, uint256 value) external {
        require(isMinter[msg.sender], "LoyaltyPoints: not a minter");
        require(to != address(0), "LoyaltyPoints: mint to the zero address");
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "LoyaltyPoints: allowance too low");
            allowance[from][msg.sender] = allowed - value;
        }
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        require(to != address(0), "LoyaltyPoints: transfer to the zero address");
        require(balanceOf[from] >= value, "LoyaltyPoints: balance too low");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
