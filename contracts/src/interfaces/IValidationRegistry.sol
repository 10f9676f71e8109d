// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IValidationRegistry
/// @notice ERC-8004's validation registry (draft): an agent's owner asks a validator to check
///         a piece of work (`requestHash` commits to it); only that validator may answer, with
///         a response from 0 (failed) to 100 (passed). Anyone may ask any validator; what a
///         response is worth is the reader's call: ReputationRegistry counts only the
///         responses of validators governance trusts (Trellis verifier contracts).
interface IValidationRegistry {
    struct ValidationStatus {
        address validatorAddress;
        uint256 agentId;
        uint8 response;
        bytes32 responseHash;
        string tag;
        uint256 lastUpdate;
        bool hasResponse;
    }

    // ------------------------------------------------------------------ errors

    error ValidationZeroValidator();
    /// @notice A request with this hash exists already.
    error ValidationRequestExists(bytes32 requestHash);
    error ValidationUnknownRequest(bytes32 requestHash);
    /// @notice Only the agent's owner or an approved operator may ask for a validation.
    error ValidationNotAgentOwner(address caller, uint256 agentId);
    /// @notice Only the validator the request names may answer it.
    error ValidationNotValidator(address caller, address validator);
    error ValidationResponseOutOfRange(uint8 response);

    // ------------------------------------------------------------------ events

    event ValidationRequest(
        address indexed validatorAddress, uint256 indexed agentId, string requestURI, bytes32 indexed requestHash
    );
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );

    // ------------------------------------------------------------------ writes

    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external;
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external;

    // ------------------------------------------------------------------ views

    function getValidationStatus(bytes32 requestHash) external view returns (ValidationStatus memory);
    /// @notice Count and average response of the agent's answered validations, filtered by
    ///         validators (none: all) and tag (empty: all).
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 avgResponse);
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory);
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory);
}
