// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Ledger} from "./Ledger.sol";
import {Escrow} from "../../src/Escrow.sol";
import {TrellisToken} from "../../src/TrellisToken.sol";
import {TrellisParams} from "../../src/TrellisParams.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

/// @title ProviderHandler
/// @notice Providers register, stake, unbond, withdraw stake, redeem the latest vouchers
///         (one at a time or in batches), try to redeem forged vouchers, and claim.
contract ProviderHandler is TestBase {
    /// @notice A redemption paid `paid` where the escrow's rules give `expected`.
    error RedemptionOffRules(address provider, uint256 paid, uint256 expected);

    Ledger internal immutable ledger;
    Escrow internal immutable escrow;
    TrellisToken internal immutable token;
    TrellisParams internal immutable params;
    ProviderRegistry internal immutable registry;
    address internal immutable treasury;

    // stake ledger
    uint256 public ghost_staked;
    uint256 public ghost_stakeWithdrawn;

    // escrow ledger (what redemptions pay is computed by the escrow's rules in the Ledger)
    mapping(address client => uint256) public ghost_paidByClient;
    /// @dev Redemptions (per voucher) that paid something; those that paid less than owed
    ///      because the client's balance was short; claims that paid.
    uint256 public ghost_payingRedemptions;
    uint256 public ghost_shortRedemptions;
    uint256 public ghost_claims;
    uint256 public ghost_redeemed;
    uint256 public ghost_toProviders;
    uint256 public ghost_toModelOwners;
    uint256 public ghost_toTreasury;
    uint256 public ghost_claimed;
    bool public ghost_forgeryPaid;

    constructor(
        Ledger ledger_,
        Escrow escrow_,
        TrellisToken token_,
        TrellisParams params_,
        ProviderRegistry registry_
    ) {
        ledger = ledger_;
        escrow = escrow_;
        token = token_;
        params = params_;
        registry = registry_;
        treasury = params_.treasury();
    }

    function _provider(uint256 seed) internal view returns (address) {
        return ledger.providers(seed % ledger.providerCount());
    }

    // ------------------------------------------------------------------ staking

    function register(uint256 seed, uint256 stake) external {
        address provider = _provider(seed);
        if (registry.getProvider(provider).registered) return;
        stake = bound(stake, params.minStake(), 1_000e6);
        _fund(provider, stake);
        vm.prank(provider);
        registry.register("https://provider.example", abi.encodePacked(provider), stake);
        ghost_staked += stake;
    }

    function addStake(uint256 seed, uint256 amount) external {
        address provider = _provider(seed);
        if (!registry.getProvider(provider).registered) return;
        amount = bound(amount, 1, 500e6);
        _fund(provider, amount);
        vm.prank(provider);
        registry.addStake(amount);
        ghost_staked += amount;
    }

    /// @dev Starting at `seed`, the first provider for which `ready` holds.
    function _providerWith(uint256 seed, function(address) internal view returns (bool) ready)
        internal
        view
        returns (address)
    {
        uint256 count = ledger.providerCount();
        for (uint256 k; k < count; ++k) {
            address provider = ledger.providers((seed % count + k) % count);
            if (ready(provider)) return provider;
        }
        return ledger.providers(seed % count);
    }

    function _hasActiveStake(address provider) internal view returns (bool) {
        return registry.activeStake(provider) != 0;
    }

    function _hasUnbonding(address provider) internal view returns (bool) {
        return registry.unbondingEntries(provider).length != 0;
    }

    function startUnbonding(uint256 seed, uint256 amount) external {
        address provider = _providerWith(seed, _hasActiveStake);
        IProviderRegistry.ProviderInfo memory info = registry.getProvider(provider);
        if (!info.registered || info.activeStake == 0) return;
        if (registry.unbondingEntries(provider).length >= registry.MAX_UNBONDINGS()) return;
        amount = bound(amount, 1, info.activeStake);
        uint256 remaining = info.activeStake - amount;
        // Leave zero or at least the minimum, as the registry requires.
        if (remaining != 0 && remaining < params.minStake()) amount = info.activeStake;
        vm.prank(provider);
        registry.startUnbonding(amount);
    }

    function withdrawStake(uint256 seed, uint256 waitTime) external {
        address provider = _providerWith(seed, _hasUnbonding);
        IProviderRegistry.ProviderInfo memory info = registry.getProvider(provider);
        if (!info.registered) return;
        vm.warp(block.timestamp + bound(waitTime, 0, 8 days));
        if (info.jailedUntil > block.timestamp) return;
        IProviderRegistry.Unbonding[] memory entries = registry.unbondingEntries(provider);
        bool matured;
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].readyAt <= block.timestamp) matured = true;
        }
        if (!matured) return;
        uint256 before = token.balanceOf(provider);
        vm.prank(provider);
        registry.withdraw();
        ghost_stakeWithdrawn += token.balanceOf(provider) - before;
    }

    // ------------------------------------------------------------------ redemption

    /// @notice Redeems, starting at `seed`, the latest voucher of the first channel where that
    ///         pays something, else of the first channel that is still owed anything (a
    ///         redemption against an empty balance, which pays nothing).
    function redeemLatest(uint256 seed) external {
        uint256 count = ledger.channelCount();
        if (count == 0) return;
        uint256 fallback_ = type(uint256).max;
        for (uint256 k; k < count; ++k) {
            uint256 i = (seed % count + k) % count;
            (IEscrow.Voucher memory voucher,) = ledger.latest(ledger.channels(i));
            (uint256 paid, uint256 owed) = ledger.redemptionDue(ledger.channels(i), voucher);
            if (paid != 0) return _redeemOne(i);
            if (owed != 0 && fallback_ == type(uint256).max) fallback_ = i;
        }
        if (fallback_ != type(uint256).max) _redeemOne(fallback_);
    }

    function _redeemOne(uint256 i) internal {
        (IEscrow.Voucher memory voucher, bytes memory signature) = ledger.latest(ledger.channels(i));
        IEscrow.Voucher[] memory vouchers = new IEscrow.Voucher[](1);
        bytes[] memory signatures = new bytes[](1);
        vouchers[0] = voucher;
        signatures[0] = signature;
        _redeem(voucher.provider, vouchers, signatures, false);
    }

    /// @notice Redeems up to three channels of one provider that are still owed, in one
    ///         transaction (some may pay nothing: an empty balance).
    function redeemBatch(uint256 providerSeed, uint256 start) external {
        address provider = _provider(providerSeed);
        uint256 count = ledger.channelCount();
        if (count == 0) return;
        IEscrow.Voucher[] memory found = new IEscrow.Voucher[](3);
        bytes[] memory foundSigs = new bytes[](3);
        uint256 n;
        for (uint256 k; k < count && n < 3; ++k) {
            bytes32 channel = ledger.channels((start % count + k) % count);
            (IEscrow.Voucher memory voucher, bytes memory signature) = ledger.latest(channel);
            if (voucher.provider != provider) continue;
            if (voucher.cumulativeAmount <= ledger.ghost_redeemed(channel)) continue;
            found[n] = voucher;
            foundSigs[n] = signature;
            ++n;
        }
        if (n == 0) return;
        IEscrow.Voucher[] memory vouchers = new IEscrow.Voucher[](n);
        bytes[] memory signatures = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            vouchers[i] = found[i];
            signatures[i] = foundSigs[i];
        }
        _redeem(provider, vouchers, signatures, true);
    }

    /// @notice A provider raises a client's voucher and signs it with its own key. It must
    ///         never pay; if it ever does, the invariant suite fails.
    function redeemForged(uint256 seed, uint256 extra, uint256 forgerKey) external {
        uint256 count = ledger.channelCount();
        if (count == 0) return;
        (IEscrow.Voucher memory voucher,) = ledger.latest(ledger.channels(seed % count));
        voucher.cumulativeAmount += bound(extra, 1, 100e6);
        forgerKey = bound(forgerKey, 1, 1e18);
        for (uint256 i; i < ledger.clientCount(); ++i) {
            if (ledger.clientKeys(i) == forgerKey) return;
        }
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(forgerKey, escrow.hashVoucher(voucher));
        vm.prank(voucher.provider);
        try escrow.redeem(voucher, abi.encodePacked(r, s, v)) returns (uint256 paid) {
            if (paid != 0) ghost_forgeryPaid = true;
        } catch {}
    }

    function claim(uint256 seed) external {
        address provider = _provider(seed);
        uint256 amount = escrow.earnings(provider);
        if (amount == 0) return;
        vm.prank(provider);
        escrow.claim();
        ghost_claimed += amount;
        ++ghost_claims;
    }

    /// @notice The treasury claims its fees (it has no handler of its own).
    function claimTreasury() external {
        uint256 amount = escrow.earnings(treasury);
        if (amount == 0) return;
        vm.prank(treasury);
        escrow.claim();
        ghost_claimed += amount;
        ++ghost_claims;
    }

    // ------------------------------------------------------------------ internal

    function _fund(address account, uint256 amount) internal {
        token.faucet(account, amount);
        vm.prank(account);
        token.approve(address(registry), amount);
    }

    function _ownersEarnings() internal view returns (uint256 sum) {
        for (uint256 i; i < ledger.modelOwnerCount(); ++i) {
            sum += escrow.earnings(ledger.modelOwners(i));
        }
    }

    /// @dev Earnings of the three kinds of payee, read before and after a redemption.
    struct Payees {
        uint256 provider;
        uint256 owners;
        uint256 treasury;
    }

    function _payees(address provider) internal view returns (Payees memory) {
        return Payees(escrow.earnings(provider), _ownersEarnings(), escrow.earnings(treasury));
    }

    /// @dev Redeems and books, per voucher, what the escrow's rules say leaves the client (in
    ///      order: vouchers of one client in a batch share its balance), and where it went.
    function _redeem(address provider, IEscrow.Voucher[] memory vouchers, bytes[] memory signatures, bool batch)
        internal
    {
        uint256[] memory expected = new uint256[](vouchers.length);
        Payees memory earlier = _payees(provider);

        vm.prank(provider);
        uint256 paid = batch ? escrow.redeemMany(vouchers, signatures) : escrow.redeem(vouchers[0], signatures[0]);

        uint256 sum;
        for (uint256 i; i < vouchers.length; ++i) {
            expected[i] = _book(vouchers[i]);
            sum += expected[i];
        }
        if (sum != paid) revert RedemptionOffRules(provider, paid, sum);
        Payees memory later = _payees(provider);
        ghost_redeemed += paid;
        ghost_toProviders += later.provider - earlier.provider;
        ghost_toModelOwners += later.owners - earlier.owners;
        ghost_toTreasury += later.treasury - earlier.treasury;
    }

    function _book(IEscrow.Voucher memory voucher) internal returns (uint256 paid) {
        bytes32 channel = escrow.channelId(voucher.client, voucher.provider, voucher.modelId);
        uint256 owed;
        (paid, owed) = ledger.redemptionDue(channel, voucher);
        ledger.bookRedemption(channel, voucher.client, paid);
        ghost_paidByClient[voucher.client] += paid;
        if (paid != 0) ++ghost_payingRedemptions;
        if (paid < owed) ++ghost_shortRedemptions;
    }
}
