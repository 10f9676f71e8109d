// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAgentIdentity} from "../interfaces/IAgentIdentity.sol";

/// @title AgentIdentity
/// @notice ERC-8004's identity registry: agents as ERC-721 tokens with an agent URI,
///         metadata and an agent wallet (see IAgentIdentity).
contract AgentIdentity is IAgentIdentity, ERC721URIStorage, EIP712 {
    bytes32 public constant AGENT_WALLET_SET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");
    /// @notice A wallet's consent is short-lived, so a leaked signature soon stops mattering.
    uint256 public constant MAX_DEADLINE_DELAY = 5 minutes;
    string internal constant WALLET_KEY = "agentWallet";

    uint256 private _lastId;
    mapping(uint256 agentId => mapping(string key => bytes)) private _metadata;

    constructor() ERC721("Trellis Agent", "AGENT") EIP712("Trellis Agent Identity", "1") {}

    // ------------------------------------------------------------------ writes

    /// @inheritdoc IAgentIdentity
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId) {
        agentId = _register(agentURI);
        for (uint256 i; i < metadata.length; ++i) {
            _setMetadata(agentId, metadata[i].metadataKey, metadata[i].metadataValue);
        }
    }

    /// @inheritdoc IAgentIdentity
    function register(string calldata agentURI) external returns (uint256 agentId) {
        agentId = _register(agentURI);
    }

    /// @inheritdoc IAgentIdentity
    function register() external returns (uint256 agentId) {
        agentId = _register("");
    }

    /// @inheritdoc IAgentIdentity
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external {
        _authorized(agentId);
        _setMetadata(agentId, metadataKey, metadataValue);
    }

    /// @inheritdoc IAgentIdentity
    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _authorized(agentId);
        _setTokenURI(agentId, newURI);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    /// @inheritdoc IAgentIdentity
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature) external {
        address owner = _authorized(agentId);
        if (newWallet == address(0)) revert IdentityZeroWallet();
        if (block.timestamp > deadline) revert IdentityDeadlinePassed(deadline, block.timestamp);
        if (deadline > block.timestamp + MAX_DEADLINE_DELAY) {
            revert IdentityDeadlineTooFar(deadline, block.timestamp + MAX_DEADLINE_DELAY);
        }
        bytes32 digest = agentWalletDigest(agentId, newWallet, owner, deadline);
        if (!SignatureChecker.isValidSignatureNow(newWallet, digest, signature)) {
            revert IdentityInvalidWalletSignature(newWallet, digest);
        }
        _setWallet(agentId, abi.encodePacked(newWallet));
    }

    /// @inheritdoc IAgentIdentity
    function unsetAgentWallet(uint256 agentId) external {
        _authorized(agentId);
        _setWallet(agentId, "");
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAgentIdentity
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory) {
        return _metadata[agentId][metadataKey];
    }

    /// @inheritdoc IAgentIdentity
    function getAgentWallet(uint256 agentId) external view returns (address) {
        return address(bytes20(_metadata[agentId][WALLET_KEY]));
    }

    /// @inheritdoc IAgentIdentity
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool) {
        return _isAuthorized(ownerOf(agentId), spender, agentId);
    }

    /// @inheritdoc IAgentIdentity
    function agentWalletDigest(uint256 agentId, address newWallet, address owner, uint256 deadline)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline)));
    }

    // ------------------------------------------------------------------ internal

    function _register(string memory agentURI) private returns (uint256 agentId) {
        agentId = ++_lastId;
        _safeMint(msg.sender, agentId);
        if (bytes(agentURI).length != 0) _setTokenURI(agentId, agentURI);
        emit Registered(agentId, agentURI, msg.sender);
        _setWallet(agentId, abi.encodePacked(msg.sender));
    }

    function _setMetadata(uint256 agentId, string calldata key, bytes calldata value) private {
        if (keccak256(bytes(key)) == keccak256(bytes(WALLET_KEY))) revert IdentityReservedKey(key);
        _metadata[agentId][key] = value;
        emit MetadataSet(agentId, key, key, value);
    }

    function _setWallet(uint256 agentId, bytes memory wallet) private {
        _metadata[agentId][WALLET_KEY] = wallet;
        emit MetadataSet(agentId, WALLET_KEY, WALLET_KEY, wallet);
    }

    /// @dev Reverts unless the caller may manage the agent; returns the agent's owner.
    function _authorized(uint256 agentId) private view returns (address owner) {
        owner = ownerOf(agentId);
        if (!_isAuthorized(owner, msg.sender, agentId)) revert IdentityNotAuthorized(msg.sender, agentId);
    }

    /// @dev A transfer (not a mint or burn) clears the wallet before the token moves, so the
    ///      new owner starts with no wallet and must bring one that signs for itself.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) _setWallet(tokenId, "");
        return super._update(to, tokenId, auth);
    }
}
