// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IGroth16Verifier} from "../interfaces/IGroth16Verifier.sol";

/// @title ZkRegistry
/// @notice Per model (ModelRegistry id): the Groth16 verifier of its circuit and the Poseidon
///         commitment of its weights (docs/zk.md). Anyone may then submit a proof; a proof that
///         verifies records its result (model, weights, I/O hash) for good. Public signals of
///         every proof: [0] the Poseidon weight commitment, [1] the I/O hash.
/// @dev Holds no tokens. Only the model's owner in ModelRegistry registers or replaces its
///      verifier; a replaced verifier leaves earlier results recorded under the earlier
///      commitment, since a result is keyed by the commitment it was proven against.
contract ZkRegistry {
    uint256 public constant PUBLIC_SIGNALS = 2;
    /// @dev Order of the BN254 scalar field: public signals live below it.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    struct Entry {
        IGroth16Verifier verifier;
        /// @dev When the verifier was registered: a zk receipt signed before it was judged by
        ///      another verifier, so ZkReceiptSlasher does not judge it by this one.
        uint64 registeredAt;
        uint256 poseidonCommitment;
    }

    /// @notice Where model owners are read from.
    IModelRegistry public immutable models;

    mapping(bytes32 modelId => Entry) private _entries;
    mapping(bytes32 resultKey => bool) private _verified;

    event VerifierRegistered(bytes32 indexed modelId, address verifier, uint256 poseidonCommitment);
    event ResultVerified(
        bytes32 indexed modelId, uint256 indexed ioHash, uint256 poseidonCommitment, address indexed submitter
    );

    /// @notice The model does not exist in ModelRegistry.
    error ZkModelUnknown(bytes32 modelId);
    /// @notice Only the model's owner registers its verifier.
    error ZkNotModelOwner(bytes32 modelId, address owner, address caller);
    /// @notice The verifier address holds no code.
    error ZkVerifierNotContract(address verifier);
    /// @notice The commitment is zero or not a field element.
    error ZkBadCommitment(uint256 poseidonCommitment);
    /// @notice The model has no registered verifier.
    error ZkNoVerifier(bytes32 modelId);
    /// @notice A proof carries another number of public signals than the circuits have.
    error ZkPublicSignalCount(uint256 expected, uint256 got);
    /// @notice The proof is about other weights than the model's registered commitment.
    error ZkWeightCommitmentMismatch(bytes32 modelId, uint256 expected, uint256 got);
    /// @notice The verifier refused the proof for these public signals.
    error ZkProofRejected(bytes32 modelId, uint256 ioHash);

    constructor(IModelRegistry models_) {
        models = models_;
    }

    /// @notice Registers (or replaces) the verifier and Poseidon weight commitment of a model.
    function registerVerifier(bytes32 modelId, IGroth16Verifier verifier, uint256 poseidonCommitment) external {
        address owner = models.ownerOf(modelId);
        if (owner == address(0)) revert ZkModelUnknown(modelId);
        if (owner != msg.sender) revert ZkNotModelOwner(modelId, owner, msg.sender);
        if (address(verifier).code.length == 0) revert ZkVerifierNotContract(address(verifier));
        if (poseidonCommitment == 0 || poseidonCommitment >= R) revert ZkBadCommitment(poseidonCommitment);
        _entries[modelId] = Entry(verifier, uint64(block.timestamp), poseidonCommitment);
        emit VerifierRegistered(modelId, address(verifier), poseidonCommitment);
    }

    /// @notice Verifies a proof of one inference of `modelId` and records its I/O hash.
    /// @return resultKey The key under which the result is recorded (see `resultKeyOf`).
    function verifyAndRecord(
        bytes32 modelId,
        uint256[] calldata publicSignals,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c
    ) external returns (bytes32 resultKey) {
        Entry memory entry = _entries[modelId];
        if (address(entry.verifier) == address(0)) revert ZkNoVerifier(modelId);
        if (publicSignals.length != PUBLIC_SIGNALS) revert ZkPublicSignalCount(PUBLIC_SIGNALS, publicSignals.length);
        if (publicSignals[0] != entry.poseidonCommitment) {
            revert ZkWeightCommitmentMismatch(modelId, entry.poseidonCommitment, publicSignals[0]);
        }
        uint256 ioHash = publicSignals[1];
        if (!entry.verifier.verifyProof(a, b, c, publicSignals)) revert ZkProofRejected(modelId, ioHash);
        resultKey = resultKeyOf(modelId, entry.poseidonCommitment, ioHash);
        if (!_verified[resultKey]) {
            _verified[resultKey] = true;
            emit ResultVerified(modelId, ioHash, entry.poseidonCommitment, msg.sender);
        }
    }

    function resultKeyOf(bytes32 modelId, uint256 poseidonCommitment, uint256 ioHash) public pure returns (bytes32) {
        return keccak256(abi.encode(modelId, poseidonCommitment, ioHash));
    }

    /// @notice Whether a proof that `modelId` with these weights maps this I/O hash was verified.
    function isVerified(bytes32 modelId, uint256 poseidonCommitment, uint256 ioHash) external view returns (bool) {
        return _verified[resultKeyOf(modelId, poseidonCommitment, ioHash)];
    }

    function verifierOf(bytes32 modelId) external view returns (IGroth16Verifier verifier, uint256 poseidonCommitment) {
        Entry memory entry = _entries[modelId];
        return (entry.verifier, entry.poseidonCommitment);
    }

    /// @notice Unix seconds when the model's current verifier was registered (0: none).
    function registeredAt(bytes32 modelId) external view returns (uint64) {
        return _entries[modelId].registeredAt;
    }
}
