// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAgentIdentity} from "../interfaces/IAgentIdentity.sol";
import {IValidationRegistry} from "../interfaces/IValidationRegistry.sol";

/// @title ValidationRegistry
/// @notice ERC-8004's validation registry over AgentIdentity (see IValidationRegistry).
contract ValidationRegistry is IValidationRegistry {
    IAgentIdentity public immutable identityRegistry;

    mapping(bytes32 requestHash => ValidationStatus) private _validations;
    mapping(uint256 agentId => bytes32[]) private _agentValidations;
    mapping(address validator => bytes32[]) private _validatorRequests;

    constructor(IAgentIdentity identityRegistry_) {
        identityRegistry = identityRegistry_;
    }

    // ------------------------------------------------------------------ writes

    /// @inheritdoc IValidationRegistry
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external {
        if (validatorAddress == address(0)) revert ValidationZeroValidator();
        if (_validations[requestHash].validatorAddress != address(0)) revert ValidationRequestExists(requestHash);
        if (!identityRegistry.isAuthorizedOrOwner(msg.sender, agentId)) {
            revert ValidationNotAgentOwner(msg.sender, agentId);
        }
        ValidationStatus storage s = _validations[requestHash];
        s.validatorAddress = validatorAddress;
        s.agentId = agentId;
        s.lastUpdate = block.timestamp;
        _agentValidations[agentId].push(requestHash);
        _validatorRequests[validatorAddress].push(requestHash);
        emit ValidationRequest(validatorAddress, agentId, requestURI, requestHash);
    }

    /// @inheritdoc IValidationRegistry
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external {
        ValidationStatus storage s = _validations[requestHash];
        if (s.validatorAddress == address(0)) revert ValidationUnknownRequest(requestHash);
        if (msg.sender != s.validatorAddress) revert ValidationNotValidator(msg.sender, s.validatorAddress);
        if (response > 100) revert ValidationResponseOutOfRange(response);
        s.response = response;
        s.responseHash = responseHash;
        s.tag = tag;
        s.lastUpdate = block.timestamp;
        s.hasResponse = true;
        emit ValidationResponse(msg.sender, s.agentId, requestHash, response, responseURI, responseHash, tag);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IValidationRegistry
    function getValidationStatus(bytes32 requestHash) external view returns (ValidationStatus memory) {
        ValidationStatus memory s = _validations[requestHash];
        if (s.validatorAddress == address(0)) revert ValidationUnknownRequest(requestHash);
        return s;
    }

    /// @inheritdoc IValidationRegistry
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 avgResponse)
    {
        bytes32[] storage hashes = _agentValidations[agentId];
        bytes32 tagHash = keccak256(bytes(tag));
        uint256 total;
        for (uint256 i; i < hashes.length; ++i) {
            ValidationStatus storage s = _validations[hashes[i]];
            if (!s.hasResponse) continue;
            if (bytes(tag).length != 0 && keccak256(bytes(s.tag)) != tagHash) continue;
            if (validatorAddresses.length != 0 && !_contains(validatorAddresses, s.validatorAddress)) continue;
            total += s.response;
            ++count;
        }
        if (count != 0) avgResponse = uint8(total / count);
    }

    /// @inheritdoc IValidationRegistry
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory) {
        return _agentValidations[agentId];
    }

    /// @inheritdoc IValidationRegistry
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory) {
        return _validatorRequests[validatorAddress];
    }

    function _contains(address[] calldata list, address item) private pure returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == item) return true;
        }
        return false;
    }
}
