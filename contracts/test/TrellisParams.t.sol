// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {TrellisParams} from "../src/TrellisParams.sol";
import {ITrellisParams} from "../src/interfaces/ITrellisParams.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {TrellisTimelock} from "../src/TrellisTimelock.sol";

contract TrellisParamsTest is Fixture {
    function setUp() public {
        deploySystem();
    }

    function _outOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ITrellisParams.ParamsOutOfBounds.selector, name, value, min, max);
    }

    /// @dev Valid constructor arguments with one position replaced.
    function _deploy(uint256 position, uint256 value) internal returns (TrellisParams) {
        uint256[8] memory a = [
            MIN_STAKE,
            UNBONDING_DELAY,
            CHALLENGE_WINDOW,
            WITHDRAWAL_NOTICE,
            FEE_BPS,
            ROYALTY_CAP_BPS,
            ROYALTY_NOTICE,
            WITHDRAWAL_WINDOW
        ];
        a[position] = value;
        return new TrellisParams(governance, treasury, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    }

    function test_constructor_setsEverything() public view {
        assertEq(params.owner(), governance, "owner");
        assertEq(params.treasury(), treasury, "treasury");
        assertEq(params.minStake(), MIN_STAKE, "minStake");
        assertEq(params.unbondingDelay(), UNBONDING_DELAY, "unbondingDelay");
        assertEq(params.challengeWindow(), CHALLENGE_WINDOW, "challengeWindow");
        assertEq(params.withdrawalNotice(), WITHDRAWAL_NOTICE, "withdrawalNotice");
        assertEq(params.protocolFeeBps(), FEE_BPS, "fee");
        assertEq(params.royaltyCapBps(), ROYALTY_CAP_BPS, "royaltyCap");
        assertEq(params.royaltyNotice(), ROYALTY_NOTICE, "royaltyNotice");
        assertEq(params.withdrawalWindow(), WITHDRAWAL_WINDOW, "withdrawalWindow");
    }

    function test_constructor_rejectsBadValues() public {
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroTreasury.selector));
        new TrellisParams(
            governance,
            address(0),
            MIN_STAKE,
            UNBONDING_DELAY,
            CHALLENGE_WINDOW,
            WITHDRAWAL_NOTICE,
            FEE_BPS,
            ROYALTY_CAP_BPS,
            ROYALTY_NOTICE,
            WITHDRAWAL_WINDOW
        );
        vm.expectRevert(_outOfBounds("minStake", 0, params.MIN_MIN_STAKE(), params.MAX_MIN_STAKE()));
        _deploy(0, 0);
        vm.expectRevert(
            _outOfBounds("unbondingDelay", 91 days, params.MIN_UNBONDING_DELAY(), params.MAX_UNBONDING_DELAY())
        );
        _deploy(1, 91 days);
        vm.expectRevert(
            abi.encodeWithSelector(ITrellisParams.ParamsUnbondingNotAfterChallenge.selector, 1 days, 1 days)
        );
        _deploy(1, 1 days);
        vm.expectRevert(
            _outOfBounds("challengeWindow", 0, params.MIN_CHALLENGE_WINDOW(), params.MAX_CHALLENGE_WINDOW())
        );
        _deploy(2, 0);
        vm.expectRevert(
            _outOfBounds("withdrawalNotice", 1, params.MIN_WITHDRAWAL_NOTICE(), params.MAX_WITHDRAWAL_NOTICE())
        );
        _deploy(3, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrellisParams.ParamsRoyaltyNoticeNotAfterWithdrawalNotice.selector, ROYALTY_NOTICE, ROYALTY_NOTICE
            )
        );
        _deploy(3, ROYALTY_NOTICE);
        vm.expectRevert(_outOfBounds("protocolFeeBps", 1_001, 0, 1_000));
        _deploy(4, 1_001);
        vm.expectRevert(_outOfBounds("royaltyCapBps", 3_001, 0, 3_000));
        _deploy(5, 3_001);
        vm.expectRevert(
            _outOfBounds("royaltyNotice", 61 days, params.MIN_ROYALTY_NOTICE(), params.MAX_ROYALTY_NOTICE())
        );
        _deploy(6, 61 days);
        vm.expectRevert(
            _outOfBounds("withdrawalWindow", 0, params.MIN_WITHDRAWAL_WINDOW(), params.MAX_WITHDRAWAL_WINDOW())
        );
        _deploy(7, 0);
    }

    function test_bounds_areConsistent() public view {
        // The relations between parameters can hold at both ends of the bounds.
        assertTrue(params.MIN_CHALLENGE_WINDOW() < params.MIN_UNBONDING_DELAY(), "min window < min delay");
        assertTrue(params.MAX_CHALLENGE_WINDOW() < params.MAX_UNBONDING_DELAY(), "max window < max delay");
        assertTrue(params.MIN_WITHDRAWAL_NOTICE() < params.MIN_ROYALTY_NOTICE(), "min notice < min royalty notice");
        assertTrue(params.MAX_WITHDRAWAL_NOTICE() < params.MAX_ROYALTY_NOTICE(), "max notice < max royalty notice");
        assertTrue(params.MAX_FEE_BPS() + params.MAX_ROYALTY_CAP_BPS() < 10_000, "provider share positive");
        assertTrue(params.MIN_MIN_STAKE() > 0, "stake positive");
    }

    function test_setters_updateAndEmit() public {
        vm.startPrank(governance);
        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("minStake", MIN_STAKE, 5e6);
        params.setMinStake(5e6);
        assertEq(params.minStake(), 5e6, "minStake");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("unbondingDelay", UNBONDING_DELAY, 3 days);
        params.setUnbondingDelay(3 days);
        assertEq(params.unbondingDelay(), 3 days, "unbondingDelay");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("challengeWindow", CHALLENGE_WINDOW, 2 days);
        params.setChallengeWindow(2 days);
        assertEq(params.challengeWindow(), 2 days, "challengeWindow");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("withdrawalNotice", WITHDRAWAL_NOTICE, 1 hours);
        params.setWithdrawalNotice(1 hours);
        assertEq(params.withdrawalNotice(), 1 hours, "withdrawalNotice");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("withdrawalWindow", WITHDRAWAL_WINDOW, 1 days);
        params.setWithdrawalWindow(1 days);
        assertEq(params.withdrawalWindow(), 1 days, "withdrawalWindow");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("royaltyNotice", ROYALTY_NOTICE, 2 hours);
        params.setRoyaltyNotice(2 hours);
        assertEq(params.royaltyNotice(), 2 hours, "royaltyNotice");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("protocolFeeBps", FEE_BPS, 1_000);
        params.setProtocolFeeBps(1_000);
        assertEq(params.protocolFeeBps(), 1_000, "fee");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("royaltyCapBps", ROYALTY_CAP_BPS, 0);
        params.setRoyaltyCapBps(0);
        assertEq(params.royaltyCapBps(), 0, "royaltyCap");

        vm.expectEmit(address(params));
        emit ITrellisParams.TreasurySet(treasury, address(0xBEEF));
        params.setTreasury(address(0xBEEF));
        assertEq(params.treasury(), address(0xBEEF), "treasury");
        vm.stopPrank();
    }

    function test_setters_rejectBadValues() public {
        vm.startPrank(governance);
        vm.expectRevert(_outOfBounds("minStake", 0, params.MIN_MIN_STAKE(), params.MAX_MIN_STAKE()));
        params.setMinStake(0);
        uint256 tooMuch = params.MAX_MIN_STAKE() + 1;
        vm.expectRevert(_outOfBounds("minStake", tooMuch, params.MIN_MIN_STAKE(), params.MAX_MIN_STAKE()));
        params.setMinStake(tooMuch);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrellisParams.ParamsUnbondingNotAfterChallenge.selector, CHALLENGE_WINDOW, CHALLENGE_WINDOW
            )
        );
        params.setUnbondingDelay(CHALLENGE_WINDOW);
        vm.expectRevert(
            _outOfBounds("unbondingDelay", 12 hours, params.MIN_UNBONDING_DELAY(), params.MAX_UNBONDING_DELAY())
        );
        params.setUnbondingDelay(12 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrellisParams.ParamsUnbondingNotAfterChallenge.selector, UNBONDING_DELAY, UNBONDING_DELAY
            )
        );
        params.setChallengeWindow(UNBONDING_DELAY);
        vm.expectRevert(_outOfBounds("challengeWindow", 59 minutes, 1 hours, 30 days));
        params.setChallengeWindow(59 minutes);
        vm.expectRevert(_outOfBounds("withdrawalNotice", 0, 1 hours, 30 days));
        params.setWithdrawalNotice(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrellisParams.ParamsRoyaltyNoticeNotAfterWithdrawalNotice.selector, ROYALTY_NOTICE, ROYALTY_NOTICE
            )
        );
        params.setWithdrawalNotice(ROYALTY_NOTICE);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrellisParams.ParamsRoyaltyNoticeNotAfterWithdrawalNotice.selector,
                WITHDRAWAL_NOTICE,
                WITHDRAWAL_NOTICE
            )
        );
        params.setRoyaltyNotice(WITHDRAWAL_NOTICE);
        vm.expectRevert(_outOfBounds("royaltyNotice", 1 hours, 2 hours, 60 days));
        params.setRoyaltyNotice(1 hours);
        vm.expectRevert(_outOfBounds("withdrawalWindow", 31 days, 1 days, 30 days));
        params.setWithdrawalWindow(31 days);
        vm.expectRevert(_outOfBounds("protocolFeeBps", 1_001, 0, 1_000));
        params.setProtocolFeeBps(1_001);
        vm.expectRevert(_outOfBounds("royaltyCapBps", 3_001, 0, 3_000));
        params.setRoyaltyCapBps(3_001);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroTreasury.selector));
        params.setTreasury(address(0));
        vm.stopPrank();
    }

    function test_setters_onlyOwner() public {
        address stranger = address(0xBAD);
        bytes memory notOwner = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(notOwner);
        params.setMinStake(1e6);
        vm.expectRevert(notOwner);
        params.setUnbondingDelay(10 days);
        vm.expectRevert(notOwner);
        params.setChallengeWindow(1 hours);
        vm.expectRevert(notOwner);
        params.setWithdrawalNotice(1 hours);
        vm.expectRevert(notOwner);
        params.setWithdrawalWindow(1 days);
        vm.expectRevert(notOwner);
        params.setRoyaltyNotice(3 days);
        vm.expectRevert(notOwner);
        params.setProtocolFeeBps(1);
        vm.expectRevert(notOwner);
        params.setRoyaltyCapBps(1);
        vm.expectRevert(notOwner);
        params.setTreasury(stranger);
        vm.stopPrank();
    }

    function test_ownership_isTwoStep() public {
        address next = address(0xA11CE);
        vm.prank(governance);
        params.transferOwnership(next);
        assertEq(params.owner(), governance, "owner unchanged until accepted");
        vm.prank(next);
        params.acceptOwnership();
        assertEq(params.owner(), next, "new owner");
    }

    function test_renounceOwnership_disabled() public {
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsRenounceDisabled.selector));
        params.renounceOwnership();
        assertEq(params.owner(), governance, "still owned");
    }

    /// @notice The deployment's handover (src/chain/deploy.ts): a timelock started with delay 0
    ///         accepts ownership and raises its own delay in one batch; from then on changes wait.
    function test_timelockHandover() public {
        address[] memory self = new address[](1);
        self[0] = address(this);
        TrellisTimelock timelock = new TrellisTimelock(0, self, self, address(0));
        vm.prank(governance);
        params.transferOwnership(address(timelock));

        address[] memory targets = new address[](2);
        uint256[] memory values = new uint256[](2);
        bytes[] memory payloads = new bytes[](2);
        targets[0] = address(params);
        payloads[0] = abi.encodeCall(params.acceptOwnership, ());
        targets[1] = address(timelock);
        payloads[1] = abi.encodeCall(timelock.updateDelay, (1 hours));
        timelock.scheduleBatch(targets, values, payloads, bytes32(0), bytes32(0), 0);
        timelock.executeBatch(targets, values, payloads, bytes32(0), bytes32(0));
        assertEq(params.owner(), address(timelock), "timelock owns the parameters");
        assertEq(timelock.getMinDelay(), 1 hours, "delay raised");

        // A change now waits for the delay.
        bytes memory call = abi.encodeCall(params.setProtocolFeeBps, (300));
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, 0, 1 hours));
        timelock.schedule(address(params), 0, call, bytes32(0), bytes32(0), 0);
        timelock.schedule(address(params), 0, call, bytes32(0), bytes32(0), 1 hours);
        bytes32 id = timelock.hashOperation(address(params), 0, call, bytes32(0), bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector, id, bytes32(uint256(1) << 2)
            )
        );
        timelock.execute(address(params), 0, call, bytes32(0), bytes32(0));
        vm.warp(block.timestamp + 1 hours);
        timelock.execute(address(params), 0, call, bytes32(0), bytes32(0));
        assertEq(params.protocolFeeBps(), 300, "applied after the delay");
    }

    // ------------------------------------------------------------------ attacks by the owner

    /// @dev A client with a deposit, a provider with a signed voucher.
    uint256 internal constant CLIENT_KEY = 0xC11E;
    address internal constant PROVIDER = address(0xB1);

    function _clientWithDeposit(uint256 amount) internal returns (address client) {
        client = vm.addr(CLIENT_KEY);
        mint(client, amount);
        vm.startPrank(client);
        token.approve(address(escrow), amount);
        escrow.deposit(amount);
        vm.stopPrank();
    }

    /// @notice A captured governance key sets a notice no client can wait out (2^64 s) and then
    ///         everyone's exit is frozen. The bound refuses it, and the client leaves on time.
    function test_attack_governanceFreezesExits() public {
        address client = _clientWithDeposit(100e6);
        // 1. The attacker, holding the governance key, tries the freezing values.
        vm.startPrank(governance);
        try params.setUnbondingDelay(type(uint64).max) {} catch {}
        try params.setWithdrawalNotice(params.MAX_WITHDRAWAL_NOTICE() + 1) {} catch {}
        try params.setWithdrawalNotice(type(uint64).max) {} catch {}
        try params.setWithdrawalNotice(100 * 365 days) {} catch {}
        vm.stopPrank();
        // 2. The client asks to leave and can, within the longest notice the bounds allow.
        vm.prank(client);
        escrow.requestWithdrawal(100e6);
        assertLe(escrow.pendingWithdrawal(client).readyAt, block.timestamp + 30 days, "notice stays bounded");
        vm.warp(escrow.pendingWithdrawal(client).readyAt);
        vm.prank(client);
        escrow.withdraw();
        assertEq(token.balanceOf(client), 100e6, "the client keeps its money");
        assertLe(params.unbondingDelay(), 90 days, "stake can leave");
    }

    /// @notice The attacker shortens the withdrawal notice to 1 s so a colluding client can
    ///         withdraw before the provider redeems the vouchers it holds. The bound keeps a
    ///         notice the provider can act in, and the provider is paid.
    function test_attack_governanceVoidsVoucherProtection() public {
        address client = _clientWithDeposit(100e6);
        IEscrow.Voucher memory voucher = IEscrow.Voucher(client, PROVIDER, keccak256("model"), 60e6);
        bytes memory signature = signVoucher(CLIENT_KEY, voucher);
        // 1. The attacker tries a one-second notice (and a one-second royalty notice).
        vm.startPrank(governance);
        try params.setWithdrawalNotice(1) {} catch {}
        try params.setRoyaltyNotice(1) {} catch {}
        vm.stopPrank();
        // 2. The colluding client requests at once and withdraws as early as it can.
        vm.prank(client);
        escrow.requestWithdrawal(100e6);
        assertGe(params.withdrawalNotice(), 1 hours, "notice keeps its floor");
        // 3. Within the notice floor the provider redeems what it is owed.
        vm.warp(block.timestamp + 1 hours - 1);
        vm.prank(client);
        vm.expectRevert();
        escrow.withdraw();
        vm.prank(PROVIDER);
        escrow.redeem(voucher, signature);
        assertEq(escrow.redeemed(client, PROVIDER, voucher.modelId), 60e6, "the provider is paid");
    }

    /// @notice The attacker renounces ownership so nobody can ever authorize a slasher again
    ///         (or revoke a bad one). Refused; the registry stays governable.
    function test_attack_governanceRenouncesToStrandSlashers() public {
        vm.prank(governance);
        try params.renounceOwnership() {} catch {}
        assertEq(params.owner(), governance, "owner kept");
        vm.prank(governance);
        registry.setSlasher(address(0x51A5), true);
        assertTrue(registry.isSlasher(address(0x51A5)), "slasher management still works");
    }

    /// @notice An owner cannot raise fee and royalty cap to take the providers' earnings.
    function test_governanceCannotTakeProviderShare() public {
        vm.startPrank(governance);
        try params.setProtocolFeeBps(10_000) {} catch {}
        try params.setRoyaltyCapBps(10_000) {} catch {}
        vm.stopPrank();
        assertLe(params.protocolFeeBps() + params.royaltyCapBps(), 4_000, "provider keeps at least 60%");
    }

    function testFuzz_settersStayInBounds(uint256 seed, uint256 value) public {
        vm.startPrank(governance);
        uint256 which = seed % 8;
        if (which == 0) try params.setMinStake(value) {} catch {}
        if (which == 1) try params.setUnbondingDelay(value) {} catch {}
        if (which == 2) try params.setChallengeWindow(value) {} catch {}
        if (which == 3) try params.setWithdrawalNotice(value) {} catch {}
        if (which == 4) try params.setWithdrawalWindow(value) {} catch {}
        if (which == 5) try params.setRoyaltyNotice(value) {} catch {}
        if (which == 6) try params.setProtocolFeeBps(value) {} catch {}
        if (which == 7) try params.setRoyaltyCapBps(value) {} catch {}
        vm.stopPrank();
        _assertInBounds();
    }

    function _assertInBounds() internal view {
        uint256 v = params.minStake();
        assertTrue(v >= params.MIN_MIN_STAKE() && v <= params.MAX_MIN_STAKE(), "minStake");
        v = params.unbondingDelay();
        assertTrue(v >= params.MIN_UNBONDING_DELAY() && v <= params.MAX_UNBONDING_DELAY(), "unbondingDelay");
        v = params.challengeWindow();
        assertTrue(v >= params.MIN_CHALLENGE_WINDOW() && v <= params.MAX_CHALLENGE_WINDOW(), "challengeWindow");
        v = params.withdrawalNotice();
        assertTrue(v >= params.MIN_WITHDRAWAL_NOTICE() && v <= params.MAX_WITHDRAWAL_NOTICE(), "withdrawalNotice");
        v = params.withdrawalWindow();
        assertTrue(v >= params.MIN_WITHDRAWAL_WINDOW() && v <= params.MAX_WITHDRAWAL_WINDOW(), "withdrawalWindow");
        v = params.royaltyNotice();
        assertTrue(v >= params.MIN_ROYALTY_NOTICE() && v <= params.MAX_ROYALTY_NOTICE(), "royaltyNotice");
        assertLe(params.protocolFeeBps(), params.MAX_FEE_BPS(), "fee");
        assertLe(params.royaltyCapBps(), params.MAX_ROYALTY_CAP_BPS(), "royaltyCap");
        assertTrue(params.unbondingDelay() > params.challengeWindow(), "delay > window");
        assertTrue(params.royaltyNotice() > params.withdrawalNotice(), "royalty notice > withdrawal notice");
    }

    function testFuzz_unbondingAlwaysAfterChallenge(uint256 delay, uint256 window) public {
        delay = bound(delay, 1, 365 days);
        window = bound(window, 1, 365 days);
        vm.startPrank(governance);
        // Try both orders; whatever is accepted must keep delay > window.
        try params.setUnbondingDelay(delay) {} catch {}
        try params.setChallengeWindow(window) {} catch {}
        vm.stopPrank();
        assertTrue(params.unbondingDelay() > params.challengeWindow(), "delay > window");
    }

    function testFuzz_royaltyNoticeAlwaysAfterWithdrawalNotice(uint256 notice, uint256 royaltyNotice) public {
        notice = bound(notice, 1, 90 days);
        royaltyNotice = bound(royaltyNotice, 1, 90 days);
        vm.startPrank(governance);
        try params.setWithdrawalNotice(notice) {} catch {}
        try params.setRoyaltyNotice(royaltyNotice) {} catch {}
        vm.stopPrank();
        assertTrue(params.royaltyNotice() > params.withdrawalNotice(), "royalty notice > withdrawal notice");
    }
}
