// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IProviderRegistry
/// @notice Providers register an endpoint and a public key, stake the payment token, announce
///         per-model prices, and can be jailed or slashed by authorized dispute contracts.
///         Events alone are enough to rebuild the provider list, endpoints, keys, prices and
///         models (a gateway discovers providers that way).
interface IProviderRegistry {
    /// @notice A provider's public record.
    struct ProviderInfo {
        bool registered;
        uint64 jailedUntil;
        uint256 activeStake;
        uint256 unbondingStake;
        string endpoint;
        bytes pubKey;
    }

    /// @notice Stake on its way out: withdrawable at `readyAt`, slashable until then.
    struct Unbonding {
        uint256 amount;
        uint64 readyAt;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The caller is already registered.
    error RegistryAlreadyRegistered(address provider);
    /// @notice The provider is not registered.
    error RegistryNotRegistered(address provider);
    /// @notice The endpoint string must not be empty.
    error RegistryEmptyEndpoint();
    /// @notice The stake offered is below the minimum.
    error RegistryStakeBelowMinimum(uint256 stake, uint256 minimum);
    /// @notice Unbonding this amount would leave a positive active stake below the minimum.
    error RegistryRemainingStakeBelowMinimum(uint256 remaining, uint256 minimum);
    /// @notice More stake was asked for than is active.
    error RegistryInsufficientStake(uint256 activeStake, uint256 amount);
    /// @notice An amount that must be positive was zero.
    error RegistryZeroAmount();
    /// @notice The provider already has the maximum number of pending unbonding entries.
    error RegistryTooManyUnbondings(uint256 max);
    /// @notice No unbonding entry has matured yet.
    error RegistryNothingToWithdraw(address provider);
    /// @notice The provider is jailed; withdrawals wait until `until`.
    error RegistryJailed(address provider, uint64 until);
    /// @notice The caller is not an authorized slasher.
    error RegistryNotSlasher(address caller);
    /// @notice The caller is not the governance owner (TrellisParams.owner()).
    error RegistryNotOwner(address caller, address owner);
    /// @notice Slashed stake cannot be sent to the zero address.
    error RegistryZeroRecipient();
    /// @notice Stake cannot leave while disputes on the provider are open.
    error RegistryDisputesOpen(address provider, uint256 open);
    /// @notice This receipt already cost the provider stake (in this or another dispute contract).
    error RegistryReceiptAlreadySlashed(bytes32 receiptId);
    /// @notice A slasher closed more disputes on the provider than it opened.
    error RegistryNoOpenDispute(address provider, address slasher);

    // ------------------------------------------------------------------ events

    /// @notice A provider joined with its endpoint, public key and initial stake.
    event ProviderRegistered(address indexed provider, string endpoint, bytes pubKey, uint256 stake);
    /// @notice A provider moved to a new endpoint.
    event EndpointUpdated(address indexed provider, string endpoint);
    /// @notice A provider published a new X25519 key for sealed inputs (zero: it accepts none);
    ///         `version` counts its rotations, so a client names the key it sealed to.
    event EncryptionKeyRotated(address indexed provider, bytes32 key, uint64 version);
    /// @notice A provider's price for a model; price 0 means the model is no longer served.
    event PriceSet(address indexed provider, bytes32 indexed modelId, uint256 price);
    /// @notice Stake was added; `activeStake` is the new total.
    event StakeAdded(address indexed provider, uint256 amount, uint256 activeStake);
    /// @notice Stake started unbonding; `activeStake` is what stays active.
    event UnbondingStarted(address indexed provider, uint256 amount, uint64 readyAt, uint256 activeStake);
    /// @notice Matured unbonding stake was paid out.
    event StakeWithdrawn(address indexed provider, uint256 amount);
    /// @notice A slasher jailed a provider until `until`.
    event ProviderJailed(address indexed provider, uint64 until, address indexed slasher);
    /// @notice A slasher took stake: first from active, then from unbonding entries.
    event ProviderSlashed(
        address indexed provider,
        address indexed recipient,
        address indexed slasher,
        uint256 requested,
        uint256 fromActive,
        uint256 fromUnbonding
    );
    /// @notice The owner authorized or removed a slasher contract.
    event SlasherSet(address indexed slasher, bool allowed);
    /// @notice A slasher opened or closed a dispute on the provider; `open` is the new count.
    event DisputeCountChanged(address indexed provider, address indexed slasher, uint256 open);

    // ------------------------------------------------------------------ writes

    /// @notice Registers the caller as a provider, pulling `stake` with transferFrom.
    /// @param endpoint Where the provider serves requests (non-empty URL).
    /// @param pubKey Key the provider signs receipts with / clients encrypt to.
    /// @param stake Initial stake, at least `minStake`; approve the registry first.
    function register(string calldata endpoint, bytes calldata pubKey, uint256 stake) external;

    /// @notice Announces a new endpoint.
    /// @param endpoint Non-empty URL.
    function updateEndpoint(string calldata endpoint) external;

    /// @notice Publishes the X25519 public key clients seal inputs to (HPKE, docs/privacy.md),
    ///         replacing the previous one; zero withdraws it. Registered providers only.
    /// @param key The raw 32-byte X25519 public key.
    function setEncryptionKey(bytes32 key) external;

    /// @notice The provider's current sealed-input key and its rotation count (0: never set).
    function encryptionKeyOf(address provider) external view returns (bytes32 key, uint64 version);

    /// @notice Sets the price per request for a model; 0 removes the model from the offer.
    /// @param modelId Model id from the ModelRegistry (not checked here).
    /// @param price Payment token units per request.
    function setPrice(bytes32 modelId, uint256 price) external;

    /// @notice Adds stake (pulled with transferFrom). A provider whose stake went to zero can
    ///         come back this way.
    /// @param amount Positive token amount.
    function addStake(uint256 amount) external;

    /// @notice Moves `amount` of active stake to a new unbonding entry that matures after
    ///         `unbondingDelay`. What stays active must be zero or at least `minStake`.
    /// @param amount Positive, at most the active stake.
    function startUnbonding(uint256 amount) external;

    /// @notice Pays out every matured unbonding entry. Not while jailed, and not while any
    ///         dispute on the provider is open: the stake must stay to pay for a lost one.
    function withdraw() external;

    /// @notice Jails a provider (only an authorized slasher). Jailing never shortens a
    ///         running jail term.
    /// @param provider Registered provider.
    /// @param until Unix time the jail ends.
    function jail(address provider, uint64 until) external;

    /// @notice Takes up to `amount` of the provider's stake (active first, then unbonding
    ///         entries from the newest) and sends it to `recipient` (only a slasher). Each
    ///         receipt can cost stake once, across every slasher, so two dispute contracts
    ///         can never both slash for the same receipt.
    /// @param provider Registered provider.
    /// @param amount Requested amount; capped at what the provider has.
    /// @param recipient Receives the slashed tokens.
    /// @param receiptId The EIP-712 digest of the receipt the provider lost on.
    /// @return slashed The amount actually taken.
    function slash(address provider, uint256 amount, address recipient, bytes32 receiptId)
        external
        returns (uint256 slashed);

    /// @notice A slasher records that a dispute on `provider` opened; while any is open the
    ///         provider cannot withdraw stake.
    /// @param provider Registered provider.
    function disputeOpened(address provider) external;

    /// @notice A slasher records that one of its disputes on `provider` ended.
    /// @param provider Provider of a dispute this slasher opened.
    function disputeClosed(address provider) external;

    /// @notice Authorizes or removes a slasher (only the TrellisParams owner).
    function setSlasher(address slasher, bool allowed) external;

    // ------------------------------------------------------------------ views

    /// @notice The provider's record.
    function getProvider(address provider) external view returns (ProviderInfo memory);
    /// @notice Active (not unbonding) stake.
    function activeStake(address provider) external view returns (uint256);
    /// @notice Pending unbonding entries, oldest first.
    function unbondingEntries(address provider) external view returns (Unbonding[] memory);
    /// @notice Registered, not jailed, and active stake at least `minStake`.
    function isActive(address provider) external view returns (bool);
    /// @notice The provider's price for a model (0: not served).
    function priceOf(address provider, bytes32 modelId) external view returns (uint256);
    /// @notice Whether `account` may jail and slash.
    function isSlasher(address account) external view returns (bool);
    /// @notice Disputes open on the provider, over every slasher.
    function openDisputes(address provider) external view returns (uint256);
    /// @notice Whether a receipt already cost its provider stake.
    function isReceiptSlashed(bytes32 receiptId) external view returns (bool);
    /// @notice Sum of all active and unbonding stake held by the registry.
    function totalStaked() external view returns (uint256);
}
