// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MarketSetup} from "../utils/MarketSetup.sol";
import {IModelBounty} from "../../src/interfaces/IModelBounty.sol";
import {IModelStaking} from "../../src/interfaces/IModelStaking.sol";

/// @title MarketHandler
/// @notice Plays every party of the market on MarketSetup's system: Alice (honest model),
///         Mallory (malformed commitment; her model really predicts 0 on row 3 and she may
///         claim 1 there), the poster (may withhold the set), a challenger and the dispute
///         game's slashing right. Moves warp the clock to when they are due, so the fuzzer
///         reaches the ends of both games; it counts the paths it took and every token that
///         went in or out of the two contracts.
contract MarketHandler is MarketSetup {
    uint256[] public bountyIds;
    bytes32[] public rowChallenges;
    address[5] internal actors;

    uint256 public ghost_stakingIn;
    uint256 public ghost_stakingOut;
    uint256 public ghost_bountyIn;
    uint256 public ghost_bountyOut;

    uint256 public ghost_modelSlashed;
    uint256 public ghost_modelAnswered;
    uint256 public ghost_withdrawRefused;
    uint256 public ghost_unrevealedSplit;
    uint256 public ghost_won;
    uint256 public ghost_noWinner;
    uint256 public ghost_liarCaught;
    uint256 public ghost_answerSlashed;
    uint256 public ghost_griefLost;
    uint256 public ghost_withdrawals;

    constructor() {
        setUpMarket();
        actors = [alice, mallory, poster, challenger, treasury];
    }

    function stakingContract() external view returns (address) {
        return address(staking);
    }

    function bountyContract() external view returns (address) {
        return address(bounty);
    }

    function aliceModelId() external view returns (bytes32) {
        return aliceModel;
    }

    function malloryModelId() external view returns (bytes32) {
        return malloryModel;
    }

    function actorCount() external pure returns (uint256) {
        return 5;
    }

    function actor(uint256 i) external view returns (address) {
        return actors[i];
    }

    function bountyCount() external view returns (uint256) {
        return bountyIds.length;
    }

    function rowChallengeCount() external view returns (uint256) {
        return rowChallenges.length;
    }

    // ------------------------------------------------------------------ staking

    function stake(uint256 seed, uint256 amount) external {
        (address owner, bytes32 model) = _model(seed);
        amount = bound(amount, 1e6, 100e6);
        mint(owner, amount);
        vm.prank(owner);
        staking.stake(model, amount);
        ghost_stakingIn += amount;
    }

    function requestUnstake(uint256 seed, uint256 amount) external {
        (address owner, bytes32 model) = _model(seed);
        uint256 active = staking.stakeOf(model).active;
        if (active == 0) return;
        vm.prank(owner);
        staking.requestUnstake(model, bound(amount, 1, active));
    }

    function withdrawUnstaked(uint256 seed) external {
        (address owner, bytes32 model) = _model(seed);
        IModelStaking.StakeInfo memory s = staking.stakeOf(model);
        if (s.unstaking == 0) return;
        if (block.timestamp < s.unstakeAt) vm.warp(s.unstakeAt);
        if (s.openChallenges != 0) {
            vm.prank(owner);
            try staking.withdrawUnstaked(model) {
                revert("withdrew past an open challenge");
            } catch {
                ++ghost_withdrawRefused;
            }
            return;
        }
        vm.prank(owner);
        ghost_stakingOut += staking.withdrawUnstaked(model);
    }

    /// @dev On odd seeds the staker then tries to leave with its stake, which must fail.
    function challengeModel(uint256 seed, uint256 leaf) external {
        (address owner, bytes32 model) = _model(seed);
        if (staking.slashableStakeOf(model) == 0) {
            mint(owner, 10e6);
            vm.prank(owner);
            staking.stake(model, 10e6);
            ghost_stakingIn += 10e6;
        }
        mint(challenger, MODEL_BOND);
        vm.prank(challenger);
        staking.challenge(model, bound(leaf, 0, 3));
        ghost_stakingIn += MODEL_BOND;
        if (seed % 4 < 2) return;
        vm.startPrank(owner);
        try staking.requestUnstake(model, 1) {
            revert("unstaked under an open challenge");
        } catch {}
        try staking.withdrawUnstaked(model) {
            revert("withdrew under an open challenge");
        } catch {}
        vm.stopPrank();
        ++ghost_withdrawRefused;
    }

    /// @dev Alice opens her leaves; Mallory has nothing to open.
    function answerModel(uint256 seed) external {
        uint256 id = _openModelChallenge(seed, aliceModel);
        if (id == 0) return;
        IModelStaking.Challenge memory c = staking.getChallenge(id);
        vm.startPrank(alice);
        if (c.leafIndex < 2) {
            staking.answerRow(id, 1, bias(c.leafIndex), weights(c.leafIndex), commitPath(c.leafIndex));
        } else {
            staking.answerParams(id, layerParams(c.leafIndex - 1), commitPath(c.leafIndex));
        }
        vm.stopPrank();
        ++ghost_modelAnswered;
    }

    function timeoutModel(uint256 seed) external {
        uint256 id = _openModelChallenge(seed, bytes32(0));
        if (id == 0) return;
        IModelStaking.Challenge memory c = staking.getChallenge(id);
        if (block.timestamp <= c.deadline) vm.warp(uint256(c.deadline) + 1);
        staking.timeout(id);
        ++ghost_modelSlashed;
    }

    function claimStaking() external {
        for (uint256 i; i < actors.length; ++i) {
            if (staking.claimable(actors[i]) == 0) continue;
            vm.prank(actors[i]);
            ghost_stakingOut += staking.claim();
        }
    }

    // ------------------------------------------------------------------ bounty

    function postBounty() external {
        if (bountyIds.length >= 12 || _bounty(0) != 0) return;
        mint(poster, REWARD);
        bountyIds.push(post());
        ghost_bountyIn += REWARD;
    }

    function submit(uint256 seed, bool asMallory) external {
        uint256 id = _bounty(seed);
        if (id == 0) return;
        (address who, bytes32 model) = asMallory ? (mallory, malloryModel) : (alice, aliceModel);
        mint(who, SUBMIT_BOND);
        submitAs(who, id, model);
        ghost_bountyIn += SUBMIT_BOND;
    }

    function reveal(uint256 seed) external {
        uint256 id = _bounty(seed);
        if (id == 0 || bounty.getBounty(id).revealed || bounty.getBounty(id).submissionCount == 0) return;
        _reveal(id);
    }

    function _reveal(uint256 id) internal {
        IModelBounty.Task memory t = bounty.taskOf(id);
        if (block.timestamp <= t.submitDeadline) vm.warp(uint256(t.submitDeadline) + 1);
        vm.prank(poster);
        bounty.reveal(id, inputHashes(), labels(), "ipfs://eval");
    }

    /// @dev Mallory's honest predictions (75%) miss the 70% target only when she lies about
    ///      row 3 as well; either way she claims what she chooses.
    function claim(uint256 seed, bool asMallory, bool lie) external {
        uint256 id = _bounty(seed);
        if (id == 0) return;
        (address who, bytes32 model) = asMallory ? (mallory, malloryModel) : (alice, aliceModel);
        if (bounty.getBounty(id).submissionCount == 0 || !_submitted(id, model)) {
            if (block.timestamp > bounty.taskOf(id).submitDeadline) return;
            mint(who, SUBMIT_BOND);
            submitAs(who, id, model);
            ghost_bountyIn += SUBMIT_BOND;
        }
        if (!bounty.getBounty(id).revealed) _reveal(id);
        claimAs(who, id, model, !asMallory || lie ? labels() : _malloryPredictions());
    }

    /// @dev Challenges a row of a claim still open to challenges.
    function challengeClaim(uint256 seed, uint256 row) external {
        uint256 id = _bounty(seed);
        if (id == 0) return;
        IModelBounty.Submission[] memory subs = bounty.submissions(id);
        for (uint256 k; k < subs.length; ++k) {
            IModelBounty.Submission memory sub = subs[(seed + k) % subs.length];
            if (!sub.claimed || sub.voided || block.timestamp > sub.challengeEnds) continue;
            mint(challenger, ROW_BOND);
            rowChallenges.push(challengeRow(challenger, id, sub.modelId, bound(row, 0, 3)));
            ghost_bountyIn += ROW_BOND;
            return;
        }
    }

    function _submitted(uint256 id, bytes32 model) internal view returns (bool) {
        IModelBounty.Submission[] memory subs = bounty.submissions(id);
        for (uint256 k; k < subs.length; ++k) {
            if (subs[k].modelId == model) return true;
        }
        return false;
    }

    /// @dev Answers with the output the model really gives: a lie cannot be answered.
    function answerClaim(uint256 seed) public {
        bytes32 c = _rowChallenge(seed, IModelBounty.Status.Open);
        if (c == 0) return;
        IModelBounty.RowChallenge memory rc = bounty.getChallenge(c);
        if (block.timestamp > rc.deadline) return;
        bytes32 model = bounty.submissions(rc.bountyId)[rc.submission].modelId;
        uint256 truth = model == malloryModel && rc.row == 3 ? 0 : uint8(labels()[rc.row]);
        // A lie has no receipt to answer with (the unit tests show the attempt refused).
        if (uint8(bounty.predictionsOf(rc.bountyId, model)[rc.row]) != truth) return;
        answerRow(c, model, rc.row, truth);
    }

    function timeoutClaim(uint256 seed) external {
        bytes32 c = _rowChallenge(seed, IModelBounty.Status.Open);
        if (c == 0) return;
        IModelBounty.RowChallenge memory rc = bounty.getChallenge(c);
        if (block.timestamp <= rc.deadline) vm.warp(uint256(rc.deadline) + 1);
        bounty.timeoutChallenge(c);
        ++ghost_liarCaught;
    }

    /// @dev The dispute game's side: a watcher wins a dispute of an answering receipt.
    function slashAnswer(uint256 seed) external {
        answerClaim(seed);
        bytes32 c = _rowChallenge(seed, IModelBounty.Status.Answered);
        if (c == 0) return;
        registry.slash(provider, 1e6, treasury, bounty.getChallenge(c).receiptId);
        bounty.settleAnswer(c);
        ++ghost_answerSlashed;
    }

    function settleAnswer(uint256 seed) external {
        answerClaim(seed);
        bytes32 c = _rowChallenge(seed, IModelBounty.Status.Answered);
        if (c == 0) return;
        IModelBounty.RowChallenge memory rc = bounty.getChallenge(c);
        if (block.timestamp <= rc.settlesAt) vm.warp(uint256(rc.settlesAt) + 1);
        bounty.settleAnswer(c);
        ++ghost_griefLost;
    }

    function finalize(uint256 seed) external {
        uint256 id = _bounty(seed);
        if (id == 0) return;
        IModelBounty.Bounty memory b = bounty.getBounty(id);
        IModelBounty.Task memory t = bounty.taskOf(id);
        _resolveChallenges(id);
        uint256 due = b.revealed ? uint256(t.claimDeadline) + b.challengeWindow : t.revealDeadline;
        if (block.timestamp <= due) vm.warp(due + 1);
        bounty.finalize(id);
        b = bounty.getBounty(id);
        if (!b.revealed) ++ghost_unrevealedSplit;
        else if (b.winner != 0) ++ghost_won;
        else ++ghost_noWinner;
    }

    function withdraw() external {
        for (uint256 i; i < actors.length; ++i) {
            uint256 amount = withdrawAll(actors[i]);
            if (amount == 0) continue;
            ghost_bountyOut += amount;
            ++ghost_withdrawals;
        }
    }

    /// @dev Moves the current bounty one step along its life, the step chosen by its state
    ///      and the seed, so that long sequences reach every end of the game.
    function advance(uint256 seed, uint256 row) external {
        // One to eight steps: a bounty's life takes about ten, and the short runs keep the
        // intermediate states under the invariants too.
        uint256 steps = 1 + seed % 8;
        for (uint256 i; i < steps; ++i) {
            this.step(uint256(keccak256(abi.encode(seed, i))), row + i);
        }
    }

    function step(uint256 seed, uint256 row) external {
        uint256 id = _bounty(0);
        if (id == 0) return this.postBounty();
        IModelBounty.Bounty memory b = bounty.getBounty(id);
        IModelBounty.Task memory t = bounty.taskOf(id);
        if (!b.revealed) {
            if (block.timestamp <= t.submitDeadline && b.submissionCount < 2 && seed % 3 != 0) {
                return this.submit(0, b.submissionCount == 1);
            }
            // The poster withholds the set one time in four.
            if (seed % 4 == 0 || block.timestamp > t.revealDeadline) return this.finalize(0);
            return this.reveal(0);
        }
        IModelBounty.Submission[] memory subs = bounty.submissions(id);
        for (uint256 k; k < subs.length && block.timestamp <= t.claimDeadline; ++k) {
            if (!subs[k].claimed && seed % 5 != 0) {
                return this.claim(seed, subs[k].modelId == malloryModel, seed % 2 == 0);
            }
        }
        bytes32 open = _rowChallenge(seed, IModelBounty.Status.Open);
        if (open != 0) return seed % 3 != 0 ? this.answerClaim(seed) : this.timeoutClaim(seed);
        bytes32 answered = _rowChallenge(seed, IModelBounty.Status.Answered);
        if (answered != 0) return seed % 2 == 0 ? this.slashAnswer(seed) : this.settleAnswer(seed);
        if (seed % 3 != 0) {
            uint256 before = rowChallenges.length;
            this.challengeClaim(seed, row);
            if (rowChallenges.length != before) return;
        }
        this.finalize(0);
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 12 hours));
    }

    /// @dev Anyone may push a bounty's challenges to their ends before finalizing it.
    function _resolveChallenges(uint256 id) internal {
        for (uint256 k; k < rowChallenges.length; ++k) {
            bytes32 c = rowChallenges[k];
            IModelBounty.RowChallenge memory rc = bounty.getChallenge(c);
            if (rc.bountyId != id) continue;
            if (rc.status == IModelBounty.Status.Open) {
                if (block.timestamp <= rc.deadline) vm.warp(uint256(rc.deadline) + 1);
                bounty.timeoutChallenge(c);
                ++ghost_liarCaught;
            } else if (rc.status == IModelBounty.Status.Answered) {
                if (block.timestamp <= rc.settlesAt) vm.warp(uint256(rc.settlesAt) + 1);
                bounty.settleAnswer(c);
                ++ghost_griefLost;
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    function _model(uint256 seed) internal view returns (address, bytes32) {
        return seed % 2 == 0 ? (alice, aliceModel) : (mallory, malloryModel);
    }

    function _malloryPredictions() internal pure returns (bytes memory) {
        return hex"01000100";
    }

    /// @dev An unfinalized bounty, or 0 when every one is over.
    function _bounty(uint256 seed) internal view returns (uint256) {
        uint256 n = bountyIds.length;
        for (uint256 k; k < n; ++k) {
            uint256 id = bountyIds[(seed + k) % n];
            if (!bounty.getBounty(id).finalized) return id;
        }
        return 0;
    }

    /// @dev An open challenge, of `model` unless that is zero.
    function _openModelChallenge(uint256 seed, bytes32 model) internal view returns (uint256) {
        uint256 n = staking.challengeCount();
        for (uint256 k; k < n; ++k) {
            uint256 id = 1 + (seed + k) % n;
            IModelStaking.Challenge memory c = staking.getChallenge(id);
            if (c.status == IModelStaking.Status.Open && (model == 0 || c.modelId == model)) return id;
        }
        return 0;
    }

    function _rowChallenge(uint256 seed, IModelBounty.Status status) internal view returns (bytes32) {
        uint256 n = rowChallenges.length;
        for (uint256 k; k < n; ++k) {
            bytes32 id = rowChallenges[(seed + k) % n];
            if (bounty.getChallenge(id).status == status) return id;
        }
        return 0;
    }
}
