// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";

/// @title DisputeBook
/// @notice What the dispute handlers did, kept apart from the contracts they drive: the
///         receipts signed, the disputes opened and the move each one waits for, and the
///         payouts those moves must have produced under the game's rules (bonds, slashes,
///         refund reserves, compensation). Every sum here is built from handler actions and
///         the rules, never read back from the game or the registry. Not a fuzz target.
contract DisputeBook {
    /// @notice A handler booked the end of a dispute twice.
    error AlreadyResolved(uint256 dispute);

    // ------------------------------------------------------------------ rules (as configured)

    uint256 public immutable slashAmount;
    uint256 public immutable compensation;
    uint256 public immutable maxRefund;
    uint256 public immutable challengerShareBps;
    uint256 public immutable maxOpen;
    uint256 public immutable moveTimeout;
    uint256 public immutable refundPeriod;
    address public immutable treasury;

    /// @notice What a trace claims, and so which move shows it wrong.
    uint8 public constant HONEST = 0;
    /// @dev Dense element 1 off by one ([-4, 11], then [0, 11]).
    uint8 public constant WRONG_DENSE_1 = 1;
    /// @dev Dense element 0 off by one ([-3, 10]); relu hides it, the output is honest.
    uint8 public constant WRONG_DENSE_0 = 2;
    /// @dev Relu element 1 wrong ([0, 12]) over an honest dense tensor.
    uint8 public constant WRONG_RELU = 3;
    /// @dev A non-zero padding slot in the relu tensor's chunk (nothing out of range can be packed).
    uint8 public constant PADDING_NOT_ZERO = 4;
    /// @dev The honest trace, on a model whose shape contradicts its committed parameters.
    uint8 public constant SHAPE_MISMATCH = 5;

    /// @notice Model kinds the publisher produces.
    uint8 public constant MODEL_GOOD = 0;
    uint8 public constant MODEL_SHAPE_MISMATCH = 1;
    uint8 public constant MODEL_BAD_COMMITMENT = 2;
    uint8 public constant MODEL_NO_COMMITMENT = 3;

    struct ReceiptRecord {
        IDisputeGame.Receipt receipt;
        bytes signature;
        bytes32 digest;
        uint8 kind;
    }

    struct DisputeRecord {
        bytes32 id;
        uint256 receipt;
        address challenger;
        address provider;
        uint256 bond;
        IDisputeGame.Phase phase;
        uint64 deadline;
        uint32 layer;
        uint32 element;
        bool open;
    }

    struct Reserve {
        address client;
        bytes32 channel;
        uint256 before;
        uint256 fee;
        uint256 reserved;
        uint256 paid;
        uint64 sweepableAt;
        bool swept;
    }

    // ------------------------------------------------------------------ actors and models

    address public honestProvider;
    address public cheater;
    address[] public honestChallengers;
    address public griefer;
    address[] public clients;
    uint256[] public clientKeys;
    bytes32[] public models;
    mapping(bytes32 modelId => uint8) public modelKind;

    // ------------------------------------------------------------------ receipts and disputes

    ReceiptRecord[] internal _receipts;
    DisputeRecord[] internal _disputes;
    /// @dev Indices into `_disputes` of the disputes still open.
    uint256[] public openList;
    mapping(bytes32 digest => mapping(address challenger => bool)) public opened;
    mapping(bytes32 digest => bool) public ghost_settled;
    mapping(bytes32 digest => uint256) public ghost_slashes;
    /// @dev Wrong receipts an honest challenger played to the end.
    bytes32[] public playedToEnd;

    // ------------------------------------------------------------------ ghost money

    mapping(address account => uint256) public ghost_credited;
    mapping(address account => uint256) public ghost_claimed;
    mapping(address provider => uint256) public ghost_openOf;
    uint256 public ghost_bondsOpen;
    mapping(address provider => uint256) public ghost_staked;
    mapping(address provider => uint256) public ghost_withdrawn;
    mapping(address provider => uint256) public ghost_slashed;

    bytes32[] public reserveList;
    mapping(bytes32 digest => Reserve) internal _reserves;

    // escrow side: what clients deposited, signed and had redeemed, per channel
    mapping(address client => uint256) public ghost_escrowBalance;
    mapping(bytes32 channel => uint256) public ghost_channelTotal;
    mapping(bytes32 channel => uint256) public ghost_channelRedeemed;
    bytes32[] public channels;
    mapping(bytes32 channel => bytes) internal _voucherSig;
    mapping(bytes32 channel => address[2]) internal _channelParties;
    mapping(bytes32 channel => bytes32) public channelModel;

    // ------------------------------------------------------------------ path counters

    uint256 public ghost_cheatsCaught;
    uint256 public ghost_caughtByStep;
    uint256 public ghost_caughtByShape;
    uint256 public ghost_caughtByPadding;
    uint256 public ghost_griefsLost;
    uint256 public ghost_providerTimeouts;
    uint256 public ghost_challengerTimeouts;
    uint256 public ghost_closes;
    uint256 public ghost_refundsClaimed;
    uint256 public ghost_refundsSwept;
    uint256 public ghost_claims;
    uint256 public ghost_badMovesRefused;
    uint256 public ghost_withdrawRefused;
    uint256 public ghost_stakeWithdrawals;
    uint256 public ghost_malformedRefused;
    uint256 public ghost_modelsPublished;
    /// @dev Set when a move that must fail went through; the suite fails on it.
    bool public ghost_badMoveAccepted;

    constructor(IDisputeGame.Config memory config, uint256 refundPeriod_, address treasury_) {
        slashAmount = config.slashAmount;
        compensation = config.defenceCompensation;
        maxRefund = config.maxRefund;
        challengerShareBps = config.challengerShareBps;
        maxOpen = config.maxOpenPerProvider;
        moveTimeout = config.moveTimeout;
        refundPeriod = refundPeriod_;
        treasury = treasury_;
    }

    // ------------------------------------------------------------------ set-up

    function setActors(address honest, address cheating, address[] calldata challengers_, address griefer_) external {
        honestProvider = honest;
        cheater = cheating;
        honestChallengers = challengers_;
        griefer = griefer_;
    }

    function addClient(address client, uint256 key) external {
        clients.push(client);
        clientKeys.push(key);
    }

    function addModel(bytes32 modelId, uint8 kind) external {
        models.push(modelId);
        modelKind[modelId] = kind;
        ++ghost_modelsPublished;
    }

    // ------------------------------------------------------------------ stake

    function bookStaked(address provider, uint256 amount) external {
        ghost_staked[provider] += amount;
    }

    function bookWithdrawn(address provider, uint256 amount) external {
        ghost_withdrawn[provider] += amount;
        ++ghost_stakeWithdrawals;
    }

    /// @notice Stake the provider still holds by the ghost ledger (active plus unbonding).
    function stakeOf(address provider) public view returns (uint256) {
        return ghost_staked[provider] - ghost_withdrawn[provider] - ghost_slashed[provider];
    }

    // ------------------------------------------------------------------ escrow

    function bookDeposit(address client, uint256 amount) external {
        ghost_escrowBalance[client] += amount;
    }

    /// @notice A client signed `total` on a channel (the provider's latest voucher).
    function bookVoucher(
        bytes32 channel,
        address client,
        address provider,
        bytes32 modelId,
        uint256 total,
        bytes calldata sig
    ) external {
        if (_channelParties[channel][0] == address(0)) {
            channels.push(channel);
            _channelParties[channel] = [client, provider];
            channelModel[channel] = modelId;
        }
        ghost_channelTotal[channel] = total;
        _voucherSig[channel] = sig;
    }

    function voucherOf(bytes32 channel)
        external
        view
        returns (address client, address provider, bytes32 modelId, uint256 total, bytes memory sig)
    {
        address[2] memory parties = _channelParties[channel];
        return (parties[0], parties[1], channelModel[channel], ghost_channelTotal[channel], _voucherSig[channel]);
    }

    /// @notice What a redemption of the latest voucher pays: the owed part, as far as the
    ///         client's balance goes.
    function redemptionDue(bytes32 channel) public view returns (uint256) {
        address client = _channelParties[channel][0];
        uint256 owed = ghost_channelTotal[channel] - ghost_channelRedeemed[channel];
        uint256 balance = ghost_escrowBalance[client];
        return owed < balance ? owed : balance;
    }

    function bookRedemption(bytes32 channel, uint256 paid) external {
        ghost_channelRedeemed[channel] += paid;
        ghost_escrowBalance[_channelParties[channel][0]] -= paid;
    }

    function channelCount() external view returns (uint256) {
        return channels.length;
    }

    // ------------------------------------------------------------------ receipts

    function addReceipt(IDisputeGame.Receipt calldata receipt, bytes calldata signature, bytes32 digest, uint8 kind)
        external
    {
        _receipts.push(ReceiptRecord(receipt, signature, digest, kind));
    }

    function receiptCount() external view returns (uint256) {
        return _receipts.length;
    }

    function receiptAt(uint256 i) external view returns (ReceiptRecord memory) {
        return _receipts[i];
    }

    // ------------------------------------------------------------------ disputes

    function bookOpen(bytes32 id, uint256 receipt, address challenger, uint256 bond) external {
        ReceiptRecord storage r = _receipts[receipt];
        address provider = r.receipt.provider;
        opened[r.digest][challenger] = true;
        openList.push(_disputes.length);
        _disputes.push(
            DisputeRecord({
                id: id,
                receipt: receipt,
                challenger: challenger,
                provider: provider,
                bond: bond,
                phase: IDisputeGame.Phase.AwaitRoots,
                deadline: uint64(block.timestamp + moveTimeout),
                layer: 0,
                element: 0,
                open: true
            })
        );
        ghost_openOf[provider] += 1;
        ghost_bondsOpen += bond;
    }

    /// @notice A move that leaves the dispute running, now waiting for `phase`.
    function bookMove(uint256 d, IDisputeGame.Phase phase, uint32 layer, uint32 element) external {
        DisputeRecord storage rec = _disputes[d];
        rec.phase = phase;
        rec.layer = layer;
        rec.element = element;
        rec.deadline = uint64(block.timestamp + moveTimeout);
    }

    function openCount() external view returns (uint256) {
        return openList.length;
    }

    function disputeAt(uint256 d) external view returns (DisputeRecord memory) {
        return _disputes[d];
    }

    function disputeCount() external view returns (uint256) {
        return _disputes.length;
    }

    /// @notice The dispute ended: books every payout the game's rules give for it.
    /// @param providerLost Whether the provider lost (a receipt already settled elsewhere
    ///        then only returns the challenger's bond).
    function bookResolved(uint256 d, bool providerLost) external {
        DisputeRecord storage rec = _disputes[d];
        if (!rec.open) revert AlreadyResolved(d);
        rec.open = false;
        rec.phase = IDisputeGame.Phase.None;
        for (uint256 i; i < openList.length; ++i) {
            if (openList[i] == d) {
                openList[i] = openList[openList.length - 1];
                openList.pop();
                break;
            }
        }
        ghost_openOf[rec.provider] -= 1;
        ghost_bondsOpen -= rec.bond;
        ReceiptRecord storage r = _receipts[rec.receipt];
        if (!providerLost) {
            uint256 toProvider = rec.bond < compensation ? rec.bond : compensation;
            _credit(rec.provider, toProvider);
            _credit(treasury, rec.bond - toProvider);
            return;
        }
        _credit(rec.challenger, rec.bond);
        if (r.kind != HONEST && _isHonestChallenger(rec.challenger)) playedToEnd.push(r.digest);
        if (ghost_settled[r.digest]) return;
        ghost_settled[r.digest] = true;
        ghost_slashes[r.digest] += 1;
        uint256 held = stakeOf(rec.provider);
        uint256 slashed = slashAmount < held ? slashAmount : held;
        ghost_slashed[rec.provider] += slashed;
        uint256 reserved = r.receipt.fee < maxRefund ? r.receipt.fee : maxRefund;
        if (reserved > slashed) reserved = slashed;
        uint256 rest = slashed - reserved;
        uint256 reward = (rest * challengerShareBps) / 10_000;
        _credit(rec.challenger, reward);
        _credit(treasury, rest - reward);
        if (reserved != 0) {
            reserveList.push(r.digest);
            _reserves[r.digest] = Reserve({
                client: r.receipt.client,
                channel: keccak256(abi.encode(r.receipt.client, r.receipt.provider, r.receipt.modelId)),
                before: r.receipt.channelTotal > r.receipt.fee ? r.receipt.channelTotal - r.receipt.fee : 0,
                fee: r.receipt.fee,
                reserved: reserved,
                paid: 0,
                sweepableAt: uint64(block.timestamp + refundPeriod),
                swept: false
            });
        }
    }

    function _isHonestChallenger(address who) internal view returns (bool) {
        for (uint256 i; i < honestChallengers.length; ++i) {
            if (honestChallengers[i] == who) return true;
        }
        return false;
    }

    function playedToEndCount() external view returns (uint256) {
        return playedToEnd.length;
    }

    // ------------------------------------------------------------------ refunds and claims

    function reserveCount() external view returns (uint256) {
        return reserveList.length;
    }

    function reserveOf(bytes32 digest) external view returns (Reserve memory) {
        return _reserves[digest];
    }

    /// @notice What `claimRefund` pays now: the charged part of the fee (by the ghost escrow
    ///         ledger), up to the reserve, less what was paid.
    function refundDue(bytes32 digest) public view returns (uint256) {
        Reserve storage r = _reserves[digest];
        if (r.swept) return 0;
        uint256 redeemed = ghost_channelRedeemed[r.channel];
        uint256 charged = redeemed <= r.before ? 0 : redeemed - r.before;
        if (charged > r.fee) charged = r.fee;
        uint256 due = charged < r.reserved ? charged : r.reserved;
        return due > r.paid ? due - r.paid : 0;
    }

    function bookRefundPaid(bytes32 digest) external returns (uint256 amount) {
        amount = refundDue(digest);
        Reserve storage r = _reserves[digest];
        r.paid += amount;
        _credit(r.client, amount);
        ++ghost_refundsClaimed;
    }

    function bookRefundSwept(bytes32 digest) external {
        Reserve storage r = _reserves[digest];
        r.swept = true;
        _credit(treasury, r.reserved - r.paid);
        ++ghost_refundsSwept;
    }

    /// @notice Reserved refunds neither paid nor swept: still held by the game.
    function unpaidReserves() external view returns (uint256 sum) {
        for (uint256 i; i < reserveList.length; ++i) {
            Reserve storage r = _reserves[reserveList[i]];
            if (!r.swept) sum += r.reserved - r.paid;
        }
    }

    function claimableOf(address account) public view returns (uint256) {
        return ghost_credited[account] - ghost_claimed[account];
    }

    function bookClaimed(address account, uint256 amount) external {
        ghost_claimed[account] += amount;
        ++ghost_claims;
    }

    function _credit(address account, uint256 amount) internal {
        ghost_credited[account] += amount;
    }

    // ------------------------------------------------------------------ counters

    function countCaught(uint8 how) external {
        ++ghost_cheatsCaught;
        if (how == 0) ++ghost_caughtByStep;
        else if (how == 1) ++ghost_caughtByShape;
        else ++ghost_caughtByPadding;
    }

    function countGriefLost() external {
        ++ghost_griefsLost;
    }

    function countTimeout(bool providerDue) external {
        if (providerDue) ++ghost_providerTimeouts;
        else ++ghost_challengerTimeouts;
    }

    function countClose() external {
        ++ghost_closes;
    }

    function countRefused(bool accepted) external {
        if (accepted) ghost_badMoveAccepted = true;
        else ++ghost_badMovesRefused;
    }

    function countWithdrawRefused() external {
        ++ghost_withdrawRefused;
    }

    function countMalformedRefused() external {
        ++ghost_malformedRefused;
    }

    function clientCount() external view returns (uint256) {
        return clients.length;
    }

    function modelCount() external view returns (uint256) {
        return models.length;
    }

    function honestChallengerCount() external view returns (uint256) {
        return honestChallengers.length;
    }
}
