// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "./utils/DisputeSetup.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {IDisputeGame} from "../src/interfaces/IDisputeGame.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";
import {LayerMath} from "../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../src/libraries/TraceMerkle.sol";

/// @notice Attacks on the dispute game, each replayed from the attacker's side, asserting
///         what the honest party keeps. The cheating provider of DisputeSetup signed [0, 11]
///         where the honest output is [0, 10].
contract DisputeAttacksTest is DisputeSetup {
    address internal puppet = address(0x5EE9);
    address internal watcher = address(0x3A7C);

    function setUp() public {
        setUpGame();
        fundChallenger(puppet);
        fundChallenger(watcher);
    }

    /// @dev The honest challenger steps dense element 1 of the chunk reached.
    function _winAs(address who, bytes32 id) internal {
        vm.prank(who);
        game.step(id, 1, denseStep(1));
    }

    /// [cheater-steps] The cheating provider tries to name an element it computed right.
    function test_attack_cheaterSteps() public {
        bytes32 id = toStep(challenger, true, 1);
        // Element 0 (-4) is correct: the provider would love to have it re-executed.
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotYourTurn.selector, id, provider, challenger));
        game.step(id, 0, denseStep(0));
        vm.prank(challenger);
        game.step(id, 1, denseStep(1));
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "the cheater is slashed");
        assertEq(game.claimable(challenger), BOND + (SLASH - FEE) / 2, "the challenger keeps its bond and earns");
    }

    /// [squat-and-flee] A sock puppet takes the receipt's dispute first and the provider starts
    /// to take its stake out; an honest challenger still gets in and the stake is still there.
    function test_attack_squatAndFlee() public {
        bytes32 squat = openAs(puppet, true);
        vm.prank(provider);
        registry.startUnbonding(1_000e6);
        bytes32 honest = openAs(challenger, true);
        assertTrue(squat != honest, "one dispute per challenger");
        vm.prank(provider);
        game.revealRoots(honest, roots(true));
        vm.prank(challenger);
        game.chooseLayer(honest, layerParams(1), commitPath(2));
        // The provider waits out its unbonding delay: the stake cannot leave while disputes run.
        vm.warp(block.timestamp + UNBONDING_DELAY);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryDisputesOpen.selector, provider, 2));
        registry.withdraw();
        // The puppet's dispute times out on the provider's side (it never answered it).
        game.timeout(squat);
        assertEq(registry.getProvider(provider).unbondingStake, 1_000e6 - SLASH, "slashed from unbonding stake");
        // The honest dispute: the provider is already slashed for this receipt; it closes.
        game.close(honest);
        assertEq(game.claimable(challenger), BOND, "the honest challenger's bond is safe");
        vm.warp(block.timestamp + 7 days + 1); // past the jail
        vm.prank(provider);
        registry.withdraw();
        assertEq(token.balanceOf(provider), 1_000e6 - SLASH, "the provider leaves with what it did not lose");
    }

    /// [squat-and-flee] A puppet that loses on purpose pays for it: its bond does not all flow
    /// back to the provider.
    function test_attack_squatterLosesItsBond() public {
        bytes32 squat = openAs(puppet, true);
        vm.prank(provider);
        game.revealRoots(squat, roots(true));
        vm.warp(block.timestamp + TIMEOUT + 1);
        game.timeout(squat);
        assertEq(game.claimable(provider), COMPENSATION, "the provider gets only the defence compensation");
        assertEq(game.claimable(treasury), BOND - COMPENSATION, "the squat costs the pair the rest");
        assertFalse(game.isSettled(game.receiptDigest(receipt(true))), "the receipt stays open to others");
        _winAs(challenger, toStep(challenger, true, 1));
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "and the cheat is still slashed");
    }

    /// [squat-and-flee] Puppets fill the provider's dispute cap; the receipt's client still
    /// gets in, and wins.
    function test_attack_squatCapKeepsTheClientIn() public {
        for (uint256 i; i < MAX_OPEN; ++i) {
            address p = address(uint160(0x9000 + i));
            fundChallenger(p);
            openAs(p, true);
        }
        IDisputeGame.Receipt memory r = receipt(true);
        bytes memory sig = sign(r);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeProviderBusy.selector, provider, MAX_OPEN, MAX_OPEN));
        game.open(r, sig, input(), BOND);
        fundChallenger(client);
        bytes32 id = toStep(client, true, 1);
        _winAs(client, id);
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "the client's dispute slashes");
    }

    /// [squat-and-flee] Receipts age out: the window is enforced, and unbonding outlasts it.
    function test_attack_oldReceipt() public {
        assertGe(UNBONDING_DELAY, CHALLENGE_WINDOW, "stake outlasts the window of its last receipt");
        IDisputeGame.Receipt memory r = receipt(true);
        bytes memory sig = sign(r);
        vm.warp(r.issuedAt + CHALLENGE_WINDOW + 1);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeWindowClosed.selector,
                game.receiptDigest(r),
                r.issuedAt + CHALLENGE_WINDOW,
                block.timestamp
            )
        );
        game.open(r, sig, input(), BOND);
    }

    /// [forged-commitment] An attacker republishes the model under its own id with a
    /// commitment that embeds the honest tree one level down next to a parameter leaf of its
    /// own (a layer count of 3). Before, a proof of any depth made that leaf settle the game
    /// against a provider that served the attacker's publication. Leaves now have one fixed
    /// position and depth, so the bogus leaf proves nothing.
    function test_attack_forgedCommitment() public {
        LayerMath.Params memory bogus = layerParams(1);
        bogus.layerCount = 3;
        bytes32 forged = TraceMerkle.hashPair(commitment, LayerMath.leaf(bogus));
        address attacker = address(0xA77);
        vm.prank(attacker);
        bytes32 forgedId = models.publish(keccak256("model"), forged, shape(), "m", 3_000);
        assertTrue(forgedId != modelId, "the attacker's publication is another model");

        IDisputeGame.Receipt memory r = receipt(false);
        r.modelId = forgedId;
        fundChallenger(attacker);
        bytes32 id = openAs(attacker, r);
        vm.prank(provider);
        game.revealRoots(id, roots(false));
        bytes32[] memory path = new bytes32[](1);
        path[0] = commitment;
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInvalidParamsProof.selector, 1, bytes32(0), forged));
        game.chooseLayer(id, bogus, path);
        vm.warp(block.timestamp + TIMEOUT + 1);
        game.timeout(id);
        assertEq(registry.activeStake(provider), 1_000e6, "the honest provider keeps its stake");
        // And the honest model id is untouched by the republication.
        assertEq(models.weightCommitmentOf(modelId), commitment, "the original commitment stands");
    }

    /// Two honest challengers win on the same wrong receipt: one slash, both bonds back.
    function test_attack_doubleSlashInOneGame() public {
        bytes32 first = toStep(challenger, true, 1);
        bytes32 second = openAs(watcher, true);
        _winAs(challenger, first);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeUnknown.selector, first));
        game.revealRoots(first, roots(true));
        game.close(second);
        assertEq(game.claimable(watcher), BOND, "the second challenger's bond comes back");
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "slashed once");
    }

    /// Two authorized games cannot both slash for one receipt.
    function test_attack_doubleSlashAcrossGames() public {
        DisputeGame other = deployGame(defaultConfig());
        vm.prank(governance);
        registry.setSlasher(address(other), true);
        _winAs(challenger, toStep(challenger, true, 1));
        DisputeGame first = game;
        game = other; // the helpers now play in the second game
        fundChallenger(watcher);
        _winAs(watcher, toStep(watcher, true, 1));
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "the registry refused a second slash");
        assertEq(game.claimable(watcher), BOND, "the second winner gets its bond, nothing more");
        assertEq(first.openDisputesOf(provider) + game.openDisputesOf(provider), 0, "no dispute left open");
    }

    /// A provider colluding with its client writes a fee as large as the slash, hoping the
    /// refund gives the slash back: the refund is capped and paid only as far as charged.
    function test_attack_selfRefund() public {
        IDisputeGame.Receipt memory r = receipt(true);
        r.fee = SLASH;
        r.channelTotal = SLASH;
        bytes32 id = openAs(challenger, r);
        vm.prank(provider);
        game.revealRoots(id, roots(true));
        vm.prank(challenger);
        game.chooseLayer(id, layerParams(1), commitPath(2));
        _winAs(challenger, id);
        bytes32 receiptId = game.receiptDigest(r);
        assertEq(game.refundOf(receiptId).reserved, MAX_REFUND, "the refund is capped");
        uint256 rest = SLASH - MAX_REFUND;
        assertEq(game.claimable(treasury), rest - rest / 2, "the treasury keeps its share of the slash");
    }

    /// Griefers open disputes on honest receipts: each costs them a bond, pays the provider's
    /// defence, and never touches its stake.
    function test_attack_griefing() public {
        for (uint256 i; i < MAX_OPEN; ++i) {
            IDisputeGame.Receipt memory r = receipt(false);
            r.requestHash = keccak256(abi.encode("honest request", i));
            bytes32 id = openAs(watcher, r);
            vm.prank(provider);
            game.revealRoots(id, roots(false));
            vm.prank(watcher);
            game.chooseLayer(id, layerParams(1), commitPath(2));
            vm.prank(watcher);
            game.step(id, 1, denseStep(1));
        }
        assertEq(registry.activeStake(provider), 1_000e6, "the honest provider keeps all its stake");
        assertEq(game.claimable(provider), MAX_OPEN * COMPENSATION, "and is paid for every defence");
        assertEq(token.balanceOf(watcher), 100e6 - MAX_OPEN * BOND, "each grief cost a bond");
    }

    /// A receipt that asked for no verification, or a verified one without a trace, cannot
    /// be disputed, and says why.
    function test_attack_verificationOptOut() public {
        IDisputeGame.Receipt memory none = receipt(true);
        none.verification = 0;
        bytes memory sig = sign(none);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotVerified.selector, game.receiptDigest(none), 0));
        game.open(none, sig, input(), BOND);
        IDisputeGame.Receipt memory traceless = receipt(true);
        traceless.traceRoot = bytes32(0);
        sig = sign(traceless);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNoTrace.selector, game.receiptDigest(traceless)));
        game.open(traceless, sig, input(), BOND);
    }

    /// Payouts are pulled: a challenger whose transfers would fail cannot lock a dispute, and
    /// the client's refund follows the escrow's record of what it paid.
    function test_attack_refundFollowsTheEscrow() public {
        _winAs(challenger, toStep(challenger, true, 1));
        bytes32 receiptId = game.receiptDigest(receipt(true));
        mint(client, FEE);
        vm.startPrank(client);
        token.approve(address(escrow), FEE);
        escrow.deposit(FEE);
        vm.stopPrank();
        IEscrow.Voucher memory v = IEscrow.Voucher(client, provider, modelId, FEE / 2);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        escrow.redeem(v, sig);
        assertEq(game.claimRefund(receiptId), FEE / 2, "refunds only the half that was charged");
        v.cumulativeAmount = FEE;
        sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        escrow.redeem(v, sig);
        assertEq(game.claimRefund(receiptId), FEE - FEE / 2, "and the rest once charged");
    }

    /// The losing provider ends its own dispute by `timeout` with a gas limit chosen so the
    /// slash would run out of gas inside the game: whatever the limit, either the call fails
    /// or the provider is slashed. It never ends lost but unslashed.
    function test_attack_starvedSlash() public {
        bytes32 id = openAs(challenger, true);
        vm.warp(block.timestamp + TIMEOUT + 1);
        bytes memory call = abi.encodeCall(game.timeout, (id));
        for (uint256 gas = 40_000; gas < 400_000; gas += 7_000) {
            vm.prank(provider);
            (bool ok,) = address(game).call{gas: gas}(call);
            if (!ok) continue;
            assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "ended only with the slash");
            return;
        }
        revert("timeout never went through");
    }

    /// Governance withdraws the game's slashing right while a dispute runs: the dispute
    /// still ends, so the provider's stake is not locked forever, and nothing is slashed.
    function test_withdrawnSlasherStillEndsDisputes() public {
        bytes32 id = openAs(challenger, true);
        vm.prank(governance);
        registry.setSlasher(address(game), false);
        vm.warp(block.timestamp + TIMEOUT + 1);
        game.timeout(id);
        assertEq(registry.openDisputes(provider), 0, "the stake lock is released");
        assertEq(registry.activeStake(provider), 1_000e6, "nothing slashed without the right");
        assertEq(game.claimable(challenger), BOND, "the challenger's bond comes back");
    }
}
