// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ISpendPermissions} from "../interfaces/ISpendPermissions.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";

/// @title SpendPermissions
/// @notice Spending limits for agents, enforced here rather than trusted to the agent: the
///         agent holds a session key (the spender) that can move at most the permission's
///         allowance per period, at most `maxPerCall` per spend, only to the payees the owner
///         allowed, until the owner revokes it or kills all its permissions at once.
/// @dev The owner's funds never sit here: the owner grants this contract an ERC-20 allowance
///      (or an EIP-2612 permit) and each spend pulls straight from the owner to the payee.
///      Unlike Coinbase's manager, an approval of a revoked permission reverts instead of
///      returning false, so a replayed signature is a visible refusal.
contract SpendPermissions is ISpendPermissions, EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant SPEND_PERMISSION_TYPEHASH = keccak256(
        "SpendPermission(address account,address spender,address token,uint160 allowance,uint48 period,uint48 start,uint48 end,uint256 salt,bytes extraData)"
    );

    /// @notice Where `anyActiveProvider` permissions check the payee.
    IProviderRegistry public immutable providerRegistry;

    uint8 private constant APPROVED = 1;
    uint8 private constant REVOKED = 2;

    /// @dev APPROVED and REVOKED bits in one slot, so a spend reads both with one load.
    mapping(bytes32 hash => uint8) private _status;
    mapping(bytes32 hash => PeriodSpend) private _lastUpdatedPeriod;
    mapping(address account => uint64) private _epoch;

    constructor(IProviderRegistry providerRegistry_) EIP712("Trellis Spend Permissions", "1") {
        providerRegistry = providerRegistry_;
    }

    // ------------------------------------------------------------------ writes

    /// @inheritdoc ISpendPermissions
    function approve(SpendPermission calldata spendPermission) external returns (bool) {
        if (msg.sender != spendPermission.account) revert SpendNotAccount(msg.sender, spendPermission.account);
        _approve(spendPermission, getHash(spendPermission));
        return true;
    }

    /// @inheritdoc ISpendPermissions
    function approveWithSignature(SpendPermission calldata spendPermission, bytes calldata signature)
        external
        returns (bool)
    {
        bytes32 hash = getHash(spendPermission);
        if (!SignatureChecker.isValidSignatureNow(spendPermission.account, hash, signature)) {
            revert SpendInvalidSignature(spendPermission.account, hash);
        }
        _approve(spendPermission, hash);
        return true;
    }

    /// @inheritdoc ISpendPermissions
    function spend(SpendPermission calldata spendPermission, address payee, uint160 value) external nonReentrant {
        _record(spendPermission, payee, value);
        IERC20(spendPermission.token).safeTransferFrom(spendPermission.account, payee, value);
    }

    /// @inheritdoc ISpendPermissions
    function spendThrough(SpendPermission calldata spendPermission, address payee, uint160 value)
        external
        nonReentrant
    {
        _record(spendPermission, payee, value);
        // An externally owned spender (or one delegated with EIP-7702, whose code its key
        // chooses) would keep the money: only a contract the owner named can pass it on.
        bytes memory code = msg.sender.code;
        if (code.length == 0 || (code.length == 23 && bytes3(code) == 0xef0100)) {
            revert SpendThroughNotContract(msg.sender);
        }
        IERC20(spendPermission.token).safeTransferFrom(spendPermission.account, msg.sender, value);
    }

    /// @inheritdoc ISpendPermissions
    function revoke(SpendPermission calldata spendPermission) external {
        if (msg.sender != spendPermission.account) revert SpendNotAccount(msg.sender, spendPermission.account);
        _revoke(spendPermission);
    }

    /// @inheritdoc ISpendPermissions
    function revokeAsSpender(SpendPermission calldata spendPermission) external {
        if (msg.sender != spendPermission.spender) revert SpendNotSpender(msg.sender, spendPermission.spender);
        _revoke(spendPermission);
    }

    /// @inheritdoc ISpendPermissions
    function killAll() external returns (uint64 newEpoch) {
        newEpoch = ++_epoch[msg.sender];
        emit SpendPermissionsKilled(msg.sender, newEpoch);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ISpendPermissions
    function getHash(SpendPermission calldata spendPermission) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    SPEND_PERMISSION_TYPEHASH,
                    spendPermission.account,
                    spendPermission.spender,
                    spendPermission.token,
                    spendPermission.allowance,
                    spendPermission.period,
                    spendPermission.start,
                    spendPermission.end,
                    spendPermission.salt,
                    keccak256(spendPermission.extraData)
                )
            )
        );
    }

    /// @inheritdoc ISpendPermissions
    function getCurrentPeriod(SpendPermission calldata spendPermission) external view returns (PeriodSpend memory) {
        return _currentPeriod(spendPermission, getHash(spendPermission));
    }

    /// @inheritdoc ISpendPermissions
    function getLastUpdatedPeriod(SpendPermission calldata spendPermission) external view returns (PeriodSpend memory) {
        return _lastUpdatedPeriod[getHash(spendPermission)];
    }

    /// @inheritdoc ISpendPermissions
    function isApproved(SpendPermission calldata spendPermission) external view returns (bool) {
        return _status[getHash(spendPermission)] & APPROVED != 0;
    }

    /// @inheritdoc ISpendPermissions
    function isRevoked(SpendPermission calldata spendPermission) external view returns (bool) {
        return _status[getHash(spendPermission)] & REVOKED != 0;
    }

    /// @inheritdoc ISpendPermissions
    function isValid(SpendPermission calldata spendPermission) external view returns (bool) {
        bytes32 hash = getHash(spendPermission);
        if (_status[hash] != APPROVED) return false;
        // Approved permissions were decoded at approval, so this cannot revert.
        return abi.decode(spendPermission.extraData, (Terms)).epoch == _epoch[spendPermission.account];
    }

    /// @inheritdoc ISpendPermissions
    function epochOf(address account) external view returns (uint64) {
        return _epoch[account];
    }

    /// @inheritdoc ISpendPermissions
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice Decodes `extraData` into Terms; external so `approve` can turn a malformed
    ///         encoding into `SpendBadTerms` with try/catch.
    function decodeTerms(bytes calldata extraData) external pure returns (Terms memory) {
        return abi.decode(extraData, (Terms));
    }

    // ------------------------------------------------------------------ internal

    function _approve(SpendPermission calldata p, bytes32 hash) private {
        if (p.token == address(0)) revert SpendZeroToken();
        if (p.spender == address(0)) revert SpendZeroSpender();
        if (p.allowance == 0) revert SpendZeroAllowance();
        if (p.period == 0) revert SpendZeroPeriod();
        if (p.start >= p.end) revert SpendInvalidStartEnd(p.start, p.end);
        uint8 status = _status[hash];
        if (status & REVOKED != 0) revert SpendPermissionIsRevoked(hash);
        Terms memory terms;
        try this.decodeTerms(p.extraData) returns (Terms memory decoded) {
            terms = decoded;
        } catch {
            revert SpendBadTerms(hash);
        }
        if (terms.maxPerCall == 0) revert SpendBadTerms(hash);
        uint64 current = _epoch[p.account];
        if (terms.epoch != current) revert SpendPermissionKilled(p.account, terms.epoch, current);
        if (status == APPROVED) return;
        _status[hash] = APPROVED;
        emit SpendPermissionApproved(hash, p);
    }

    /// @dev Every check of a spend, in the order `spend` documents, then the period's new total.
    function _record(SpendPermission calldata p, address payee, uint160 value) private {
        if (msg.sender != p.spender) revert SpendNotSpender(msg.sender, p.spender);
        if (value == 0) revert SpendZeroValue();
        bytes32 hash = getHash(p);
        Terms memory terms = _usableTerms(p, hash);
        PeriodSpend memory current = _currentPeriod(p, hash);
        if (value > terms.maxPerCall) revert SpendAboveMaxPerCall(value, terms.maxPerCall);
        if (!_payeeAllowed(terms, payee)) revert SpendPayeeNotAllowed(payee);
        uint256 remaining = p.allowance - current.spend;
        if (value > remaining) revert SpendLimitExceeded(value, remaining);

        current.spend += value;
        _lastUpdatedPeriod[hash] = current;
        emit SpendPermissionUsed(hash, p.account, msg.sender, p.token, current);
        emit SpendPaid(hash, payee, value);
    }

    function _revoke(SpendPermission calldata p) private {
        bytes32 hash = getHash(p);
        uint8 status = _status[hash];
        if (status & REVOKED != 0) return;
        _status[hash] = status | REVOKED;
        emit SpendPermissionRevoked(hash, p);
    }

    /// @dev The permission's terms, if it may be used at all right now (time aside).
    function _usableTerms(SpendPermission calldata p, bytes32 hash) private view returns (Terms memory terms) {
        uint8 status = _status[hash];
        if (status & REVOKED != 0) revert SpendPermissionIsRevoked(hash);
        if (status == 0) revert SpendPermissionNotApproved(hash);
        terms = abi.decode(p.extraData, (Terms));
        uint64 current = _epoch[p.account];
        if (terms.epoch != current) revert SpendPermissionKilled(p.account, terms.epoch, current);
    }

    /// @dev Periods are fixed windows from `start`; a window that has passed starts again at
    ///      zero spent, and what it left unspent is gone (no rollover). The last window ends
    ///      at `end`.
    function _currentPeriod(SpendPermission calldata p, bytes32 hash) private view returns (PeriodSpend memory) {
        uint48 timestamp = uint48(block.timestamp);
        if (timestamp < p.start) revert SpendBeforeStart(timestamp, p.start);
        if (timestamp >= p.end) revert SpendAfterEnd(timestamp, p.end);
        PeriodSpend memory last = _lastUpdatedPeriod[hash];
        if (last.spend != 0 && timestamp < last.end) return last;
        uint48 periodStart = timestamp - (timestamp - p.start) % p.period;
        uint256 periodEnd = uint256(periodStart) + p.period;
        return PeriodSpend({start: periodStart, end: periodEnd > p.end ? p.end : uint48(periodEnd), spend: 0});
    }

    function _payeeAllowed(Terms memory terms, address payee) private view returns (bool) {
        if (payee == address(0)) return false;
        for (uint256 i; i < terms.payees.length; ++i) {
            if (terms.payees[i] == payee) return true;
        }
        return terms.anyActiveProvider && providerRegistry.isActive(payee);
    }
}
