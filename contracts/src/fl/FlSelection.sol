// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IFederatedTraining} from "../interfaces/IFederatedTraining.sol";
import {IFlAvailability, IFlAvailabilityCoordinator} from "../interfaces/IFlAvailability.sol";
import {IFlSelection} from "../interfaces/IFlSelection.sol";
import {FlAggregation} from "../libraries/FlAggregation.sol";
import {TraceMerkle} from "../libraries/TraceMerkle.sol";

/// @dev The coordinator's hook for a proven wrong post, and its availability game.
interface IFlSelectionCoordinator {
    function reportWrongSelection(uint256 taskId, uint256 round, address challenger) external;
    function availability() external view returns (IFlAvailability);
}

/// @title FlSelection
/// @notice The Krum selection game of one coordinator, which creates it (docs/fl.md,
///         "Krum's selection"). It holds no money: a proven fault is reported to the
///         coordinator, which slashes the aggregator and reopens the round.
/// @dev Matrix leaf = keccak256(abi.encode(uint32 a, uint32 b, uint256 distance, bytes32
///      prefixRoot)), 128 bytes, so never confused with a 64-byte inner node; the leaves in
///      pair order form a TraceMerkle tree. A prefix tree is the TraceMerkle tree of the
///      pair's prefix sums as 32-byte words, one leaf per element.
contract FlSelection is IFlSelection {
    /// @notice No two vectors of at most 2^32 elements with |q| < 2^47 are further apart.
    uint256 public constant MAX_DISTANCE = 1 << 128;

    IFederatedTraining public immutable coordinator;

    mapping(uint256 taskId => mapping(uint256 round => mapping(uint16 post => Matrix))) private _matrices;

    constructor() {
        coordinator = IFederatedTraining(msg.sender);
    }

    /// @inheritdoc IFlSelection
    function commitDistances(
        uint256 taskId,
        uint32[] calldata participants,
        uint256[] calldata distances,
        bytes32[] calldata prefixRoots,
        string calldata cid
    ) external {
        (uint256 r, uint16 post) = _nextPost(taskId, participants.length);
        _checkSubmitters(taskId, r, participants);
        bytes32 root = _checkedRoot(participants, distances, prefixRoots);
        _matrices[taskId][r][post] = Matrix({root: root, participants: uint32(participants.length)});
        emit DistancesCommitted(taskId, r, post, root, participants, distances, prefixRoots, cid);
    }

    /// @inheritdoc IFlSelection
    function challengeSelection(
        uint256 taskId,
        uint32[] calldata participants,
        uint256[] calldata distances,
        bytes32[] calldata prefixRoots
    ) external {
        (uint256 r, IFederatedTraining.Round memory rd) = _livePost(taskId);
        bytes32 root = _matrices[taskId][r][rd.posts].root;
        if (root != bytes32(0)) {
            _checkSubmitters(taskId, r, participants);
            bytes32 rebuilt = _checkedRoot(participants, distances, prefixRoots);
            if (rebuilt != root) revert FlMatrixMismatch(rebuilt, root);
        }
        uint32[] memory selected = _wrongSelection(taskId, r, rd, root, participants, distances);
        IFlSelectionCoordinator(address(coordinator)).reportWrongSelection(taskId, r, msg.sender);
        emit SelectionChallenged(taskId, r, msg.sender, selected);
    }

    /// @inheritdoc IFlSelection
    function challengeDistance(uint256 taskId, DistanceChallenge calldata ch) external {
        (uint256 r, IFederatedTraining.Round memory rd) = _livePost(taskId);
        Matrix memory m = _matrices[taskId][r][rd.posts];
        if (m.root == bytes32(0)) revert FlNoDistances(taskId, r);
        uint256 n = _pairs(m.participants);
        bytes32 leaf = keccak256(abi.encode(ch.a, ch.b, ch.distance, ch.prefixRoot));
        if (
            ch.position >= n
                || TraceMerkle.rootFromExactPath(leaf, ch.position, ch.leafProof, TraceMerkle.depthOf(n)) != m.root
        ) {
            revert FlLeafInvalid(ch.position);
        }
        if (!_distanceWrong(taskId, r, rd.posts, ch)) revert FlDistanceCorrect(ch.a, ch.b, ch.element);
        IFlSelectionCoordinator(address(coordinator)).reportWrongSelection(taskId, r, msg.sender);
        emit DistanceChallenged(taskId, r, msg.sender, ch.a, ch.b, ch.element);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IFlSelection
    function matrixOf(uint256 taskId, uint256 r, uint16 post) external view returns (Matrix memory) {
        return _matrices[taskId][r][post];
    }

    /// @inheritdoc IFlSelection
    function selectionOf(uint32[] calldata participants, uint256[] calldata distances, uint256 f, uint256 m)
        external
        pure
        returns (uint32[] memory)
    {
        uint256 n = _pairs(participants.length);
        if (distances.length != n) revert FlLeafCount(distances.length, n);
        if (m == 0 || m > participants.length) revert IFederatedTraining.FlParticipantCount(m, participants.length);
        return _selection(participants, distances, f, m);
    }

    // ------------------------------------------------------------------ internal

    function _pairs(uint256 k) private pure returns (uint256) {
        return k < 2 ? 0 : (k * (k - 1)) / 2;
    }

    function _krumConfig(uint256 taskId) private view returns (IFederatedTraining.TaskConfig memory c) {
        c = coordinator.taskConfig(taskId);
        if (c.strategy != IFederatedTraining.Strategy.Krum && c.strategy != IFederatedTraining.Strategy.MultiKrum) {
            revert FlNotKrumTask(taskId);
        }
    }

    /// @dev The current round and the number its next post will have, for the task's
    ///      aggregator while the round waits for an aggregate, with at least `quorum` updates.
    function _nextPost(uint256 taskId, uint256 k) private returns (uint256 r, uint16 post) {
        coordinator.advance(taskId);
        IFederatedTraining.TaskConfig memory c = _krumConfig(taskId);
        if (msg.sender != c.aggregator) revert IFederatedTraining.FlNotAggregator(taskId, msg.sender);
        r = coordinator.taskState(taskId).currentRound;
        IFederatedTraining.Round memory rd = coordinator.round(taskId, r);
        if (rd.status != IFederatedTraining.RoundStatus.Open) {
            revert IFederatedTraining.FlNotAwaitingAggregate(taskId, r, rd.status);
        }
        if (k < c.quorum) revert IFederatedTraining.FlParticipantCount(k, c.quorum);
        post = rd.posts + 1;
    }

    /// @dev The round and its live post, after rolling the task forward.
    function _livePost(uint256 taskId) private returns (uint256 r, IFederatedTraining.Round memory rd) {
        coordinator.advance(taskId);
        r = coordinator.taskState(taskId).currentRound;
        rd = coordinator.round(taskId, r);
        if (rd.status != IFederatedTraining.RoundStatus.Posted) {
            revert IFederatedTraining.FlNotChallengeable(taskId, r, rd.status);
        }
    }

    /// @dev Refuses a post that stands: returns the matrix's selection when it is not the
    ///      recorded one, or nothing when the post is wrong as it stands (a Krum post with no
    ///      matrix, or one over other updates than it included, could not be challenged).
    function _wrongSelection(
        uint256 taskId,
        uint256 r,
        IFederatedTraining.Round memory rd,
        bytes32 root,
        uint32[] calldata who,
        uint256[] calldata distances
    ) private view returns (uint32[] memory selected) {
        IFederatedTraining.TaskConfig memory c = _krumConfig(taskId);
        if (root == bytes32(0) || !_coversIncluded(taskId, r, rd, who)) return selected;
        selected = _selection(
            who, distances, c.krumByzantine, c.strategy == IFederatedTraining.Strategy.Krum ? 1 : c.krumSelect
        );
        if (keccak256(abi.encodePacked(selected)) == rd.selectionHash) revert FlSelectionCorrect(taskId, r);
    }

    /// @dev Strictly increasing submitters of round `r`.
    function _checkSubmitters(uint256 taskId, uint256 r, uint32[] calldata who) private view {
        for (uint256 i; i < who.length; ++i) {
            if ((i != 0 && who[i] <= who[i - 1]) || coordinator.updateRoot(taskId, r, who[i]) == bytes32(0)) {
                revert FlPairNotIncluded(i, who[i]);
            }
        }
    }

    /// @dev Whether submitters `who` are exactly the updates the live post included.
    function _coversIncluded(uint256 taskId, uint256 r, IFederatedTraining.Round memory rd, uint32[] calldata who)
        private
        view
        returns (bool)
    {
        if (who.length != rd.included) return false;
        for (uint256 i; i < who.length; ++i) {
            if (IFlAvailabilityCoordinator(address(coordinator)).excludedIn(taskId, r, who[i]) == rd.posts) {
                return false;
            }
        }
        return true;
    }

    /// @dev The root over one leaf per pair, in pair order; the participants bind each leaf to its pair.
    function _checkedRoot(uint32[] calldata who, uint256[] calldata distances, bytes32[] calldata prefixRoots)
        private
        pure
        returns (bytes32)
    {
        uint256 k = who.length;
        uint256 n = _pairs(k);
        if (distances.length != n) revert FlLeafCount(distances.length, n);
        if (prefixRoots.length != n) revert FlLeafCount(prefixRoots.length, n);
        for (uint256 i; i < n; ++i) {
            if (distances[i] > MAX_DISTANCE) revert FlDistanceTooLarge(i, distances[i]);
        }
        bytes32[] memory leaves = new bytes32[](n);
        uint256 pos;
        for (uint256 p; p < k; ++p) {
            for (uint256 q = p + 1; q < k; ++q) {
                leaves[pos] = keccak256(abi.encode(who[p], who[q], distances[pos], prefixRoots[pos]));
                ++pos;
            }
        }
        return TraceMerkle.rootOfLeaves(leaves);
    }

    /// @dev Whether the opened element contradicts the leaf: a wrong step of the prefix sums
    ///      there, or, at the last element, a last prefix sum other than the distance.
    function _distanceWrong(uint256 taskId, uint256 r, uint16 post, DistanceChallenge calldata ch)
        private
        view
        returns (bool wrong)
    {
        uint32 elements = coordinator.taskConfig(taskId).elementCount;
        if (ch.element >= elements) revert IFederatedTraining.FlIndexOutOfRange(ch.element, elements);
        uint256 depth = TraceMerkle.depthOf(elements);
        _checkValue(taskId, r, post, ch.a, ch.element, ch.valueA, ch.proofA, depth);
        _checkValue(taskId, r, post, ch.b, ch.element, ch.valueB, ch.proofB, depth);
        _checkPrefix(ch.prefixRoot, ch.element, ch.prefixAt, ch.proofAt, depth);
        int256 diff = FlAggregation.clamp(ch.valueA) - FlAggregation.clamp(ch.valueB);
        uint256 square = uint256(diff * diff);
        if (ch.element == 0) {
            wrong = ch.prefixAt != square;
        } else {
            _checkPrefix(ch.prefixRoot, ch.element - 1, ch.prefixBefore, ch.proofBefore, depth);
            // Compared without adding, so that no committed value can make the check overflow.
            wrong = ch.prefixAt < ch.prefixBefore || ch.prefixAt - ch.prefixBefore != square;
        }
        if (ch.element + 1 == elements && ch.prefixAt != ch.distance) wrong = true;
    }

    /// @dev The update value of `who` at `element`: its path to the committed root, or (empty
    ///      path) the value the availability game opened for that element.
    function _checkValue(
        uint256 taskId,
        uint256 r,
        uint16 post,
        uint32 who,
        uint32 element,
        int256 value,
        bytes32[] calldata path,
        uint256 depth
    ) private view {
        bytes32 committed = coordinator.updateRoot(taskId, r, who);
        if (
            committed == bytes32(0)
                || IFlAvailabilityCoordinator(address(coordinator)).excludedIn(taskId, r, who) == post
        ) {
            revert FlPairNotIncluded(0, who);
        }
        if (TraceMerkle.rootFromExactPath(TraceMerkle.elementLeaf(value), element, path, depth) == committed) return;
        IFlAvailability game = IFlSelectionCoordinator(address(coordinator)).availability();
        if (path.length == 0 && game.isOpened(taskId, r, who, element, value, post)) return;
        revert IFederatedTraining.FlProofInvalid(who);
    }

    function _checkPrefix(bytes32 prefixRoot, uint32 element, uint256 value, bytes32[] calldata path, uint256 depth)
        private
        pure
    {
        if (TraceMerkle.rootFromExactPath(bytes32(value), element, path, depth) != prefixRoot) {
            revert FlPrefixInvalid(element);
        }
    }

    /// @dev Krum scores over the matrix and the m lowest, ties to the lower position (the
    ///      participants are increasing, so to the lower participant index), in increasing order.
    function _selection(uint32[] calldata who, uint256[] calldata distances, uint256 f, uint256 m)
        private
        pure
        returns (uint32[] memory selected)
    {
        uint256 k = who.length;
        uint256 closest = k > f + 3 ? k - f - 2 : 1;
        uint256[] memory scores = new uint256[](k);
        uint256[] memory row = new uint256[](k - 1);
        for (uint256 i; i < k; ++i) {
            uint256 len;
            for (uint256 j; j < k; ++j) {
                if (j == i) continue;
                // Insertion into the sorted row of i's distances so far.
                uint256 d = distances[_pairIndex(k, i < j ? i : j, i < j ? j : i)];
                uint256 slot = len++;
                while (slot > 0 && row[slot - 1] > d) {
                    row[slot] = row[slot - 1];
                    --slot;
                }
                row[slot] = d;
            }
            uint256 s;
            for (uint256 t; t < closest; ++t) {
                s += row[t];
            }
            scores[i] = s;
        }
        // The m lowest scores: m passes, each taking the lowest not yet taken (the first on a tie).
        bool[] memory taken = new bool[](k);
        for (uint256 pass; pass < m; ++pass) {
            uint256 best = k;
            for (uint256 i; i < k; ++i) {
                if (!taken[i] && (best == k || scores[i] < scores[best])) best = i;
            }
            taken[best] = true;
        }
        selected = new uint32[](m);
        uint256 out;
        for (uint256 i; i < k; ++i) {
            if (taken[i]) selected[out++] = who[i];
        }
    }

    /// @dev Position of pair (p, q), p < q, in pair order over k participants.
    function _pairIndex(uint256 k, uint256 p, uint256 q) private pure returns (uint256) {
        return p * k - (p * (p + 1)) / 2 + (q - p - 1);
    }
}

