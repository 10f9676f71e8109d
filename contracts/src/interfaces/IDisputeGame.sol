// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {LayerMath} from "../libraries/LayerMath.sol";

/// @title IDisputeGame
/// @notice Anyone holding a provider-signed receipt and its input can challenge the receipt's
///         execution trace. The game narrows the disagreement to one output element of one
///         layer and re-executes that element on chain; the side that is wrong, or that misses
///         a deadline, loses. A cheating provider is slashed and jailed; a wrong challenger
///         loses its bond to the provider. Nothing requires the challenger to be the client,
///         so a second provider in redundant mode settles a disagreement the same way.
/// @dev Moves, in order (each before the previous move's deadline):
///      1. challenger `open` (bond, receipt, signature, quantized input);
///      2. provider `revealRoots` (every tensor root of its trace);
///      3. challenger `chooseLayer` (first disagreeing tensor, with its proven parameters);
///      4. provider `revealTensor` (that tensor's values, checked against its root);
///      5. challenger (or provider) `step`: names one element and re-executes it on chain.
///      `timeout` settles a dispute whose deadline passed against the side due to move.
interface IDisputeGame {
    /// @notice The receipt a provider signs (EIP-712 "Receipt", domain "Trellis Inference" /
    ///         "1" / chain id / the Escrow), as in src/protocol/messages.ts.
    struct Receipt {
        bytes32 requestHash;
        address client;
        address provider;
        bytes32 modelId;
        bytes32 inputHash;
        bytes32 outputHash;
        bytes32 traceRoot;
        uint256 fee;
        uint256 channelTotal;
        /// @dev Unix seconds when the provider signed; the challenge window runs from here.
        uint64 issuedAt;
        /// @dev The verification mode asked for: 0 none, 1 redundant, 2 optimistic.
        uint8 verification;
    }

    /// @notice Where a dispute stands; it names the side due to move.
    enum Phase {
        None,
        AwaitRoots, // provider
        AwaitLayer, // challenger
        AwaitTensor, // provider
        AwaitStep // challenger (the provider may also submit the step)
    }

    /// @notice Why a dispute ended.
    enum Outcome {
        ProviderTimedOut,
        ChallengerTimedOut,
        ProviderComputedWrong,
        ProviderComputedRight,
        TraceShapeWrong
    }

    /// @notice A dispute in progress.
    struct Dispute {
        Phase phase;
        uint64 deadline;
        address challenger;
        address provider;
        uint32 layer;
        uint32 size;
        address client;
        uint256 bond;
        uint256 fee;
        bytes32 modelId;
        bytes32 inputHash;
        bytes32 outputHash;
        bytes32 traceRoot;
        bytes32 paramsLeaf;
        bytes32[] roots;
    }

    /// @notice Input elements of one operand for `step`: either the whole tensor (paths
    ///         empty) or the window's unpadded elements, each followed in `paths` by its
    ///         depth(tensor size) siblings.
    struct Operand {
        int256[] values;
        bytes32[] paths;
    }

    /// @notice Everything `step` needs to re-execute the chosen element.
    struct StepProof {
        /// @dev The parameters proven in `chooseLayer`.
        LayerMath.Params params;
        /// @dev The element re-executed, and the provider's value of it with its path.
        uint256 index;
        int256 providerValue;
        bytes32[] providerPath;
        // Weight row (dense and conv only; ignored otherwise).
        uint256 rowShift;
        int256 bias;
        bytes weights;
        uint256 rowLeafIndex;
        bytes32[] rowPath;
        Operand a;
        Operand b;
    }

    /// @notice Economic and timing settings, fixed at deployment.
    struct Config {
        uint256 moveTimeout;
        uint256 minBond;
        uint256 slashAmount;
        uint256 challengerShareBps;
        uint256 jailDuration;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The receipt's signature is not the provider's.
    error DisputeBadSignature(bytes32 receiptDigest, address recovered, address provider);
    /// @notice The input's Merkle root is not the receipt's inputHash.
    error DisputeInputMismatch(bytes32 computed, bytes32 inputHash);
    /// @notice A dispute on this receipt is already running.
    error DisputeAlreadyOpen(bytes32 id, address challenger);
    /// @notice The provider already lost a dispute on this receipt.
    error DisputeReceiptSettled(bytes32 id);
    /// @notice The receipt commits to no trace (verification none).
    error DisputeNoTrace(bytes32 id);
    /// @notice The model has no weight commitment to re-execute against.
    error DisputeNoCommitment(bytes32 modelId);
    /// @notice The bond is below the minimum.
    error DisputeBondTooLow(uint256 bond, uint256 minimum);
    /// @notice No dispute with this id is running.
    error DisputeUnknown(bytes32 id);
    /// @notice The move does not belong to the dispute's current phase.
    error DisputeWrongPhase(bytes32 id, Phase expected, Phase actual);
    /// @notice The caller is not the side due to move.
    error DisputeNotYourTurn(bytes32 id, address caller, address expected);
    /// @notice The move came after its deadline.
    error DisputeDeadlinePassed(bytes32 id, uint256 deadline, uint256 timestamp);
    /// @notice `timeout` was called before the deadline.
    error DisputeDeadlineNotPassed(bytes32 id, uint256 deadline, uint256 timestamp);
    /// @notice The revealed roots do not hash to the receipt's traceRoot.
    error DisputeRootsMismatch(bytes32 computed, bytes32 traceRoot);
    /// @notice Fewer than two roots (input and output) were revealed.
    error DisputeTooFewRoots(uint256 count);
    /// @notice The revealed root of tensor `tensor` is not the receipt's input or output hash.
    error DisputeRootEndpointMismatch(uint256 tensor, bytes32 root, bytes32 expected);
    /// @notice The chosen tensor is not a layer output of the revealed trace.
    error DisputeLayerOutOfRange(uint256 layer, uint256 layerCount);
    /// @notice An element value outside the int16 activation range.
    error DisputeValueOutOfRange(int256 value);
    /// @notice An element's Merkle path does not lead to its tensor root.
    error DisputeInvalidElementProof(uint256 tensor, uint256 index, bytes32 computed, bytes32 root);
    /// @notice The revealed tensor has the wrong number of elements.
    error DisputeTensorSize(uint256 got, uint256 expected);
    /// @notice The named element is outside the chosen tensor.
    error DisputeIndexOutOfRange(uint256 index, uint256 size);
    /// @notice The step's parameters are not those proven in `chooseLayer`.
    error DisputeParamsChanged(bytes32 given, bytes32 proven);
    /// @notice The layer parameters are not under the model's weight commitment.
    error DisputeInvalidParamsProof(uint256 layer, bytes32 computed, bytes32 commitment);
    /// @notice The weight row is not under the model's weight commitment.
    error DisputeInvalidWeightProof(uint256 layer, uint256 row, bytes32 computed, bytes32 commitment);
    /// @notice A committed row has the wrong number of weights for its layer.
    error DisputeWeightLength(uint256 got, uint256 expected);
    /// @notice An operand's values and paths do not have the shape the window needs.
    error DisputeOperandShape(uint256 operand, uint256 values, uint256 paths, uint256 expectedValues, uint256 expectedPaths);
    /// @notice A configuration value is out of range.
    error DisputeBadConfig(bytes32 name, uint256 value);

    // ------------------------------------------------------------------ events

    /// @notice A challenger opened a dispute on a receipt; `deadline` is the provider's.
    event DisputeOpened(
        bytes32 indexed id,
        address indexed challenger,
        address indexed provider,
        address client,
        bytes32 modelId,
        uint256 bond,
        uint64 deadline
    );
    /// @notice The provider revealed every tensor root of its trace; `deadline` is the challenger's.
    event RootsRevealed(bytes32 indexed id, bytes32[] roots, uint64 deadline);
    /// @notice The challenger named the first disputed tensor (a layer output).
    event LayerChosen(bytes32 indexed id, uint256 layer, uint256 size, uint64 deadline);
    /// @notice The provider revealed the chosen tensor's values (int16 big-endian).
    event TensorRevealed(bytes32 indexed id, uint256 layer, bytes values, uint64 deadline);
    /// @notice The chosen element was re-executed on chain.
    event StepExecuted(bytes32 indexed id, uint256 layer, uint256 index, int256 computed, int256 providerValue);
    /// @notice The dispute ended; `winner` is the challenger when `providerLost`, else the provider.
    event DisputeResolved(bytes32 indexed id, bool providerLost, Outcome outcome, address winner);
    /// @notice A losing provider was slashed and jailed, and the slashed stake split.
    event ProviderPenalized(
        bytes32 indexed id,
        address indexed provider,
        uint256 slashed,
        uint256 clientRefund,
        uint256 challengerReward,
        uint256 treasuryShare,
        uint64 jailedUntil
    );
    /// @notice A losing challenger's bond went to the provider.
    event BondForfeited(bytes32 indexed id, address indexed challenger, address indexed provider, uint256 bond);

    // ------------------------------------------------------------------ writes

    /// @notice Opens a dispute on a receipt. Pulls `bond` from the caller (approve first).
    /// @param receipt The receipt as the provider signed it; it must commit to a trace.
    /// @param signature The provider's EIP-712 signature over the receipt (65 bytes).
    /// @param input The quantized input (trace tensor 0); its Merkle root must be `inputHash`.
    /// @param bond Payment token amount at stake, at least `minBond`.
    /// @return id The receipt's EIP-712 digest, which names the dispute.
    function open(Receipt calldata receipt, bytes calldata signature, int256[] calldata input, uint256 bond)
        external
        returns (bytes32 id);

    /// @notice Provider: reveals the roots of tensors 0..L of its trace. They must hash to the
    ///         receipt's traceRoot, start with its inputHash and end with its outputHash.
    /// @param id The dispute.
    /// @param roots One root per tensor, input first.
    function revealRoots(bytes32 id, bytes32[] calldata roots) external;

    /// @notice Challenger: names the first tensor it disagrees on (it agrees on every earlier
    ///         one) with that layer's parameter leaf, proven against the model's weight
    ///         commitment. Parameters that count a different number of layers than the
    ///         provider revealed settle the dispute against the provider at once.
    /// @param id The dispute.
    /// @param params The layer's parameter words; `params.layer` is the tensor named.
    /// @param leafIndex Position of the parameter leaf in the commitment tree.
    /// @param path Its siblings up to the commitment.
    function chooseLayer(bytes32 id, LayerMath.Params calldata params, uint256 leafIndex, bytes32[] calldata path)
        external;

    /// @notice Provider: reveals every value of the chosen tensor, so the challenger can find
    ///         an element it disagrees with. Their Merkle root must be the revealed root.
    /// @param id The dispute.
    /// @param values The tensor as int16 big-endian, two bytes per element, row-major.
    function revealTensor(bytes32 id, bytes calldata values) external;

    /// @notice Challenger (or provider): names one element of the chosen tensor and
    ///         re-executes it from the weight row (proven against the model's weight
    ///         commitment) and the input elements (proven against the agreed tensor roots);
    ///         the provider loses when its value differs from the result, else it wins.
    /// @param id The dispute.
    /// @param proof Parameters, row and operands.
    function step(bytes32 id, StepProof calldata proof) external;

    /// @notice Anyone: settles a dispute whose deadline passed against the side due to move.
    /// @param id The dispute.
    function timeout(bytes32 id) external;

    // ------------------------------------------------------------------ views

    /// @notice The dispute running on receipt digest `id` (phase None when there is none).
    function getDispute(bytes32 id) external view returns (Dispute memory);
    /// @notice Whether the provider already lost a dispute on this receipt digest.
    function isSettled(bytes32 id) external view returns (bool);
    /// @notice The EIP-712 digest of a receipt under the inference domain (the dispute id).
    function receiptDigest(Receipt calldata receipt) external view returns (bytes32);
    /// @notice The game's settings.
    function config() external view returns (Config memory);
}
