// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IEscrow
/// @notice Client deposits and their settlement through EIP-712 vouchers.
/// @dev EIP-712 domain: name "Trellis Escrow", version "1", the chain id, this contract.
///      Voucher(address client,address provider,bytes32 modelId,uint256 cumulativeAmount)
///      A channel is (client, provider, modelId). Each voucher states the total the client
///      owes on that channel so far; redeeming pays only the part not yet redeemed, so the
///      provider needs just the latest voucher and nothing can be paid twice.
interface IEscrow {
    /// @notice A signed promise of payment, cumulative per channel.
    struct Voucher {
        address client;
        address provider;
        bytes32 modelId;
        uint256 cumulativeAmount;
    }

    /// @notice A pending withdrawal: `amount` may leave from `readyAt` until `expiresAt`
    ///         (inclusive); after that the request is dead and the client must request again.
    struct WithdrawalRequest {
        uint256 amount;
        uint64 readyAt;
        uint64 expiresAt;
    }

    /// @notice Why `redeemMany` skipped a voucher (the same checks `redeem` reverts on).
    enum SkipReason {
        /// The voucher names another provider than the caller (`EscrowNotProvider`).
        NotProvider,
        /// Its cumulative amount is not above what was redeemed (`EscrowNothingToRedeem`).
        NothingToRedeem,
        /// The signature is not the client's (`EscrowInvalidSignature`).
        InvalidSignature
    }

    // ------------------------------------------------------------------ errors

    /// @notice An amount that must be positive was zero.
    error EscrowZeroAmount();
    /// @notice The client's balance is smaller than what was asked for.
    error EscrowInsufficientBalance(address client, uint256 balance, uint256 needed);
    /// @notice There is no withdrawal request.
    error EscrowNoWithdrawalRequest(address client);
    /// @notice The withdrawal notice has not elapsed.
    error EscrowWithdrawalNotReady(address client, uint64 readyAt, uint256 timestamp);
    /// @notice The matured request was not executed in time; request again.
    error EscrowWithdrawalExpired(address client, uint64 expiresAt, uint256 timestamp);
    /// @notice Only the voucher's provider may redeem it.
    error EscrowNotProvider(address provider, address caller);
    /// @notice The signature is not the client's (ECDSA, else ERC-1271) for this voucher.
    error EscrowInvalidSignature(address client, bytes32 digest);
    /// @notice The voucher's cumulative amount is not above what was already redeemed.
    error EscrowNothingToRedeem(bytes32 channel, uint256 cumulativeAmount, uint256 redeemed);
    /// @notice `redeemMany` got arrays of different lengths.
    error EscrowLengthMismatch(uint256 vouchers, uint256 signatures);
    /// @notice The account has no earnings to claim.
    error EscrowNothingToClaim(address account);

    // ------------------------------------------------------------------ events

    /// @notice A client deposited; `balance` is the new balance.
    event Deposited(address indexed client, uint256 amount, uint256 balance);
    /// @notice A client asked to withdraw; replaces any earlier request. It can be executed
    ///         from `readyAt` to `expiresAt` inclusive, which is how long a provider watching it
    ///         must treat the amount as leaving.
    event WithdrawalRequested(address indexed client, uint256 amount, uint64 readyAt, uint64 expiresAt);
    /// @notice A withdrawal completed. `amount` may be below the request if redemptions
    ///         consumed part of the balance during the notice.
    event Withdrawn(address indexed client, uint256 amount, uint256 balance);
    /// @notice A voucher was redeemed. `paid` moved from the client's balance; `shortfall` is
    ///         what the voucher still owes because the balance was short (redeemable later).
    event VoucherRedeemed(
        address indexed client,
        address indexed provider,
        bytes32 indexed modelId,
        uint256 cumulativeAmount,
        uint256 paid,
        uint256 shortfall
    );
    /// @notice How one redemption was split; the three parts sum to the amount paid.
    event PaymentSplit(
        bytes32 indexed modelId,
        address indexed provider,
        address indexed modelOwner,
        uint256 providerAmount,
        uint256 royalty,
        uint256 protocolFee
    );
    /// @notice `redeemMany` skipped the voucher at `index` and redeemed the others.
    /// @param provider The caller of `redeemMany`.
    /// @param reason Which check the voucher failed.
    event VoucherSkipped(
        address indexed provider, address indexed client, bytes32 indexed modelId, uint256 index, SkipReason reason
    );
    /// @notice An account withdrew its earnings.
    event Claimed(address indexed account, uint256 amount);

    // ------------------------------------------------------------------ writes

    /// @notice Deposits `amount` of the payment token (approve the escrow first).
    function deposit(uint256 amount) external;

    /// @notice Deposits using an EIP-2612 permit signed by the caller for this escrow.
    /// @dev If the permit was already used (e.g. front-run), the deposit still goes through
    ///      as long as the allowance is there.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Deposits `amount` of `from`'s tokens for `from`, with an EIP-3009
    ///         `ReceiveWithAuthorization` that `from` signed to this escrow (ECDSA, or ERC-1271
    ///         for a contract account such as an agent's, whose token hook then applies its
    ///         spending limits). Anyone may submit it (an x402 payee does, so the payer needs
    ///         no gas); only `from` is credited, and only `from` can withdraw.
    /// @dev Emits `Deposited(from, amount, balance)`, as `deposit` does.
    function depositWithAuthorization(
        address from,
        uint256 amount,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Starts the withdrawal notice for `amount`. The amount stays in the balance and
    ///         keeps backing already signed vouchers until `withdraw`. A new request replaces
    ///         the previous one and restarts the notice. The request can be executed during
    ///         `withdrawalWindow` seconds after the notice, then expires.
    /// @param amount Positive, at most the balance.
    function requestWithdrawal(uint256 amount) external;

    /// @notice Completes the pending withdrawal after the notice and before its expiry, paying
    ///         the smaller of the requested amount and the current balance.
    function withdraw() external;

    /// @notice Redeems one voucher; only its provider may call. Reverts with the named error
    ///         when the voucher names another provider, has nothing to redeem or is not signed
    ///         by its client. Pays
    ///         `cumulativeAmount - redeemed(channel)`, or what the client's balance allows,
    ///         crediting earnings of provider, model owner and treasury.
    /// @param voucher The voucher.
    /// @param signature The client's signature over `hashVoucher(voucher)`: a 65-byte ECDSA
    ///        signature by the client's key is accepted whatever code the client's address
    ///        has (so an EIP-7702 delegation added later cannot void it); otherwise the
    ///        client's ERC-1271 `isValidSignature` decides.
    /// @return paid Amount taken from the client's balance.
    function redeem(Voucher calldata voucher, bytes calldata signature) external returns (uint256 paid);

    /// @notice Redeems several vouchers in one transaction (same rules as `redeem`). A voucher
    ///         that fails a check (another provider, nothing to redeem, bad signature) is skipped
    ///         with a `VoucherSkipped` event and the others are redeemed, so one bad voucher
    ///         cannot block a batch. Earnings are credited, not transferred, so the cost per
    ///         voucher is a signature check and a few storage writes.
    /// @return totalPaid Sum paid over all vouchers.
    function redeemMany(Voucher[] calldata vouchers, bytes[] calldata signatures) external returns (uint256 totalPaid);

    /// @notice Sends the caller all its credited earnings.
    /// @return amount The amount sent.
    function claim() external returns (uint256 amount);

    // ------------------------------------------------------------------ views

    /// @notice A client's balance (including any amount under withdrawal notice).
    function balanceOf(address client) external view returns (uint256);
    /// @notice A client's pending withdrawal request.
    function pendingWithdrawal(address client) external view returns (WithdrawalRequest memory);
    /// @notice Amount already redeemed on a channel.
    function redeemed(address client, address provider, bytes32 modelId) external view returns (uint256);
    /// @notice Earnings credited to an account and not yet claimed.
    function earnings(address account) external view returns (uint256);
    /// @notice Sum of all client balances.
    function totalBalances() external view returns (uint256);
    /// @notice Sum of all unclaimed earnings.
    function totalEarnings() external view returns (uint256);
    /// @notice The EIP-712 digest a client signs for `voucher`.
    function hashVoucher(Voucher calldata voucher) external view returns (bytes32);
    /// @notice The channel key: keccak256(abi.encode(client, provider, modelId)).
    function channelId(address client, address provider, bytes32 modelId) external pure returns (bytes32);
    /// @notice The EIP-712 domain separator.
    function domainSeparator() external view returns (bytes32);
}
