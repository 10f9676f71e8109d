// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {LayerMath} from "./libraries/LayerMath.sol";
import {TraceMerkle} from "./libraries/TraceMerkle.sol";

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

    /// @notice The payment token (bonds and slashed stake).
    IERC20 public immutable token;
    /// @notice Where the treasury is read.
    ITrellisParams public immutable params;
    /// @notice Slashes and jails losing providers (this game must be an authorized slasher).
    IProviderRegistry public immutable providerRegistry;
    /// @notice Holds each model's weight commitment.
    IModelRegistry public immutable modelRegistry;
    /// @notice The Escrow: the verifyingContract of the receipt domain.
    address public immutable escrow;

    uint256 private immutable _moveTimeout;
    uint256 private immutable _minBond;
    uint256 private immutable _slashAmount;
    uint256 private immutable _challengerShareBps;
    uint256 private immutable _jailDuration;

    mapping(bytes32 id => Dispute) private _disputes;
    mapping(bytes32 id => bool) private _settled;

    /// @param token_ Payment token.
    /// @param params_ TrellisParams (treasury).
    /// @param providerRegistry_ ProviderRegistry (slash, jail).
    /// @param modelRegistry_ ModelRegistry (weight commitments).
    /// @param escrow_ Escrow address, the receipt domain's verifying contract.
    /// @param config_ Move timeout (s), minimum bond, slash amount, challenger share (bps of
    ///        the slashed stake left after the client's refund), jail duration (s).
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
        if (config_.challengerShareBps > BPS) revert DisputeBadConfig("challengerShareBps", config_.challengerShareBps);
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
    }

    // ------------------------------------------------------------------ writes

    /// @inheritdoc IDisputeGame
    function open(Receipt calldata receipt, bytes calldata signature, int256[] calldata input, uint256 bond)
        external
        nonReentrant
        returns (bytes32 id)
    {
        id = _receiptDigest(receipt);
        if (_settled[id]) revert DisputeReceiptSettled(id);
        Dispute storage d = _disputes[id];
        if (d.phase != Phase.None) revert DisputeAlreadyOpen(id, d.challenger);
        if (receipt.traceRoot == bytes32(0)) revert DisputeNoTrace(id);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(id, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != receipt.provider) {
            revert DisputeBadSignature(id, recovered, receipt.provider);
        }
        if (bond < _minBond) revert DisputeBondTooLow(bond, _minBond);
        if (modelRegistry.weightCommitmentOf(receipt.modelId) == bytes32(0)) revert DisputeNoCommitment(receipt.modelId);
        bytes32 inputRoot = _rootOfValues(input);
        if (inputRoot != receipt.inputHash) revert DisputeInputMismatch(inputRoot, receipt.inputHash);

        _start(id, d, receipt, bond);
        token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IDisputeGame
    function revealRoots(bytes32 id, bytes32[] calldata roots) external {
        Dispute storage d = _move(id, Phase.AwaitRoots);
        if (roots.length < 2) revert DisputeTooFewRoots(roots.length);
        bytes32[] memory copy = roots;
        bytes32 computed = TraceMerkle.rootOfLeaves(copy);
        if (computed != d.traceRoot) revert DisputeRootsMismatch(computed, d.traceRoot);
        if (roots[0] != d.inputHash) revert DisputeRootEndpointMismatch(0, roots[0], d.inputHash);
        uint256 last = roots.length - 1;
        if (roots[last] != d.outputHash) revert DisputeRootEndpointMismatch(last, roots[last], d.outputHash);
        d.roots = roots;
        d.phase = Phase.AwaitLayer;
        emit RootsRevealed(id, roots, _nextDeadline(d));
    }

    /// @inheritdoc IDisputeGame
    function chooseLayer(bytes32 id, LayerMath.Params calldata params_, uint256 leafIndex, bytes32[] calldata path)
        external
        nonReentrant
    {
        Dispute storage d = _move(id, Phase.AwaitLayer);
        LayerMath.Params memory p = params_;
        uint256 layerCount = d.roots.length - 1;
        if (p.layer == 0 || p.layer > layerCount) revert DisputeLayerOutOfRange(p.layer, layerCount);
        bytes32 leaf = LayerMath.leaf(p);
        bytes32 commitment = modelRegistry.weightCommitmentOf(d.modelId);
        bytes32 computed = TraceMerkle.rootFromPath(leaf, leafIndex, path, 0, path.length);
        if (computed != commitment) revert DisputeInvalidParamsProof(p.layer, computed, commitment);
        // The model has another number of layers than the trace the provider revealed.
        if (p.layerCount != layerCount) return _resolve(id, d, true, Outcome.TraceShapeWrong);
        d.layer = SafeCast.toUint32(p.layer);
        d.size = SafeCast.toUint32(LayerMath.outSize(p));
        d.paramsLeaf = leaf;
        d.phase = Phase.AwaitTensor;
        emit LayerChosen(id, p.layer, d.size, _nextDeadline(d));
    }

    /// @inheritdoc IDisputeGame
    function revealTensor(bytes32 id, bytes calldata values) external {
        Dispute storage d = _move(id, Phase.AwaitTensor);
        // The element count comes from the parameters proven in chooseLayer.
        uint256 n = values.length / 2;
        if (values.length % 2 != 0 || n != d.size) revert DisputeTensorSize(n, d.size);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            leaves[i] = TraceMerkle.elementLeaf(int256(int16(uint16(bytes2(values[2 * i:2 * i + 2])))));
        }
        bytes32 computed = TraceMerkle.rootOfLeaves(leaves);
        bytes32 root = d.roots[d.layer];
        if (computed != root) revert DisputeInvalidElementProof(d.layer, type(uint256).max, computed, root);
        d.phase = Phase.AwaitStep;
        emit TensorRevealed(id, d.layer, values, _nextDeadline(d));
    }

    /// @inheritdoc IDisputeGame
    function step(bytes32 id, StepProof calldata proof) external nonReentrant {
        Dispute storage d = _disputes[id];
        _checkPhase(id, d, Phase.AwaitStep);
        if (msg.sender != d.challenger && msg.sender != d.provider) revert DisputeNotYourTurn(id, msg.sender, d.challenger);
        _checkDeadline(id, d);

        LayerMath.Params memory p = proof.params;
        bytes32 leaf = LayerMath.leaf(p);
        if (leaf != d.paramsLeaf) revert DisputeParamsChanged(leaf, d.paramsLeaf);
        uint256 size = LayerMath.outSize(p);
        if (proof.index >= size) revert DisputeIndexOutOfRange(proof.index, size);
        _checkValue(proof.providerValue);
        uint256 depth = TraceMerkle.depthOf(size);
        bytes32 root = d.roots[d.layer];
        if (proof.providerPath.length != depth) revert DisputeOperandShape(2, 1, proof.providerPath.length, 1, depth);
        bytes32 computedRoot = TraceMerkle.rootFromPath(
            TraceMerkle.elementLeaf(proof.providerValue), proof.index, proof.providerPath, 0, depth
        );
        if (computedRoot != root) revert DisputeInvalidElementProof(d.layer, proof.index, computedRoot, root);

        int256 computed = _execute(d, p, proof, modelRegistry.weightCommitmentOf(d.modelId));
        emit StepExecuted(id, d.layer, proof.index, computed, proof.providerValue);
        bool providerWrong = computed != proof.providerValue;
        _resolve(id, d, providerWrong, providerWrong ? Outcome.ProviderComputedWrong : Outcome.ProviderComputedRight);
    }

    /// @inheritdoc IDisputeGame
    function timeout(bytes32 id) external nonReentrant {
        Dispute storage d = _disputes[id];
        if (d.phase == Phase.None) revert DisputeUnknown(id);
        if (block.timestamp <= d.deadline) revert DisputeDeadlineNotPassed(id, d.deadline, block.timestamp);
        bool providerDue = d.phase == Phase.AwaitRoots || d.phase == Phase.AwaitTensor;
        _resolve(id, d, providerDue, providerDue ? Outcome.ProviderTimedOut : Outcome.ChallengerTimedOut);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDisputeGame
    function getDispute(bytes32 id) external view returns (Dispute memory) {
        return _disputes[id];
    }

    /// @inheritdoc IDisputeGame
    function isSettled(bytes32 id) external view returns (bool) {
        return _settled[id];
    }

    /// @inheritdoc IDisputeGame
    function receiptDigest(Receipt calldata receipt) external view returns (bytes32) {
        return _receiptDigest(receipt);
    }

    /// @inheritdoc IDisputeGame
    function config() external view returns (Config memory) {
        return Config({
            moveTimeout: _moveTimeout,
            minBond: _minBond,
            slashAmount: _slashAmount,
            challengerShareBps: _challengerShareBps,
            jailDuration: _jailDuration
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

    /// @dev Common checks of a move: the dispute is in `phase`, the caller is due, in time.
    function _move(bytes32 id, Phase phase) private view returns (Dispute storage d) {
        d = _disputes[id];
        _checkPhase(id, d, phase);
        address due = phase == Phase.AwaitRoots || phase == Phase.AwaitTensor ? d.provider : d.challenger;
        if (msg.sender != due) revert DisputeNotYourTurn(id, msg.sender, due);
        _checkDeadline(id, d);
    }

    function _checkPhase(bytes32 id, Dispute storage d, Phase phase) private view {
        if (d.phase == Phase.None) revert DisputeUnknown(id);
        if (d.phase != phase) revert DisputeWrongPhase(id, phase, d.phase);
    }

    function _checkDeadline(bytes32 id, Dispute storage d) private view {
        if (block.timestamp > d.deadline) revert DisputeDeadlinePassed(id, d.deadline, block.timestamp);
    }

    function _nextDeadline(Dispute storage d) private returns (uint64 deadline) {
        deadline = SafeCast.toUint64(block.timestamp + _moveTimeout);
        d.deadline = deadline;
    }

    function _start(bytes32 id, Dispute storage d, Receipt calldata receipt, uint256 bond) private {
        d.phase = Phase.AwaitRoots;
        d.challenger = msg.sender;
        d.provider = receipt.provider;
        d.client = receipt.client;
        d.bond = bond;
        d.fee = receipt.fee;
        d.modelId = receipt.modelId;
        d.inputHash = receipt.inputHash;
        d.outputHash = receipt.outputHash;
        d.traceRoot = receipt.traceRoot;
        emit DisputeOpened(id, msg.sender, receipt.provider, receipt.client, receipt.modelId, bond, _nextDeadline(d));
    }

    function _checkValue(int256 value) private pure {
        if (value < FixedPointMath.ACT_MIN || value > FixedPointMath.ACT_MAX) revert DisputeValueOutOfRange(value);
    }

    function _rootOfValues(int256[] calldata values) private pure returns (bytes32) {
        bytes32[] memory leaves = new bytes32[](values.length);
        for (uint256 i; i < values.length; ++i) {
            _checkValue(values[i]);
            leaves[i] = TraceMerkle.elementLeaf(values[i]);
        }
        return TraceMerkle.rootOfLeaves(leaves);
    }

    /// @dev Proves the row and the operands, then evaluates the element.
    function _execute(Dispute storage d, LayerMath.Params memory p, StepProof calldata proof, bytes32 commitment)
        private
        view
        returns (int256)
    {
        uint256 index = proof.index;
        bytes memory weights = LayerMath.isWeighted(p) ? _provenRow(p, index, proof, commitment) : bytes("");
        uint256[] memory pos = LayerMath.window(p, index);
        int256[] memory a = _openOperand(0, proof.a, pos, LayerMath.inSize(p), d.roots[p.inputA]);
        int256 b = p.op == LayerMath.OP_ADD ? _openSecond(d, p, proof.b, index) : int256(0);
        return LayerMath.evaluate(p, pos, a, b, weights, proof.bias, proof.rowShift);
    }

    /// @dev The weight row of the element, checked against the commitment.
    function _provenRow(LayerMath.Params memory p, uint256 index, StepProof calldata proof, bytes32 commitment)
        private
        pure
        returns (bytes memory weights)
    {
        uint256 row = LayerMath.rowOf(p, index);
        weights = proof.weights;
        uint256 expected = LayerMath.rowLength(p);
        if (weights.length != 2 * expected) revert DisputeWeightLength(weights.length / 2, expected);
        bytes32 rowLeaf =
            keccak256(abi.encodePacked(uint32(p.layer), uint32(row), uint8(proof.rowShift), int64(proof.bias), weights));
        bytes32 computed = TraceMerkle.rootFromPath(rowLeaf, proof.rowLeafIndex, proof.rowPath, 0, proof.rowPath.length);
        if (computed != commitment || proof.rowShift > type(uint8).max || proof.bias != int64(proof.bias)) {
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
    ///      from either the whole tensor or one Merkle path per unpadded position.
    function _openOperand(uint256 which, Operand calldata o, uint256[] memory pos, uint256 size, bytes32 root)
        private
        pure
        returns (int256[] memory out)
    {
        out = new int256[](pos.length);
        if (o.paths.length == 0 && o.values.length == size && size > 1) {
            bytes32 computed = _rootOfValues(o.values);
            if (computed != root) revert DisputeInvalidElementProof(which, type(uint256).max, computed, root);
            for (uint256 k; k < pos.length; ++k) {
                if (pos[k] != LayerMath.PAD) out[k] = o.values[pos[k]];
            }
            return out;
        }
        uint256 depth = TraceMerkle.depthOf(size);
        uint256 used;
        for (uint256 k; k < pos.length; ++k) {
            if (pos[k] != LayerMath.PAD) ++used;
        }
        if (o.values.length != used || o.paths.length != used * depth) {
            revert DisputeOperandShape(which, o.values.length, o.paths.length, used, used * depth);
        }
        uint256 next;
        for (uint256 k; k < pos.length; ++k) {
            uint256 position = pos[k];
            if (position == LayerMath.PAD) continue;
            int256 value = o.values[next];
            _checkValue(value);
            bytes32 computed = TraceMerkle.rootFromPath(TraceMerkle.elementLeaf(value), position, o.paths, next * depth, depth);
            if (computed != root) revert DisputeInvalidElementProof(which, position, computed, root);
            out[k] = value;
            ++next;
        }
    }

    /// @dev The one transition that ends a dispute: pays out, records, emits.
    function _resolve(bytes32 id, Dispute storage d, bool providerLost, Outcome outcome) private {
        address challenger = d.challenger;
        address provider = d.provider;
        address client = d.client;
        uint256 bond = d.bond;
        uint256 fee = d.fee;
        delete _disputes[id];
        if (providerLost) _settled[id] = true;
        emit DisputeResolved(id, providerLost, outcome, providerLost ? challenger : provider);
        if (!providerLost) {
            emit BondForfeited(id, challenger, provider, bond);
            if (bond != 0) token.safeTransfer(provider, bond);
            return;
        }
        _penalize(id, provider, client, challenger, fee);
        if (bond != 0) token.safeTransfer(challenger, bond);
    }

    /// @dev Slashes and jails the provider and splits what was taken: the request's fee back
    ///      to the client first, then `challengerShareBps` of the rest to the challenger and the
    ///      remainder to the treasury. A provider with nothing left to slash (or no longer
    ///      registered) still loses the game; the split is then zero.
    function _penalize(bytes32 id, address provider, address client, address challenger, uint256 fee) private {
        uint256 slashed;
        try providerRegistry.slash(provider, _slashAmount, address(this)) returns (uint256 taken) {
            slashed = taken;
        } catch {}
        uint64 until = SafeCast.toUint64(block.timestamp + _jailDuration);
        try providerRegistry.jail(provider, until) {} catch {}
        uint256 refund = fee < slashed ? fee : slashed;
        uint256 rest = slashed - refund;
        uint256 reward = (rest * _challengerShareBps) / BPS;
        uint256 toTreasury = rest - reward;
        emit ProviderPenalized(id, provider, slashed, refund, reward, toTreasury, until);
        if (refund != 0) token.safeTransfer(client, refund);
        if (reward != 0) token.safeTransfer(challenger, reward);
        if (toTreasury != 0) token.safeTransfer(params.treasury(), toTreasury);
    }
}
