// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IEscrow} from "./interfaces/IEscrow.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";
import {FeeSplit} from "./libraries/FeeSplit.sol";

/// @title Escrow
/// @notice Holds client deposits and settles vouchers. Solvency: the token balance of this
///         contract equals `totalBalances + totalEarnings` (plus anything sent to it directly).
contract Escrow is IEscrow, EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice keccak256("Voucher(address client,address provider,bytes32 modelId,uint256 cumulativeAmount)")
    bytes32 public constant VOUCHER_TYPEHASH =
        keccak256("Voucher(address client,address provider,bytes32 modelId,uint256 cumulativeAmount)");

    /// @notice The payment token.
    IERC20 public immutable token;
    /// @notice Where the fee, the royalty cap, the notice and the treasury are read.
    ITrellisParams public immutable params;
    /// @notice Where model owners and royalties are read.
    IModelRegistry public immutable models;

    /// @inheritdoc IEscrow
    uint256 public totalBalances;
    /// @inheritdoc IEscrow
    uint256 public totalEarnings;

    /// @dev Governance terms read once per transaction.
    struct FeeTerms {
        address treasury;
        uint256 feeBps;
        uint256 royaltyCapBps;
    }

    mapping(address client => uint256) private _balances;
    mapping(address client => WithdrawalRequest) private _withdrawals;
    mapping(bytes32 channel => uint256) private _redeemed;
    mapping(address account => uint256) private _earnings;

    /// @param token_ The payment token (TrellisToken).
    /// @param params_ The TrellisParams contract.
    /// @param models_ The ModelRegistry.
    constructor(IERC20 token_, ITrellisParams params_, IModelRegistry models_) EIP712("Trellis Escrow", "1") {
        token = token_;
        params = params_;
        models = models_;
    }

    // ------------------------------------------------------------------ client writes

    /// @inheritdoc IEscrow
    function deposit(uint256 amount) external nonReentrant {
        _deposit(amount);
    }

    /// @inheritdoc IEscrow
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        // A permit already consumed by someone else must not block the deposit: the allowance
        // it granted is what matters, and transferFrom checks that.
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _deposit(amount);
    }

    /// @inheritdoc IEscrow
    function requestWithdrawal(uint256 amount) external {
        if (amount == 0) revert EscrowZeroAmount();
        uint256 balance = _balances[msg.sender];
        if (amount > balance) revert EscrowInsufficientBalance(msg.sender, balance, amount);
        uint64 readyAt = SafeCast.toUint64(block.timestamp + params.withdrawalNotice());
        _withdrawals[msg.sender] = WithdrawalRequest({amount: amount, readyAt: readyAt});
        emit WithdrawalRequested(msg.sender, amount, readyAt);
    }

    /// @inheritdoc IEscrow
    function withdraw() external nonReentrant {
        WithdrawalRequest memory request = _withdrawals[msg.sender];
        if (request.amount == 0) revert EscrowNoWithdrawalRequest(msg.sender);
        if (block.timestamp < request.readyAt) {
            revert EscrowWithdrawalNotReady(msg.sender, request.readyAt, block.timestamp);
        }
        uint256 balance = _balances[msg.sender];
        uint256 amount = request.amount < balance ? request.amount : balance;
        delete _withdrawals[msg.sender];
        _balances[msg.sender] = balance - amount;
        totalBalances -= amount;
        emit Withdrawn(msg.sender, amount, balance - amount);
        if (amount != 0) token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ provider writes

    /// @inheritdoc IEscrow
    function redeem(Voucher calldata voucher, bytes calldata signature) external nonReentrant returns (uint256 paid) {
        paid = _redeem(voucher, signature, _feeTerms());
    }

    /// @inheritdoc IEscrow
    function redeemMany(Voucher[] calldata vouchers, bytes[] calldata signatures)
        external
        nonReentrant
        returns (uint256 totalPaid)
    {
        if (vouchers.length != signatures.length) revert EscrowLengthMismatch(vouchers.length, signatures.length);
        // Read the governance terms once for the whole batch.
        FeeTerms memory terms = _feeTerms();
        for (uint256 i; i < vouchers.length; ++i) {
            totalPaid += _redeem(vouchers[i], signatures[i], terms);
        }
    }

    /// @inheritdoc IEscrow
    function claim() external nonReentrant returns (uint256 amount) {
        amount = _earnings[msg.sender];
        if (amount == 0) revert EscrowNothingToClaim(msg.sender);
        _earnings[msg.sender] = 0;
        totalEarnings -= amount;
        emit Claimed(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IEscrow
    function balanceOf(address client) external view returns (uint256) {
        return _balances[client];
    }

    /// @inheritdoc IEscrow
    function pendingWithdrawal(address client) external view returns (WithdrawalRequest memory) {
        return _withdrawals[client];
    }

    /// @inheritdoc IEscrow
    function redeemed(address client, address provider, bytes32 modelId) external view returns (uint256) {
        return _redeemed[channelId(client, provider, modelId)];
    }

    /// @inheritdoc IEscrow
    function earnings(address account) external view returns (uint256) {
        return _earnings[account];
    }

    /// @inheritdoc IEscrow
    function hashVoucher(Voucher calldata voucher) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(VOUCHER_TYPEHASH, voucher.client, voucher.provider, voucher.modelId, voucher.cumulativeAmount)
            )
        );
    }

    /// @inheritdoc IEscrow
    function channelId(address client, address provider, bytes32 modelId) public pure returns (bytes32) {
        return keccak256(abi.encode(client, provider, modelId));
    }

    /// @inheritdoc IEscrow
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ internal

    function _deposit(uint256 amount) private {
        if (amount == 0) revert EscrowZeroAmount();
        uint256 balance = _balances[msg.sender] + amount;
        _balances[msg.sender] = balance;
        totalBalances += amount;
        emit Deposited(msg.sender, amount, balance);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _feeTerms() private view returns (FeeTerms memory) {
        return FeeTerms({
            treasury: params.treasury(),
            feeBps: params.protocolFeeBps(),
            royaltyCapBps: params.royaltyCapBps()
        });
    }

    /// @dev The single path by which a client's balance moves to others. Only moves funds
    ///      under a valid signature of `voucher.client`. If the balance is short it pays what
    ///      is there and advances the channel only by that, so the rest stays redeemable.
    function _redeem(
        Voucher calldata voucher,
        bytes calldata signature,
        FeeTerms memory terms
    ) private returns (uint256 paid) {
        if (voucher.provider != msg.sender) revert EscrowNotProvider(voucher.provider, msg.sender);
        bytes32 channel = channelId(voucher.client, voucher.provider, voucher.modelId);
        uint256 already = _redeemed[channel];
        if (voucher.cumulativeAmount <= already) {
            revert EscrowNothingToRedeem(channel, voucher.cumulativeAmount, already);
        }
        bytes32 digest = hashVoucher(voucher);
        if (!SignatureChecker.isValidSignatureNowCalldata(voucher.client, digest, signature)) {
            revert EscrowInvalidSignature(voucher.client, digest);
        }

        uint256 owed = voucher.cumulativeAmount - already;
        uint256 balance = _balances[voucher.client];
        paid = owed < balance ? owed : balance;
        _redeemed[channel] = already + paid;
        _balances[voucher.client] = balance - paid;
        totalBalances -= paid;
        emit VoucherRedeemed(
            voucher.client, voucher.provider, voucher.modelId, voucher.cumulativeAmount, paid, owed - paid
        );
        if (paid != 0) _credit(voucher.modelId, voucher.provider, paid, terms);
    }

    /// @dev Credits the three shares of `paid`; they sum to `paid` exactly (FeeSplit).
    function _credit(bytes32 modelId, address provider, uint256 paid, FeeTerms memory terms) private {
        // Unknown models have no owner: their royalty share is zero and the provider keeps it.
        // A royalty above a later-lowered cap is paid at the cap.
        (address modelOwner, uint256 royaltyBps) = models.royaltyInfo(modelId);
        if (modelOwner == address(0)) royaltyBps = 0;
        if (royaltyBps > terms.royaltyCapBps) royaltyBps = terms.royaltyCapBps;
        (uint256 providerAmount, uint256 royalty, uint256 fee) = FeeSplit.split(paid, royaltyBps, terms.feeBps);

        _earnings[provider] += providerAmount;
        if (royalty != 0) _earnings[modelOwner] += royalty;
        if (fee != 0) _earnings[terms.treasury] += fee;
        totalEarnings += paid;
        emit PaymentSplit(modelId, provider, modelOwner, providerAmount, royalty, fee);
    }
}
