// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArbitration} from "../interfaces/IArbitration.sol";
import {IGroups} from "../interfaces/IGroups.sol";
import {IIdentity} from "../interfaces/IIdentity.sol";

/// @title A classic-car market: a group's members trade, the group's experts judge disputes
/// @notice Groups, identity and credit together (issue 17). The market never holds CMT.
/// - Only members of the market's group (IGroups) list or buy.
/// - A seller may ask, item by item, for a minimum buyer credit score (the arbitration
///   precompile's `credit`) and for a verified-buyer claim from the attester the market trusts
///   (IIdentity `hasClaim`): what an expensive car calls for.
/// - A purchase takes three steps, so that the escrowed order is the buyer's own (its credit, its
///   reviews, its dispute): `reserve` checks the buyer and holds the item for it; the buyer opens
///   the order itself with `ARBITRATION.openGroupOrder(seller, orderRef(itemId, buyer), deadline,
///   groupId)` paying the price; `bind` checks that order against the reservation (and the buyer
///   once more) and marks the item sold. The order is in the group, so a dispute is decided by
///   the group's expert arbiters. The seller takes the sale on with `ARBITRATION.acceptOrder`, so
///   it counts in the seller's credit.
/// - A claim revoked, or a score fallen, stops the next reservation or bind that needs it.
contract ClassicCarMarket {
    IArbitration public constant ARBITRATION = IArbitration(0x000000000000000000000000000000000000cc03);
    IGroups public constant GROUPS = IGroups(0x000000000000000000000000000000000000cc05);
    IIdentity public constant IDENTITY = IIdentity(0x000000000000000000000000000000000000CC06);
    bytes32 public constant VERIFIED_BUYER = keccak256("verified-buyer");
    uint64 public constant RESERVATION_SECONDS = 600;
    uint8 private constant ORDER_OPEN = 1;

    struct Item {
        address seller;
        uint256 price;              // wei, the whole escrow of the order
        string name;
        uint256 minBuyerCredit;     // the buyer's credit score must reach it (0: no minimum)
        bool verifiedBuyerOnly;     // the buyer needs a live VERIFIED_BUYER claim from `attester`
        address reservedBy;
        uint64 reservedUntil;
        uint256 orderId;            // the arbitration order that bought it, 0: unsold
    }

    uint256 public immutable groupId;
    address public immutable attester;
    Item[] public items;

    event Listed(uint256 indexed itemId, address indexed seller, uint256 price, string name, uint256 minBuyerCredit,
                 bool verifiedBuyerOnly);
    event Reserved(uint256 indexed itemId, address indexed buyer, uint64 until);
    event Sold(uint256 indexed itemId, uint256 indexed orderId, address indexed buyer);

    constructor(uint256 groupId_, address attester_) {
        groupId = groupId_;
        attester = attester_;
    }

    function list(uint256 price, string calldata name, uint256 minBuyerCredit, bool verifiedBuyerOnly)
        external returns (uint256 itemId)
    {
        require(GROUPS.isMember(groupId, msg.sender), "Market: only members of the group sell here");
        require(price > 0, "Market: price must be positive");
        items.push(Item(msg.sender, price, name, minBuyerCredit, verifiedBuyerOnly, address(0), 0, 0));
        itemId = items.length - 1;
        emit Listed(itemId, msg.sender, price, name, minBuyerCredit, verifiedBuyerOnly);
    }

    /// Step 1: holds the item for the caller for RESERVATION_SECONDS if it may buy it.
    function reserve(uint256 itemId) external {
        Item storage item = _unsold(itemId);
        require(item.reservedBy == msg.sender || block.timestamp > item.reservedUntil,
                "Market: reserved by another buyer");
        _requireBuyer(itemId, msg.sender);
        item.reservedBy = msg.sender;
        item.reservedUntil = uint64(block.timestamp) + RESERVATION_SECONDS;
        emit Reserved(itemId, msg.sender, item.reservedUntil);
    }

    /// Step 3: the order the caller opened (step 2) buys the reserved item.
    function bind(uint256 itemId, uint256 orderId) external {
        Item storage item = _unsold(itemId);
        require(item.reservedBy == msg.sender && block.timestamp <= item.reservedUntil,
                "Market: no reservation of yours");
        IArbitration.Order memory order = ARBITRATION.order(orderId);
        require(order.buyer == msg.sender && order.seller == item.seller && order.escrow == item.price
                && order.groupId == groupId && order.orderRef == orderRef(itemId, msg.sender)
                && order.state == ORDER_OPEN, "Market: the order does not match the reservation");
        _requireBuyer(itemId, msg.sender);
        item.orderId = orderId;
        emit Sold(itemId, orderId, msg.sender);
    }

    /// The reference a buyer's order for this item must carry: this market, the item, the buyer.
    function orderRef(uint256 itemId, address buyer) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), itemId, buyer));
    }

    /// Why `buyer` may not buy the item now ("" if it may): for wallets, before they ask.
    function buyerRefusal(uint256 itemId, address buyer) public view returns (string memory) {
        Item storage item = items[itemId];
        if (buyer == item.seller) return "Market: the seller cannot buy its own item";
        if (!GROUPS.isMember(groupId, buyer)) return "Market: only members of the group buy here";
        if (item.minBuyerCredit > 0) {
            (, uint256 score) = ARBITRATION.credit(buyer);
            if (score < item.minBuyerCredit) return "Market: buyer credit below the seller's minimum";
        }
        if (item.verifiedBuyerOnly && !IDENTITY.hasClaim(buyer, VERIFIED_BUYER, attester)) {
            return "Market: the seller asks for a verified buyer";
        }
        return "";
    }

    function itemCount() external view returns (uint256) {
        return items.length;
    }

    function _unsold(uint256 itemId) private view returns (Item storage item) {
        require(itemId < items.length, "Market: no such item");
        item = items[itemId];
        require(item.orderId == 0, "Market: already sold");
    }

    function _requireBuyer(uint256 itemId, address buyer) private view {
        string memory refusal = buyerRefusal(itemId, buyer);
        require(bytes(refusal).length == 0, refusal);
    }
}
