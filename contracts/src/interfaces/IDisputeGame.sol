// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {LayerMath} from "../libraries/LayerMath.sol";

/// @title IDisputeGame
/// @notice Anyone holding a provider-signed receipt and its input can challenge the receipt's
///         execution trace during the challenge window. The game narrows the disagreement to
///         one output element of one layer and re-executes that element on chain; the side
///         that is wrong, or that misses a deadline, loses. A cheating provider is slashed and
///         jailed; a wrong challenger loses its bond. Every move costs O(log n) or is bounded
///         by the model's published shape, whatever the size of the model.
/// @dev Moves, in order (each before the previous move's deadline):
///      1. challenger `open` (bond, receipt, signature, quantized input);
///      2. provider `revealRoots` (every tensor root of its trace);
///      3. challenger `chooseLayer` (first disagreeing tensor, with its proven parameters);
///      4. provider `revealNodes` / challenger `pick`, repeated: a descent of the chosen
///         tensor's Merkle tree, LEVELS_PER_REVEAL levels per round, down to one chunk (16
///         elements) the challenger named (the provider never names the chunk);
///      5. challenger `step`: names one element of that chunk and re-executes it on chain.
///      `timeout` settles a dispute whose deadline passed against the side due to move.
///      Disputes are keyed by (receipt, challenger): nobody can take a receipt's dispute slot
///      away from another challenger.
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
        /// @dev The verification mode asked for: 0 none, 1 redundant, 2 optimistic, 3 zk.
        uint8 verification;
    }

    /// @notice Where a dispute stands; it names the side due to move.
    enum Phase {
        None,
        AwaitRoots, // provider
        AwaitLayer, // challenger
        AwaitNodes, // provider
        AwaitPick, // challenger
        AwaitStep // challenger
    }

    /// @notice Why a dispute ended.
    enum Outcome {
        ProviderTimedOut,
        ChallengerTimedOut,
        ProviderComputedWrong,
        ProviderComputedRight,
        TraceShapeWrong,
        ReceiptAlreadySettled
    }

    /// @notice A dispute in progress.
    struct Dispute {
        Phase phase;
        uint64 deadline;
        address challenger;
        /// @dev The chosen tensor, its element count, and the descent: `node` is the current
        ///      node of its tree, `height` the levels below it, `nodeIndex` its index at its
        ///      level. At the end of the descent `node` is the provider's chunk (16 int16
        ///      elements, docs/engine-spec.md "Execution trace") and `nodeIndex` its index.
        uint32 layer;
        uint32 size;
        uint8 height;
        uint32 nodeIndex;
        address provider;
        address client;
        uint256 bond;
        uint256 fee;
        uint256 channelTotal;
        bytes32 receiptId;
        bytes32 modelId;
        bytes32 traceRoot;
        bytes32 inputHash;
        bytes32 outputHash;
        bytes32 paramsLeaf;
        bytes32 node;
        /// @dev keccak256 of the nodes revealed last, which `pick` chooses from.
        bytes32 revealedHash;
        bytes32[] roots;
    }

    /// @notice Input elements of one operand for `step`, as chunks of the tensor (16 int16
    ///         each): either every chunk of the tensor (paths empty) or the chunks the
    ///         window's unpadded positions fall in, in window order, each chunk once per run
    ///         of consecutive positions in it, each followed in `paths` by its
    ///         depth(chunk count) siblings.
    struct Operand {
        bytes32[] chunks;
        bytes32[] paths;
    }

    /// @notice Everything `step` needs to re-execute the element the descent reached.
    struct StepProof {
        /// @dev The parameters proven in `chooseLayer`.
        LayerMath.Params params;
        /// @dev Weight row (dense and conv only; ignored otherwise). Its leaf sits at the
        ///      position the model's shape fixes, so no index is given.
        uint256 rowShift;
        int256 bias;
        bytes weights;
        bytes32[] rowPath;
        Operand a;
        Operand b;
    }

    /// @notice A refund reserved for the client of a receipt the provider lost on: paid as
    ///         far as the escrow shows the fee was charged.
    struct Refund {
        address client;
        address provider;
        bytes32 modelId;
        uint256 channelTotal;
        uint256 fee;
        uint256 reserved;
        uint256 paid;
        uint64 sweepableAt;
    }

    /// @notice Economic and timing settings, fixed at deployment (docs/disputes.md sizes them).
    struct Config {
        uint256 moveTimeout;
        uint256 minBond;
        uint256 slashAmount;
        uint256 challengerShareBps;
        uint256 jailDuration;
        /// @dev Of a losing challenger's bond, what goes to the provider for its defence; the
        ///      rest goes to the treasury, so a provider's own sock puppet loses it.
        uint256 defenceCompensation;
        /// @dev Most of a slash that can go back to the client as a refund of its fee.
        uint256 maxRefund;
        /// @dev Disputes open at once on one provider, beyond which only the receipt's own
        ///      client may open more.
        uint256 maxOpenPerProvider;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The receipt's signature is not the provider's.
    error DisputeBadSignature(bytes32 receiptDigest, address recovered, address provider);
    /// @notice The input's Merkle root is not the receipt's inputHash.
    error DisputeInputMismatch(bytes32 computed, bytes32 inputHash);
    /// @notice The packed input has another length than 2 bytes per element of the model's input.
    error DisputeInputSize(uint256 got, uint256 expected);
    /// @notice This challenger already runs a dispute on this receipt.
    error DisputeAlreadyOpen(bytes32 id, address challenger);
    /// @notice The provider already lost a dispute on this receipt.
    error DisputeReceiptSettled(bytes32 receiptId);
    /// @notice The receipt asked for no verification: it commits to no trace.
    error DisputeNotVerified(bytes32 receiptId, uint8 verification);
    /// @notice The receipt is a zk one (verification 3): it carries a proof, judged by the
    ///         ZkReceiptSlasher, not a trace to bisect.
    error DisputeZkReceipt(bytes32 receiptId);
    /// @notice A verified receipt without a trace root (refused everywhere).
    error DisputeNoTrace(bytes32 receiptId);
    /// @notice The receipt's challenge window closed at `closedAt`.
    error DisputeWindowClosed(bytes32 receiptId, uint256 closedAt, uint256 timestamp);
    /// @notice The model has no weight commitment and shape to re-execute against.
    error DisputeNoCommitment(bytes32 modelId);
    /// @notice The bond is below the minimum.
    error DisputeBondTooLow(uint256 bond, uint256 minimum);
    /// @notice The provider already has the most open disputes; only the receipt's client may
    ///         open another.
    error DisputeProviderBusy(address provider, uint256 open, uint256 maximum);
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
    /// @notice Another number of roots than the model's tensors was revealed.
    error DisputeRootCount(uint256 count, uint256 expected);
    /// @notice The revealed root of tensor `tensor` is not the receipt's input or output hash.
    error DisputeRootEndpointMismatch(uint256 tensor, bytes32 root, bytes32 expected);
    /// @notice The chosen tensor is not a layer output of the model.
    error DisputeLayerOutOfRange(uint256 layer, uint256 layerCount);
    /// @notice A chunk's Merkle path (or the whole tensor's chunks) does not lead to its tensor root.
    error DisputeInvalidElementProof(uint256 tensor, uint256 index, bytes32 computed, bytes32 root);
    /// @notice An opened chunk has a non-zero slot past the end of its tensor.
    error DisputeChunkPadding(uint256 tensor, uint256 chunk, bytes32 value);
    /// @notice `step` named an element outside the chunk the descent reached (or past the tensor's end).
    error DisputeElementNotInChunk(uint256 index, uint256 chunk, uint256 size);
    /// @notice The revealed nodes do not hash to the current node, or are not the expected count.
    error DisputeInvalidNodes(bytes32 id, uint256 count, uint256 expected, bytes32 computed, bytes32 node);
    /// @notice `pick` named a child outside the revealed nodes.
    error DisputeChildOutOfRange(uint256 child, uint256 count);
    /// @notice The step's parameters are not those proven in `chooseLayer`.
    error DisputeParamsChanged(bytes32 given, bytes32 proven);
    /// @notice The layer parameters are not under the model's weight commitment at their position.
    error DisputeInvalidParamsProof(uint256 layer, bytes32 computed, bytes32 commitment);
    /// @notice The weight row is not under the model's weight commitment at its position.
    error DisputeInvalidWeightProof(uint256 layer, uint256 row, bytes32 computed, bytes32 commitment);
    /// @notice A committed row has the wrong number of weights for its layer.
    error DisputeWeightLength(uint256 got, uint256 expected);
    /// @notice An operand's chunks and paths do not have the shape the window needs.
    error DisputeOperandShape(
        uint256 operand, uint256 chunks, uint256 paths, uint256 expectedChunks, uint256 expectedPaths
    );
    /// @notice `close` on a dispute whose receipt is not settled.
    error DisputeNotClosable(bytes32 id);
    /// @notice Nothing to claim.
    error DisputeNothingToClaim(address account);
    /// @notice No refund is reserved for this receipt, or it was swept.
    error DisputeNoRefund(bytes32 receiptId);
    /// @notice The refund cannot be swept before `sweepableAt`.
    error DisputeRefundNotSweepable(bytes32 receiptId, uint256 sweepableAt, uint256 timestamp);
    /// @notice A configuration value is out of range.
    error DisputeBadConfig(bytes32 name, uint256 value);

    // ------------------------------------------------------------------ events

    /// @notice A challenger opened a dispute on a receipt; `deadline` is the provider's.
    event DisputeOpened(
        bytes32 indexed id,
        address indexed challenger,
        address indexed provider,
        bytes32 receiptId,
        address client,
        bytes32 modelId,
        uint256 bond,
        uint64 deadline
    );
    /// @notice The provider revealed every tensor root of its trace; `deadline` is the challenger's.
    event RootsRevealed(bytes32 indexed id, bytes32[] roots, uint64 deadline);
    /// @notice The challenger named the first disputed tensor (a layer output).
    event LayerChosen(bytes32 indexed id, uint256 layer, uint256 size, uint64 deadline);
    /// @notice The provider revealed the bottom row, left to right, of the subtree under the
    ///         descent's node at `nodeIndex` on level `height` (levels count from the leaves).
    event NodesRevealed(bytes32 indexed id, uint256 height, uint256 nodeIndex, bytes32[] nodes, uint64 deadline);
    /// @notice The challenger picked child `child`: the descent goes on from `nodeIndex` at `height`.
    event NodePicked(bytes32 indexed id, uint256 child, uint256 height, uint256 nodeIndex, uint64 deadline);
    /// @notice The descent reached chunk `chunk` of the tensor (elements 16 * chunk onwards),
    ///         whose 16 values the provider committed to; the challenger names one in `step`.
    event ChunkNamed(bytes32 indexed id, uint256 layer, uint256 chunk, bytes32 values, uint64 deadline);
    /// @notice The challenger named element `index` of that chunk in `step`, just before it
    ///         is re-executed; `providerValue` is the provider's committed value.
    event ElementNamed(bytes32 indexed id, uint256 layer, uint256 index, int256 providerValue, uint64 deadline);
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
    /// @notice A losing challenger's bond: compensation to the provider, the rest to the treasury.
    event BondForfeited(
        bytes32 indexed id, address indexed challenger, address indexed provider, uint256 toProvider, uint256 toTreasury
    );
    /// @notice An amount became claimable by `account`.
    event Credited(address indexed account, uint256 amount);
    /// @notice `account` claimed what it was owed.
    event Claimed(address indexed account, uint256 amount);
    /// @notice Part of a reserved refund was paid to the client.
    event RefundPaid(bytes32 indexed receiptId, address indexed client, uint256 amount);
    /// @notice What was reserved for a refund and never charged went to the treasury.
    event RefundSwept(bytes32 indexed receiptId, uint256 amount);

    // ------------------------------------------------------------------ writes

    /// @notice Opens a dispute on a receipt. Pulls `bond` from the caller (approve first).
    /// @param receipt The receipt as the provider signed it: a verified mode with a trace,
    ///        inside its challenge window (`issuedAt + challengeWindow`).
    /// @param signature The provider's EIP-712 signature over the receipt (65 bytes).
    /// @param input The quantized input (trace tensor 0), int16 big-endian, 2 bytes per element;
    ///        its Merkle root must be `inputHash`.
    /// @param bond Payment token amount at stake, at least `minBond`.
    /// @return id keccak256(abi.encode(receipt digest, msg.sender)).
    function open(Receipt calldata receipt, bytes calldata signature, bytes calldata input, uint256 bond)
        external
        returns (bytes32 id);

    /// @notice Provider: reveals the roots of tensors 0..L of its trace, one per tensor of the
    ///         model. They must hash to the receipt's traceRoot, start with its inputHash and
    ///         end with its outputHash.
    function revealRoots(bytes32 id, bytes32[] calldata roots) external;

    /// @notice Challenger: names the first tensor it disagrees on (it agrees on every earlier
    ///         one) with that layer's parameter leaf, proven at its fixed position under the
    ///         model's weight commitment. Parameters that contradict the model's published
    ///         shape settle the dispute against the provider (it served a model it had not
    ///         checked).
    /// @param params The layer's parameter words; `params.layer` is the tensor named.
    /// @param path The leaf's siblings up to the commitment (depth fixed by the shape).
    function chooseLayer(bytes32 id, LayerMath.Params calldata params, bytes32[] calldata path) external;

    /// @notice Provider: reveals the nodes min(LEVELS_PER_REVEAL, height) levels below the
    ///         current node of the descent; they must hash up to it.
    function revealNodes(bytes32 id, bytes32[] calldata nodes) external;

    /// @notice Challenger: picks the revealed node it disagrees with (`nodes` repeats the
    ///         revealed ones). At the bottom the picked leaf is the chunk disputed; a non-zero
    ///         slot past the tensor's end (in its last chunk or the tree's zero padding) loses
    ///         the provider the dispute at once.
    function pick(bytes32 id, uint256 child, bytes32[] calldata nodes) external;

    /// @notice Challenger: re-executes element `index` of the chunk the descent named, from
    ///         the weight row (proven against the model's weight commitment) and the input
    ///         elements (proven against the agreed tensor roots); the provider loses when its
    ///         value differs.
    /// @param index The element, in the tensor: index / 16 must be the chunk named.
    function step(bytes32 id, uint256 index, StepProof calldata proof) external;

    /// @notice Anyone: settles a dispute whose deadline passed against the side due to move.
    function timeout(bytes32 id) external;

    /// @notice Anyone: ends a dispute whose receipt the provider already lost on elsewhere;
    ///         the challenger gets its bond back.
    function close(bytes32 id) external;

    /// @notice Pays the caller everything credited to it (bonds, rewards, compensation).
    function claim() external returns (uint256 amount);

    /// @notice Pays the client of a settled receipt the part of its reserved refund that the
    ///         escrow shows was charged (callable by anyone; pays the client).
    function claimRefund(bytes32 receiptId) external returns (uint256 amount);

    /// @notice After the refund period, sends what was reserved and never charged to the treasury.
    function sweepRefund(bytes32 receiptId) external;

    // ------------------------------------------------------------------ views

    /// @notice The dispute `id` (phase None when there is none).
    function getDispute(bytes32 id) external view returns (Dispute memory);
    /// @notice The id of `challenger`'s dispute on a receipt digest.
    function disputeIdOf(bytes32 receiptId, address challenger) external pure returns (bytes32);
    /// @notice Whether the provider already lost a dispute on this receipt digest.
    function isSettled(bytes32 receiptId) external view returns (bool);
    /// @notice The EIP-712 digest of a receipt under the inference domain.
    function receiptDigest(Receipt calldata receipt) external view returns (bytes32);
    /// @notice Disputes open on `provider` in this game.
    function openDisputesOf(address provider) external view returns (uint256);
    /// @notice What `account` can claim.
    function claimable(address account) external view returns (uint256);
    /// @notice The refund reserved for a receipt.
    function refundOf(bytes32 receiptId) external view returns (Refund memory);
    /// @notice The game's settings.
    function config() external view returns (Config memory);
}
