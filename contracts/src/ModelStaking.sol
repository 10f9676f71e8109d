// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarketParams} from "./interfaces/IMarketParams.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IModelStaking} from "./interfaces/IModelStaking.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";
import {FeeSplit} from "./libraries/FeeSplit.sol";
import {LayerMath} from "./libraries/LayerMath.sol";
import {TraceMerkle} from "./libraries/TraceMerkle.sol";
import {WeightLeaves} from "./libraries/WeightLeaves.sol";

/// @title ModelStaking
/// @notice A model's owner stakes payment tokens behind its weight commitment. A commitment
///         nobody can open is worthless to disputes (a provider could serve weights no one can
///         check), so anyone may name one leaf with a bond; the staker must open it, consistent
///         with the commitment and the published shape, within the response window, or lose
///         the whole stake (docs/market.md).
contract ModelStaking is IModelStaking, ReentrancyGuard {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    /// @notice Where the treasury is read.
    ITrellisParams public immutable params;
    /// @notice Bonds, windows, delay and the challenger's share.
    IMarketParams public immutable market;
    IModelRegistry public immutable modelRegistry;

    mapping(bytes32 modelId => StakeInfo) private _stakes;
    mapping(uint256 id => Challenge) private _challenges;
    mapping(address account => uint256) private _claimable;
    uint256 public challengeCount;

    constructor(IERC20 token_, ITrellisParams params_, IMarketParams market_, IModelRegistry modelRegistry_) {
        token = token_;
        params = params_;
        market = market_;
        modelRegistry = modelRegistry_;
    }

    // ------------------------------------------------------------------ stake

    /// @inheritdoc IModelStaking
    function stake(bytes32 modelId, uint256 amount) external nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        address owner = modelRegistry.ownerOf(modelId);
        if (owner != msg.sender) revert StakingNotModelOwner(modelId, owner, msg.sender);
        StakeInfo storage s = _stakes[modelId];
        // A model that changed hands keeps its old staker until that stake has left.
        if (s.staker != msg.sender) {
            if (s.active + s.unstaking != 0) revert StakingHeldByOther(modelId, s.staker);
            s.staker = msg.sender;
        }
        s.active += amount;
        emit Staked(modelId, msg.sender, amount, s.active);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IModelStaking
    function requestUnstake(bytes32 modelId, uint256 amount) external {
        StakeInfo storage s = _ownStake(modelId);
        if (amount == 0) revert StakingZeroAmount();
        if (s.openChallenges != 0) revert StakingChallengesOpen(modelId, s.openChallenges);
        if (amount > s.active) revert StakingInsufficient(modelId, s.active, amount);
        s.active -= amount;
        s.unstaking += amount;
        s.unstakeAt = SafeCast.toUint64(block.timestamp + market.modelUnstakeDelay());
        emit UnstakeRequested(modelId, amount, s.unstakeAt);
    }

    /// @inheritdoc IModelStaking
    function withdrawUnstaked(bytes32 modelId) external nonReentrant returns (uint256 amount) {
        StakeInfo storage s = _ownStake(modelId);
        if (s.openChallenges != 0) revert StakingChallengesOpen(modelId, s.openChallenges);
        amount = s.unstaking;
        if (amount == 0) revert StakingNothingToWithdraw(modelId);
        if (block.timestamp < s.unstakeAt) revert StakingNotYetWithdrawable(modelId, s.unstakeAt, block.timestamp);
        s.unstaking = 0;
        emit Unstaked(modelId, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ the game

    /// @inheritdoc IModelStaking
    function challenge(bytes32 modelId, uint256 leafIndex) external nonReentrant returns (uint256 id) {
        if (modelRegistry.weightCommitmentOf(modelId) == bytes32(0)) revert StakingNoCommitment(modelId);
        StakeInfo storage s = _stakes[modelId];
        if (s.active + s.unstaking == 0) revert StakingNothingStaked(modelId);
        (, uint32 rowCount, uint256 layerCount) = modelRegistry.shapeSummary(modelId);
        uint256 leafCount = uint256(rowCount) + layerCount;
        if (leafIndex >= leafCount) revert StakingLeafOutOfRange(leafIndex, leafCount);
        uint256 bond = market.modelChallengeBond();
        id = ++challengeCount;
        uint64 deadline = SafeCast.toUint64(block.timestamp + market.modelResponseWindow());
        _challenges[id] = Challenge({
            modelId: modelId,
            challenger: msg.sender,
            status: Status.Open,
            deadline: deadline,
            challengerShareBps: SafeCast.toUint16(market.modelSlashChallengerBps()),
            leafIndex: leafIndex,
            bond: bond
        });
        s.openChallenges += 1;
        emit LeafChallenged(id, modelId, msg.sender, leafIndex, deadline);
        token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IModelStaking
    /// @dev Anyone may answer: the data is available as soon as somebody publishes it.
    function answerRow(uint256 id, uint256 rowShift, int256 bias, bytes calldata weights, bytes32[] calldata path)
        external
    {
        Challenge storage c = _openChallenge(id);
        bytes32 modelId = c.modelId;
        IModelRegistry.Shape memory shape = modelRegistry.shapeOf(modelId);
        if (c.leafIndex >= shape.rowCount) revert StakingWrongLeafKind(id, c.leafIndex);
        (uint256 layer, uint256 row) = _rowAt(shape, c.leafIndex);
        uint256 expected = shape.layers[layer - 1].rowLength;
        if (weights.length != 2 * expected) revert StakingWeightLength(weights.length / 2, expected);
        bytes32 leaf = WeightLeaves.rowLeaf(layer, row, rowShift, bias, weights);
        if (!WeightLeaves.rowFieldsFit(rowShift, bias)) revert StakingInvalidLeafProof(c.leafIndex, leaf, 0);
        _checkPath(modelId, leaf, c.leafIndex, shape.rowCount + shape.layers.length, path);
        _answered(id, c, leaf);
    }

    /// @inheritdoc IModelStaking
    function answerParams(uint256 id, LayerMath.Params calldata p, bytes32[] calldata path) external {
        Challenge storage c = _openChallenge(id);
        bytes32 modelId = c.modelId;
        (uint32 inputSize, uint32 rowCount, uint256 layerCount) = modelRegistry.shapeSummary(modelId);
        if (c.leafIndex < rowCount) revert StakingWrongLeafKind(id, c.leafIndex);
        uint256 layer = c.leafIndex - rowCount + 1;
        LayerMath.Params memory params_ = p;
        if (params_.layer != layer) revert StakingParamsMismatchShape(layer);
        bytes32 leaf = LayerMath.leaf(params_);
        _checkPath(modelId, leaf, c.leafIndex, uint256(rowCount) + layerCount, path);
        IModelRegistry.LayerShape memory layerShape = modelRegistry.layerShape(modelId, layer);
        if (!WeightLeaves.matchesShape(modelRegistry, modelId, params_, layerShape, layerCount, inputSize)) {
            revert StakingParamsMismatchShape(layer);
        }
        _answered(id, c, leaf);
    }

    /// @inheritdoc IModelStaking
    function timeout(uint256 id) external nonReentrant {
        Challenge storage c = _challenges[id];
        if (c.status == Status.None) revert StakingUnknownChallenge(id);
        if (c.status != Status.Open) revert StakingNotOpen(id, c.status);
        if (block.timestamp <= c.deadline) revert StakingDeadlineNotPassed(id, c.deadline);
        c.status = Status.Slashed;
        StakeInfo storage s = _stakes[c.modelId];
        s.openChallenges -= 1;
        uint256 amount = s.active + s.unstaking;
        // A second unanswered challenge finds nothing left: its challenger gets its bond back.
        s.active = 0;
        s.unstaking = 0;
        if (amount != 0) s.slashed = true;
        uint256 toChallenger = FeeSplit.mulBpsDown(amount, c.challengerShareBps);
        emit StakeSlashed(id, c.modelId, amount, toChallenger, amount - toChallenger);
        _credit(c.challenger, c.bond + toChallenger);
        if (amount != toChallenger) _credit(params.treasury(), amount - toChallenger);
    }

    /// @inheritdoc IModelStaking
    function claim() external nonReentrant returns (uint256 amount) {
        amount = _claimable[msg.sender];
        if (amount == 0) revert StakingNothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IModelStaking
    function stakeOf(bytes32 modelId) external view returns (StakeInfo memory) {
        return _stakes[modelId];
    }

    /// @inheritdoc IModelStaking
    function slashableStakeOf(bytes32 modelId) external view returns (uint256) {
        StakeInfo storage s = _stakes[modelId];
        return s.active + s.unstaking;
    }

    /// @inheritdoc IModelStaking
    function getChallenge(uint256 id) external view returns (Challenge memory) {
        return _challenges[id];
    }

    /// @inheritdoc IModelStaking
    function claimable(address account) external view returns (uint256) {
        return _claimable[account];
    }

    // ------------------------------------------------------------------ internal

    function _ownStake(bytes32 modelId) private view returns (StakeInfo storage s) {
        s = _stakes[modelId];
        if (s.staker != msg.sender) revert StakingNotStaker(modelId, s.staker, msg.sender);
    }

    function _openChallenge(uint256 id) private view returns (Challenge storage c) {
        c = _challenges[id];
        if (c.status == Status.None) revert StakingUnknownChallenge(id);
        if (c.status != Status.Open) revert StakingNotOpen(id, c.status);
        if (block.timestamp > c.deadline) revert StakingDeadlinePassed(id, c.deadline);
    }

    /// @dev The weight row at a row leaf: the weighted layer with the last `rowStart` at or
    ///      before it. A shape where no weighted layer covers the leaf cannot be answered.
    function _rowAt(IModelRegistry.Shape memory shape, uint256 leafIndex)
        private
        pure
        returns (uint256 layer, uint256 row)
    {
        uint256 start;
        for (uint256 l = 1; l <= shape.layers.length; ++l) {
            IModelRegistry.LayerShape memory ls = shape.layers[l - 1];
            if (ls.rowLength != 0 && ls.rowStart <= leafIndex && (layer == 0 || ls.rowStart >= start)) {
                (layer, start) = (l, ls.rowStart);
            }
        }
        if (layer == 0) revert StakingRowWithoutLayer(leafIndex);
        row = leafIndex - start;
    }

    function _checkPath(bytes32 modelId, bytes32 leaf, uint256 index, uint256 leafCount, bytes32[] calldata path)
        private
        view
    {
        bytes32 commitment = modelRegistry.weightCommitmentOf(modelId);
        uint256 depth = TraceMerkle.depthOf(leafCount);
        bytes32 computed = TraceMerkle.rootFromExactPath(leaf, index, path, depth);
        if (computed != commitment) revert StakingInvalidLeafProof(index, computed, commitment);
    }

    /// @dev An opened leaf ends the challenge: the bond pays the staker for answering.
    function _answered(uint256 id, Challenge storage c, bytes32 leaf) private {
        c.status = Status.Answered;
        StakeInfo storage s = _stakes[c.modelId];
        s.openChallenges -= 1;
        emit LeafOpened(id, c.modelId, c.leafIndex, leaf);
        _credit(s.staker, c.bond);
    }

    function _credit(address account, uint256 amount) private {
        _claimable[account] += amount;
        emit Credited(account, amount);
    }
}
