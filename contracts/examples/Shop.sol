// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICoupons} from "../interfaces/ICoupons.sol";
import {IArbitration} from "../interfaces/IArbitration.sol";
import {LoyaltyPoints} from "./LoyaltyPoints.sol";

/// @title A shop that sells through arbitration escrow, takes coupons and rewards loyalty
/// @notice Every sale is an escrowed order of the arbitration precompile: the buyer's CMT is held
/// until the buyer confirms delivery (the seller is paid), or a dispute is decided by staked
/// arbiters. A coupon whose campaign names this shop as merchant pays part of the price: the buyer
/// reserves it here, transfers it to the shop, and buys paying the rest. Confirmed sales mint
/// loyalty points (1 per whole CMT of the price) to the buyer.
/// The shop is the order's buyer towards the precompile, so whatever the precompile pays it for an
/// order belongs to the real buyer, and the shop forwards exactly that: the fee reserve on
/// confirmation (measured around the call), and through claim() what the order says the buyer
/// received when it ended otherwise (`paidToBuyer`: a refund, a decided dispute, a timeout's fee
/// reserve). The precompile credits the shop without running its code, hence the claim.
/// For the same reason the buyer's review of the seller goes through the shop (`review`), and the
/// seller records shipment here (`ship`), where the buyer's wallet watches the sale.
contract Shop {
    ICoupons public constant COUPONS = ICoupons(0x000000000000000000000000000000000000Cc02);
    IArbitration public constant ARBITRATION = IArbitration(0x000000000000000000000000000000000000cc03);

    struct Item {
        uint256 price;
        string name;
    }

    struct Sale {
        address buyer;
        uint256 itemId;
        bool closed;
    }

    address public immutable seller;
    LoyaltyPoints public immutable points;
    uint64 public immutable deliverySeconds;
    Item[] public items;
    mapping(uint256 => Sale) public sales;            // by arbitration order id
    mapping(uint256 => address) public couponReservedBy;
    mapping(uint256 => uint64) public shippedAt;      // by arbitration order id; 0: not shipped

    event Listed(uint256 indexed itemId, uint256 price, string name);
    event Sold(uint256 indexed orderId, uint256 indexed itemId, address indexed buyer, uint256 couponValue);
    event Delivered(uint256 indexed orderId, address indexed buyer, uint256 points);
    event Claimed(uint256 indexed orderId, address indexed buyer, uint256 amount);
    event Shipped(uint256 indexed orderId, address indexed buyer, string tracking);

    constructor(LoyaltyPoints points_, uint64 deliverySeconds_) {
        seller = msg.sender;
        points = points_;
        deliverySeconds = deliverySeconds_;
    }

    function listItem(uint256 price, string calldata name) external returns (uint256 itemId) {
        require(msg.sender == seller, "Shop: only the seller lists items");
        require(price > 0, "Shop: price must be positive");
        items.push(Item(price, name));
        itemId = items.length - 1;
        emit Listed(itemId, price, name);
    }

    /// Step 1 of paying with a coupon, while the buyer still holds it: it will be the buyer's.
    function reserveCoupon(uint256 couponId) external {
        require(COUPONS.coupon(couponId).holder == msg.sender, "Shop: not your coupon");
        couponReservedBy[couponId] = msg.sender;
    }

    /// Buys `itemId` (couponId 0: no coupon). With a coupon: reserve it, transfer it to the shop,
    /// then send the price less the coupon's value.
    function buy(uint256 itemId, uint256 couponId) external payable returns (uint256 orderId) {
        require(itemId < items.length, "Shop: no such item");
        uint256 price = items[itemId].price;
        uint256 couponValue = 0;
        if (couponId != 0) {
            require(couponReservedBy[couponId] == msg.sender, "Shop: reserve the coupon first");
            delete couponReservedBy[couponId];
            uint256 before = address(this).balance;
            COUPONS.redeem(couponId);  // pays the coupon's value to its merchant: this shop
            couponValue = address(this).balance - before;
            require(couponValue > 0, "Shop: the coupon is not for this shop");
        }
        require(msg.value + couponValue == price, "Shop: pay the price less the coupon");
        orderId = ARBITRATION.openOrder{value: price}(seller, bytes32(itemId), uint64(block.timestamp) + deliverySeconds);
        sales[orderId] = Sale(msg.sender, itemId, false);
        emit Sold(orderId, itemId, msg.sender, couponValue);
    }

    /// The seller records that the order left, with a tracking reference for the buyer; once.
    function ship(uint256 orderId, string calldata tracking) external {
        require(msg.sender == seller, "Shop: only the seller ships");
        Sale storage sale = sales[orderId];
        require(sale.buyer != address(0) && !sale.closed, "Shop: no open sale");
        require(shippedAt[orderId] == 0, "Shop: already shipped");
        shippedAt[orderId] = uint64(block.timestamp);
        emit Shipped(orderId, sale.buyer, tracking);
    }

    /// The buyer confirms delivery: the seller is paid, the fee reserve comes back to the buyer,
    /// and the buyer earns loyalty points.
    function confirmDelivery(uint256 orderId) external {
        Sale storage sale = _openSaleOf(orderId);
        uint256 before = address(this).balance;
        ARBITRATION.confirmDelivery(orderId);
        sale.closed = true;
        _forward(sale.buyer, address(this).balance - before);
        uint256 earned = items[sale.itemId].price / 1 ether;
        points.mint(sale.buyer, earned);
        emit Delivered(orderId, sale.buyer, earned);
    }

    /// The buyer disputes the order; msg.value is the precompile's dispute fee, paid on as it is.
    /// If no arbiter votes, the fee comes back with the escrow, through claim().
    function dispute(uint256 orderId, string calldata reason) external payable {
        _openSaleOf(orderId);
        ARBITRATION.raiseDispute{value: msg.value}(orderId, reason);
    }

    /// Once the order ended other than by confirmDelivery (the seller refunded it, arbiters or a
    /// timeout decided it), forwards to the buyer exactly what the precompile paid this shop for
    /// it: the order's paidToBuyer (0 when the seller got everything).
    function claim(uint256 orderId) external {
        Sale storage sale = _openSaleOf(orderId);
        IArbitration.Order memory order = ARBITRATION.order(orderId);
        require(order.endedAt != 0, "Shop: the order has not ended");
        sale.closed = true;
        _forward(sale.buyer, order.paidToBuyer);
        emit Claimed(orderId, sale.buyer, order.paidToBuyer);
    }

    /// The buyer reviews the seller once the order has ended: the shop is the order's buyer
    /// towards the precompile, so the review is sent from here (the precompile allows one).
    function review(uint256 orderId, uint8 stars, string calldata comment) external {
        require(sales[orderId].buyer == msg.sender, "Shop: not your order");
        ARBITRATION.review(orderId, stars, comment);
    }

    function itemCount() external view returns (uint256) {
        return items.length;
    }

    function _openSaleOf(uint256 orderId) private view returns (Sale storage sale) {
        sale = sales[orderId];
        require(sale.buyer == msg.sender, "Shop: not your order");
        require(!sale.closed, "Shop: the sale is closed");
    }

    function _forward(address to, uint256 amount) private {
        if (amount > 0) {
            (bool ok,) = to.call{value: amount}("");
            require(ok, "Shop: payment failed");
        }
    }
}
