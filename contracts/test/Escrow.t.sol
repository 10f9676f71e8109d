// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {Shapes} from "./utils/Shapes.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @dev An ERC-1271 client wallet that accepts digests it was told about.
contract ApprovingWallet {
    mapping(bytes32 => bool) public approved;

    function approveDigest(bytes32 digest) external {
        approved[digest] = true;
    }

    function isValidSignature(bytes32 digest, bytes memory) external view returns (bytes4) {
        return approved[digest] ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

/// @dev What a client's EIP-7702 delegation (or any code at its address) may answer: nothing valid.
contract RejectingWallet {
    function isValidSignature(bytes32, bytes memory) external pure returns (bytes4) {
        return bytes4(0xffffffff);
    }
}

/// @dev A client wallet whose signature check burns all the gas it is given.
contract GasBurningWallet {
    function isValidSignature(bytes32, bytes memory) external pure returns (bytes4) {
        while (true) {}
        return bytes4(0);
    }
}

contract EscrowTest is Fixture {
    uint256 internal constant CLIENT_KEY = 0xC11E;
    address internal client;
    address internal provider = address(0xB1);
    address internal modelOwner = address(0x0A);
    bytes32 internal modelId;

    function setUp() public {
        deploySystem();
        client = vm.addr(CLIENT_KEY);
        mint(client, 1_000e6);
        vm.prank(client);
        token.approve(address(escrow), type(uint256).max);
        vm.prank(modelOwner);
        modelId = models.publish(keccak256("model"), keccak256("weights"), Shapes.dense2(), "uri", 1_000); // 10%
    }

    function _voucher(uint256 cumulative) internal view returns (IEscrow.Voucher memory) {
        return IEscrow.Voucher({client: client, provider: provider, modelId: modelId, cumulativeAmount: cumulative});
    }

    function _deposit(uint256 amount) internal {
        vm.prank(client);
        escrow.deposit(amount);
    }

    function _redeem(uint256 cumulative) internal returns (uint256) {
        IEscrow.Voucher memory v = _voucher(cumulative);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        return escrow.redeem(v, sig);
    }

    function _solvent() internal view {
        assertEq(token.balanceOf(address(escrow)), escrow.totalBalances() + escrow.totalEarnings(), "escrow solvent");
    }

    // ------------------------------------------------------------------ EIP-712

    function test_hashVoucher_matchesSpec() public view {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Trellis Escrow"),
                keccak256("1"),
                block.chainid,
                address(escrow)
            )
        );
        assertEq(escrow.domainSeparator(), domain, "domain separator");
        IEscrow.Voucher memory v = _voucher(42);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Voucher(address client,address provider,bytes32 modelId,uint256 cumulativeAmount)"),
                v.client,
                v.provider,
                v.modelId,
                v.cumulativeAmount
            )
        );
        assertEq(escrow.hashVoucher(v), MessageHashUtils.toTypedDataHash(domain, structHash), "digest");
        assertEq(
            escrow.channelId(client, provider, modelId), keccak256(abi.encode(client, provider, modelId)), "channel"
        );
    }

    // ------------------------------------------------------------------ deposit

    function test_deposit() public {
        vm.expectEmit(address(escrow));
        emit IEscrow.Deposited(client, 100e6, 100e6);
        _deposit(100e6);
        assertEq(escrow.balanceOf(client), 100e6, "balance");
        assertEq(token.balanceOf(address(escrow)), 100e6, "held");
        assertEq(escrow.totalBalances(), 100e6, "total");
    }

    function test_deposit_reverts() public {
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowZeroAmount.selector));
        escrow.deposit(0);
        address stranger = address(0x5);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(escrow), 0, 1));
        escrow.deposit(1);
    }

    function _permitSig(uint256 key, address owner, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8, bytes32, bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                address(escrow),
                value,
                token.nonces(owner),
                deadline
            )
        );
        return vm.sign(key, MessageHashUtils.toTypedDataHash(token.DOMAIN_SEPARATOR(), structHash));
    }

    function test_depositWithPermit() public {
        uint256 key = 0xD00D;
        address user = vm.addr(key);
        mint(user, 50e6);
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(key, user, 50e6, block.timestamp + 1);
        vm.prank(user);
        escrow.depositWithPermit(50e6, block.timestamp + 1, v, r, s);
        assertEq(escrow.balanceOf(user), 50e6, "deposited");
    }

    function test_depositWithPermit_survivesFrontRunPermit() public {
        uint256 key = 0xD00D;
        address user = vm.addr(key);
        mint(user, 50e6);
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(key, user, 50e6, block.timestamp + 1);
        // Someone submits the permit first; the deposit must still work.
        token.permit(user, address(escrow), 50e6, block.timestamp + 1, v, r, s);
        vm.prank(user);
        escrow.depositWithPermit(50e6, block.timestamp + 1, v, r, s);
        assertEq(escrow.balanceOf(user), 50e6, "deposited");
    }

    function test_depositWithPermit_revertsWithoutAllowance() public {
        address user = address(0xD00D);
        mint(user, 50e6);
        vm.prank(user);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(escrow), 0, 50e6)
        );
        escrow.depositWithPermit(50e6, block.timestamp + 1, 27, bytes32(0), bytes32(0));
    }

    // ------------------------------------------------------------------ withdrawal

    function test_withdrawal_afterNotice() public {
        _deposit(100e6);
        uint64 readyAt = uint64(block.timestamp + WITHDRAWAL_NOTICE);
        uint64 expiresAt = uint64(readyAt + WITHDRAWAL_WINDOW);
        vm.expectEmit(address(escrow));
        emit IEscrow.WithdrawalRequested(client, 40e6, readyAt, expiresAt);
        vm.prank(client);
        escrow.requestWithdrawal(40e6);
        IEscrow.WithdrawalRequest memory req = escrow.pendingWithdrawal(client);
        assertEq(req.amount, 40e6, "requested");
        assertEq(uint256(req.readyAt), readyAt, "readyAt");
        assertEq(uint256(req.expiresAt), expiresAt, "expiresAt");
        assertEq(escrow.balanceOf(client), 100e6, "still backing vouchers");

        vm.warp(readyAt - 1);
        vm.prank(client);
        vm.expectRevert(
            abi.encodeWithSelector(IEscrow.EscrowWithdrawalNotReady.selector, client, readyAt, block.timestamp)
        );
        escrow.withdraw();

        vm.warp(readyAt);
        vm.expectEmit(address(escrow));
        emit IEscrow.Withdrawn(client, 40e6, 60e6);
        vm.prank(client);
        escrow.withdraw();
        assertEq(escrow.balanceOf(client), 60e6, "left");
        assertEq(token.balanceOf(client), 940e6, "received");
        assertEq(escrow.pendingWithdrawal(client).amount, 0, "request cleared");
        _solvent();
    }

    function test_withdrawal_reverts() public {
        _deposit(10e6);
        vm.startPrank(client);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowZeroAmount.selector));
        escrow.requestWithdrawal(0);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowInsufficientBalance.selector, client, 10e6, 11e6));
        escrow.requestWithdrawal(11e6);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowNoWithdrawalRequest.selector, client));
        escrow.withdraw();
        vm.stopPrank();
    }

    function test_withdrawal_expiresAfterWindow() public {
        _deposit(100e6);
        vm.prank(client);
        escrow.requestWithdrawal(40e6);
        IEscrow.WithdrawalRequest memory req = escrow.pendingWithdrawal(client);
        // One second after the window the request is dead...
        uint256 late = uint256(req.expiresAt) + 1;
        vm.warp(late);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowWithdrawalExpired.selector, client, req.expiresAt, late));
        escrow.withdraw();
        // ...a new request restarts notice and window, and completes at the window's last second.
        vm.prank(client);
        escrow.requestWithdrawal(40e6);
        vm.warp(block.timestamp + WITHDRAWAL_NOTICE + WITHDRAWAL_WINDOW);
        vm.prank(client);
        escrow.withdraw();
        assertEq(escrow.balanceOf(client), 60e6, "withdrawn at the window's last second");
        _solvent();
    }

    function test_withdrawal_windowIsFixedAtRequest() public {
        _deposit(100e6);
        vm.prank(client);
        escrow.requestWithdrawal(40e6);
        uint64 expiresAt = escrow.pendingWithdrawal(client).expiresAt;
        // A later change of the window does not move a request providers are already watching.
        vm.prank(governance);
        params.setWithdrawalWindow(1 days);
        assertEq(uint256(escrow.pendingWithdrawal(client).expiresAt), expiresAt, "unchanged");
        vm.warp(expiresAt);
        vm.prank(client);
        escrow.withdraw();
        assertEq(escrow.balanceOf(client), 60e6, "withdrawn");
    }

    function test_withdrawal_vouchersStayRedeemableDuringNotice() public {
        _deposit(100e6);
        vm.prank(client);
        escrow.requestWithdrawal(100e6);
        // The provider redeems during the notice; the withdrawal then pays what is left.
        assertEq(_redeem(30e6), 30e6, "redeemed during notice");
        vm.warp(block.timestamp + WITHDRAWAL_NOTICE);
        vm.expectEmit(address(escrow));
        emit IEscrow.Withdrawn(client, 70e6, 0);
        vm.prank(client);
        escrow.withdraw();
        assertEq(escrow.balanceOf(client), 0, "empty");
        _solvent();
    }

    function test_withdrawal_newRequestReplacesOld() public {
        _deposit(100e6);
        vm.prank(client);
        escrow.requestWithdrawal(10e6);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(client);
        escrow.requestWithdrawal(20e6);
        IEscrow.WithdrawalRequest memory req = escrow.pendingWithdrawal(client);
        assertEq(req.amount, 20e6, "replaced");
        assertEq(uint256(req.readyAt), block.timestamp + WITHDRAWAL_NOTICE, "clock restarted");
    }

    // ------------------------------------------------------------------ redeem

    function test_redeem_paysDeltaAndSplits() public {
        _deposit(100e6);
        // 10% royalty, 2% fee on 50e6: 5e6 royalty, 1e6 fee, 44e6 provider.
        vm.expectEmit(address(escrow));
        emit IEscrow.VoucherRedeemed(client, provider, modelId, 50e6, 50e6, 0);
        vm.expectEmit(address(escrow));
        emit IEscrow.PaymentSplit(modelId, provider, modelOwner, 44e6, 5e6, 1e6);
        assertEq(_redeem(50e6), 50e6, "paid");
        assertEq(escrow.redeemed(client, provider, modelId), 50e6, "channel counter");
        assertEq(escrow.earnings(provider), 44e6, "provider");
        assertEq(escrow.earnings(modelOwner), 5e6, "owner");
        assertEq(escrow.earnings(treasury), 1e6, "treasury");
        assertEq(escrow.balanceOf(client), 50e6, "client left");

        // A later voucher pays only the increment.
        assertEq(_redeem(70e6), 20e6, "delta");
        assertEq(escrow.redeemed(client, provider, modelId), 70e6, "counter");
        _solvent();
    }

    function test_redeem_revertsOnStaleVoucher() public {
        _deposit(100e6);
        _redeem(50e6);
        bytes32 channel = escrow.channelId(client, provider, modelId);
        IEscrow.Voucher memory v = _voucher(50e6);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowNothingToRedeem.selector, channel, 50e6, 50e6));
        escrow.redeem(v, sig);
        v = _voucher(40e6);
        sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowNothingToRedeem.selector, channel, 40e6, 50e6));
        escrow.redeem(v, sig);
    }

    function test_redeem_onlyProvider() public {
        _deposit(100e6);
        IEscrow.Voucher memory v = _voucher(10e6);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowNotProvider.selector, provider, modelOwner));
        escrow.redeem(v, sig);
    }

    function test_redeem_revertsOnForgedSignature() public {
        _deposit(100e6);
        IEscrow.Voucher memory v = _voucher(10e6);
        bytes memory forged = signVoucher(0xBAD, v);
        bytes32 digest = escrow.hashVoucher(v);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowInvalidSignature.selector, client, digest));
        escrow.redeem(v, forged);
        // A valid signature over a different amount does not transfer either.
        bytes memory other = signVoucher(CLIENT_KEY, _voucher(1e6));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowInvalidSignature.selector, client, digest));
        escrow.redeem(v, other);
        assertEq(escrow.balanceOf(client), 100e6, "untouched");
    }

    function test_redeem_shortBalancePaysWhatIsThereThenRest() public {
        _deposit(30e6);
        vm.expectEmit(address(escrow));
        emit IEscrow.VoucherRedeemed(client, provider, modelId, 50e6, 30e6, 20e6);
        assertEq(_redeem(50e6), 30e6, "partial");
        assertEq(escrow.redeemed(client, provider, modelId), 30e6, "counter advanced by paid only");
        assertEq(escrow.balanceOf(client), 0, "drained");
        // Same voucher again with nothing in the balance: pays zero, no split.
        assertEq(_redeem(50e6), 0, "nothing now");
        _deposit(100e6);
        assertEq(_redeem(50e6), 20e6, "the rest, later");
        assertEq(escrow.redeemed(client, provider, modelId), 50e6, "complete");
        assertEq(_redeemTotalEarnings(), 50e6, "paid once in total");
        _solvent();
    }

    function _redeemTotalEarnings() internal view returns (uint256) {
        return escrow.earnings(provider) + escrow.earnings(modelOwner) + escrow.earnings(treasury);
    }

    function test_redeem_unknownModelPaysNoRoyalty() public {
        _deposit(100e6);
        IEscrow.Voucher memory v = IEscrow.Voucher(client, provider, keccak256("nobody's"), 10e6);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        escrow.redeem(v, sig);
        assertEq(escrow.earnings(provider), 9.8e6, "provider keeps the royalty share");
        assertEq(escrow.earnings(treasury), 0.2e6, "fee");
        assertEq(escrow.earnings(address(0)), 0, "nothing to zero");
    }

    function test_redeem_deprecatedModelStillPaysRoyalty() public {
        _deposit(100e6);
        vm.prank(modelOwner);
        models.deprecate(modelId);
        _redeem(10e6);
        assertEq(escrow.earnings(modelOwner), 1e6, "royalty");
    }

    function test_redeem_royaltyClampedToLoweredCap() public {
        _deposit(100e6);
        vm.prank(governance);
        params.setRoyaltyCapBps(500);
        _redeem(10e6);
        assertEq(escrow.earnings(modelOwner), 0.5e6, "paid at the cap");
    }

    function test_redeem_royaltyFollowsTransfer() public {
        _deposit(100e6);
        address buyer = address(0xB4);
        vm.prank(modelOwner);
        models.transfer(modelId, buyer);
        _redeem(10e6);
        assertEq(escrow.earnings(buyer), 1e6, "new owner earns");
        assertEq(escrow.earnings(modelOwner), 0, "old owner does not");
    }

    function test_redeem_contractClient() public {
        ApprovingWallet wallet = new ApprovingWallet();
        mint(address(wallet), 10e6);
        vm.startPrank(address(wallet));
        token.approve(address(escrow), 10e6);
        escrow.deposit(10e6);
        vm.stopPrank();
        IEscrow.Voucher memory v = IEscrow.Voucher(address(wallet), provider, modelId, 4e6);
        bytes32 digest = escrow.hashVoucher(v);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowInvalidSignature.selector, address(wallet), digest));
        escrow.redeem(v, hex"00");
        wallet.approveDigest(digest);
        vm.prank(provider);
        assertEq(escrow.redeem(v, hex"00"), 4e6, "ERC-1271 client pays");
    }

    // ------------------------------------------------------------------ redeemMany

    function test_redeemMany_batchesChannels() public {
        _deposit(100e6);
        vm.prank(modelOwner);
        bytes32 second = models.publish(keccak256("model2"), bytes32(0), Shapes.none(), "", 0);
        IEscrow.Voucher[] memory vs = new IEscrow.Voucher[](2);
        bytes[] memory sigs = new bytes[](2);
        vs[0] = _voucher(10e6);
        vs[1] = IEscrow.Voucher(client, provider, second, 5e6);
        sigs[0] = signVoucher(CLIENT_KEY, vs[0]);
        sigs[1] = signVoucher(CLIENT_KEY, vs[1]);
        vm.prank(provider);
        assertEq(escrow.redeemMany(vs, sigs), 15e6, "total");
        assertEq(escrow.redeemed(client, provider, second), 5e6, "second channel");
        assertEq(escrow.earnings(modelOwner), 1e6, "royalty only on the first");
        _solvent();
    }

    function test_redeemMany_reverts() public {
        IEscrow.Voucher[] memory vs = new IEscrow.Voucher[](2);
        bytes[] memory sigs = new bytes[](1);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowLengthMismatch.selector, 2, 1));
        escrow.redeemMany(vs, sigs);
    }

    function test_redeemMany_skipsEachKindOfBadVoucher() public {
        _deposit(100e6);
        _redeem(5e6);
        IEscrow.Voucher[] memory vs = new IEscrow.Voucher[](4);
        bytes[] memory sigs = new bytes[](4);
        vs[0] = IEscrow.Voucher(client, modelOwner, modelId, 10e6); // another provider
        vs[1] = _voucher(5e6); // already redeemed
        vs[2] = _voucher(30e6); // forged below
        vs[3] = _voucher(20e6); // good
        for (uint256 i; i < 4; ++i) {
            sigs[i] = signVoucher(CLIENT_KEY, vs[i]);
        }
        sigs[2] = signVoucher(0xBAD, vs[2]);
        vm.expectEmit(address(escrow));
        emit IEscrow.VoucherSkipped(provider, client, modelId, 0, IEscrow.SkipReason.NotProvider);
        vm.expectEmit(address(escrow));
        emit IEscrow.VoucherSkipped(provider, client, modelId, 1, IEscrow.SkipReason.NothingToRedeem);
        vm.expectEmit(address(escrow));
        emit IEscrow.VoucherSkipped(provider, client, modelId, 2, IEscrow.SkipReason.InvalidSignature);
        vm.expectEmit(address(escrow));
        emit IEscrow.VoucherRedeemed(client, provider, modelId, 20e6, 15e6, 0);
        vm.prank(provider);
        assertEq(escrow.redeemMany(vs, sigs), 15e6, "only the good voucher pays");
        assertEq(escrow.redeemed(client, provider, modelId), 20e6, "counter");
        assertEq(escrow.redeemed(client, modelOwner, modelId), 0, "other provider's channel untouched");
        _solvent();
    }

    // ------------------------------------------------------------------ attacks

    /// @notice The client signs vouchers with its key, gets served, then adds an EIP-7702
    ///         delegation whose ERC-1271 check rejects everything (simulated with `vm.etch`),
    ///         asks to withdraw and leaves after the notice. Its ECDSA vouchers must still pay.
    function test_attack_voidedVoucher() public {
        _deposit(100e6);
        // 1. Work is done and paid for with an ECDSA voucher.
        IEscrow.Voucher memory v = _voucher(60e6);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        // 2. The client gives its address code that rejects every signature, and asks to leave.
        vm.etch(client, address(new RejectingWallet()).code);
        vm.prank(client);
        escrow.requestWithdrawal(100e6);
        // 3. During the notice the provider redeems the voucher it holds.
        vm.warp(block.timestamp + WITHDRAWAL_NOTICE / 2);
        vm.prank(provider);
        assertEq(escrow.redeem(v, sig), 60e6, "the voucher signed before the delegation pays");
        // 4. After the notice the client takes only what it did not spend.
        vm.warp(block.timestamp + WITHDRAWAL_NOTICE);
        vm.prank(client);
        escrow.withdraw();
        assertEq(token.balanceOf(client), 900e6 + 40e6, "client leaves with the unspent part only");
        assertEq(escrow.earnings(provider), 52.8e6, "provider keeps its share (60 - 10% - 2%)");
        _solvent();
    }

    /// @notice A delegated client whose code does accept ERC-1271 still pays through it: the
    ///         fallback applies when ECDSA does not recover the client.
    function test_redeem_delegatedClientFallsBackToERC1271() public {
        _deposit(100e6);
        vm.etch(client, address(new ApprovingWallet()).code);
        IEscrow.Voucher memory v = _voucher(4e6);
        ApprovingWallet(client).approveDigest(escrow.hashVoucher(v));
        vm.prank(provider);
        assertEq(escrow.redeem(v, hex"00"), 4e6, "ERC-1271 path");
    }

    /// @notice A client slips one voucher with a bad signature into the provider's batch (or a
    ///         stale one is there by mistake) hoping the whole batch reverts and nothing is paid.
    ///         The bad voucher is skipped; every other voucher is redeemed.
    function test_attack_poisonedBatch() public {
        _deposit(100e6);
        uint256 otherKey = 0xC22E;
        address other = vm.addr(otherKey);
        mint(other, 100e6);
        vm.startPrank(other);
        token.approve(address(escrow), 100e6);
        escrow.deposit(100e6);
        vm.stopPrank();
        // 1. The provider gathers three vouchers; the attacker's one is not validly signed.
        IEscrow.Voucher[] memory vs = new IEscrow.Voucher[](3);
        bytes[] memory sigs = new bytes[](3);
        vs[0] = _voucher(10e6);
        vs[1] = IEscrow.Voucher(other, provider, modelId, 50e6);
        vs[2] = IEscrow.Voucher(other, provider, keccak256("model2"), 20e6);
        sigs[0] = signVoucher(CLIENT_KEY, vs[0]);
        sigs[1] = signVoucher(0xBAD, vs[1]); // the poison
        sigs[2] = signVoucher(otherKey, vs[2]);
        // 2. The provider redeems the batch.
        vm.prank(provider);
        escrow.redeemMany(vs, sigs);
        // 3. Everything validly signed was paid.
        assertEq(escrow.redeemed(client, provider, modelId), 10e6, "first voucher redeemed");
        assertEq(escrow.redeemed(other, provider, keccak256("model2")), 20e6, "third voucher redeemed");
        assertEq(escrow.redeemed(other, provider, modelId), 0, "the poison paid nothing");
        _solvent();
    }

    /// @notice A client wallet whose ERC-1271 check burns all gas cannot take the rest of a
    ///         batch down with it: its call gets bounded gas and its voucher is skipped.
    function test_attack_gasBurningWalletInBatch() public {
        _deposit(100e6);
        GasBurningWallet wallet = new GasBurningWallet();
        IEscrow.Voucher[] memory vs = new IEscrow.Voucher[](2);
        bytes[] memory sigs = new bytes[](2);
        vs[0] = IEscrow.Voucher(address(wallet), provider, modelId, 10e6);
        vs[1] = _voucher(10e6);
        sigs[0] = hex"00";
        sigs[1] = signVoucher(CLIENT_KEY, vs[1]);
        vm.prank(provider);
        escrow.redeemMany{gas: 2_000_000}(vs, sigs);
        assertEq(escrow.redeemed(client, provider, modelId), 10e6, "honest voucher redeemed");
    }

    /// @notice The model owner sees a provider's redemption coming and raises the royalty to
    ///         the cap first, taking the provider's share of work already done. The increase
    ///         only applies after the royalty notice, so the provider is paid at the old rate.
    function test_attack_royaltyFrontrun() public {
        _deposit(100e6);
        // 1. Work is done at the announced 10% royalty; the provider holds the voucher.
        IEscrow.Voucher memory v = _voucher(50e6);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        // 2. The owner front-runs the redemption with a raise to the cap.
        vm.prank(modelOwner);
        models.setRoyalty(modelId, uint16(ROYALTY_CAP_BPS));
        // 3. The provider redeems (even at the end of the withdrawal notice).
        vm.warp(block.timestamp + WITHDRAWAL_NOTICE);
        vm.prank(provider);
        escrow.redeem(v, sig);
        // 10% royalty and 2% fee of 50e6: the provider keeps 44e6, not 34e6.
        assertEq(escrow.earnings(provider), 44e6, "provider paid at the old royalty");
        assertEq(escrow.earnings(modelOwner), 5e6, "owner gets the royalty announced for the work");
    }

    function test_redeem_royaltyIncreaseAppliesAfterNotice() public {
        _deposit(100e6);
        vm.prank(modelOwner);
        models.setRoyalty(modelId, 2_000);
        vm.warp(block.timestamp + ROYALTY_NOTICE - 1);
        _redeem(10e6);
        assertEq(escrow.earnings(modelOwner), 1e6, "old rate until the notice ends");
        vm.warp(block.timestamp + 1);
        _redeem(20e6);
        assertEq(escrow.earnings(modelOwner), 1e6 + 2e6, "new rate from then on");
    }

    function test_redeem_royaltyDecreaseAppliesAtOnce() public {
        _deposit(100e6);
        vm.prank(modelOwner);
        models.setRoyalty(modelId, 0);
        _redeem(10e6);
        assertEq(escrow.earnings(modelOwner), 0, "no royalty");
    }

    // ------------------------------------------------------------------ claim

    function test_claim_paysAndZeroes() public {
        _deposit(100e6);
        _redeem(50e6);
        vm.expectEmit(address(escrow));
        emit IEscrow.Claimed(provider, 44e6);
        vm.prank(provider);
        assertEq(escrow.claim(), 44e6, "claimed");
        assertEq(token.balanceOf(provider), 44e6, "received");
        assertEq(escrow.earnings(provider), 0, "zeroed");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowNothingToClaim.selector, provider));
        escrow.claim();
        _solvent();
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_split_sumsExactly(uint256 amount, uint16 royaltyBps, uint16 feeBps) public {
        amount = bound(amount, 1, 1_000e6);
        royaltyBps = uint16(bound(royaltyBps, 0, ROYALTY_CAP_BPS));
        feeBps = uint16(bound(feeBps, 0, 1_000));
        vm.prank(governance);
        params.setProtocolFeeBps(feeBps);
        vm.prank(modelOwner);
        models.setRoyalty(modelId, royaltyBps);
        vm.warp(block.timestamp + ROYALTY_NOTICE); // an increase waits for the notice
        _deposit(amount);
        _redeem(amount);
        uint256 royalty = amount * royaltyBps / 10_000;
        uint256 fee = amount * feeBps / 10_000;
        assertEq(escrow.earnings(modelOwner), royalty, "royalty floor");
        assertEq(escrow.earnings(treasury), fee, "fee floor");
        assertEq(escrow.earnings(provider), amount - royalty - fee, "provider remainder");
        assertEq(_redeemTotalEarnings(), amount, "sum exact");
        _solvent();
    }

    function testFuzz_cumulativeVouchers_payEachUnitOnce(uint256[5] memory steps, uint256 deposit) public {
        deposit = bound(deposit, 1, 1_000e6);
        _deposit(deposit);
        uint256 cumulative;
        uint256 totalPaid;
        for (uint256 i; i < steps.length; ++i) {
            cumulative += bound(steps[i], 1, 100e6);
            uint256 owed = cumulative - escrow.redeemed(client, provider, modelId);
            uint256 balance = escrow.balanceOf(client);
            uint256 paid = _redeem(cumulative);
            assertEq(paid, owed < balance ? owed : balance, "pays min(owed, balance)");
            totalPaid += paid;
        }
        assertEq(totalPaid, escrow.redeemed(client, provider, modelId), "counter equals payouts");
        assertLe(totalPaid, cumulative, "never above the signed amount");
        assertEq(totalPaid, deposit < cumulative ? deposit : cumulative, "paid what was owed or available");
        assertEq(escrow.balanceOf(client), deposit - totalPaid, "client debited exactly");
        _solvent();
    }

    function testFuzz_withdrawal_time(uint256 amount, uint256 waitTime) public {
        amount = bound(amount, 1, 1_000e6);
        waitTime = bound(waitTime, 0, 3 * WITHDRAWAL_NOTICE);
        _deposit(amount);
        vm.prank(client);
        escrow.requestWithdrawal(amount);
        uint64 readyAt = uint64(block.timestamp + WITHDRAWAL_NOTICE);
        vm.warp(block.timestamp + waitTime);
        vm.prank(client);
        if (waitTime < WITHDRAWAL_NOTICE) {
            vm.expectRevert(
                abi.encodeWithSelector(IEscrow.EscrowWithdrawalNotReady.selector, client, readyAt, block.timestamp)
            );
        }
        escrow.withdraw();
        assertEq(escrow.balanceOf(client), waitTime < WITHDRAWAL_NOTICE ? amount : 0, "only after the notice");
        _solvent();
    }
}
