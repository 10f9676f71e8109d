// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IAgentIdentity
/// @notice The identity registry of ERC-8004 (draft): each agent is an ERC-721 token whose
///         token URI is its agent URI (a registration file), with key/value metadata and an
///         agent wallet, the address that acts and pays for it. The wallet is the registering
///         address at first; moving it to another address takes that address's EIP-712
///         signature, and a transfer of the token clears it, so a buyer of an identity never
///         inherits the seller's wallet (or its reputation, which is kept per address).
/// @dev EIP-712 domain: name "Trellis Agent Identity", version "1", the chain id, this
///      contract. AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline).
///      Agent ids start at 1, so 0 means "no agent".
interface IAgentIdentity {
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The caller is neither the agent's owner nor approved for it.
    error IdentityNotAuthorized(address caller, uint256 agentId);
    /// @notice "agentWallet" is set only through `setAgentWallet`.
    error IdentityReservedKey(string metadataKey);
    /// @notice The new wallet is the zero address.
    error IdentityZeroWallet();
    /// @notice The wallet's signature has expired.
    error IdentityDeadlinePassed(uint256 deadline, uint256 timestamp);
    /// @notice The deadline is further ahead than `MAX_DEADLINE_DELAY`.
    error IdentityDeadlineTooFar(uint256 deadline, uint256 latest);
    /// @notice The signature is not the new wallet's (ECDSA, else ERC-1271).
    error IdentityInvalidWalletSignature(address wallet, bytes32 digest);

    // ------------------------------------------------------------------ events

    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);
    event MetadataSet(
        uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue
    );
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);

    // ------------------------------------------------------------------ writes

    /// @notice Registers an agent owned by the caller, with the caller as its wallet.
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId);
    function register(string calldata agentURI) external returns (uint256 agentId);
    function register() external returns (uint256 agentId);
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external;
    function setAgentURI(uint256 agentId, string calldata newURI) external;
    /// @notice Moves the agent wallet to `newWallet`, which signs `AgentWalletSet` to consent.
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature) external;
    function unsetAgentWallet(uint256 agentId) external;

    // ------------------------------------------------------------------ views

    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory);
    /// @notice The agent's wallet, or zero when unset (after a transfer, until the new owner sets one).
    function getAgentWallet(uint256 agentId) external view returns (address);
    /// @notice True when `spender` is the agent's owner or approved for it; reverts for an unknown agent.
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool);
    /// @notice The digest `newWallet` signs for `setAgentWallet`.
    function agentWalletDigest(uint256 agentId, address newWallet, address owner, uint256 deadline)
        external
        view
        returns (bytes32);
}
