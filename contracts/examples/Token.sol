// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Token
/// @notice A minimal ERC-20 token, used by the benchmarks and tests. The constructor mints the
/// whole initial supply to the deployer; there is no other minting and no burning.
/// Failed checks revert with a reason string.
contract Token {
    /// Token name, e.g. "Miles Test Token".
    string public name;
    /// Token symbol, e.g. "MTT".
    string public symbol;
    /// Number of decimals of the display unit; balances are integers of the smallest unit.
    uint8 public constant decimals = 18;
    /// Total amount of tokens in existence (fixed at construction).
    uint256 public totalSupply;

    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;

    /// Emitted when `value` tokens move from `from` to `to` (from is 0 when minting).
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// Emitted when `owner` sets the allowance of `spender` to `value`.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// Creates the token and mints `initialSupply` (in the smallest unit) to msg.sender.
    constructor(string memory name_, string memory symbol_, uint256 initialSupply) {
        name = name_;
        symbol = symbol_;
        totalSupply = initialSupply;
        _balances[msg.sender] = initialSupply;
        emit Transfer(address(0), msg.sender, initialSupply);
    }

    /// The balance of `account`.
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// How much `spender` may still move from `owner`'s balance with transferFrom.
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// Moves `value` tokens from the caller to `to`.
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// Sets the allowance of `spender` over the caller's tokens to `value` (not added to the old one).
    function approve(address spender, uint256 value) external returns (bool) {
        require(spender != address(0), "Token: approve to the zero address");
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// Moves `value` tokens from `from` to `to` using the caller's allowance. An allowance of
    /// type(uint256).max is unlimited and is not decreased.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "Token: insufficient allowance");
            unchecked {
                _allowances[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    /// Moves `value` tokens from `from` to `to` and emits Transfer.
    function _transfer(address from, address to, uint256 value) private {
        require(to != address(0), "Token: transfer to the zero address");
        uint256 fromBalance = _balances[from];
        require(fromBalance >= value, "Token: insufficient balance");
        unchecked {
            // Cannot underflow (checked above) nor overflow (the sum of balances is totalSupply).
            _balances[from] = fromBalance - value;
            _balances[to] += value;
        }
        emit Transfer(from, to, value);
    }
}
