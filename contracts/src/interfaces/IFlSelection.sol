// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IFlSelection
/// @notice The Krum selection game of federated training (docs/fl.md, "Krum's selection").
///         Before a Krum or Multi-Krum post the aggregator commits here the squared
///         distances d(a, b) of every pair of the updates it includes (a < b), each with the
///         root of the pair's prefix-sum tree (leaf e = sum over elements 0..e of
///         (u_a[e] - u_b[e])^2); this contract builds the matrix root from them. Anyone may
///         then prove, in one transaction each, that one distance is wrong (one element of
///         the two updates and one or two prefix sums), or that the post has no matrix over
///         exactly its included updates or another selection than its matrix gives (all
///         leaves, every score recomputed). Each costs the aggregator its stake through the
///         coordinator, exactly like a wrong aggregate element.
interface IFlSelection {
    /// @notice A claim that the matrix leaf at `position` (pair `a`, `b`) is false at `element`:
    ///         either prefix[element] - prefix[element - 1] (prefix[0] alone for element 0)
    ///         is not (u_a[element] - u_b[element])^2, or element is the last and its prefix
    ///         sum is not the claimed distance. An empty update path takes the value the
    ///         availability game opened for that element instead.
    struct DistanceChallenge {
        uint32 position;
        uint32 a;
        uint32 b;
        uint256 distance;
        bytes32 prefixRoot;
        bytes32[] leafProof;
        uint32 element;
        int256 valueA;
        bytes32[] proofA;
        int256 valueB;
        bytes32[] proofB;
        uint256 prefixAt;
        bytes32[] proofAt;
        /// @dev prefix[element - 1] and its path; ignored for element 0.
        uint256 prefixBefore;
        bytes32[] proofBefore;
    }

    /// @notice A matrix's root and how many participants it covers.
    struct Matrix {
        bytes32 root;
        uint32 participants;
    }

    /// @notice The task's strategy is not Krum or MultiKrum.
    error FlNotKrumTask(uint256 taskId);
    /// @notice The matrix has the wrong number of leaves for its participants: K(K-1)/2.
    error FlLeafCount(uint256 given, uint256 expected);
    /// @notice A distance above 2^128, more than any pair of in-range vectors can be apart.
    error FlDistanceTooLarge(uint256 position, uint256 distance);
    /// @notice The round's live post has no distance matrix to open a leaf of.
    error FlNoDistances(uint256 taskId, uint256 round);
    /// @notice A participant that did not submit in the round, or that the live post
    ///         excluded where an included update is needed (or the list is not strictly increasing).
    error FlPairNotIncluded(uint256 position, uint32 participant);
    /// @notice The leaves given do not rebuild the committed matrix root.
    error FlMatrixMismatch(bytes32 rebuilt, bytes32 committed);
    /// @notice The matrix covers exactly the included updates and gives the recorded
    ///         selection: nothing to slash.
    error FlSelectionCorrect(uint256 taskId, uint256 round);
    /// @notice The matrix leaf and its path do not lead to the committed matrix root.
    error FlLeafInvalid(uint32 position);
    /// @notice A prefix sum's path does not lead to the pair's prefix root.
    error FlPrefixInvalid(uint32 element);
    /// @notice The opened element is consistent with the distance: nothing to slash.
    error FlDistanceCorrect(uint32 a, uint32 b, uint32 element);

    /// @notice The matrix for post `post` of a round; the arrays are in pair order
    ///         (0,1), (0,2), ..., (0,K-1), (1,2), ... over `participants`.
    event DistancesCommitted(
        uint256 indexed taskId,
        uint256 indexed round,
        uint16 post,
        bytes32 root,
        uint32[] participants,
        uint256[] distances,
        bytes32[] prefixRoots,
        string cid
    );
    /// @notice A post was proven wrong (the coordinator's AggregatorSlashed says for how
    ///         much): `selected` is its matrix's own selection (empty when it had no matrix over
    ///         exactly its included updates).
    event SelectionChallenged(
        uint256 indexed taskId, uint256 indexed round, address indexed challenger, uint32[] selected
    );
    /// @notice A distance was proven wrong at `element`.
    event DistanceChallenged(
        uint256 indexed taskId, uint256 indexed round, address indexed challenger, uint32 a, uint32 b, uint32 element
    );

    /// @notice The aggregator commits the matrix of its next post of the current round while
    ///         the round waits for an aggregate (a later commitment for the same post replaces
    ///         it): `participants` strictly increasing, each a submitter of the round, one
    ///         distance and prefix root per pair. The post must include exactly them.
    function commitDistances(
        uint256 taskId,
        uint32[] calldata participants,
        uint256[] calldata distances,
        bytes32[] calldata prefixRoots,
        string calldata cid
    ) external;

    /// @notice Proves the live Krum post wrong: it has no matrix, or its matrix (`distances`
    ///         and `prefixRoots`, every leaf in pair order over `participants`) covers other
    ///         updates than it included or gives another selection than the recorded one.
    function challengeSelection(
        uint256 taskId,
        uint32[] calldata participants,
        uint256[] calldata distances,
        bytes32[] calldata prefixRoots
    ) external;

    /// @notice Proves one distance of the live post's matrix wrong at one element.
    function challengeDistance(uint256 taskId, DistanceChallenge calldata challenge) external;

    /// @notice The matrix of post `post` of a round (zero root if none).
    function matrixOf(uint256 taskId, uint256 round, uint16 post) external view returns (Matrix memory);

    /// @notice The Krum selection a matrix gives, in increasing participant order: scores are
    ///         the sums of each update's max(1, K - f - 2) smallest distances, the m lowest
    ///         scores win, ties to the lower participant index.
    function selectionOf(uint32[] calldata participants, uint256[] calldata distances, uint256 f, uint256 m)
        external
        pure
        returns (uint32[] memory selected);
}
