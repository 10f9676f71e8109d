// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {IMarketParams} from "./interfaces/IMarketParams.sol";
import {IModelBounty} from "./interfaces/IModelBounty.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IModelStaking} from "./interfaces/IModelStaking.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";
import {FeeSplit} from "./libraries/FeeSplit.sol";
import {TraceMerkle} from "./libraries/TraceMerkle.sol";

/// @title ModelBounty
/// @notice Escrowed rewards for a model that beats a target accuracy on a held-out set.
///         Claims are optimistic: the accuracy is computed exactly from the claimed
///         predictions and the revealed labels, and any row's prediction can be challenged;
///         the claimant then shows a provider receipt for its model on that row's input whose
///         output's argmax is the prediction. That receipt stays open to the dispute game, and
///         the answer counts only once the receipt's window passed without a slash
///         (docs/market.md). Every payout is a credit withdrawn with `withdraw`.
contract ModelBounty is IModelBounty, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Most evaluation rows: reveal carries 32 bytes a row, under the calldata a node
    ///         accepts in one transaction.
    uint256 public constant MAX_ROWS = 1024;
    /// @notice Most classes: a prediction and a label are one byte each.
    uint256 public constant MAX_CLASSES = 256;
    /// @notice Most submissions per bounty: finalize walks them all.
    uint256 public constant MAX_SUBMISSIONS = 64;
    /// @notice Least time between the deadlines, so each party has a real chance to move.
    uint256 public constant MIN_PHASE = 1 hours;
    /// @notice Longest a bounty may run from posting to its claim deadline.
    uint256 public constant MAX_DURATION = 365 days;

    IERC20 public immutable token;
    /// @notice The challenge window of receipts and the treasury.
    ITrellisParams public immutable params;
    IMarketParams public immutable market;
    IModelRegistry public immutable modelRegistry;
    IModelStaking public immutable modelStaking;
    IProviderRegistry public immutable providerRegistry;
    /// @notice Hashes receipts exactly as the disputes that could slash them do.
    IDisputeGame public immutable disputeGame;

    uint256 public bountyCount;
    mapping(uint256 bountyId => Task) private _tasks;
    mapping(uint256 bountyId => Bounty) private _bounties;
    mapping(uint256 bountyId => Submission[]) private _submissions;
    mapping(uint256 bountyId => mapping(bytes32 modelId => uint256 indexPlusOne)) private _submissionIndex;
    mapping(uint256 bountyId => mapping(bytes32 commitment => bool)) private _commitmentUsed;
    mapping(uint256 bountyId => mapping(uint256 submission => bytes)) private _predictions;
    mapping(uint256 bountyId => bytes) private _labels;
    mapping(bytes32 id => RowChallenge) private _challenges;
    mapping(address account => uint256) private _claimable;

    constructor(
        IERC20 token_,
        ITrellisParams params_,
        IMarketParams market_,
        IModelRegistry modelRegistry_,
        IModelStaking modelStaking_,
        IProviderRegistry providerRegistry_,
        IDisputeGame disputeGame_
    ) {
        token = token_;
        params = params_;
        market = market_;
        modelRegistry = modelRegistry_;
        modelStaking = modelStaking_;
        providerRegistry = providerRegistry_;
        disputeGame = disputeGame_;
    }

    // ------------------------------------------------------------------ poster

    /// @inheritdoc IModelBounty
    function post(Task calldata task, uint256 reward) external nonReentrant returns (uint256 bountyId) {
        if (reward == 0) revert BountyZeroReward();
        _checkTask(task);
        bountyId = ++bountyCount;
        _tasks[bountyId] = task;
        Bounty storage b = _bounties[bountyId];
        b.poster = msg.sender;
        b.reward = reward;
        // The terms are fixed at posting: governance changes apply to later bounties only.
        b.submitBond = market.bountySubmitBond();
        b.challengeBond = market.bountyChallengeBond();
        b.challengeWindow = SafeCast.toUint64(market.bountyChallengeWindow());
        b.responseWindow = SafeCast.toUint64(market.bountyResponseWindow());
        emit BountyPosted(bountyId, msg.sender, reward, task);
        token.safeTransferFrom(msg.sender, address(this), reward);
    }

    /// @inheritdoc IModelBounty
    function reveal(uint256 bountyId, bytes32[] calldata inputHashes, bytes calldata labels, string calldata dataURI)
        external
    {
        Bounty storage b = _bounty(bountyId);
        Task storage t = _tasks[bountyId];
        if (msg.sender != b.poster) revert BountyNotPoster(b.poster, msg.sender);
        if (b.revealed) revert BountyAlreadyRevealed(bountyId);
        // Before submissions close the set would be a training set, not a held-out one.
        if (block.timestamp <= t.submitDeadline) revert BountyTooEarly("submitDeadline", t.submitDeadline);
        if (block.timestamp > t.revealDeadline) revert BountyTooLate("revealDeadline", t.revealDeadline);
        uint256 n = t.rowCount;
        if (inputHashes.length != n || labels.length != n) {
            revert BountyRowCount(inputHashes.length != n ? inputHashes.length : labels.length, n);
        }
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            uint256 label = uint8(labels[i]);
            if (label >= t.classCount) revert BountyLabelOutOfRange(i, label, t.classCount);
            leaves[i] = _rowLeaf(inputHashes[i], label);
        }
        bytes32 computed = TraceMerkle.rootOfLeaves(leaves);
        if (computed != t.evalRoot) revert BountyRevealMismatch(computed, t.evalRoot);
        b.revealed = true;
        _labels[bountyId] = labels;
        emit EvaluationRevealed(bountyId, inputHashes, labels, dataURI);
    }

    // ------------------------------------------------------------------ submitters

    /// @inheritdoc IModelBounty
    function submit(uint256 bountyId, bytes32 modelId) external nonReentrant {
        Bounty storage b = _bounty(bountyId);
        Task storage t = _tasks[bountyId];
        if (block.timestamp > t.submitDeadline) revert BountyTooLate("submitDeadline", t.submitDeadline);
        if (_submissionIndex[bountyId][modelId] != 0) revert BountyAlreadySubmitted(modelId);
        if (b.submissionCount >= MAX_SUBMISSIONS) revert BountyTooManySubmissions(MAX_SUBMISSIONS);
        bytes32 commitment = _checkModel(t, modelId);
        // A republished copy of an entered model has another id but the same commitment.
        if (_commitmentUsed[bountyId][commitment]) revert BountyDuplicateCommitment(commitment);
        _commitmentUsed[bountyId][commitment] = true;
        _submissions[bountyId].push(
            Submission({
                submitter: msg.sender, modelId: modelId, claimed: false, voided: false, correct: 0, challengeEnds: 0
            })
        );
        uint32 index = b.submissionCount++;
        _submissionIndex[bountyId][modelId] = uint256(index) + 1;
        emit ModelSubmitted(bountyId, index, modelId, msg.sender);
        token.safeTransferFrom(msg.sender, address(this), b.submitBond);
    }

    /// @inheritdoc IModelBounty
    function claim(uint256 bountyId, bytes32 modelId, bytes calldata predictions) external {
        Bounty storage b = _bounty(bountyId);
        Task storage t = _tasks[bountyId];
        if (!b.revealed) revert BountyNotRevealed(bountyId);
        if (block.timestamp > t.claimDeadline) revert BountyTooLate("claimDeadline", t.claimDeadline);
        (uint32 index, Submission storage s) = _submission(bountyId, modelId);
        if (s.submitter != msg.sender) revert BountyNotSubmitter(modelId, s.submitter, msg.sender);
        if (s.claimed) revert BountyAlreadyClaimed(modelId);
        uint256 n = t.rowCount;
        if (predictions.length != n) revert BountyRowCount(predictions.length, n);
        bytes storage labels = _labels[bountyId];
        uint256 correct;
        for (uint256 i; i < n; ++i) {
            if (predictions[i] == labels[i]) ++correct;
        }
        if (correct * FeeSplit.BPS <= uint256(t.targetBps) * n) revert BountyBelowTarget(correct, n, t.targetBps);
        s.claimed = true;
        s.correct = uint32(correct);
        s.challengeEnds = SafeCast.toUint64(block.timestamp + b.challengeWindow);
        _predictions[bountyId][index] = predictions;
        emit Claimed(bountyId, index, uint32(correct), predictions, s.challengeEnds);
    }

    // ------------------------------------------------------------------ row challenges

    /// @inheritdoc IModelBounty
    function challenge(uint256 bountyId, bytes32 modelId, uint256 row, bytes32 inputHash, bytes32[] calldata path)
        external
        nonReentrant
        returns (bytes32 id)
    {
        Bounty storage b = _bounty(bountyId);
        Task storage t = _tasks[bountyId];
        (uint32 index, Submission storage s) = _submission(bountyId, modelId);
        if (!s.claimed) revert BountyNotClaimed(modelId);
        if (s.voided) revert BountyClaimVoided(modelId);
        if (block.timestamp > s.challengeEnds) revert BountyChallengeWindowClosed(s.challengeEnds);
        _checkRow(bountyId, t, row, inputHash, path);
        id = challengeIdOf(bountyId, index, row);
        if (_challenges[id].status != Status.None) revert BountyRowAlreadyChallenged(id);
        uint64 deadline = SafeCast.toUint64(block.timestamp + b.responseWindow);
        RowChallenge storage c = _challenges[id];
        c.bountyId = bountyId;
        c.submission = index;
        c.row = uint32(row);
        c.status = Status.Open;
        c.deadline = deadline;
        c.challenger = msg.sender;
        c.bond = b.challengeBond;
        c.inputHash = inputHash;
        b.pendingChallenges += 1;
        emit RowChallenged(id, bountyId, index, uint32(row), msg.sender, deadline);
        token.safeTransferFrom(msg.sender, address(this), c.bond);
    }

    /// @inheritdoc IModelBounty
    /// @dev Anyone may answer for the claimant; the challenger's bond still goes to it.
    function answer(
        bytes32 id,
        IDisputeGame.Receipt calldata receipt,
        bytes calldata signature,
        int256[] calldata output
    ) external {
        RowChallenge storage c = _challenges[id];
        if (c.status != Status.Open) revert BountyWrongStatus(id, c.status);
        if (block.timestamp > c.deadline) revert BountyResponseClosed(id, c.deadline);
        bytes32 receiptId = _checkReceipt(c, receipt, signature);
        _checkOutput(c, receipt.outputHash, output);
        c.status = Status.Answered;
        c.receiptId = receiptId;
        c.provider = receipt.provider;
        c.settlesAt = SafeCast.toUint64(uint256(receipt.issuedAt) + params.challengeWindow());
        emit RowAnswered(id, receiptId, receipt.provider, c.settlesAt);
    }

    /// @inheritdoc IModelBounty
    function timeoutChallenge(bytes32 id) external {
        RowChallenge storage c = _challenges[id];
        if (c.status != Status.Open) revert BountyWrongStatus(id, c.status);
        if (block.timestamp <= c.deadline) revert BountyResponseOpen(id, c.deadline);
        _uphold(id, c);
    }

    /// @inheritdoc IModelBounty
    function settleAnswer(bytes32 id) external {
        RowChallenge storage c = _challenges[id];
        if (c.status != Status.Answered) revert BountyWrongStatus(id, c.status);
        if (providerRegistry.isReceiptSlashed(c.receiptId)) return _uphold(id, c);
        // A dispute of the receipt may still be running after its window: wait for it.
        uint256 open = providerRegistry.openDisputes(c.provider);
        if (block.timestamp <= c.settlesAt || open != 0) revert BountyNotSettled(id, c.settlesAt, open);
        c.status = Status.Rejected;
        _bounties[c.bountyId].pendingChallenges -= 1;
        emit ChallengeResolved(id, false);
        _credit(_submissions[c.bountyId][c.submission].submitter, c.bond);
    }

    // ------------------------------------------------------------------ settlement

    /// @inheritdoc IModelBounty
    function finalize(uint256 bountyId) external {
        Bounty storage b = _bounty(bountyId);
        Task storage t = _tasks[bountyId];
        if (b.finalized) revert BountyAlreadyFinalized(bountyId);
        Submission[] storage subs = _submissions[bountyId];
        uint256 n = subs.length;
        if (!b.revealed) {
            // A poster that withholds the set loses the reward to those who entered.
            if (block.timestamp <= t.revealDeadline) revert BountyTooEarly("revealDeadline", t.revealDeadline);
            b.finalized = true;
            uint256 share = n == 0 ? 0 : b.reward / n;
            for (uint256 i; i < n; ++i) {
                _credit(subs[i].submitter, share + b.submitBond);
            }
            if (b.reward != share * n) _credit(b.poster, b.reward - share * n);
            emit BountyFinalized(bountyId, false, 0, bytes32(0));
            return;
        }
        uint256 closes = uint256(t.claimDeadline) + b.challengeWindow;
        if (block.timestamp <= closes) revert BountyTooEarly("challengeWindow", uint64(closes));
        if (b.pendingChallenges != 0) revert BountyChallengesPending(bountyId, b.pendingChallenges);
        b.finalized = true;
        uint256 best;
        for (uint256 i; i < n; ++i) {
            Submission storage s = subs[i];
            if (s.voided) continue;
            _credit(s.submitter, b.submitBond);
            // Strictly better only: on a tie the earlier submission keeps the lead.
            if (s.claimed && (best == 0 || s.correct > subs[best - 1].correct)) best = i + 1;
        }
        b.winner = uint32(best);
        bytes32 winningModel = best == 0 ? bytes32(0) : subs[best - 1].modelId;
        _credit(best == 0 ? b.poster : subs[best - 1].submitter, b.reward);
        emit BountyFinalized(bountyId, true, uint32(best), winningModel);
    }

    /// @inheritdoc IModelBounty
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _claimable[msg.sender];
        if (amount == 0) revert BountyNothingToWithdraw(msg.sender);
        _claimable[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IModelBounty
    function taskOf(uint256 bountyId) external view returns (Task memory) {
        return _tasks[bountyId];
    }

    /// @inheritdoc IModelBounty
    function getBounty(uint256 bountyId) external view returns (Bounty memory) {
        return _bounties[bountyId];
    }

    /// @inheritdoc IModelBounty
    function submissionOf(uint256 bountyId, bytes32 modelId) external view returns (Submission memory) {
        (, Submission storage s) = _submission(bountyId, modelId);
        return s;
    }

    /// @inheritdoc IModelBounty
    function submissions(uint256 bountyId) external view returns (Submission[] memory) {
        return _submissions[bountyId];
    }

    /// @inheritdoc IModelBounty
    function predictionsOf(uint256 bountyId, bytes32 modelId) external view returns (bytes memory) {
        (uint32 index,) = _submission(bountyId, modelId);
        return _predictions[bountyId][index];
    }

    /// @inheritdoc IModelBounty
    function labelsOf(uint256 bountyId) external view returns (bytes memory) {
        return _labels[bountyId];
    }

    /// @inheritdoc IModelBounty
    function getChallenge(bytes32 id) external view returns (RowChallenge memory) {
        return _challenges[id];
    }

    /// @inheritdoc IModelBounty
    function challengeIdOf(uint256 bountyId, uint256 submission, uint256 row) public pure returns (bytes32) {
        return keccak256(abi.encode(bountyId, submission, row));
    }

    /// @inheritdoc IModelBounty
    function claimable(address account) external view returns (uint256) {
        return _claimable[account];
    }

    // ------------------------------------------------------------------ internal

    function _checkTask(Task calldata t) private view {
        if (t.inputSize == 0) revert BountyBadTask("inputSize", 0);
        if (t.classCount < 2 || t.classCount > MAX_CLASSES) revert BountyBadTask("classCount", t.classCount);
        if (t.rowCount == 0 || t.rowCount > MAX_ROWS) revert BountyBadTask("rowCount", t.rowCount);
        // A target of 100% could never be beaten.
        if (t.targetBps >= FeeSplit.BPS) revert BountyBadTask("targetBps", t.targetBps);
        if (t.evalRoot == bytes32(0)) revert BountyBadTask("evalRoot", 0);
        if (t.submitDeadline < block.timestamp + MIN_PHASE) revert BountyBadTask("submitDeadline", t.submitDeadline);
        if (t.revealDeadline < uint256(t.submitDeadline) + MIN_PHASE) {
            revert BountyBadTask("revealDeadline", t.revealDeadline);
        }
        if (t.claimDeadline < uint256(t.revealDeadline) + MIN_PHASE || t.claimDeadline > block.timestamp + MAX_DURATION)
        {
            revert BountyBadTask("claimDeadline", t.claimDeadline);
        }
    }

    /// @dev The caller owns the model, it is verifiable (has a commitment), reads the task's
    ///      input, ends in one score per class and has the stake the poster asked for.
    function _checkModel(Task storage t, bytes32 modelId) private view returns (bytes32 commitment) {
        address owner = modelRegistry.ownerOf(modelId);
        if (owner != msg.sender) revert BountyNotModelOwner(modelId, owner, msg.sender);
        if (modelRegistry.isDeprecated(modelId)) revert BountyModelUnfit(modelId, "deprecated", 1, 0);
        commitment = modelRegistry.weightCommitmentOf(modelId);
        if (commitment == bytes32(0)) revert BountyModelUnfit(modelId, "weightCommitment", 0, 1);
        (uint32 inputSize,, uint256 layerCount) = modelRegistry.shapeSummary(modelId);
        if (inputSize != t.inputSize) revert BountyModelUnfit(modelId, "inputSize", inputSize, t.inputSize);
        uint256 outSize = modelRegistry.layerShape(modelId, layerCount).outSize;
        if (outSize != t.classCount) revert BountyModelUnfit(modelId, "outSize", outSize, t.classCount);
        uint256 staked = modelStaking.stakeOf(modelId).active;
        if (staked < t.minModelStake) revert BountyModelUnfit(modelId, "stake", staked, t.minModelStake);
    }

    /// @dev The receipt is signed by an active provider, for the claim's model and the row's
    ///      input, in a verified mode with a trace, unslashed, and still disputable for at least
    ///      half the protocol's challenge window so watchers can re-execute it.
    function _checkReceipt(RowChallenge storage c, IDisputeGame.Receipt calldata receipt, bytes calldata signature)
        private
        view
        returns (bytes32 receiptId)
    {
        if (receipt.modelId != _submissions[c.bountyId][c.submission].modelId) revert BountyReceiptMismatch("modelId");
        if (receipt.inputHash != c.inputHash) revert BountyReceiptMismatch("inputHash");
        if (receipt.verification == 0 || receipt.verification > 2) revert BountyReceiptMismatch("verification");
        if (receipt.traceRoot == bytes32(0)) revert BountyReceiptMismatch("traceRoot");
        if (receipt.issuedAt > block.timestamp) revert BountyReceiptMismatch("issuedAt");
        uint256 window = params.challengeWindow();
        if (uint256(receipt.issuedAt) + window / 2 < block.timestamp) {
            revert BountyReceiptTooOld(receipt.issuedAt, uint256(receipt.issuedAt) + window);
        }
        receiptId = disputeGame.receiptDigest(receipt);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(receiptId, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != receipt.provider) {
            revert BountyBadSignature(recovered, receipt.provider);
        }
        if (!providerRegistry.isActive(receipt.provider)) revert BountyProviderInactive(receipt.provider);
        if (providerRegistry.isReceiptSlashed(receiptId)) revert BountyReceiptSlashed(receiptId);
    }

    /// @dev The output is the receipt's (same Merkle root) and its argmax, the first
    ///      largest score, is the claimed prediction for the row.
    function _checkOutput(RowChallenge storage c, bytes32 outputHash, int256[] calldata output) private view {
        uint256 classes = _tasks[c.bountyId].classCount;
        if (output.length != classes) revert BountyRowCount(output.length, classes);
        uint256 best;
        for (uint256 i; i < classes; ++i) {
            if (output[i] > output[best]) best = i;
        }
        (bytes32 computed, bool inRange) = TraceMerkle.rootOfValues(output);
        // Out of int16 range a value packs as another one: its root would prove nothing.
        if (!inRange) revert BountyOutputOutOfRange();
        if (computed != outputHash) revert BountyOutputMismatch(computed, outputHash);
        uint256 predicted = uint8(_predictions[c.bountyId][c.submission][c.row]);
        if (best != predicted) revert BountyPredictionMismatch(best, predicted);
    }

    /// @dev A challenge that stands voids the claim; the first to void it takes the
    ///      claimant's submission bond, and every upheld challenger gets its own bond back.
    function _uphold(bytes32 id, RowChallenge storage c) private {
        c.status = Status.Upheld;
        _bounties[c.bountyId].pendingChallenges -= 1;
        Submission storage s = _submissions[c.bountyId][c.submission];
        uint256 paid = c.bond;
        if (!s.voided) {
            s.voided = true;
            paid += _bounties[c.bountyId].submitBond;
        }
        emit ChallengeResolved(id, true);
        _credit(c.challenger, paid);
    }

    /// @dev The row exists and `inputHash` is its input under the committed evaluation root.
    function _checkRow(uint256 bountyId, Task storage t, uint256 row, bytes32 inputHash, bytes32[] calldata path)
        private
        view
    {
        if (row >= t.rowCount) revert BountyRowOutOfRange(row, t.rowCount);
        uint256 depth = TraceMerkle.depthOf(t.rowCount);
        bytes32 leaf = _rowLeaf(inputHash, uint8(_labels[bountyId][row]));
        bytes32 computed = TraceMerkle.rootFromExactPath(leaf, row, path, depth);
        if (computed != t.evalRoot) revert BountyInvalidRowProof(row, computed, t.evalRoot);
    }

    function _bounty(uint256 bountyId) private view returns (Bounty storage b) {
        b = _bounties[bountyId];
        if (b.poster == address(0)) revert BountyUnknown(bountyId);
    }

    function _submission(uint256 bountyId, bytes32 modelId) private view returns (uint32, Submission storage) {
        uint256 i = _submissionIndex[bountyId][modelId];
        if (i == 0) revert BountyNotClaimed(modelId);
        return (uint32(i - 1), _submissions[bountyId][i - 1]);
    }

    function _rowLeaf(bytes32 inputHash, uint256 label) private pure returns (bytes32) {
        return keccak256(abi.encode(inputHash, label));
    }

    function _credit(address account, uint256 amount) private {
        _claimable[account] += amount;
        emit Credited(account, amount);
    }
}
