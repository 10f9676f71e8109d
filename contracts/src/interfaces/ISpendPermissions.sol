// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ISpendPermissions
/// @notice Spending limits an account (the owner) grants a spender (an agent's session key):
///         at most `allowance` of `token` per `period`, between `start` (inclusive) and `end`
///         (exclusive), with no rollover of what a period left unspent. The tokens stay in the
///         owner's wallet until a spend; the manager pulls them with the owner's ERC-20
///         allowance and pays the payee directly.
/// @dev The struct, the EIP-712 type and the event names follow Coinbase's
///      SpendPermissionManager, so wallets that sign its permissions sign these. What agents
///      need beyond it lives in `extraData`, which the signature covers: `abi.encode(Terms)`.
///      EIP-712 domain: name "Trellis Spend Permissions", version "1", the chain id, this
///      contract. Type:
///      SpendPermission(address account,address spender,address token,uint160 allowance,
///      uint48 period,uint48 start,uint48 end,uint256 salt,bytes extraData)
interface ISpendPermissions {
    /// @notice A permission for `spender` to spend `account`'s `token`.
    struct SpendPermission {
        address account;
        address spender;
        address token;
        /// @dev Most that may be spent in one period.
        uint160 allowance;
        /// @dev Length of a period in seconds; periods are [start + n*period, start + (n+1)*period).
        uint48 period;
        /// @dev First second the permission is valid (inclusive).
        uint48 start;
        /// @dev First second the permission is no longer valid (exclusive).
        uint48 end;
        /// @dev Tells apart permissions that are otherwise identical.
        uint256 salt;
        /// @dev `abi.encode(Terms)`.
        bytes extraData;
    }

    /// @notice What an agent's permission adds to Coinbase's: to whom and how much per call,
    ///         and which generation of the account's permissions it belongs to.
    struct Terms {
        /// @dev Most one `spend` may move.
        uint160 maxPerCall;
        /// @dev The account's kill-switch epoch the permission was made for (`epochOf`); a
        ///      permission of an older epoch is dead, approved or not.
        uint64 epoch;
        /// @dev Any provider the ProviderRegistry reports active (registered, not jailed) may
        ///      be paid.
        bool anyActiveProvider;
        /// @dev Named payees (services, an escrow-funding address, ...) that may be paid.
        address[] payees;
    }

    /// @notice One period's window and what was spent in it.
    struct PeriodSpend {
        uint48 start;
        uint48 end;
        uint160 spend;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The caller is not the permission's account.
    error SpendNotAccount(address caller, address account);
    /// @notice The caller is not the permission's spender.
    error SpendNotSpender(address caller, address spender);
    /// @notice The permission names no token.
    error SpendZeroToken();
    /// @notice The permission names no spender.
    error SpendZeroSpender();
    /// @notice The permission's allowance is zero.
    error SpendZeroAllowance();
    /// @notice The permission's period is zero.
    error SpendZeroPeriod();
    /// @notice The permission's start is not before its end.
    error SpendInvalidStartEnd(uint48 start, uint48 end);
    /// @notice `extraData` is not `abi.encode(Terms)`, or its per-call maximum is zero.
    error SpendBadTerms(bytes32 hash);
    /// @notice The signature is not the account's (ECDSA, else ERC-1271) over `getHash`.
    error SpendInvalidSignature(address account, bytes32 hash);
    /// @notice The permission was revoked; it can never be approved or used again.
    error SpendPermissionIsRevoked(bytes32 hash);
    /// @notice The permission was never approved.
    error SpendPermissionNotApproved(bytes32 hash);
    /// @notice The permission belongs to an epoch the account has killed.
    error SpendPermissionKilled(address account, uint64 epoch, uint64 currentEpoch);
    /// @notice A spend of zero.
    error SpendZeroValue();
    /// @notice The permission has not started.
    error SpendBeforeStart(uint48 timestamp, uint48 start);
    /// @notice The permission has ended.
    error SpendAfterEnd(uint48 timestamp, uint48 end);
    /// @notice The spend is above the permission's per-call maximum.
    error SpendAboveMaxPerCall(uint256 value, uint256 maxPerCall);
    /// @notice The spend is above what the current period has left.
    error SpendLimitExceeded(uint256 value, uint256 remaining);
    /// @notice The payee is neither a named payee nor (when allowed) an active provider.
    error SpendPayeeNotAllowed(address payee);
    /// @notice `spendThrough` was called by an externally owned (or EIP-7702 delegated) spender.
    error SpendThroughNotContract(address spender);

    // ------------------------------------------------------------------ events

    /// @notice A permission was approved.
    event SpendPermissionApproved(bytes32 indexed hash, SpendPermission spendPermission);
    /// @notice A permission was revoked.
    event SpendPermissionRevoked(bytes32 indexed hash, SpendPermission spendPermission);
    /// @notice A permission was used; `periodSpend` is the current period with its new total.
    event SpendPermissionUsed(
        bytes32 indexed hash, address indexed account, address indexed spender, address token, PeriodSpend periodSpend
    );
    /// @notice Who a spend paid, and how much (the Coinbase event carries no payee).
    event SpendPaid(bytes32 indexed hash, address indexed payee, uint256 value);
    /// @notice The account killed every permission of epochs before `newEpoch`.
    event SpendPermissionsKilled(address indexed account, uint64 newEpoch);

    // ------------------------------------------------------------------ writes

    /// @notice Approves a permission; only its account may call. Reverts on a revoked or
    ///         killed permission, or one whose fields are invalid.
    /// @return approved Always true (kept for Coinbase's signature).
    function approve(SpendPermission calldata spendPermission) external returns (bool approved);

    /// @notice Approves a permission anyone submits with the account's signature over `getHash`.
    function approveWithSignature(SpendPermission calldata spendPermission, bytes calldata signature)
        external
        returns (bool approved);

    /// @notice Pays `value` of the account's token to `payee`; only the spender may call.
    ///         Checks, in order: spender, value, approval, epoch, time window, per-call
    ///         maximum, payee, the period's remaining allowance. Then records and pulls.
    function spend(SpendPermission calldata spendPermission, address payee, uint160 value) external;

    /// @notice `spend` for a contract spender that pays the payee itself (an AgentAccount
    ///         paying an x402 authorization): the same checks against `payee`, but the value
    ///         moves from the account to the spender, which must pass it on in the same
    ///         transaction. Refused for an externally owned spender, whose key could keep it.
    function spendThrough(SpendPermission calldata spendPermission, address payee, uint160 value) external;

    /// @notice Revokes a permission for good; only its account may call.
    function revoke(SpendPermission calldata spendPermission) external;

    /// @notice Revokes a permission for good; only its spender may call (an agent retiring its key).
    function revokeAsSpender(SpendPermission calldata spendPermission) external;

    /// @notice The kill switch: every permission of the caller's current epoch, approved or
    ///         only signed, stops for good. New permissions name the new epoch.
    function killAll() external returns (uint64 newEpoch);

    // ------------------------------------------------------------------ views

    /// @notice The EIP-712 digest the account signs for `spendPermission`; also its id.
    function getHash(SpendPermission calldata spendPermission) external view returns (bytes32);
    /// @notice The current period and what was spent in it; reverts outside [start, end).
    function getCurrentPeriod(SpendPermission calldata spendPermission) external view returns (PeriodSpend memory);
    /// @notice The period of the last spend.
    function getLastUpdatedPeriod(SpendPermission calldata spendPermission) external view returns (PeriodSpend memory);
    function isApproved(SpendPermission calldata spendPermission) external view returns (bool);
    function isRevoked(SpendPermission calldata spendPermission) external view returns (bool);
    /// @notice Approved, not revoked, and of the account's current epoch.
    function isValid(SpendPermission calldata spendPermission) external view returns (bool);
    /// @notice The account's current kill-switch epoch, which new permissions must name.
    function epochOf(address account) external view returns (uint64);
    /// @notice The EIP-712 domain separator.
    function domainSeparator() external view returns (bytes32);
}
