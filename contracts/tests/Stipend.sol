// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// What `transfer()`'s stipend must still buy under the chain's gas prices (evm/pricing.py):
/// a receive() that emits an event runs on it; one that writes storage does not.
contract Payer {
    receive() external payable {}

    /// Forward `amount` of this contract's balance with Solidity's transfer (the stipend only).
    function pay(address payable to, uint256 amount) external {
        to.transfer(amount);
    }
}

/// Its receive() takes ~1,800 gas at Ethereum's prices, within the 2,300 of the stipend there.
contract LoggingReceiver {
    event Received(address indexed from, uint256 amount, uint256 balance);

    receive() external payable {
        emit Received(msg.sender, msg.value, address(this).balance);
    }
}

contract StoringReceiver {
    uint256 public received;

    receive() external payable {
        received += msg.value;
    }
}
