// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract ProviderRegistryTest is Fixture {
    uint256 private _receipts;

    /// @dev A fresh receipt id per slash: each receipt can cost stake once.
    function _nextReceiptId() internal returns (bytes32) {
        return keccak256(abi.encode("receipt", ++_receipts));
    }

    address internal provider = address(0xB1);
    address internal slasher = address(0x51A5);
    address internal watcher = address(0x3A7C);
    bytes32 internal constant MODEL = keccak256("model");

    function setUp() public {
        deploySystem();
        mint(provider, 10_000e6);
        vm.prank(provider);
        token.approve(address(registry), type(uint256).max);
        vm.prank(governance);
        registry.setSlasher(slasher, true);
    }

    function _register(uint256 stake) internal {
        vm.prank(provider);
        registry.register("https://p1.example", hex"0102", stake);
    }

    // ------------------------------------------------------------------ register

    function test_register_pullsStakeAndEmits() public {
        vm.expectEmit(address(registry));
        emit IProviderRegistry.ProviderRegistered(provider, "https://p1.example", hex"0102", 150e6);
        _register(150e6);
        IProviderRegistry.ProviderInfo memory info = registry.getProvider(provider);
        assertTrue(info.registered, "registered");
        assertEq(info.endpoint, "https://p1.example", "endpoint");
        assertEq(info.pubKey, hex"0102", "pubKey");
        assertEq(info.activeStake, 150e6, "stake");
        assertEq(registry.activeStake(provider), 150e6, "activeStake view");
        assertEq(token.balanceOf(address(registry)), 150e6, "tokens held");
        assertEq(registry.totalStaked(), 150e6, "totalStaked");
        assertTrue(registry.isActive(provider), "active");
    }

    function test_register_reverts() public {
        vm.startPrank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryEmptyEndpoint.selector));
        registry.register("", hex"", MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, MIN_STAKE - 1, MIN_STAKE)
        );
        registry.register("e", hex"", MIN_STAKE - 1);
        registry.register("e", hex"", MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryAlreadyRegistered.selector, provider));
        registry.register("e", hex"", MIN_STAKE);
        vm.stopPrank();
    }

    function test_register_revertsWithoutAllowance() public {
        address poor = address(0x9009);
        mint(poor, MIN_STAKE);
        vm.prank(poor);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(registry), 0, MIN_STAKE)
        );
        registry.register("e", hex"", MIN_STAKE);
    }

    function test_notRegistered_reverts() public {
        bytes memory err = abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, provider);
        vm.startPrank(provider);
        vm.expectRevert(err);
        registry.updateEndpoint("x");
        vm.expectRevert(err);
        registry.setPrice(MODEL, 1);
        vm.expectRevert(err);
        registry.addStake(1);
        vm.expectRevert(err);
        registry.startUnbonding(1);
        vm.expectRevert(err);
        registry.withdraw();
        vm.stopPrank();
        vm.startPrank(slasher);
        vm.expectRevert(err);
        registry.jail(provider, 1);
        vm.expectRevert(err);
        registry.slash(provider, 1, watcher, _nextReceiptId());
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ endpoint and price

    function test_updateEndpoint() public {
        _register(MIN_STAKE);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.EndpointUpdated(provider, "https://new.example");
        vm.prank(provider);
        registry.updateEndpoint("https://new.example");
        assertEq(registry.getProvider(provider).endpoint, "https://new.example", "endpoint");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryEmptyEndpoint.selector));
        registry.updateEndpoint("");
    }

    function test_setEncryptionKey_rotatesAndOnlyForItself() public {
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, provider));
        registry.setEncryptionKey(bytes32(uint256(1)));
        _register(MIN_STAKE);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.EncryptionKeyRotated(provider, bytes32(uint256(7)), 1);
        vm.prank(provider);
        registry.setEncryptionKey(bytes32(uint256(7)));
        vm.prank(provider);
        registry.setEncryptionKey(bytes32(uint256(8)));
        (bytes32 key, uint64 version) = registry.encryptionKeyOf(provider);
        assertEq(key, bytes32(uint256(8)), "latest key");
        assertEq(version, 2, "rotations counted");
        // Nobody else can replace a provider's key: the caller's own entry is all it writes.
        address stranger = address(0x5EE);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.setEncryptionKey(bytes32(uint256(9)));
        (key,) = registry.encryptionKeyOf(provider);
        assertEq(key, bytes32(uint256(8)), "unchanged by the stranger");
    }

    function test_setPrice_setsAndRemoves() public {
        _register(MIN_STAKE);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.PriceSet(provider, MODEL, 25);
        vm.prank(provider);
        registry.setPrice(MODEL, 25);
        assertEq(registry.priceOf(provider, MODEL), 25, "price");
        vm.expectEmit(address(registry));
        emit IProviderRegistry.PriceSet(provider, MODEL, 0);
        vm.prank(provider);
        registry.setPrice(MODEL, 0);
        assertEq(registry.priceOf(provider, MODEL), 0, "removed");
    }

    // ------------------------------------------------------------------ staking

    function test_addStake() public {
        _register(MIN_STAKE);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.StakeAdded(provider, 5e6, MIN_STAKE + 5e6);
        vm.prank(provider);
        registry.addStake(5e6);
        assertEq(registry.activeStake(provider), MIN_STAKE + 5e6, "stake");
        assertEq(token.balanceOf(address(registry)), MIN_STAKE + 5e6, "held");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryZeroAmount.selector));
        registry.addStake(0);
    }

    function test_startUnbonding_andWithdraw() public {
        _register(300e6);
        uint64 readyAt = uint64(block.timestamp + UNBONDING_DELAY);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.UnbondingStarted(provider, 100e6, readyAt, 200e6);
        vm.prank(provider);
        registry.startUnbonding(100e6);
        IProviderRegistry.Unbonding[] memory entries = registry.unbondingEntries(provider);
        assertEq(entries.length, 1, "one entry");
        assertEq(entries[0].amount, 100e6, "entry amount");
        assertEq(uint256(entries[0].readyAt), readyAt, "entry time");
        assertEq(registry.getProvider(provider).unbondingStake, 100e6, "unbonding");

        vm.warp(readyAt - 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingToWithdraw.selector, provider));
        registry.withdraw();

        vm.warp(readyAt);
        uint256 before = token.balanceOf(provider);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.StakeWithdrawn(provider, 100e6);
        vm.prank(provider);
        registry.withdraw();
        assertEq(token.balanceOf(provider) - before, 100e6, "paid");
        assertEq(registry.unbondingEntries(provider).length, 0, "entry gone");
        assertEq(registry.totalStaked(), 200e6, "total");
        assertEq(token.balanceOf(address(registry)), 200e6, "held");
    }

    function test_withdraw_keepsImmatureEntries() public {
        _register(400e6);
        vm.prank(provider);
        registry.startUnbonding(100e6);
        vm.warp(block.timestamp + 1 days);
        vm.prank(provider);
        registry.startUnbonding(50e6);
        vm.warp(block.timestamp + UNBONDING_DELAY - 1 days);
        vm.prank(provider);
        registry.withdraw();
        IProviderRegistry.Unbonding[] memory entries = registry.unbondingEntries(provider);
        assertEq(entries.length, 1, "second entry kept");
        assertEq(entries[0].amount, 50e6, "kept amount");
        assertEq(registry.getProvider(provider).unbondingStake, 50e6, "unbonding left");
    }

    function test_startUnbonding_toZeroDeactivates() public {
        _register(MIN_STAKE);
        vm.prank(provider);
        registry.startUnbonding(MIN_STAKE);
        assertFalse(registry.isActive(provider), "inactive");
        assertTrue(registry.getProvider(provider).registered, "still registered");
        // It can come back by adding stake.
        vm.prank(provider);
        registry.addStake(MIN_STAKE);
        assertTrue(registry.isActive(provider), "active again");
    }

    function test_startUnbonding_reverts() public {
        _register(150e6);
        vm.startPrank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryZeroAmount.selector));
        registry.startUnbonding(0);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryInsufficientStake.selector, 150e6, 151e6));
        registry.startUnbonding(151e6);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryRemainingStakeBelowMinimum.selector, 99e6, MIN_STAKE)
        );
        registry.startUnbonding(51e6);
        vm.stopPrank();
    }

    function test_startUnbonding_boundedEntries() public {
        _register(MIN_STAKE + 9);
        uint256 max = registry.MAX_UNBONDINGS();
        vm.startPrank(provider);
        for (uint256 i; i < max; ++i) {
            registry.startUnbonding(1);
        }
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryTooManyUnbondings.selector, max));
        registry.startUnbonding(1);
        vm.stopPrank();
    }

    function test_startUnbonding_atLongestDelay() public {
        // TrellisParams bounds the delay, so the ready time can no longer overflow; the longest
        // delay it allows still works.
        _register(200e6);
        uint256 delay = params.MAX_UNBONDING_DELAY();
        vm.prank(governance);
        params.setUnbondingDelay(delay);
        vm.prank(provider);
        registry.startUnbonding(100e6);
        assertEq(uint256(registry.unbondingEntries(provider)[0].readyAt), block.timestamp + delay, "ready time");
    }

    // ------------------------------------------------------------------ jail and slash

    function test_jail_blocksWithdrawAndActivity() public {
        _register(200e6);
        vm.prank(provider);
        registry.startUnbonding(100e6);
        uint64 until = uint64(block.timestamp + 30 days);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.ProviderJailed(provider, until, slasher);
        vm.prank(slasher);
        registry.jail(provider, until);
        assertFalse(registry.isActive(provider), "jailed is inactive");
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryJailed.selector, provider, until));
        registry.withdraw();
        vm.warp(until);
        assertTrue(registry.isActive(provider), "free again");
        vm.prank(provider);
        registry.withdraw();
    }

    function test_openDisputes_holdTheStake() public {
        _register(200e6);
        vm.prank(provider);
        registry.startUnbonding(200e6);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotSlasher.selector, watcher));
        registry.disputeOpened(provider);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.DisputeCountChanged(provider, slasher, 1);
        vm.prank(slasher);
        registry.disputeOpened(provider);
        assertEq(registry.openDisputes(provider), 1, "counted");
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryDisputesOpen.selector, provider, 1));
        registry.withdraw();
        // Another account cannot release a lock it did not take.
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNoOpenDispute.selector, provider, watcher));
        registry.disputeClosed(provider);
        // A slasher removed by governance can still release what it holds.
        vm.prank(governance);
        registry.setSlasher(slasher, false);
        vm.prank(slasher);
        registry.disputeClosed(provider);
        assertEq(registry.openDisputes(provider), 0, "released");
        vm.prank(provider);
        registry.withdraw();
        assertEq(registry.totalStaked(), 0, "withdrawn once free");
    }

    function test_slash_oncePerReceipt() public {
        _register(200e6);
        bytes32 receiptId = keccak256("receipt");
        vm.startPrank(slasher);
        registry.slash(provider, 10e6, watcher, receiptId);
        assertTrue(registry.isReceiptSlashed(receiptId), "recorded");
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryReceiptAlreadySlashed.selector, receiptId));
        registry.slash(provider, 10e6, watcher, receiptId);
        vm.stopPrank();
        assertEq(registry.activeStake(provider), 190e6, "slashed once");
    }

    function test_jail_neverShortens() public {
        _register(MIN_STAKE);
        vm.startPrank(slasher);
        registry.jail(provider, 1_000);
        uint64 first = uint64(block.timestamp + 10 days);
        registry.jail(provider, first);
        registry.jail(provider, first - 1);
        vm.stopPrank();
        assertEq(uint256(registry.getProvider(provider).jailedUntil), first, "kept the longer term");
    }

    function test_slash_activeFirstThenNewestUnbonding() public {
        _register(300e6);
        vm.startPrank(provider);
        registry.startUnbonding(50e6); // older
        registry.startUnbonding(100e6); // newer
        vm.stopPrank();
        // active 150, unbonding [50, 100]
        vm.expectEmit(address(registry));
        emit IProviderRegistry.ProviderSlashed(provider, watcher, slasher, 220e6, 150e6, 70e6);
        vm.prank(slasher);
        uint256 taken = registry.slash(provider, 220e6, watcher, _nextReceiptId());
        assertEq(taken, 220e6, "taken");
        assertEq(registry.activeStake(provider), 0, "active drained");
        IProviderRegistry.Unbonding[] memory entries = registry.unbondingEntries(provider);
        assertEq(entries.length, 2, "both entries remain");
        assertEq(entries[0].amount, 50e6, "older untouched");
        assertEq(entries[1].amount, 30e6, "newer reduced");
        assertEq(token.balanceOf(watcher), 220e6, "recipient paid");
        assertEq(registry.totalStaked(), 80e6, "total");
        assertEq(token.balanceOf(address(registry)), 80e6, "held");
    }

    function test_slash_cappedAtAvailable() public {
        _register(150e6);
        vm.prank(provider);
        registry.startUnbonding(50e6);
        vm.prank(slasher);
        uint256 taken = registry.slash(provider, 1_000e6, watcher, _nextReceiptId());
        assertEq(taken, 150e6, "everything");
        assertEq(registry.unbondingEntries(provider).length, 0, "entries popped");
        assertEq(registry.getProvider(provider).unbondingStake, 0, "unbonding zero");
        assertEq(token.balanceOf(address(registry)), 0, "held");
        // Nothing left: a further slash takes zero and moves nothing.
        vm.prank(slasher);
        assertEq(registry.slash(provider, 1, watcher, _nextReceiptId()), 0, "nothing left");
    }

    function test_slash_reverts() public {
        _register(MIN_STAKE);
        vm.startPrank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryZeroAmount.selector));
        registry.slash(provider, 0, watcher, _nextReceiptId());
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryZeroRecipient.selector));
        registry.slash(provider, 1, address(0), _nextReceiptId());
        vm.stopPrank();
    }

    function test_onlySlasher() public {
        _register(MIN_STAKE);
        vm.startPrank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotSlasher.selector, watcher));
        registry.jail(provider, 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotSlasher.selector, watcher));
        registry.slash(provider, 1, watcher, _nextReceiptId());
        vm.stopPrank();
    }

    function test_setSlasher_onlyParamsOwner() public {
        vm.expectEmit(address(registry));
        emit IProviderRegistry.SlasherSet(watcher, true);
        vm.prank(governance);
        registry.setSlasher(watcher, true);
        assertTrue(registry.isSlasher(watcher), "allowed");
        vm.prank(governance);
        registry.setSlasher(watcher, false);
        assertFalse(registry.isSlasher(watcher), "removed");
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotOwner.selector, watcher, governance));
        registry.setSlasher(watcher, true);
    }

    function test_isActive_followsMinStake() public {
        _register(MIN_STAKE);
        assertTrue(registry.isActive(provider), "active");
        vm.prank(governance);
        params.setMinStake(MIN_STAKE + 1);
        assertFalse(registry.isActive(provider), "below the new minimum");
        assertFalse(registry.isActive(watcher), "unregistered");
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_unbondWithdraw_conservesTokens(uint256 stake, uint256 unbond, uint256 waitTime) public {
        stake = bound(stake, MIN_STAKE, 10_000e6);
        unbond = bound(unbond, 1, stake);
        waitTime = bound(waitTime, 0, 2 * UNBONDING_DELAY);
        _register(stake);
        uint256 remaining = stake - unbond;
        vm.prank(provider);
        if (remaining != 0 && remaining < MIN_STAKE) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IProviderRegistry.RegistryRemainingStakeBelowMinimum.selector, remaining, MIN_STAKE
                )
            );
            registry.startUnbonding(unbond);
            return;
        }
        registry.startUnbonding(unbond);
        vm.warp(block.timestamp + waitTime);
        vm.prank(provider);
        if (waitTime < UNBONDING_DELAY) {
            vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingToWithdraw.selector, provider));
        }
        registry.withdraw();
        uint256 withdrawn = waitTime < UNBONDING_DELAY ? 0 : unbond;
        assertEq(token.balanceOf(address(registry)), stake - withdrawn, "registry holds the rest");
        assertEq(token.balanceOf(provider), 10_000e6 - stake + withdrawn, "provider got the matured part");
    }

    function testFuzz_slash_takesExactly(uint256 stake, uint256 unbond, uint256 amount) public {
        stake = bound(stake, MIN_STAKE, 10_000e6);
        unbond = bound(unbond, 0, stake - MIN_STAKE);
        amount = bound(amount, 1, 20_000e6);
        _register(stake);
        if (unbond != 0) {
            vm.prank(provider);
            registry.startUnbonding(unbond);
        }
        vm.prank(slasher);
        uint256 taken = registry.slash(provider, amount, watcher, _nextReceiptId());
        uint256 expected = amount < stake ? amount : stake;
        assertEq(taken, expected, "min(amount, stake)");
        assertEq(token.balanceOf(watcher), expected, "recipient");
        IProviderRegistry.ProviderInfo memory info = registry.getProvider(provider);
        assertEq(info.activeStake + info.unbondingStake, stake - expected, "left");
        assertEq(token.balanceOf(address(registry)), registry.totalStaked(), "registry solvent");
        uint256 active = stake - unbond;
        assertEq(info.activeStake, amount >= active ? 0 : active - amount, "active taken first");
    }
}
