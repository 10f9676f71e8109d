// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IFederatedTraining} from "../interfaces/IFederatedTraining.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ITrellisParams} from "../interfaces/ITrellisParams.sol";
import {TraceMerkle} from "../libraries/TraceMerkle.sol";
import {FlAggregation} from "../libraries/FlAggregation.sol";
import {ContributorRoyalties} from "./ContributorRoyalties.sol";
import {ContributorRoyaltiesFactory} from "./ContributorRoyaltiesFactory.sol";
import {FlAvailability} from "./FlAvailability.sol";
import {FlSelection} from "./FlSelection.sol";
import {FlTaskRules} from "./FlTaskRules.sol";

/// @title FederatedTraining
/// @notice The federated-learning coordinator (docs/fl.md). Rounds run one after another;
///         each round's clock starts when the previous one settled, and every write first
///         rolls the task forward to now (`_sync`), so no keeper is needed and a participant
///         or aggregator that disappears never stalls the task.
/// @dev Money: every token this contract holds is a task's unallocated pool or bonus, a
///      stake (participant or aggregator) not yet returned or slashed, or a credit in
///      `claimable`. All payouts are credits, paid by `claim`.
contract FederatedTraining is IFederatedTraining, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Share of a slashed stake that goes to whoever proved the fault; the rest
    ///         joins the reward pool of the next scored round.
    uint256 public constant CHALLENGER_BPS = 5_000;
    /// @notice Share of its stake a participant forfeits (to the owner) for submitting in no round.
    uint256 public constant INACTIVE_FORFEIT_BPS = 5_000;
    /// @notice Bounds that keep a challenge inside one transaction (with FlTaskRules'
    ///         MAX_PARTICIPANTS and MAX_ROUNDS).
    uint256 public constant MAX_SCORE = 1 << 128;
    /// @notice Rounds one call settles at most (see `_sync`).
    uint256 public constant MAX_SETTLE_PER_CALL = 32;
    /// @notice Shares one scored round hands out in total.
    uint256 public constant SHARES_PER_ROUND = 1e18;

    IERC20 public immutable token;
    IModelRegistry public immutable registry;
    /// @notice Creates each task's royalty account (the final model's owner).
    ContributorRoyaltiesFactory public immutable royaltiesFactory;
    /// @notice The data-availability game (demands that an element be opened), created here.
    FlAvailability public immutable availability;
    /// @dev The Krum selection game (distance matrices and their challenges), created here
    ///      second, so it lives at the CREATE address of the coordinator's nonce 2 (no getter:
    ///      this contract's code is at the size limit).
    FlSelection private immutable _selectionGame;
    /// @notice Checks new configs and computes the epsilon of private tasks.
    FlTaskRules public immutable rules;

    /// @notice Only the coordinator's games report to it: the availability game an unanswered
    ///         demand, the selection game a wrong distance or Krum selection.
    error FlNotGame(address caller);

    struct Participant {
        ParticipantStatus status;
        uint32 index;
        uint64 examples;
    }

    uint256 private _taskCount;
    mapping(uint256 taskId => TaskConfig) private _configs;
    mapping(uint256 taskId => TaskState) private _states;
    mapping(uint256 taskId => mapping(uint256 round => Round)) private _rounds;
    mapping(uint256 taskId => mapping(address account => Participant)) private _participants;
    mapping(uint256 taskId => mapping(uint32 index => address)) private _accounts;
    /// @dev The one storage write of a submission: the update's root.
    mapping(uint256 taskId => mapping(uint256 round => mapping(uint32 index => bytes32))) private _updates;
    /// @dev Post number (1-based) that excluded a submitter, so a repost starts clean.
    mapping(uint256 taskId => mapping(uint256 round => mapping(uint32 index => uint16))) private _excludedIn;
    mapping(uint256 taskId => mapping(address account => uint256)) private _shares;
    mapping(address account => uint256) private _claimable;
    /// @dev When a demand nobody answered made the live post of a round void.
    mapping(uint256 taskId => mapping(uint256 round => uint64)) private _voidAt;

    /// @dev `rules_` holds no state, so it is deployed once beside the coordinator; created
    ///      here, its code would take the coordinator's initcode past EIP-3860's limit.
    constructor(IERC20 token_, IModelRegistry registry_, ContributorRoyaltiesFactory factory_, FlTaskRules rules_) {
        token = token_;
        registry = registry_;
        royaltiesFactory = factory_;
        rules = rules_;
        availability = new FlAvailability(token_);
        // Created second: the availability game stays at the coordinator's nonce 1.
        _selectionGame = new FlSelection();
    }

    // ------------------------------------------------------------------ task setup

    /// @inheritdoc IFederatedTraining
    function createTask(TaskConfig calldata c, string calldata initialModelCid)
        external
        nonReentrant
        returns (uint256 taskId)
    {
        rules.checkConfig(c);
        _pull(msg.sender, c.rewardPool);
        taskId = ++_taskCount;
        _configs[taskId] = c;
        TaskState storage s = _states[taskId];
        s.owner = msg.sender;
        s.poolLeft = c.rewardPool;
        s.modelRoot = c.initialRoot;
        emit TaskCreated(taskId, msg.sender, c, initialModelCid);
    }

    /// @inheritdoc IFederatedTraining
    function join(
        uint256 taskId,
        uint64 examples,
        bytes32 datasetHash,
        bytes calldata attestation,
        bytes32[] calldata allowlistProof
    ) external nonReentrant {
        TaskConfig storage c = _config(taskId);
        TaskState storage s = _states[taskId];
        if (block.timestamp >= c.startsAt) revert FlJoinClosed(taskId, c.startsAt);
        if (_participants[taskId][msg.sender].status != ParticipantStatus.None) {
            revert FlAlreadyJoined(taskId, msg.sender);
        }
        if (s.participantCount >= c.maxParticipants) revert FlTaskFull(taskId, c.maxParticipants);
        if (c.allowlistRoot != bytes32(0)) {
            bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(msg.sender))));
            if (!MerkleProof.verifyCalldata(allowlistProof, c.allowlistRoot, leaf)) {
                revert FlNotAdmitted(taskId, msg.sender);
            }
        }
        if (examples == 0 || datasetHash == bytes32(0)) revert FlDatasetInvalid(examples, datasetHash);
        _pull(msg.sender, c.joinStake);
        uint32 index = s.participantCount++;
        _participants[taskId][msg.sender] =
            Participant({status: ParticipantStatus.Active, index: index, examples: examples});
        _accounts[taskId][index] = msg.sender;
        emit ParticipantJoined(taskId, msg.sender, index, examples, datasetHash, attestation);
    }

    /// @inheritdoc IFederatedTraining
    function stakeAggregator(uint256 taskId) external nonReentrant {
        TaskConfig storage c = _config(taskId);
        TaskState storage s = _states[taskId];
        _onlyAggregator(taskId, c.aggregator);
        _syncRunning(taskId);
        if (s.aggregatorStaked) revert FlAggregatorAlreadyStaked(taskId);
        _pull(msg.sender, c.aggregatorStake);
        s.aggregatorStaked = true;
        emit AggregatorStaked(taskId, msg.sender, c.aggregatorStake);
    }

    /// @inheritdoc IFederatedTraining
    function replaceAggregator(uint256 taskId, address newAggregator) external {
        TaskConfig storage c = _config(taskId);
        TaskState storage s = _states[taskId];
        _onlyOwner(taskId, s.owner);
        _syncRunning(taskId);
        if (s.aggregatorStaked) revert FlAggregatorStaked(taskId);
        if (newAggregator == address(0)) revert FlConfigInvalid("aggregator", 0);
        emit AggregatorReplaced(taskId, c.aggregator, newAggregator);
        c.aggregator = newAggregator;
    }

    // ------------------------------------------------------------------ rounds

    /// @inheritdoc IFederatedTraining
    function advance(uint256 taskId) external {
        _config(taskId);
        _sync(taskId);
    }

    /// @inheritdoc IFederatedTraining
    function submitUpdate(uint256 taskId, bytes32 root, uint32 elementCount, string calldata cid) external {
        TaskConfig storage c = _config(taskId);
        Participant storage p = _participants[taskId][msg.sender];
        if (p.status != ParticipantStatus.Active) revert FlNotParticipant(taskId, msg.sender);
        if (root == bytes32(0) || elementCount != c.elementCount) {
            revert FlUpdateInvalid(root, elementCount, c.elementCount);
        }
        uint256 r = _syncStarted(taskId);
        Round storage rd = _rounds[taskId][r];
        uint64 submitEnd = rd.start + c.submitWindow;
        if (rd.status != RoundStatus.Open || block.timestamp >= submitEnd) {
            revert FlSubmissionClosed(taskId, r, submitEnd);
        }
        uint32 index = p.index;
        if (_updates[taskId][r][index] != bytes32(0)) revert FlAlreadySubmitted(taskId, r, msg.sender);
        _updates[taskId][r][index] = root;
        ++rd.submissions;
        emit UpdateCommitted(taskId, r, msg.sender, index, root, cid);
    }

    /// @inheritdoc IFederatedTraining
    function postAggregate(
        uint256 taskId,
        bytes32 root,
        string calldata cid,
        uint32[] calldata excluded,
        uint32[] calldata selected
    ) external {
        (uint256 r, Round storage rd) = _startPost(taskId, root);
        uint16 post = ++rd.posts;
        _markExcluded(taskId, r, post, excluded);
        uint32 included = rd.submissions - uint32(excluded.length);
        uint16 quorum = _configs[taskId].quorum;
        if (included < quorum) revert FlParticipantCount(included, quorum);
        rd.included = included;
        rd.aggregateRoot = root;
        rd.selectionHash = _selection(taskId, r, post, selected);
        rd.postedAt = uint64(block.timestamp);
        rd.status = RoundStatus.Posted;
        uint64 challengeEnd = uint64(block.timestamp) + _configs[taskId].challengeWindow;
        emit AggregatePosted(taskId, r, root, cid, excluded, selected, challengeEnd);
    }

    /// @inheritdoc IFederatedTraining
    function challengeAggregate(uint256 taskId, ElementChallenge calldata ch) external {
        TaskConfig storage c = _config(taskId);
        uint256 r = _syncStarted(taskId);
        Round storage rd = _rounds[taskId][r];
        if (rd.status != RoundStatus.Posted) revert FlNotChallengeable(taskId, r, rd.status);
        if (ch.index >= c.elementCount) revert FlIndexOutOfRange(ch.index, c.elementCount);
        uint256 k = ch.participants.length;
        if (ch.values.length != k) revert FlLengthMismatch(k, ch.values.length);
        if (ch.proofs.length != k) revert FlLengthMismatch(k, ch.proofs.length);
        if (_isKrum(c.strategy)) {
            if (keccak256(abi.encodePacked(ch.participants)) != rd.selectionHash) {
                revert FlParticipantsInvalid(0, k == 0 ? 0 : ch.participants[0]);
            }
        } else {
            if (k != rd.included) revert FlParticipantCount(k, rd.included);
            _checkIncluded(taskId, r, rd.posts, ch.participants);
        }
        uint256 depth = TraceMerkle.depthOf(c.elementCount);
        uint256[] memory counts = new uint256[](k);
        for (uint256 i; i < k; ++i) {
            uint32 who = ch.participants[i];
            bytes32 leaf = TraceMerkle.elementLeaf(ch.values[i]);
            // A value opened on chain by the availability game stands in for a path.
            if (
                TraceMerkle.rootFromExactPath(leaf, ch.index, ch.proofs[i], depth) != _updates[taskId][r][who]
                    && !_opened(taskId, r, who, ch.index, ch.values[i])
            ) revert FlProofInvalid(who);
            counts[i] = _participants[taskId][_accounts[taskId][who]].examples;
        }
        bytes32 aggLeaf = TraceMerkle.elementLeaf(ch.aggregateValue);
        if (
            TraceMerkle.rootFromExactPath(aggLeaf, ch.index, ch.aggregateProof, depth) != rd.aggregateRoot
                && !_opened(taskId, r, type(uint32).max, ch.index, ch.aggregateValue)
        ) revert FlProofInvalid(type(uint32).max);
        int256 expected = _aggregate(c, ch.values, counts);
        if (expected == ch.aggregateValue) revert FlAggregateCorrect(ch.index, expected);

        (uint256 slashed, uint64 deadline) = _reopen(taskId, r, msg.sender);
        emit AggregateChallenged(taskId, r, msg.sender, ch.index, ch.aggregateValue, expected, slashed, deadline);
    }

    /// @inheritdoc IFederatedTraining
    function challengeUpdateRange(
        uint256 taskId,
        uint256 roundNumber,
        uint32 who,
        uint32 index,
        int256 value,
        bytes32[] calldata proof
    ) external {
        TaskConfig storage c = _config(taskId);
        TaskState storage s = _states[taskId];
        if (s.closed) revert FlTaskClosed(taskId);
        if (index >= c.elementCount) revert FlIndexOutOfRange(index, c.elementCount);
        if (value <= FlAggregation.MAX_ABS && value >= -FlAggregation.MAX_ABS) revert FlValueInRange(value);
        bytes32 root = _updates[taskId][roundNumber][who];
        address account = _accounts[taskId][who];
        if (root == bytes32(0)) revert FlNotSubmitted(taskId, roundNumber, account);
        bytes32 leaf = TraceMerkle.elementLeaf(value);
        if (TraceMerkle.rootFromExactPath(leaf, index, proof, TraceMerkle.depthOf(c.elementCount)) != root) {
            revert FlProofInvalid(who);
        }
        _slashParticipant(taskId, account, msg.sender);
    }

    /// @notice The availability game reports a demand on element of `target` (a participant
    ///         index or type(uint32).max for the aggregate) of post `post` that ran out
    ///         unanswered at `when`: the committer is slashed, and the post, if it still
    ///         stands, is void (the round closes empty and the aggregator loses its stake).
    function reportUnavailable(uint256 taskId, uint256 r, uint16 post, uint32 target, uint64 when, address demander)
        external
        returns (bool voided)
    {
        if (msg.sender != address(availability)) revert FlNotGame(msg.sender);
        Round storage rd = _rounds[taskId][r];
        if (rd.status == RoundStatus.Posted && rd.posts == post) {
            _voidAt[taskId][r] = when;
            voided = true;
            if (_states[taskId].aggregatorStaked) _slashAggregator(taskId, r, demander);
        }
        address account = _accounts[taskId][target];
        if (target != type(uint32).max && _participants[taskId][account].status == ParticipantStatus.Active) {
            _slashParticipant(taskId, account, demander);
        }
        _sync(taskId);
    }

    /// @notice The selection game reports a proven wrong distance matrix or Krum selection
    ///         of the live post of round `r`, which it checked in this transaction right after
    ///         rolling the task forward: slashed and reopened exactly like a wrong element.
    function reportWrongSelection(uint256 taskId, uint256 r, address challenger) external {
        if (msg.sender != address(_selectionGame)) revert FlNotGame(msg.sender);
        _reopen(taskId, r, challenger);
    }

    // ------------------------------------------------------------------ rewards and the end

    /// @inheritdoc IFederatedTraining
    function postScores(uint256 taskId, uint256 roundNumber, uint32[] calldata who, uint256[] calldata scores)
        external
    {
        TaskConfig storage c = _config(taskId);
        TaskState storage s = _states[taskId];
        if (msg.sender != s.owner && msg.sender != c.aggregator) revert FlNotOwnerOrAggregator(taskId, msg.sender);
        if (s.closed) revert FlTaskClosed(taskId);
        if (who.length != scores.length) revert FlLengthMismatch(who.length, scores.length);
        _sync(taskId);
        Round storage rd = _rounds[taskId][roundNumber];
        if (rd.status != RoundStatus.Final || rd.scored) revert FlNotScorable(taskId, roundNumber);
        _checkIncluded(taskId, roundNumber, rd.posts, who);
        rd.scored = true;
        uint256 sum;
        for (uint256 i; i < scores.length; ++i) {
            if (scores[i] > MAX_SCORE) revert FlScoreTooLarge(scores[i]);
            sum += scores[i];
        }
        if (sum == 0) {
            emit ScoresPosted(taskId, roundNumber, 0, 0, 0);
            return;
        }
        uint256 base = Math.min(c.rewardPool / c.rounds, s.poolLeft);
        uint256 roundPool = base + s.bonus;
        uint256 paid;
        for (uint256 i; i < who.length; ++i) {
            if (scores[i] != 0) paid += _credit(taskId, roundNumber, who[i], scores[i], sum, roundPool);
        }
        // Take from the round's base first, then from the bonus.
        uint256 fromBase = Math.min(paid, base);
        s.poolLeft -= fromBase;
        s.bonus -= paid - fromBase;
        emit ScoresPosted(taskId, roundNumber, sum, roundPool, paid);
    }

    /// @inheritdoc IFederatedTraining
    function closeTask(uint256 taskId) external {
        _config(taskId);
        TaskState storage s = _states[taskId];
        _onlyOwner(taskId, s.owner);
        if (s.closed) revert FlTaskClosed(taskId);
        _requireFinished(taskId);
        s.closed = true;
        uint256 refund = s.poolLeft + s.bonus;
        s.poolLeft = 0;
        s.bonus = 0;
        _claimable[s.owner] += refund;
        emit TaskClosed(taskId, refund);
    }

    /// @inheritdoc IFederatedTraining
    function withdrawStake(uint256 taskId, uint256 activeRound) external {
        TaskConfig storage c = _config(taskId);
        Participant storage p = _participants[taskId][msg.sender];
        if (p.status != ParticipantStatus.Active) revert FlNotParticipant(taskId, msg.sender);
        _requireFinished(taskId);
        p.status = ParticipantStatus.Withdrawn;
        uint256 forfeited;
        if (activeRound == 0 || _updates[taskId][activeRound][p.index] == bytes32(0)) {
            forfeited = (c.joinStake * INACTIVE_FORFEIT_BPS) / 10_000;
            _claimable[_states[taskId].owner] += forfeited;
        }
        _claimable[msg.sender] += c.joinStake - forfeited;
        emit StakeReturned(taskId, msg.sender, c.joinStake - forfeited, forfeited);
    }

    /// @inheritdoc IFederatedTraining
    function withdrawAggregatorStake(uint256 taskId) external {
        TaskConfig storage c = _config(taskId);
        TaskState storage s = _states[taskId];
        _onlyAggregator(taskId, c.aggregator);
        _requireFinished(taskId);
        if (!s.aggregatorStaked) revert FlAggregatorNotStaked(taskId);
        s.aggregatorStaked = false;
        _claimable[msg.sender] += c.aggregatorStake;
        emit StakeReturned(taskId, msg.sender, c.aggregatorStake, 0);
    }

    /// @inheritdoc IFederatedTraining
    function publishModel(
        uint256 taskId,
        bytes32 contentHash,
        bytes32 weightCommitment,
        IModelRegistry.Shape calldata shape,
        string calldata metadataURI
    ) external nonReentrant returns (bytes32 modelId) {
        TaskConfig storage c = _config(taskId);
        TaskState storage s = _states[taskId];
        _onlyOwner(taskId, s.owner);
        if (!s.closed) revert FlTaskNotClosed(taskId);
        if (s.published) revert FlAlreadyPublished(taskId);
        s.published = true;
        ContributorRoyalties royalties = royaltiesFactory.create(taskId, s.owner);
        uint16 cap = uint16(Math.min(ModelRegistryParams(address(registry)).params().royaltyCapBps(), type(uint16).max));
        uint16 bps = c.royaltyBps < cap ? c.royaltyBps : cap;
        modelId = royalties.publish(contentHash, weightCommitment, shape, metadataURI, bps);
        s.royalties = address(royalties);
        s.modelId = modelId;
        emit FinalModelPublished(taskId, modelId, address(royalties), s.modelRoot, contentHash);
    }

    /// @inheritdoc IFederatedTraining
    function claim() external nonReentrant returns (uint256 amount) {
        amount = _claimable[msg.sender];
        if (amount == 0) revert FlNothingToClaim(msg.sender);
        _claimable[msg.sender] = 0;
        token.safeTransfer(msg.sender, amount);
        emit Claimed(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IFederatedTraining
    function taskCount() external view returns (uint256) {
        return _taskCount;
    }

    /// @inheritdoc IFederatedTraining
    function taskConfig(uint256 taskId) external view returns (TaskConfig memory) {
        return _configs[taskId];
    }

    /// @inheritdoc IFederatedTraining
    function taskState(uint256 taskId) external view returns (TaskState memory) {
        return _states[taskId];
    }

    /// @inheritdoc IFederatedTraining
    function round(uint256 taskId, uint256 roundNumber) external view returns (Round memory) {
        return _rounds[taskId][roundNumber];
    }

    /// @inheritdoc IFederatedTraining
    function participant(uint256 taskId, address account)
        external
        view
        returns (ParticipantStatus status, uint32 index, uint64 examples)
    {
        Participant storage p = _participants[taskId][account];
        return (p.status, p.index, p.examples);
    }

    /// @inheritdoc IFederatedTraining
    function participantAt(uint256 taskId, uint32 index) external view returns (address) {
        return _accounts[taskId][index];
    }

    /// @inheritdoc IFederatedTraining
    function updateRoot(uint256 taskId, uint256 roundNumber, uint32 index) external view returns (bytes32) {
        return _updates[taskId][roundNumber][index];
    }

    /// @inheritdoc IFederatedTraining
    function shareOf(uint256 taskId, address account) external view returns (uint256) {
        return _shares[taskId][account];
    }

    /// @inheritdoc IFederatedTraining
    function claimable(address account) external view returns (uint256) {
        return _claimable[account];
    }

    /// @notice The post (1-based) that excluded participant `index` from round `roundNumber`, 0 if none did.
    function excludedIn(uint256 taskId, uint256 roundNumber, uint32 index) external view returns (uint16) {
        return _excludedIn[taskId][roundNumber][index];
    }

    // ------------------------------------------------------------------ internal

    function _config(uint256 taskId) private view returns (TaskConfig storage c) {
        if (taskId == 0 || taskId > _taskCount) revert FlUnknownTask(taskId);
        return _configs[taskId];
    }

    /// @dev The task's epsilon after `rounds` rounds; 0 without differential privacy.
    function _epsilonAfter(TaskConfig storage c, uint256 rounds) private view returns (uint256) {
        if (c.dpEpsilonMicros == 0) return 0;
        return rules.epsilonAfter(c.dpNoiseMicros, c.dpDeltaAtto, rounds);
    }

    function _isKrum(Strategy strategy) private pure returns (bool) {
        return strategy == Strategy.Krum || strategy == Strategy.MultiKrum;
    }

    function _aggregate(TaskConfig storage c, int256[] calldata values, uint256[] memory counts)
        private
        view
        returns (int256)
    {
        Strategy strategy = c.strategy;
        if (strategy == Strategy.FedMedian) return FlAggregation.median(values);
        if (strategy == Strategy.FedTrimmedAvg) return FlAggregation.trimmedMean(values, c.trimBetaBps);
        // FedAvg, FedProx (the proximal term is the clients'), and the averaging step of Krum
        // and MultiKrum over the recorded selection.
        return FlAggregation.weightedMean(values, counts);
    }

    /// @dev Strictly increasing indexes, each a submitter of the round not excluded by post `post`.
    function _checkIncluded(uint256 taskId, uint256 r, uint16 post, uint32[] calldata who) private view {
        for (uint256 i; i < who.length; ++i) {
            uint32 w = who[i];
            if (i != 0 && w <= who[i - 1]) revert FlParticipantsInvalid(i, w);
            if (_updates[taskId][r][w] == bytes32(0) || _excludedIn[taskId][r][w] == post) {
                revert FlParticipantsInvalid(i, w);
            }
        }
    }

    /// @dev The checks before a post: the staked aggregator, after the submit window, while
    ///      the round waits for an aggregate.
    function _startPost(uint256 taskId, bytes32 root) private returns (uint256 r, Round storage rd) {
        TaskConfig storage c = _config(taskId);
        _onlyAggregator(taskId, c.aggregator);
        if (!_states[taskId].aggregatorStaked) revert FlAggregatorNotStaked(taskId);
        if (root == bytes32(0)) revert FlUpdateInvalid(root, c.elementCount, c.elementCount);
        r = _syncStarted(taskId);
        rd = _rounds[taskId][r];
        uint64 submitEnd = rd.start + c.submitWindow;
        if (block.timestamp < submitEnd) revert FlSubmitWindowOpen(taskId, r, submitEnd);
        if (rd.status != RoundStatus.Open) revert FlNotAwaitingAggregate(taskId, r, rd.status);
    }

    /// @dev Krum and MultiKrum: the hash of the checked selection; other strategies select nothing.
    function _selection(uint256 taskId, uint256 r, uint16 post, uint32[] calldata selected)
        private
        view
        returns (bytes32)
    {
        TaskConfig storage c = _configs[taskId];
        if (!_isKrum(c.strategy)) {
            if (selected.length != 0) revert FlParticipantCount(selected.length, 0);
            return bytes32(0);
        }
        uint256 want = c.strategy == Strategy.Krum ? 1 : c.krumSelect;
        if (selected.length != want) revert FlParticipantCount(selected.length, want);
        _checkIncluded(taskId, r, post, selected);
        return keccak256(abi.encodePacked(selected));
    }

    function _markExcluded(uint256 taskId, uint256 r, uint16 post, uint32[] calldata excluded) private {
        _checkIncluded(taskId, r, post, excluded);
        for (uint256 i; i < excluded.length; ++i) {
            _excludedIn[taskId][r][excluded[i]] = post;
        }
    }

    function _slashParticipant(uint256 taskId, address account, address challenger) private {
        Participant storage p = _participants[taskId][account];
        if (p.status != ParticipantStatus.Active) revert FlNotParticipant(taskId, account);
        p.status = ParticipantStatus.Slashed;
        (uint256 toChallenger, uint256 toPool) = _split(_configs[taskId].joinStake);
        _claimable[challenger] += toChallenger;
        _states[taskId].bonus += toPool;
        emit ParticipantSlashed(taskId, account, challenger, toChallenger, toPool);
    }

    /// @dev Credits one participant its reward pool * score / sum and its share of the round.
    function _credit(uint256 taskId, uint256 r, uint32 who, uint256 score, uint256 sum, uint256 roundPool)
        private
        returns (uint256 reward)
    {
        address account = _accounts[taskId][who];
        // A participant proven to have sent an out-of-range value earns nothing.
        if (_participants[taskId][account].status == ParticipantStatus.Slashed) {
            revert FlNotParticipant(taskId, account);
        }
        reward = Math.mulDiv(roundPool, score, sum);
        uint256 share = Math.mulDiv(SHARES_PER_ROUND, score, sum);
        _claimable[account] += reward;
        _shares[taskId][account] += share;
        _states[taskId].totalShares += share;
        emit RewardCredited(taskId, r, account, score, reward);
    }

    /// @dev Whether the availability game opened `value` at that element of the round's live post.
    function _opened(uint256 taskId, uint256 r, uint32 target, uint32 index, int256 value) private view returns (bool) {
        return availability.isOpened(taskId, r, target, index, value, _rounds[taskId][r].posts);
    }

    function _split(uint256 amount) private pure returns (uint256 toChallenger, uint256 toPool) {
        toChallenger = (amount * CHALLENGER_BPS) / 10_000;
        toPool = amount - toChallenger;
    }

    /// @dev Takes the aggregator's whole stake: part to `challenger` (none when zero), the
    ///      rest to the bonus of the next scored round.
    function _slashAggregator(uint256 taskId, uint256 r, address challenger) private returns (uint256 stake) {
        TaskState storage s = _states[taskId];
        stake = _configs[taskId].aggregatorStake;
        s.aggregatorStaked = false;
        (uint256 toChallenger, uint256 toPool) = challenger == address(0) ? (0, stake) : _split(stake);
        _claimable[challenger] += toChallenger;
        s.bonus += toPool;
        emit AggregatorSlashed(taskId, r, toChallenger, toPool);
    }

    /// @dev A proven wrong post: the aggregator loses its stake and the round waits for a
    ///      repost by a staked aggregator until a new deadline.
    function _reopen(uint256 taskId, uint256 r, address challenger) private returns (uint256 slashed, uint64 deadline) {
        slashed = _slashAggregator(taskId, r, challenger);
        Round storage rd = _rounds[taskId][r];
        rd.status = RoundStatus.Open;
        rd.aggregateRoot = bytes32(0);
        rd.selectionHash = bytes32(0);
        deadline = uint64(block.timestamp) + _configs[taskId].aggregateWindow;
        rd.aggregateDeadline = deadline;
    }

    function _requireFinished(uint256 taskId) private {
        _sync(taskId);
        if (_states[taskId].finishedAt == 0) revert FlTaskNotFinished(taskId);
    }

    /// @dev `_sync`, refusing a task whose first round has not started.
    function _syncStarted(uint256 taskId) private returns (uint256 r) {
        r = _syncRunning(taskId);
        if (r == 0) revert FlNotStarted(taskId, _configs[taskId].startsAt);
    }

    /// @dev `_sync`, refusing a finished task.
    function _syncRunning(uint256 taskId) private returns (uint256 r) {
        r = _sync(taskId);
        if (_states[taskId].finishedAt != 0) {
            TaskConfig storage c = _configs[taskId];
            // Stopped by the budget before its last round: the round it would be in cannot start.
            if (r < c.rounds && c.dpEpsilonMicros != 0) {
                revert FlPrivacyBudgetExceeded(taskId, r + 1, _epsilonAfter(c, r + 1), c.dpEpsilonMicros);
            }
            revert FlTaskFinished(taskId);
        }
    }

    function _onlyOwner(uint256 taskId, address taskOwner) private view {
        if (msg.sender != taskOwner) revert FlNotOwner(taskId, msg.sender);
    }

    function _onlyAggregator(uint256 taskId, address taskAggregator) private view {
        if (msg.sender != taskAggregator) revert FlNotAggregator(taskId, msg.sender);
    }

    /// @dev Rolls the task forward to now: settles every round whose time is over and opens
    ///      the next one at the moment the previous one settled. Returns the current round
    ///      (0 before the start).
    function _sync(uint256 taskId) private returns (uint256 r) {
        TaskState storage s = _states[taskId];
        TaskConfig storage c = _configs[taskId];
        r = s.currentRound;
        if (s.finishedAt != 0) return r;
        if (r == 0) {
            if (block.timestamp < c.startsAt) return 0;
            r = 1;
            _open(taskId, c, 1, c.startsAt, _epsilonAfter(c, 1));
        }
        // At most MAX_SETTLE_PER_CALL rounds per call, so that a long idle task can always be
        // rolled forward within a block by repeated `advance` calls.
        for (uint256 settled; settled < MAX_SETTLE_PER_CALL; ++settled) {
            (bool done, uint64 end) = _settle(taskId, c, r);
            if (!done) return r;
            // A private task also ends where its next round would pass the budget: that round never opens.
            uint256 epsilon = r == c.rounds ? 0 : _epsilonAfter(c, r + 1);
            if (r == c.rounds || epsilon > c.dpEpsilonMicros) {
                s.finishedAt = end;
                emit TaskFinished(taskId, end, s.modelRoot);
                return r;
            }
            ++r;
            _open(taskId, c, r, end, epsilon);
        }
    }

    /// @dev Opens round `r`; `epsilon` is what a private task has spent once it is.
    function _open(uint256 taskId, TaskConfig storage c, uint256 r, uint64 start, uint256 epsilon) private {
        Round storage rd = _rounds[taskId][r];
        rd.status = RoundStatus.Open;
        rd.start = start;
        rd.aggregateDeadline = start + c.submitWindow + c.aggregateWindow;
        _states[taskId].currentRound = uint16(r);
        emit RoundOpened(taskId, r, start, start + c.submitWindow);
        // Spent when the round opens: its updates are published whether or not it aggregates.
        if (c.dpEpsilonMicros != 0) emit PrivacySpent(taskId, r, epsilon, c.dpEpsilonMicros);
    }

    /// @dev Whether round `r` is over by now, and when it ended; closes it if so.
    function _settle(uint256 taskId, TaskConfig storage c, uint256 r) private returns (bool, uint64) {
        Round storage rd = _rounds[taskId][r];
        TaskState storage s = _states[taskId];
        uint64 end;
        if (rd.status == RoundStatus.Posted) {
            // A post made void by an unanswered demand closes the round empty at that moment.
            end = _voidAt[taskId][r];
            if (end == 0) {
                uint64 challengeEnd = rd.postedAt + c.challengeWindow;
                (uint32 pending, uint64 lastDeadline, uint64 extended) = availability.holdOf(taskId, r, rd.posts);
                if (pending == 0) {
                    // Answers keep challenges open one more window, so opened values stay usable.
                    if (extended > challengeEnd) challengeEnd = extended;
                    if (block.timestamp < challengeEnd) return (false, 0);
                    rd.status = RoundStatus.Final;
                    s.modelRoot = rd.aggregateRoot;
                    emit RoundClosed(taskId, r, RoundStatus.Final, rd.aggregateRoot);
                    return (true, challengeEnd);
                }
                // Pending demands hold the round; one still pending at the last deadline voids
                // it even if nobody settled it yet (the aggregator's stake then all to the pool).
                if (block.timestamp < lastDeadline) return (false, 0);
                end = lastDeadline;
                if (s.aggregatorStaked) _slashAggregator(taskId, r, address(0));
            }
        } else {
            // Open: submissions, then waiting for the aggregate.
            uint64 submitEnd = rd.start + c.submitWindow;
            if (block.timestamp < submitEnd) return (false, 0);
            if (rd.submissions < c.quorum) {
                end = submitEnd;
            } else {
                if (block.timestamp < rd.aggregateDeadline) return (false, 0);
                end = rd.aggregateDeadline;
                if (s.aggregatorStaked) _slashAggregator(taskId, r, address(0));
            }
        }
        rd.status = RoundStatus.Empty;
        emit RoundClosed(taskId, r, RoundStatus.Empty, s.modelRoot);
        return (true, end);
    }

    /// @dev Pulls `amount` from `from`, refusing with a named error when it was not approved.
    function _pull(address from, uint256 amount) private {
        if (amount == 0) return;
        uint256 approved = token.allowance(from, address(this));
        if (approved < amount) revert FlStakeMissing(from, amount, approved);
        token.safeTransferFrom(from, address(this), amount);
    }
}

/// @dev The registry's public `params` getter, which IModelRegistry does not declare.
interface ModelRegistryParams {
    function params() external view returns (ITrellisParams);
}
