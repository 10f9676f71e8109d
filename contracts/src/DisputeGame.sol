// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {IEscrow} from "./interfaces/IEscrow.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";
import {LayerMath} from "./libraries/LayerMath.sol";
import {TraceMerkle} from "./libraries/TraceMerkle.sol";
import {WeightLeaves} from "./libraries/WeightLeaves.sol";

/// @title DisputeGame
/// @notice Bisection over a receipt's execution trace down to one element of one layer, then
///         one-step re-execution of that element (docs/disputes.md).
contract DisputeGame is IDisputeGame, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes32 requestHash,address client,address provider,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,uint256 fee,uint256 channelTotal,uint64 issuedAt,uint8 verification)"
    );
    uint256 private constant BPS = 10_000;
    /// @notice Tree levels one `revealNodes` covers: 16 nodes per reveal, so a tensor of n
    ///         elements takes ceil(log2(n) / 4) rounds of two constant-cost moves.
    uint256 public constant LEVELS_PER_REVEAL = 4;
    /// @notice How long a reserved refund waits for the escrow to show the fee charged before
    ///         its uncharged part may go to the treasury (longer than any withdrawal notice).
    uint256 public constant REFUND_PERIOD = 60 days;

    /// @notice The payment token (bonds and slashed stake).
    IERC20 public immutable token;
    /// @notice Where the treasury and the challenge window are read.
    ITrellisParams public immutable params;
    /// @notice Slashes and jails losing providers, and holds their stake while disputes run
    ///         (this game must be an authorized slasher).
    IProviderRegistry public immutable providerRegistry;
    /// @notice Holds each model's weight commitment and its shape.
    IModelRegistry public immutable modelRegistry;
    /// @notice The Escrow: the verifyingContract of the receipt domain, and where charges are read.
    address public immutable escrow;

    uint256 private immutable _moveTimeout;
    uint256 private immutable _minBond;
    uint256 private immutable _slashAmount;
    uint256 private immutable _challengerShareBps;
    uint256 private immutable _jailDuration;
    uint256 private immutable _defenceCompensation;
    uint256 private immutable _maxRefund;
    uint256 private immutable _maxOpenPerProvider;

    mapping(bytes32 id => Dispute) private _disputes;
    mapping(bytes32 receiptId => bool) private _settled;
    mapping(address provider => uint256) private _openCount;
    mapping(address account => uint256) private _claimable;
    mapping(bytes32 receiptId => Refund) private _refunds;

    /// @param token_ Payment token.
    /// @param params_ TrellisParams (treasury, challenge window).
    /// @param providerRegistry_ ProviderRegistry (slash, jail, dispute counts).
    /// @param modelRegistry_ ModelRegistry (weight commitments and shapes).
    /// @param escrow_ Escrow address, the receipt domain's verifying contract.
    /// @param config_ See `IDisputeGame.Config`.
    constructor(
        IERC20 token_,
        ITrellisParams params_,
        IProviderRegistry providerRegistry_,
        IModelRegistry modelRegistry_,
        address escrow_,
        Config memory config_
    ) {
        if (config_.moveTimeout == 0) revert DisputeBadConfig("moveTimeout", 0);
        if (config_.slashAmount == 0) revert DisputeBadConfig("slashAmount", 0);
        if (config_.challengerShareBps > BPS) {
            revert DisputeBadConfig("challengerShareBps", config_.challengerShareBps);
        }
        // A bond that the provider's defence compensation exceeds would pay griefers' targets
        // more than griefers lose; a bond below it could not pay the compensation at all.
        if (config_.defenceCompensation > config_.minBond) {
            revert DisputeBadConfig("defenceCompensation", config_.defenceCompensation);
        }
        if (config_.maxRefund > config_.slashAmount) revert DisputeBadConfig("maxRefund", config_.maxRefund);
        if (config_.maxOpenPerProvider == 0) revert DisputeBadConfig("maxOpenPerProvider", 0);
        token = token_;
        params = params_;
        providerRegistry = providerRegistry_;
        modelRegistry = modelRegistry_;
        escrow = escrow_;
        _moveTimeout = config_.moveTimeout;
        _minBond = config_.minBond;
        _slashAmount = config_.slashAmount;
        _challengerShareBps = config_.challengerShareBps;
        _jailDuration = config_.jailDuration;
        _defenceCompensation = config_.defenceCompensation;
        _maxRefund = config_.maxRefund;
        _maxOpenPerProvider = config_.maxOpenPerProvider;
    }

    // ------------------------------------------------------------------ writes

    /// @inheritdoc IDisputeGame
    function open(Receipt calldata receipt, bytes calldata signature, bytes calldata input, uint256 bond)
        external
        nonReentrant
        returns (bytes32 id)
    {
        bytes32 receiptId = _checkReceipt(receipt, signature);
        id = disputeIdOf(receiptId, msg.sender);
        Dispute storage d = _disputes[id];
        if (d.phase != Phase.None) revert DisputeAlreadyOpen(id, msg.sender);
        if (bond < _minBond) revert DisputeBondTooLow(bond, _minBond);
        uint256 open_ = _openCount[receipt.provider];
        // The cap protects an honest provider from more parallel defences than it can make in
        // time; the client that paid for the receipt is never kept out by it.
        if (open_ >= _maxOpenPerProvider && msg.sender != receipt.client) {
            revert DisputeProviderBusy(receipt.provider, open_, _maxOpenPerProvider);
        }
        _checkInput(receipt, input);

        _start(id, receiptId, d, receipt, bond);
        _openCount[receipt.provider] = open_ + 1;
        providerRegistry.disputeOpened(receipt.provider);
        token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IDisputeGame
    function revealRoots(bytes32 id, bytes32[] calldata roots) external {
        Dispute storage d = _move(id, Phase.AwaitRoots);
        (,, uint256 layerCount) = modelRegistry.shapeSummary(d.modelId);
        if (roots.length != layerCount + 1) revert DisputeRootCount(roots.length, layerCount + 1);
        bytes32[] memory copy = roots;
        bytes32 computed = TraceMerkle.rootOfLeaves(copy);
        if (computed != d.traceRoot) revert DisputeRootsMismatch(computed, d.traceRoot);
        if (roots[0] != d.inputHash) revert DisputeRootEndpointMismatch(0, roots[0], d.inputHash);
        if (roots[layerCount] != d.outputHash) {
            revert DisputeRootEndpointMismatch(layerCount, roots[layerCount], d.outputHash);
        }
        d.roots = roots;
        d.phase = Phase.AwaitLayer;
        emit RootsRevealed(id, roots, _nextDeadline(d));
    }

    /// @inheritdoc IDisputeGame
    function chooseLayer(bytes32 id, LayerMath.Params calldata params_, bytes32[] calldata path) external nonReentrant {
        Dispute storage d = _move(id, Phase.AwaitLayer);
        LayerMath.Params memory p = params_;
        (uint32 inputSize, uint32 rowCount, uint256 layerCount) = modelRegistry.shapeSummary(d.modelId);
        if (p.layer == 0 || p.layer > layerCount) revert DisputeLayerOutOfRange(p.layer, layerCount);
        // The leaf sits at its fixed position: after the rows, one per layer in order.
        bytes32 leaf = LayerMath.leaf(p);
        bytes32 commitment = modelRegistry.weightCommitmentOf(d.modelId);
        uint256 depth = TraceMerkle.depthOf(uint256(rowCount) + layerCount);
        bytes32 computed = TraceMerkle.rootFromExactPath(leaf, rowCount + p.layer - 1, path, depth);
        if (computed != commitment) revert DisputeInvalidParamsProof(p.layer, computed, commitment);
        // Committed parameters that contradict the published shape: the provider served a
        // model whose commitment it did not check against its own artifact.
        IModelRegistry.LayerShape memory shape = modelRegistry.layerShape(d.modelId, p.layer);
        if (!WeightLeaves.matchesShape(modelRegistry, d.modelId, p, shape, layerCount, inputSize)) {
            return _resolve(id, d, true, Outcome.TraceShapeWrong);
        }
        uint256 size = shape.outSize;
        d.layer = SafeCast.toUint32(p.layer);
        d.size = SafeCast.toUint32(size);
        d.paramsLeaf = leaf;
        d.node = d.roots[p.layer];
        d.nodeIndex = 0;
        d.height = SafeCast.toUint8(TraceMerkle.depthOf(TraceMerkle.chunkCount(size)));
        if (d.height == 0) {
            // A one-chunk tensor: its root is its only leaf, nothing to descend.
            emit LayerChosen(id, p.layer, size, d.deadline);
            return _reachLeaf(id, d);
        }
        d.phase = Phase.AwaitNodes;
        emit LayerChosen(id, p.layer, size, _nextDeadline(d));
    }

    /// @inheritdoc IDisputeGame
    function revealNodes(bytes32 id, bytes32[] calldata nodes) external {
        Dispute storage d = _move(id, Phase.AwaitNodes);
        uint256 levels = d.height < LEVELS_PER_REVEAL ? d.height : LEVELS_PER_REVEAL;
        uint256 expected = uint256(1) << levels;
        bytes32 computed;
        if (nodes.length == expected) {
            bytes32[] memory copy = nodes;
            computed = TraceMerkle.rootOfLeaves(copy);
        }
        if (computed != d.node) revert DisputeInvalidNodes(id, nodes.length, expected, computed, d.node);
        d.revealedHash = keccak256(abi.encodePacked(nodes));
        d.phase = Phase.AwaitPick;
        emit NodesRevealed(id, d.height, d.nodeIndex, nodes, _nextDeadline(d));
    }

    /// @inheritdoc IDisputeGame
    function pick(bytes32 id, uint256 child, bytes32[] calldata nodes) external nonReentrant {
        Dispute storage d = _move(id, Phase.AwaitPick);
        bytes32 given = keccak256(abi.encodePacked(nodes));
        if (given != d.revealedHash) revert DisputeInvalidNodes(id, nodes.length, nodes.length, given, d.revealedHash);
        if (child >= nodes.length) revert DisputeChildOutOfRange(child, nodes.length);
        uint256 levels = d.height < LEVELS_PER_REVEAL ? d.height : LEVELS_PER_REVEAL;
        d.node = nodes[child];
        d.height = uint8(d.height - levels);
        d.nodeIndex = SafeCast.toUint32((uint256(d.nodeIndex) << levels) | child);
        if (d.height != 0) {
            d.phase = Phase.AwaitNodes;
            emit NodePicked(id, child, d.height, d.nodeIndex, _nextDeadline(d));
            return;
        }
        emit NodePicked(id, child, 0, d.nodeIndex, d.deadline);
        _reachLeaf(id, d);
    }

    /// @inheritdoc IDisputeGame
    function step(bytes32 id, uint256 index, StepProof calldata proof) external nonReentrant {
        Dispute storage d = _move(id, Phase.AwaitStep);
        if (index / TraceMerkle.CHUNK_ELEMENTS != d.nodeIndex || index >= d.size) {
            revert DisputeElementNotInChunk(index, d.nodeIndex, d.size);
        }
        LayerMath.Params memory p = proof.params;
        bytes32 leaf = LayerMath.leaf(p);
        if (leaf != d.paramsLeaf) revert DisputeParamsChanged(leaf, d.paramsLeaf);
        int256 providerValue = TraceMerkle.chunkValue(d.node, index % TraceMerkle.CHUNK_ELEMENTS);
        emit ElementNamed(id, d.layer, index, providerValue, d.deadline);
        int256 computed = _execute(d, p, proof, index);
        emit StepExecuted(id, d.layer, index, computed, providerValue);
        bool providerWrong = computed != providerValue;
        _resolve(id, d, providerWrong, providerWrong ? Outcome.ProviderComputedWrong : Outcome.ProviderComputedRight);
    }

    /// @inheritdoc IDisputeGame
    function timeout(bytes32 id) external nonReentrant {
        Dispute storage d = _disputes[id];
        if (d.phase == Phase.None) revert DisputeUnknown(id);
        if (block.timestamp <= d.deadline) revert DisputeDeadlineNotPassed(id, d.deadline, block.timestamp);
        bool providerDue = _providerDue(d.phase);
        _resolve(id, d, providerDue, providerDue ? Outcome.ProviderTimedOut : Outcome.ChallengerTimedOut);
    }

    /// @inheritdoc IDisputeGame
    function close(bytes32 id) external nonReentrant {
        Dispute storage d = _disputes[id];
        if (d.phase == Phase.None) revert DisputeUnknown(id);
        if (!_settled[d.receiptId]) revert DisputeNotClosable(id);
        _resolve(id, d, true, Outcome.ReceiptAlreadySettled);
    }

    /// @inheritdoc IDisputeGame
    function claim() external nonReentrant returns (uint256 amount) {
        amount = _claimable[msg.sender];
        if (amount == 0) revert DisputeNothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IDisputeGame
    function claimRefund(bytes32 receiptId) external nonReentrant returns (uint256 amount) {
        Refund storage r = _refunds[receiptId];
        if (r.reserved == 0) revert DisputeNoRefund(receiptId);
        uint256 charged = _charged(r.client, r.provider, r.modelId, r.channelTotal, r.fee);
        uint256 due = charged < r.reserved ? charged : r.reserved;
        if (due <= r.paid) revert DisputeNothingToClaim(r.client);
        amount = due - r.paid;
        r.paid = due;
        emit RefundPaid(receiptId, r.client, amount);
        _credit(r.client, amount);
    }

    /// @inheritdoc IDisputeGame
    function sweepRefund(bytes32 receiptId) external nonReentrant {
        Refund storage r = _refunds[receiptId];
        if (r.reserved == 0) revert DisputeNoRefund(receiptId);
        if (block.timestamp < r.sweepableAt) {
            revert DisputeRefundNotSweepable(receiptId, r.sweepableAt, block.timestamp);
        }
        uint256 rest = r.reserved - r.paid;
        r.reserved = 0;
        emit RefundSwept(receiptId, rest);
        if (rest != 0) _credit(params.treasury(), rest);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDisputeGame
    function getDispute(bytes32 id) external view returns (Dispute memory) {
        return _disputes[id];
    }

    /// @inheritdoc IDisputeGame
    function disputeIdOf(bytes32 receiptId, address challenger) public pure returns (bytes32) {
        return keccak256(abi.encode(receiptId, challenger));
    }

    /// @inheritdoc IDisputeGame
    function isSettled(bytes32 receiptId) external view returns (bool) {
        return _settled[receiptId];
    }

    /// @inheritdoc IDisputeGame
    function receiptDigest(Receipt calldata receipt) external view returns (bytes32) {
        return _receiptDigest(receipt);
    }

    /// @inheritdoc IDisputeGame
    function openDisputesOf(address provider) external view returns (uint256) {
        return _openCount[provider];
    }

    /// @inheritdoc IDisputeGame
    function claimable(address account) external view returns (uint256) {
        return _claimable[account];
    }

    /// @inheritdoc IDisputeGame
    function refundOf(bytes32 receiptId) external view returns (Refund memory) {
        return _refunds[receiptId];
    }

    /// @inheritdoc IDisputeGame
    function config() external view returns (Config memory) {
        return Config({
            moveTimeout: _moveTimeout,
            minBond: _minBond,
            slashAmount: _slashAmount,
            challengerShareBps: _challengerShareBps,
            jailDuration: _jailDuration,
            defenceCompensation: _defenceCompensation,
            maxRefund: _maxRefund,
            maxOpenPerProvider: _maxOpenPerProvider
        });
    }

    // ------------------------------------------------------------------ internal

    function _receiptDigest(Receipt calldata receipt) private view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Trellis Inference"), keccak256("1"), block.chainid, escrow)
        );
        // Every Receipt field is static, so abi.encode of the struct is the EIP-712 encoding.
        bytes32 structHash = keccak256(abi.encode(RECEIPT_TYPEHASH, receipt));
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }

    /// @dev A receipt can be disputed when it is signed by its provider, asked for a verified
    ///      mode with a trace, is inside its challenge window and was not lost on already.
    function _checkReceipt(Receipt calldata receipt, bytes calldata signature)
        private
        view
        returns (bytes32 receiptId)
    {
        receiptId = _receiptDigest(receipt);
        if (_settled[receiptId]) revert DisputeReceiptSettled(receiptId);
        if (receipt.verification == 0) revert DisputeNotVerified(receiptId, receipt.verification);
        if (receipt.verification == 3) revert DisputeZkReceipt(receiptId);
        if (receipt.traceRoot == bytes32(0)) revert DisputeNoTrace(receiptId);
        uint256 closesAt = uint256(receipt.issuedAt) + params.challengeWindow();
        if (block.timestamp > closesAt) revert DisputeWindowClosed(receiptId, closesAt, block.timestamp);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(receiptId, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != receipt.provider) {
            revert DisputeBadSignature(receiptId, recovered, receipt.provider);
        }
    }

    /// @dev The input is the model's, and its root is the receipt's inputHash.
    function _checkInput(Receipt calldata receipt, bytes calldata input) private view {
        if (modelRegistry.weightCommitmentOf(receipt.modelId) == bytes32(0)) {
            revert DisputeNoCommitment(receipt.modelId);
        }
        (uint32 inputSize,,) = modelRegistry.shapeSummary(receipt.modelId);
        if (input.length != 2 * uint256(inputSize)) revert DisputeInputSize(input.length, 2 * uint256(inputSize));
        bytes32 inputRoot = TraceMerkle.rootOfPacked(input);
        if (inputRoot != receipt.inputHash) revert DisputeInputMismatch(inputRoot, receipt.inputHash);
    }

    function _providerDue(Phase phase) private pure returns (bool) {
        return phase == Phase.AwaitRoots || phase == Phase.AwaitNodes;
    }

    /// @dev Common checks of a move: the dispute is in `phase`, the caller is due, in time.
    function _move(bytes32 id, Phase phase) private view returns (Dispute storage d) {
        d = _disputes[id];
        if (d.phase == Phase.None) revert DisputeUnknown(id);
        if (d.phase != phase) revert DisputeWrongPhase(id, phase, d.phase);
        address due = _providerDue(phase) ? d.provider : d.challenger;
        if (msg.sender != due) revert DisputeNotYourTurn(id, msg.sender, due);
        if (block.timestamp > d.deadline) revert DisputeDeadlinePassed(id, d.deadline, block.timestamp);
    }

    function _nextDeadline(Dispute storage d) private returns (uint64 deadline) {
        deadline = SafeCast.toUint64(block.timestamp + _moveTimeout);
        d.deadline = deadline;
    }

    /// @dev The bottom of the descent, a chunk of 16 int16 slots: any word is one, but the
    ///      slots past the tensor's end (all of them in the tree's padding) must be zero. A
    ///      non-zero one is a malformed trace, which the provider signed; a zero padding
    ///      chunk is one the challenger could not disagree with.
    function _reachLeaf(bytes32 id, Dispute storage d) private {
        if (!TraceMerkle.paddingIsZero(d.node, d.nodeIndex, d.size)) {
            return _resolve(id, d, true, Outcome.TraceShapeWrong);
        }
        if (TraceMerkle.slotsUsed(d.nodeIndex, d.size) == 0) {
            return _resolve(id, d, false, Outcome.ProviderComputedRight);
        }
        d.phase = Phase.AwaitStep;
        emit ChunkNamed(id, d.layer, d.nodeIndex, d.node, _nextDeadline(d));
    }

    function _start(bytes32 id, bytes32 receiptId, Dispute storage d, Receipt calldata receipt, uint256 bond) private {
        d.phase = Phase.AwaitRoots;
        d.challenger = msg.sender;
        d.provider = receipt.provider;
        d.client = receipt.client;
        d.bond = bond;
        d.fee = receipt.fee;
        d.channelTotal = receipt.channelTotal;
        d.receiptId = receiptId;
        d.modelId = receipt.modelId;
        d.inputHash = receipt.inputHash;
        d.outputHash = receipt.outputHash;
        d.traceRoot = receipt.traceRoot;
        emit DisputeOpened(
            id, msg.sender, receipt.provider, receiptId, receipt.client, receipt.modelId, bond, _nextDeadline(d)
        );
    }

    /// @dev Proves the row and the operands, then evaluates the element.
    function _execute(Dispute storage d, LayerMath.Params memory p, StepProof calldata proof, uint256 index)
        private
        view
        returns (int256)
    {
        bytes memory weights = LayerMath.isWeighted(p) ? _provenRow(d.modelId, p, index, proof) : bytes("");
        uint256[] memory pos = LayerMath.window(p, index);
        int256[] memory a = _openOperand(0, proof.a, pos, LayerMath.inSize(p), d.roots[p.inputA]);
        int256 b = p.op == LayerMath.OP_ADD ? _openSecond(d, p, proof.b, index) : int256(0);
        return LayerMath.evaluate(p, pos, a, b, weights, proof.bias, proof.rowShift);
    }

    /// @dev The weight row of the element, checked at its fixed position under the commitment.
    function _provenRow(bytes32 modelId, LayerMath.Params memory p, uint256 index, StepProof calldata proof)
        private
        view
        returns (bytes memory weights)
    {
        uint256 row = LayerMath.rowOf(p, index);
        weights = proof.weights;
        uint256 expected = LayerMath.rowLength(p);
        if (weights.length != 2 * expected) revert DisputeWeightLength(weights.length / 2, expected);
        (, uint32 rowCount, uint256 layerCount) = modelRegistry.shapeSummary(modelId);
        uint256 leafIndex = modelRegistry.layerShape(modelId, p.layer).rowStart + row;
        bytes32 commitment = modelRegistry.weightCommitmentOf(modelId);
        uint256 depth = TraceMerkle.depthOf(uint256(rowCount) + layerCount);
        bytes32 rowLeaf = WeightLeaves.rowLeaf(p.layer, row, proof.rowShift, proof.bias, weights);
        bytes32 computed = proof.rowPath.length == depth && leafIndex < rowCount
            ? TraceMerkle.rootFromPath(rowLeaf, leafIndex, proof.rowPath, 0, depth)
            : bytes32(0);
        if (computed != commitment || !WeightLeaves.rowFieldsFit(proof.rowShift, proof.bias)) {
            revert DisputeInvalidWeightProof(p.layer, row, computed, commitment);
        }
    }

    /// @dev Input B of an add, read at the element's own index.
    function _openSecond(Dispute storage d, LayerMath.Params memory p, Operand calldata o, uint256 index)
        private
        view
        returns (int256)
    {
        uint256[] memory single = new uint256[](1);
        single[0] = index;
        return _openOperand(1, o, single, LayerMath.inSize(p), d.roots[p.inputB])[0];
    }

    /// @dev The values at `pos` (0 at padding) of a tensor of `size` elements under `root`,
    ///      from either every chunk of the tensor or the chunks the positions fall in, each
    ///      with its Merkle path: a new chunk whenever a position's chunk is not the one of
    ///      the unpadded position before it (windows run in order, so each chunk comes once).
    function _openOperand(uint256 which, Operand calldata o, uint256[] memory pos, uint256 size, bytes32 root)
        private
        pure
        returns (int256[] memory out)
    {
        out = new int256[](pos.length);
        uint256 chunks = TraceMerkle.chunkCount(size);
        if (o.paths.length == 0 && o.chunks.length == chunks && chunks > 1) {
            bytes32[] memory copy = o.chunks;
            bytes32 computed = TraceMerkle.rootOfLeaves(copy);
            if (computed != root) revert DisputeInvalidElementProof(which, type(uint256).max, computed, root);
            _checkPadding(which, o.chunks[chunks - 1], chunks - 1, size);
            for (uint256 k; k < pos.length; ++k) {
                if (pos[k] == LayerMath.PAD) continue;
                out[k] = TraceMerkle.chunkValue(
                    o.chunks[pos[k] / TraceMerkle.CHUNK_ELEMENTS], pos[k] % TraceMerkle.CHUNK_ELEMENTS
                );
            }
            return out;
        }
        uint256 depth = TraceMerkle.depthOf(chunks);
        uint256 used = _chunksNeeded(pos);
        if (o.chunks.length != used || o.paths.length != used * depth) {
            revert DisputeOperandShape(which, o.chunks.length, o.paths.length, used, used * depth);
        }
        uint256 next;
        uint256 current = type(uint256).max;
        bytes32 chunk;
        for (uint256 k; k < pos.length; ++k) {
            if (pos[k] == LayerMath.PAD) continue;
            if (pos[k] / TraceMerkle.CHUNK_ELEMENTS != current) {
                current = pos[k] / TraceMerkle.CHUNK_ELEMENTS;
                chunk = _provenChunk(which, o, next, pos[k], size, root);
                ++next;
            }
            out[k] = TraceMerkle.chunkValue(chunk, pos[k] % TraceMerkle.CHUNK_ELEMENTS);
        }
    }

    /// @dev Chunk `next` of the operand, proven by its path at the chunk of `position`.
    function _provenChunk(uint256 which, Operand calldata o, uint256 next, uint256 position, uint256 size, bytes32 root)
        private
        pure
        returns (bytes32 chunk)
    {
        uint256 c = position / TraceMerkle.CHUNK_ELEMENTS;
        uint256 depth = TraceMerkle.depthOf(TraceMerkle.chunkCount(size));
        chunk = o.chunks[next];
        bytes32 computed = TraceMerkle.rootFromPath(chunk, c, o.paths, next * depth, depth);
        if (computed != root) revert DisputeInvalidElementProof(which, position, computed, root);
        _checkPadding(which, chunk, c, size);
    }

    /// @dev How many chunks `_openOperand` reads for `pos` from paths.
    function _chunksNeeded(uint256[] memory pos) private pure returns (uint256 used) {
        uint256 current = type(uint256).max;
        for (uint256 k; k < pos.length; ++k) {
            if (pos[k] == LayerMath.PAD) continue;
            uint256 c = pos[k] / TraceMerkle.CHUNK_ELEMENTS;
            if (c != current) {
                ++used;
                current = c;
            }
        }
    }

    /// @dev An opened chunk holds zeros past its tensor's end (the agreed tensors' chunks do).
    function _checkPadding(uint256 which, bytes32 chunk, uint256 index, uint256 size) private pure {
        if (!TraceMerkle.paddingIsZero(chunk, index, size)) revert DisputeChunkPadding(which, index, chunk);
    }

    /// @dev What the escrow shows was charged of a receipt's fee: the part of the channel's
    ///      redeemed total above what the channel owed before this receipt.
    function _charged(address client, address provider, bytes32 modelId, uint256 channelTotal, uint256 fee)
        private
        view
        returns (uint256)
    {
        uint256 redeemed = IEscrow(escrow).redeemed(client, provider, modelId);
        uint256 before = channelTotal > fee ? channelTotal - fee : 0;
        if (redeemed <= before) return 0;
        uint256 part = redeemed - before;
        return part < fee ? part : fee;
    }

    function _credit(address account, uint256 amount) private {
        _claimable[account] += amount;
        emit Credited(account, amount);
    }

    /// @dev The one transition that ends a dispute: releases the provider's stake lock,
    ///      records, and credits every payout (pull payments: no transfer can block it).
    function _resolve(bytes32 id, Dispute storage d, bool providerLost, Outcome outcome) private {
        address challenger = d.challenger;
        address provider = d.provider;
        uint256 bond = d.bond;
        bytes32 receiptId = d.receiptId;
        // A second win on a receipt already settled slashes nothing: the bond goes back.
        if (providerLost && _settled[receiptId]) outcome = Outcome.ReceiptAlreadySettled;
        Refund memory refund = Refund({
            client: d.client,
            provider: provider,
            modelId: d.modelId,
            channelTotal: d.channelTotal,
            fee: d.fee,
            reserved: 0,
            paid: 0,
            sweepableAt: 0
        });
        delete _disputes[id];
        _openCount[provider] -= 1;
        providerRegistry.disputeClosed(provider);
        emit DisputeResolved(id, providerLost, outcome, providerLost ? challenger : provider);
        if (!providerLost) {
            uint256 toProvider = bond < _defenceCompensation ? bond : _defenceCompensation;
            emit BondForfeited(id, challenger, provider, toProvider, bond - toProvider);
            if (toProvider != 0) _credit(provider, toProvider);
            if (bond != toProvider) _credit(params.treasury(), bond - toProvider);
            return;
        }
        if (bond != 0) _credit(challenger, bond);
        if (outcome == Outcome.ReceiptAlreadySettled) return;
        _settled[receiptId] = true;
        _penalize(id, receiptId, challenger, refund);
    }

    /// @dev Slashes and jails the provider and splits what was taken: up to the request's
    ///      fee (at most `maxRefund`) reserved for the client, paid as far as it was charged;
    ///      then `challengerShareBps` of the rest to the challenger and the remainder to the
    ///      treasury. A provider with nothing left to slash (or already slashed for this
    ///      receipt elsewhere) still loses the game; the split is then zero.
    /// @dev No try/catch around the registry: a caught out-of-gas would let whoever ends the
    ///      dispute (the losing provider itself, through `timeout`) skip the slash by sending
    ///      just too little gas. Providers never leave the registry, and the right to slash is
    ///      checked first, so these calls cannot fail.
    function _penalize(bytes32 id, bytes32 receiptId, address challenger, Refund memory refund) private {
        address provider = refund.provider;
        uint256 slashed;
        // A game whose slashing right governance withdrew still ends its disputes (and so
        // releases the stake lock); it just penalizes nothing.
        bool authorized = providerRegistry.isSlasher(address(this));
        if (authorized && !providerRegistry.isReceiptSlashed(receiptId)) {
            slashed = providerRegistry.slash(provider, _slashAmount, address(this), receiptId);
        }
        uint64 until = SafeCast.toUint64(block.timestamp + _jailDuration);
        if (authorized) providerRegistry.jail(provider, until);
        uint256 reserved = refund.fee < _maxRefund ? refund.fee : _maxRefund;
        if (reserved > slashed) reserved = slashed;
        uint256 rest = slashed - reserved;
        uint256 reward = (rest * _challengerShareBps) / BPS;
        uint256 toTreasury = rest - reward;
        emit ProviderPenalized(id, provider, slashed, reserved, reward, toTreasury, until);
        if (reserved != 0) {
            refund.reserved = reserved;
            refund.sweepableAt = SafeCast.toUint64(block.timestamp + REFUND_PERIOD);
            _refunds[receiptId] = refund;
        }
        if (reward != 0) _credit(challenger, reward);
        if (toTreasury != 0) _credit(params.treasury(), toTreasury);
    }
}
