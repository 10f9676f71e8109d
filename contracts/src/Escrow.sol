// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IEscrow} from "./interfaces/IEscrow.sol";
import {ITrellisToken} from "./interfaces/ITrellisToken.sol";
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

    /// @notice Gas given to a client's ERC-1271 `isValidSignature`. Enough for any reasonable
    ///         wallet check (P-256 in Solidity included); it bounds what one client contract can
    ///         burn inside a provider's batch, so it cannot make the whole batch run out of gas.
    uint256 public constant ERC1271_GAS_LIMIT = 500_000;

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
    function depositWithAuthorization(
        address from,
        uint256 amount,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external nonReentrant {
        if (amount == 0) revert EscrowZeroAmount();
        // A receive authorization can only be executed by its payee (this contract), so no
        // one can front-run it into a plain transfer that would leave the deposit uncredited;
        // and the signer chose this escrow as the payee, so the deposit cannot be redirected.
        _creditDeposit(from, amount);
        ITrellisToken(address(token))
            .receiveWithAuthorization(from, address(this), amount, validAfter, validBefore, nonce, signature);
    }

    /// @inheritdoc IEscrow
    function requestWithdrawal(uint256 amount) external {
        if (amount == 0) revert EscrowZeroAmount();
        uint256 balance = _balances[msg.sender];
        if (amount > balance) revert EscrowInsufficientBalance(msg.sender, balance, amount);
        uint256 ready = block.timestamp + params.withdrawalNotice();
        uint64 readyAt = SafeCast.toUint64(ready);
        uint64 expiresAt = SafeCast.toUint64(ready + params.withdrawalWindow());
        _withdrawals[msg.sender] = WithdrawalRequest({amount: amount, readyAt: readyAt, expiresAt: expiresAt});
        emit WithdrawalRequested(msg.sender, amount, readyAt, expiresAt);
    }

    /// @inheritdoc IEscrow
    function withdraw() external nonReentrant {
        WithdrawalRequest memory request = _withdrawals[msg.sender];
        if (request.amount == 0) revert EscrowNoWithdrawalRequest(msg.sender);
        if (block.timestamp < request.readyAt) {
            revert EscrowWithdrawalNotReady(msg.sender, request.readyAt, block.timestamp);
        }
        // A request that could be executed at any later time would leave providers unable to
        // tell when a client's balance stops backing its vouchers; it dies after the window.
        if (block.timestamp > request.expiresAt) {
            revert EscrowWithdrawalExpired(msg.sender, request.expiresAt, block.timestamp);
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
        paid = _redeem(voucher, signature, _feeTerms(), true, 0);
    }

    /// @inheritdoc IEscrow
    function redeemMany(Voucher[] calldata vouchers, bytes[] calldata signatures)
        external
        nonReentrant
        returns (uint256 totalPaid)
    {
        if (vouchers.length != signatures.length) {
            revert EscrowLengthMismatch(vouchers.length, signatures.length);
        }
        // Read the governance terms once for the whole batch.
        FeeTerms memory terms = _feeTerms();
        // A voucher that fails a check is skipped (with an event), so one bad voucher, put
        // there by mistake or by a client, cannot keep the provider from redeeming the rest.
        for (uint256 i; i < vouchers.length; ++i) {
            totalPaid += _redeem(vouchers[i], signatures[i], terms, false, i);
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
                abi.encode(
                    VOUCHER_TYPEHASH, voucher.client, voucher.provider, voucher.modelId, voucher.cumulativeAmount
                )
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
        _creditDeposit(msg.sender, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Every deposit, whoever sent it, is credited here and emits the same event.
    function _creditDeposit(address client, uint256 amount) private {
        uint256 balance = _balances[client] + amount;
        _balances[client] = balance;
        totalBalances += amount;
        emit Deposited(client, amount, balance);
    }

    function _feeTerms() private view returns (FeeTerms memory) {
        return
            FeeTerms({
                treasury: params.treasury(), feeBps: params.protocolFeeBps(), royaltyCapBps: params.royaltyCapBps()
            });
    }

    /// @dev The single path by which a client's balance moves to others. Only moves funds
    ///      under a valid signature of `voucher.client`. If the balance is short it pays what
    ///      is there and advances the channel only by that, so the rest stays redeemable.
    ///      A failed check reverts with its named error when `strict`, else emits
    ///      `VoucherSkipped(index)` and pays nothing.
    function _redeem(
        Voucher calldata voucher,
        bytes calldata signature,
        FeeTerms memory terms,
        bool strict,
        uint256 index
    ) private returns (uint256 paid) {
        if (voucher.provider != msg.sender) {
            if (strict) revert EscrowNotProvider(voucher.provider, msg.sender);
            return _skip(voucher, index, SkipReason.NotProvider);
        }
        bytes32 channel = channelId(voucher.client, voucher.provider, voucher.modelId);
        uint256 already = _redeemed[channel];
        if (voucher.cumulativeAmount <= already) {
            if (strict) revert EscrowNothingToRedeem(channel, voucher.cumulativeAmount, already);
            return _skip(voucher, index, SkipReason.NothingToRedeem);
        }
        bytes32 digest = hashVoucher(voucher);
        if (!_isClientSignature(voucher.client, digest, signature)) {
            if (strict) revert EscrowInvalidSignature(voucher.client, digest);
            return _skip(voucher, index, SkipReason.InvalidSignature);
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

    function _skip(Voucher calldata voucher, uint256 index, SkipReason reason) private returns (uint256) {
        emit VoucherSkipped(msg.sender, voucher.client, voucher.modelId, index, reason);
        return 0;
    }

    /// @dev ECDSA first: a signature the client's key made stays valid whatever code its
    ///      address gets later (an EIP-7702 delegation must not void vouchers already signed).
    ///      Only when ECDSA does not recover the client does the client's ERC-1271 wallet decide,
    ///      with bounded gas and 32 bytes of return data read at most.
    function _isClientSignature(address client, bytes32 digest, bytes calldata signature)
        private
        view
        returns (bool valid)
    {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == client) return true;
        if (client.code.length == 0) return false;
        bytes4 selector = IERC1271.isValidSignature.selector;
        uint256 gasLimit = ERC1271_GAS_LIMIT;
        assembly ("memory-safe") {
            // isValidSignature(bytes32 hash, bytes signature), ABI-encoded at the free pointer.
            let length := signature.length
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), digest)
            mstore(add(ptr, 0x24), 0x40)
            mstore(add(ptr, 0x44), length)
            calldatacopy(add(ptr, 0x64), signature.offset, length)
            mstore(add(add(ptr, 0x64), length), 0)
            let padded := shl(5, shr(5, add(length, 0x1f)))
            let success := staticcall(gasLimit, client, ptr, add(0x64, padded), 0x00, 0x20)
            valid := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), selector)))
        }
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
