// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The coupons precompile at 0x000000000000000000000000000000000000CC02
/// @notice Geo-fenced coupons. A sponsor escrows couponValue * maxCoupons CMT for a campaign around
/// a centre (microdegrees) and radius (metres); anyone inside the radius claims one coupon per
/// campaign during [startTime, endTime) of block time; holders may transfer coupons and redeem them
/// before endTime, which pays couponValue to the merchant; from endTime on the sponsor reclaims,
/// once, everything not redeemed. Distances are the chain's own integer equirectangular
/// approximation (see distanceMeters), within 0.5% of haversine up to 100 km at |latitude| <= 70.
/// Every bad call reverts with a reason string and changes nothing.
///
/// Attestation: if a campaign names an attester, claim() needs its 65-byte signature r || s || v
/// (v in {27, 28} or {0, 1}, low s) over the 32-byte hash
///     keccak256(abi.encode(block.chainid, address(0xCC02), campaignId, msg.sender, latE6, lonE6, deadline))
/// signed DIRECTLY (no "\x19Ethereum Signed Message" prefix: eth_keys sign_msg_hash, eth_account
/// unsafe_sign_hash), and deadline >= block.timestamp. Without an attester the attestation must be
/// empty and the deadline is ignored.
interface ICoupons {
    struct Campaign {
        address sponsor;        // escrowed the CMT; reclaims after endTime
        address merchant;       // paid couponValue per redeemed coupon
        uint256 couponValue;    // wei
        uint32 maxCoupons;
        int32 latE6;            // centre, microdegrees
        int32 lonE6;
        uint32 radiusMeters;
        uint64 startTime;       // unix seconds (block time), claims from here
        uint64 endTime;         // claims and redemptions until before here
        address attester;       // location attester, or address(0)
        string metadata;        // at most 1000 bytes
        uint32 claimed;
        uint32 redeemed;
        bool reclaimed;
    }

    struct Coupon {
        uint256 campaignId;
        address holder;
        bool redeemed;
    }

    event CampaignCreated(uint256 indexed campaignId, address indexed sponsor, address indexed merchant,
        uint256 couponValue, uint32 maxCoupons, int32 latE6, int32 lonE6, uint32 radiusMeters, uint64 startTime,
        uint64 endTime, address attester);
    event CouponClaimed(uint256 indexed couponId, uint256 indexed campaignId, address indexed claimer, int32 latE6,
        int32 lonE6);
    event CouponTransferred(uint256 indexed couponId, address indexed from, address indexed to);
    event CouponRedeemed(uint256 indexed couponId, uint256 indexed campaignId, address indexed merchant,
        address holder, uint256 value);
    event CampaignReclaimed(uint256 indexed campaignId, address indexed sponsor, uint256 amount);
    event CampaignRestricted(uint256 indexed campaignId, uint256 indexed groupId);

    /// msg.value must be exactly couponValue * maxCoupons. lat in [-90e6, 90e6], lon in
    /// [-180e6, 180e6], radius 1..maxRadiusMeters, maxCoupons 1..maxCoupons (params),
    /// couponValue > 0, endTime > startTime, endTime > now, merchant != 0. Ids count from 1.
    function createCampaign(address merchant, uint256 couponValue, uint32 maxCoupons, int32 latE6, int32 lonE6,
        uint32 radiusMeters, uint64 startTime, uint64 endTime, address attester, string calldata metadata)
        external payable returns (uint256 campaignId);
    /// One coupon per address per campaign, from inside the radius, while coupons remain.
    /// Coupon ids are one global counter from 1.
    function claim(uint256 campaignId, int32 latE6, int32 lonE6, uint64 deadline, bytes calldata attestation)
        external returns (uint256 couponId);
    /// By the holder, of an unredeemed coupon, to another non-zero address.
    function transfer(uint256 couponId, address to) external;
    /// By the holder, before the campaign's endTime: pays couponValue to the merchant.
    function redeem(uint256 couponId) external;
    /// By the sponsor, from endTime on, once: pays back (maxCoupons - redeemed) * couponValue.
    function reclaim(uint256 campaignId) external returns (uint256 amount);
    /// By the sponsor, a member of the group (IGroups at 0x...CC05), before any coupon is claimed,
    /// once: from then on only the group's members may claim. Create the campaign with a later
    /// startTime and restrict it before the start, so no claim can come first.
    function restrictToGroup(uint256 campaignId, uint256 groupId) external;

    function campaign(uint256 campaignId) external view returns (Campaign memory);
    function coupon(uint256 couponId) external view returns (Coupon memory);
    /// Coupons the address holds (redeemed ones included), in order of arrival.
    function couponsOf(address holder) external view returns (uint256[] memory);
    /// Whether the address claimed a coupon of the campaign, and which (0: none).
    /// The group whose members alone may claim (0: anyone).
    function campaignGroup(uint256 campaignId) external view returns (uint256 groupId);
    function claimedBy(uint256 campaignId, address claimer) external view returns (bool claimed, uint256 couponId);
    /// The chain's integer distance in whole metres (rounded), as used by claim().
    function distanceMeters(int32 lat1E6, int32 lon1E6, int32 lat2E6, int32 lon2E6) external view returns (uint256);
    function params() external view returns (uint32 maxRadiusMeters, uint32 maxCoupons);
    /// Campaigns created, coupons claimed, and the CMT (wei) escrowed: the precompile's balance.
    function totals() external view returns (uint256 campaigns, uint256 coupons, uint256 funds);
}
