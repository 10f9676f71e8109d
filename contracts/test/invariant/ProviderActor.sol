// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeActor} from "./DisputeActor.sol";
import {DisputeBook} from "./DisputeBook.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

/// @title ProviderActor
/// @notice What both providers of the dispute suite do besides their moves: sign receipts
///         (with the client's matching voucher and a deposit that may fall short of it),
///         redeem each channel's voucher before serving on it again, stake, unbond and
///         withdraw (claims are the clock's).
abstract contract ProviderActor is DisputeActor {
    /// @notice The registry refused a withdrawal for another reason than running disputes.
    error WithdrawRefusedOtherwise(bytes reason);
    /// @notice A stake withdrawal paid `paid` where the matured unbonding the handler started
    ///         adds up to `expected`.
    error StakeWithdrawalOffRules(uint256 paid, uint256 expected);

    /// @dev Unbonding this handler started, as it started it.
    IProviderRegistry.Unbonding[] internal _entries;

    uint256 internal immutable key;
    address public immutable self;

    constructor(DisputeBook book_, System memory s, uint256 key_) DisputeActor(book_, s) {
        key = key_;
        self = vm.addr(key_);
    }

    /// @dev The models this provider serves.
    function _serves(uint8 modelKind, uint8 traceKind) internal view virtual returns (bool);

    /// @notice Signs a receipt of trace `kind` on a model it serves, for a client that signs
    ///         the matching voucher and deposits `deposit` (at most the fee) to back it.
    function _issue(uint8 kind, uint256 modelSeed, uint256 clientSeed, uint256 fee, uint256 deposit) internal {
        (bool found, bytes32 model) = _servedModel(modelSeed, kind);
        if (!found) return;
        uint256 c = clientSeed % book.clientCount();
        address who = book.clients(c);
        fee = bound(fee, 1, 2 * MAX_REFUND);
        bytes32 channel = escrow.channelId(who, self, model);
        _redeem(channel);
        uint256 total = book.ghost_channelTotal(channel) + fee;
        _signReceipt(_receipt(kind, who, model, fee, total), kind);
        deposit = bound(deposit, 0, fee);
        if (deposit != 0) {
            _fund(who, deposit, address(escrow));
            vm.prank(who);
            escrow.deposit(deposit);
            book.bookDeposit(who, deposit);
        }
        IEscrow.Voucher memory voucher = IEscrow.Voucher(who, self, model, total);
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(book.clientKeys(c), escrow.hashVoucher(voucher));
        book.bookVoucher(channel, who, self, model, total, abi.encodePacked(rr, ss, v));
    }

    function _servedModel(uint256 seed, uint8 kind) internal view returns (bool found, bytes32 model) {
        uint256 n = book.modelCount();
        for (uint256 k; k < n; ++k) {
            model = book.models((seed % n + k) % n);
            if (_serves(book.modelKind(model), kind)) return (true, model);
        }
    }

    function _signReceipt(IDisputeGame.Receipt memory r, uint8 kind) internal {
        bytes32 digest = game.receiptDigest(r);
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(key, digest);
        book.addReceipt(r, abi.encodePacked(rr, ss, v), digest, kind);
    }

    function _receipt(uint8 kind, address who, bytes32 model, uint256 fee, uint256 total)
        internal
        view
        returns (IDisputeGame.Receipt memory r)
    {
        bytes32[] memory rs = rootsOf(kind);
        r = IDisputeGame.Receipt({
            requestHash: keccak256(abi.encode(self, book.receiptCount())),
            client: who,
            provider: self,
            modelId: model,
            inputHash: rs[0],
            outputHash: rs[2],
            traceRoot: traceRootOf(rs),
            fee: fee,
            channelTotal: total,
            issuedAt: uint64(block.timestamp),
            verification: 2
        });
    }

    /// @dev Redeems the channel's latest voucher when it pays anything (a provider redeems
    ///      what it is owed on a channel before it serves the next request on it).
    function _redeem(bytes32 channel) internal {
        uint256 due = book.redemptionDue(channel);
        if (due == 0) return;
        (address who,, bytes32 model, uint256 total, bytes memory sig) = book.voucherOf(channel);
        vm.prank(self);
        escrow.redeem(IEscrow.Voucher(who, self, model, total), sig);
        book.bookRedemption(channel, due);
    }

    /// @notice Stake management: `action` % 3 adds stake, starts unbonding, or withdraws.
    function stake(uint256 action, uint256 amount) external {
        action %= 3;
        if (action == 0) _addStake(amount);
        else if (action == 1) _startUnbonding(amount);
        else _withdrawStake();
    }

    function _addStake(uint256 amount) internal {
        amount = bound(amount, 1, 200e6);
        _fund(self, amount, address(registry));
        vm.prank(self);
        registry.addStake(amount);
        book.bookStaked(self, amount);
    }

    function _startUnbonding(uint256 amount) internal {
        uint256 active = registry.activeStake(self);
        if (active == 0 || registry.unbondingEntries(self).length >= registry.MAX_UNBONDINGS()) return;
        amount = bound(amount, 1, active);
        uint256 remaining = active - amount;
        if (remaining != 0 && remaining < params.minStake()) amount = active;
        vm.prank(self);
        registry.startUnbonding(amount);
        _entries.push(IProviderRegistry.Unbonding({amount: amount, readyAt: uint64(block.timestamp + UNBONDING_DELAY)}));
    }

    /// @dev Withdraws matured unbonding stake; while disputes run it must be refused.
    function _withdrawStake() internal {
        IProviderRegistry.ProviderInfo memory info = registry.getProvider(self);
        if (info.jailedUntil > block.timestamp) return;
        IProviderRegistry.Unbonding[] memory entries = registry.unbondingEntries(self);
        bool matured;
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].readyAt <= block.timestamp) matured = true;
        }
        if (!matured) return;
        uint256 running = book.ghost_openOf(self);
        if (running != 0) {
            vm.prank(self);
            try registry.withdraw() {
                book.countRefused(true);
            } catch (bytes memory reason) {
                bytes memory expected =
                    abi.encodeWithSelector(IProviderRegistry.RegistryDisputesOpen.selector, self, running);
                if (keccak256(reason) != keccak256(expected)) revert WithdrawRefusedOtherwise(reason);
                book.countWithdrawRefused();
            }
            return;
        }
        uint256 expected = _takeMatured();
        uint256 before = token.balanceOf(self);
        vm.prank(self);
        registry.withdraw();
        uint256 got = token.balanceOf(self) - before;
        // Slashes cut unbonding entries newest first; the check holds for a provider never slashed.
        if (book.ghost_slashed(self) == 0 && got != expected) revert StakeWithdrawalOffRules(got, expected);
        book.bookWithdrawn(self, got);
    }

    /// @dev Removes the matured entries of the handler's own unbonding record, returning their sum.
    function _takeMatured() internal returns (uint256 sum) {
        uint256 i;
        while (i < _entries.length) {
            if (_entries[i].readyAt <= block.timestamp) {
                sum += _entries[i].amount;
                _entries[i] = _entries[_entries.length - 1];
                _entries.pop();
            } else {
                ++i;
            }
        }
    }
}
