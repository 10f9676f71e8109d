// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";

/// @title ProviderRegistry
/// @notice Registry and staking of providers. Stake is in the payment token.
contract ProviderRegistry is IProviderRegistry, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Bound on pending unbonding entries per provider, so `withdraw` and `slash`
    ///         loops stay cheap whatever a provider does.
    uint256 public constant MAX_UNBONDINGS = 8;

    /// @notice The staking token (TrellisToken).
    IERC20 public immutable token;
    /// @notice Where minStake and unbondingDelay are read; its owner manages slashers.
    ITrellisParams public immutable params;

    /// @inheritdoc IProviderRegistry
    uint256 public totalStaked;

    mapping(address provider => ProviderInfo) private _providers;
    mapping(address provider => Unbonding[]) private _unbondings;
    mapping(address provider => mapping(bytes32 modelId => uint256 price)) private _prices;
    mapping(address account => bool allowed) private _slashers;
    mapping(address provider => uint256) private _openDisputes;
    mapping(address provider => mapping(address slasher => uint256)) private _openBySlasher;
    mapping(bytes32 receiptId => bool) private _slashedReceipts;
    mapping(address provider => EncryptionKey) private _encryptionKeys;

    struct EncryptionKey {
        bytes32 key;
        uint64 version;
    }

    /// @param token_ The payment token used for stake.
    /// @param params_ The TrellisParams contract.
    constructor(IERC20 token_, ITrellisParams params_) {
        token = token_;
        params = params_;
    }

    modifier onlySlasher() {
        if (!_slashers[msg.sender]) revert RegistryNotSlasher(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ provider writes

    /// @inheritdoc IProviderRegistry
    function register(string calldata endpoint, bytes calldata pubKey, uint256 stake) external nonReentrant {
        ProviderInfo storage info = _providers[msg.sender];
        if (info.registered) revert RegistryAlreadyRegistered(msg.sender);
        if (bytes(endpoint).length == 0) revert RegistryEmptyEndpoint();
        uint256 minimum = params.minStake();
        if (stake < minimum) revert RegistryStakeBelowMinimum(stake, minimum);
        info.registered = true;
        info.endpoint = endpoint;
        info.pubKey = pubKey;
        info.activeStake = stake;
        totalStaked += stake;
        emit ProviderRegistered(msg.sender, endpoint, pubKey, stake);
        token.safeTransferFrom(msg.sender, address(this), stake);
    }

    /// @inheritdoc IProviderRegistry
    function updateEndpoint(string calldata endpoint) external {
        ProviderInfo storage info = _registered(msg.sender);
        if (bytes(endpoint).length == 0) revert RegistryEmptyEndpoint();
        info.endpoint = endpoint;
        emit EndpointUpdated(msg.sender, endpoint);
    }

    /// @inheritdoc IProviderRegistry
    function setEncryptionKey(bytes32 key) external {
        _registered(msg.sender);
        EncryptionKey storage current = _encryptionKeys[msg.sender];
        current.key = key;
        current.version += 1;
        emit EncryptionKeyRotated(msg.sender, key, current.version);
    }

    /// @inheritdoc IProviderRegistry
    function setPrice(bytes32 modelId, uint256 price) external {
        _registered(msg.sender);
        _prices[msg.sender][modelId] = price;
        emit PriceSet(msg.sender, modelId, price);
    }

    /// @inheritdoc IProviderRegistry
    function addStake(uint256 amount) external nonReentrant {
        ProviderInfo storage info = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        info.activeStake += amount;
        totalStaked += amount;
        emit StakeAdded(msg.sender, amount, info.activeStake);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IProviderRegistry
    function startUnbonding(uint256 amount) external {
        ProviderInfo storage info = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        if (amount > info.activeStake) revert RegistryInsufficientStake(info.activeStake, amount);
        uint256 remaining = info.activeStake - amount;
        uint256 minimum = params.minStake();
        if (remaining != 0 && remaining < minimum) revert RegistryRemainingStakeBelowMinimum(remaining, minimum);
        Unbonding[] storage entries = _unbondings[msg.sender];
        if (entries.length >= MAX_UNBONDINGS) revert RegistryTooManyUnbondings(MAX_UNBONDINGS);
        uint64 readyAt = SafeCast.toUint64(block.timestamp + params.unbondingDelay());
        info.activeStake = remaining;
        info.unbondingStake += amount;
        entries.push(Unbonding({amount: amount, readyAt: readyAt}));
        emit UnbondingStarted(msg.sender, amount, readyAt, remaining);
    }

    /// @inheritdoc IProviderRegistry
    function withdraw() external nonReentrant {
        ProviderInfo storage info = _registered(msg.sender);
        if (info.jailedUntil > block.timestamp) revert RegistryJailed(msg.sender, info.jailedUntil);
        uint256 open = _openDisputes[msg.sender];
        if (open != 0) revert RegistryDisputesOpen(msg.sender, open);
        Unbonding[] storage entries = _unbondings[msg.sender];
        uint256 paid;
        // Compact in place: keep immature entries in order, drop matured ones.
        uint256 kept;
        uint256 length = entries.length;
        for (uint256 i; i < length; ++i) {
            Unbonding memory entry = entries[i];
            if (entry.readyAt <= block.timestamp) {
                paid += entry.amount;
            } else {
                if (kept != i) entries[kept] = entry;
                ++kept;
            }
        }
        if (paid == 0) revert RegistryNothingToWithdraw(msg.sender);
        for (uint256 i = length; i > kept; --i) {
            entries.pop();
        }
        info.unbondingStake -= paid;
        totalStaked -= paid;
        emit StakeWithdrawn(msg.sender, paid);
        token.safeTransfer(msg.sender, paid);
    }

    // ------------------------------------------------------------------ slasher writes

    /// @inheritdoc IProviderRegistry
    function jail(address provider, uint64 until) external onlySlasher {
        ProviderInfo storage info = _registered(provider);
        if (until > info.jailedUntil) info.jailedUntil = until;
        emit ProviderJailed(provider, info.jailedUntil, msg.sender);
    }

    /// @inheritdoc IProviderRegistry
    function slash(address provider, uint256 amount, address recipient, bytes32 receiptId)
        external
        onlySlasher
        nonReentrant
        returns (uint256 slashed)
    {
        ProviderInfo storage info = _registered(provider);
        if (amount == 0) revert RegistryZeroAmount();
        if (recipient == address(0)) revert RegistryZeroRecipient();
        if (_slashedReceipts[receiptId]) revert RegistryReceiptAlreadySlashed(receiptId);
        _slashedReceipts[receiptId] = true;
        uint256 fromActive = amount < info.activeStake ? amount : info.activeStake;
        info.activeStake -= fromActive;
        uint256 left = amount - fromActive;
        uint256 fromUnbonding;
        Unbonding[] storage entries = _unbondings[provider];
        // Newest entries first: they are the furthest from withdrawal, and popping is cheap.
        while (left != 0 && entries.length != 0) {
            Unbonding storage last = entries[entries.length - 1];
            if (last.amount <= left) {
                left -= last.amount;
                fromUnbonding += last.amount;
                entries.pop();
            } else {
                last.amount -= left;
                fromUnbonding += left;
                left = 0;
            }
        }
        info.unbondingStake -= fromUnbonding;
        slashed = fromActive + fromUnbonding;
        totalStaked -= slashed;
        emit ProviderSlashed(provider, recipient, msg.sender, amount, fromActive, fromUnbonding);
        if (slashed != 0) token.safeTransfer(recipient, slashed);
    }

    /// @inheritdoc IProviderRegistry
    function disputeOpened(address provider) external onlySlasher {
        _registered(provider);
        uint256 open = ++_openDisputes[provider];
        ++_openBySlasher[provider][msg.sender];
        emit DisputeCountChanged(provider, msg.sender, open);
    }

    /// @inheritdoc IProviderRegistry
    function disputeClosed(address provider) external {
        // Not onlySlasher: a slasher removed by governance can still close what it opened,
        // so a provider's stake is never locked by a contract that lost its authorization.
        uint256 mine = _openBySlasher[provider][msg.sender];
        if (mine == 0) revert RegistryNoOpenDispute(provider, msg.sender);
        _openBySlasher[provider][msg.sender] = mine - 1;
        uint256 open = --_openDisputes[provider];
        emit DisputeCountChanged(provider, msg.sender, open);
    }

    /// @inheritdoc IProviderRegistry
    function setSlasher(address slasher, bool allowed) external {
        address governance = params.owner();
        if (msg.sender != governance) revert RegistryNotOwner(msg.sender, governance);
        _slashers[slasher] = allowed;
        emit SlasherSet(slasher, allowed);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IProviderRegistry
    function getProvider(address provider) external view returns (ProviderInfo memory) {
        return _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function encryptionKeyOf(address provider) external view returns (bytes32 key, uint64 version) {
        EncryptionKey storage current = _encryptionKeys[provider];
        return (current.key, current.version);
    }

    /// @inheritdoc IProviderRegistry
    function activeStake(address provider) external view returns (uint256) {
        return _providers[provider].activeStake;
    }

    /// @inheritdoc IProviderRegistry
    function unbondingEntries(address provider) external view returns (Unbonding[] memory) {
        return _unbondings[provider];
    }

    /// @inheritdoc IProviderRegistry
    function isActive(address provider) external view returns (bool) {
        ProviderInfo storage info = _providers[provider];
        return info.registered && info.jailedUntil <= block.timestamp && info.activeStake >= params.minStake();
    }

    /// @inheritdoc IProviderRegistry
    function priceOf(address provider, bytes32 modelId) external view returns (uint256) {
        return _prices[provider][modelId];
    }

    /// @inheritdoc IProviderRegistry
    function isSlasher(address account) external view returns (bool) {
        return _slashers[account];
    }

    /// @inheritdoc IProviderRegistry
    function openDisputes(address provider) external view returns (uint256) {
        return _openDisputes[provider];
    }

    /// @inheritdoc IProviderRegistry
    function isReceiptSlashed(bytes32 receiptId) external view returns (bool) {
        return _slashedReceipts[receiptId];
    }

    // ------------------------------------------------------------------ internal

    function _registered(address provider) private view returns (ProviderInfo storage info) {
        info = _providers[provider];
        if (!info.registered) revert RegistryNotRegistered(provider);
    }
}
