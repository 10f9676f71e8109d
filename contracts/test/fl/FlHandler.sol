// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {FlAggregation} from "../../src/libraries/FlAggregation.sol";
import {FlAvailability, IFlAvailability} from "../../src/fl/FlAvailability.sol";

/// @title FlHandler
/// @notice Drives FedAvg tasks of two rounds through every step, one move per call, with
///         fuzzed choices: who joins and submits, honest or wrong aggregates, late
///         aggregators, out-of-range updates, lying challenges, demands that an element be
///         opened (answered, answered wrongly, or left to run out), scores, the endgame and
///         claims. Ghost sums count the tokens that went in and out by the rules, never by
///         reading the contract's own counters.
contract FlHandler is FlSetup {
    uint256 public id;
    IFederatedTraining.TaskConfig internal c;
    bool internal done = true;
    /// @dev Whether the current task saw a wrong aggregate proven yet: until then (and until
    ///      the run voided a post, see `_rough`) every post is wrong, nobody drops out, the
    ///      aggregator is never late and the clock moves only by the task's own steps, so
    ///      every run reaches a challenge.
    bool internal provenOnce;

    uint256 public ghost_in;
    uint256 public ghost_out;
    uint256 public ghost_rewards;
    uint256 public ghost_poolsIn;
    uint256 public ghost_toPool;
    uint256 public ghost_challenges;
    uint256 public ghost_refusedChallenges;
    uint256 public ghost_rangeSlashes;
    uint256 public ghost_lateSlashes;
    uint256 public ghost_claims;
    uint256 public ghost_tasksEnded;
    uint256 public ghost_demands;
    uint256 public ghost_answers;
    uint256 public ghost_refusedAnswers;
    uint256 public ghost_unanswered;
    uint256 public ghost_voids;
    /// @dev Bonds paid into and out of the availability game.
    uint256 public ghost_bondsIn;
    uint256 public ghost_bondsOut;

    /// @dev The one demand the handler has pending (0: none), and whether each post had one.
    uint256 internal pendingDemand;
    mapping(uint256 task => mapping(uint256 round => mapping(uint256 post => bool))) internal demanded;

    /// @dev The vectors submitted this task, and the wrong element of a wrong post (ELEMENTS if honest).
    mapping(uint256 task => mapping(uint256 round => mapping(uint256 who => int256[]))) internal submitted;
    mapping(uint256 task => mapping(uint256 round => uint32)) internal wrongAt;
    mapping(uint256 task => mapping(uint256 round => int256[])) internal postedAgg;

    constructor() {
        deployFl();
    }

    function actor(uint256 i) external view returns (address) {
        if (i < 4) return people[i];
        if (i == 4) return owner;
        if (i == 5) return aggregator;
        return watcher;
    }

    uint256 public constant ACTORS = 7;

    function flContract() external view returns (address) {
        return address(fl);
    }

    function game() public view returns (FlAvailability) {
        return fl.availability();
    }

    /// @notice One move of the current task, chosen by its state and `seed`.
    function act(uint256 seed) external {
        _act(seed);
    }

    function _act(uint256 seed) internal {
        if (done) return _create();
        if (block.timestamp < c.startsAt) return _joinOrStart(seed);
        // A demand left to run out is settled before anything rolls the task forward.
        if (pendingDemand != 0 && block.timestamp >= game().demandOf(pendingDemand).deadline) return _settleDemand();
        fl.advance(id);
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        if (s.finishedAt != 0) return _endgame(seed);
        uint256 r = s.currentRound;
        IFederatedTraining.Round memory rd = fl.round(id, r);
        if (rd.status == IFederatedTraining.RoundStatus.Posted) return _challengeOrWait(r, rd, seed);
        if (block.timestamp < rd.start + c.submitWindow) return _submitOrClose(r, rd, seed);
        if (!s.aggregatorStaked) {
            if (_rough() && seed % 4 == 0) return vm.warp(rd.aggregateDeadline);
            return _stake();
        }
        if (_rough() && seed % 6 == 0) {
            vm.warp(rd.aggregateDeadline);
            fl.advance(id);
            ghost_lateSlashes++;
            ghost_toPool += AGG_STAKE;
            return;
        }
        _post(r, seed);
    }

    function _create() internal {
        c = config(IFederatedTraining.Strategy.FedAvg);
        mint(owner, c.rewardPool);
        vm.startPrank(owner);
        token.approve(address(fl), c.rewardPool);
        id = fl.createTask(c, "ipfs://initial");
        vm.stopPrank();
        ghost_in += c.rewardPool;
        ghost_poolsIn += c.rewardPool;
        done = false;
        provenOnce = false;
    }

    function _stake() internal {
        mint(aggregator, AGG_STAKE);
        vm.startPrank(aggregator);
        token.approve(address(fl), AGG_STAKE);
        fl.stakeAggregator(id);
        vm.stopPrank();
        ghost_in += AGG_STAKE;
    }

    function _joinOrStart(uint256 seed) internal {
        uint256 joined = fl.taskState(id).participantCount;
        if (joined < 4 && (joined < 3 || seed % 2 == 0 || !_rough())) {
            mint(people[joined], JOIN_STAKE);
            joinAs(id, joined);
            ghost_in += JOIN_STAKE;
            return;
        }
        if (!fl.taskState(id).aggregatorStaked && seed % 3 != 0) return _stake();
        vm.warp(c.startsAt);
    }

    function _submitOrClose(uint256 r, IFederatedTraining.Round memory, uint256 seed) internal {
        uint32 n = fl.taskState(id).participantCount;
        for (uint32 i; i < n; ++i) {
            (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[i]);
            if (status != IFederatedTraining.ParticipantStatus.Active || fl.updateRoot(id, r, i) != bytes32(0)) {
                continue;
            }
            // Some participants drop out of the round.
            if (_rough() && (seed >> i) % 5 == 0) continue;
            int256[] memory q = vector(i + 10 * id, r);
            bool outOfRange = (seed >> (8 + i)) % 9 == 0;
            if (outOfRange) q[1] = FlAggregation.MAX_ABS + int256(seed % 1000) + 1;
            submitted[id][r][i] = q;
            vm.prank(people[i]);
            fl.submitUpdate(id, root(q), ELEMENTS, "ipfs://update");
            if (outOfRange) {
                vm.prank(watcher);
                fl.challengeUpdateRange(id, r, i, 1, q[1], proof(q, 1));
                ghost_rangeSlashes++;
                ghost_toPool += JOIN_STAKE - JOIN_STAKE / 2;
            }
            return;
        }
        vm.warp(fl.round(id, r).start + c.submitWindow);
    }

    function _included(uint256 r) internal view returns (uint32[] memory who) {
        uint32 n = fl.taskState(id).participantCount;
        uint32 count;
        for (uint32 i; i < n; ++i) {
            if (fl.updateRoot(id, r, i) != bytes32(0)) ++count;
        }
        who = new uint32[](count);
        count = 0;
        for (uint32 i; i < n; ++i) {
            if (fl.updateRoot(id, r, i) != bytes32(0)) who[count++] = i;
        }
    }

    function _honest(uint256 r, uint32[] memory who) internal view returns (int256[] memory agg) {
        agg = new int256[](ELEMENTS);
        for (uint256 e; e < ELEMENTS; ++e) {
            int256[] memory values = new int256[](who.length);
            uint256[] memory counts = new uint256[](who.length);
            for (uint256 k; k < who.length; ++k) {
                values[k] = submitted[id][r][who[k]][e];
                counts[k] = examples[who[k]];
            }
            agg[e] = FlAggregation.weightedMean(values, counts);
        }
    }

    function _post(uint256 r, uint256 seed) internal {
        int256[] memory agg = _honest(r, _included(r));
        // The first post of a task is always wrong, so every run reaches a challenge.
        bool wrong = !provenOnce || seed % 3 == 0;
        uint32 index = uint32(seed % ELEMENTS);
        if (wrong) agg[index] += int256(seed % 7) + 1;
        wrongAt[id][r] = wrong ? index : ELEMENTS;
        postedAgg[id][r] = agg;
        post(id, agg, new uint32[](0));
    }

    function _challenge(uint256 r, uint32 index, int256 lie, bool lying) internal {
        uint32[] memory who = _included(r);
        int256[] memory agg = postedAgg[id][r];
        IFederatedTraining.ElementChallenge memory ch;
        ch.index = index;
        ch.participants = who;
        ch.values = new int256[](who.length);
        ch.proofs = new bytes32[][](who.length);
        for (uint256 k; k < who.length; ++k) {
            int256[] memory q = submitted[id][r][who[k]];
            ch.values[k] = q[index];
            ch.proofs[k] = proof(q, index);
        }
        ch.aggregateValue = agg[index];
        ch.aggregateProof = proof(agg, index);
        if (lying && who.length != 0) ch.values[0] = lie;
        vm.prank(watcher);
        fl.challengeAggregate(id, ch);
    }

    function _challengeOrWait(uint256 r, IFederatedTraining.Round memory rd, uint256 seed) internal {
        uint32 wrongIndex = wrongAt[id][r];
        if (wrongIndex < ELEMENTS) {
            _challenge(r, wrongIndex, 0, false);
            ghost_challenges++;
            ghost_toPool += AGG_STAKE - AGG_STAKE / 2;
            wrongAt[id][r] = ELEMENTS;
            provenOnce = true;
            // The watcher collects its share at once.
            uint256 amount = fl.claimable(watcher);
            vm.prank(watcher);
            fl.claim();
            ghost_out += amount;
            ghost_claims++;
            return;
        }
        if (pendingDemand != 0) return _answerOrLetRunOut();
        if (
            provenOnce && !demanded[id][r][rd.posts] && block.timestamp < rd.postedAt + c.challengeWindow
                && (ghost_demands < 2 || seed % 2 == 0)
        ) return _demand(r, rd.posts, seed);
        // A griefer attacks the honest aggregate with a lie; it must be refused.
        uint32 index = uint32(seed % ELEMENTS);
        int256 lie = int256(seed % 1e9) - 5e8;
        if (lie == submitted[id][r][_included(r)[0]][index]) lie += 1;
        try this.griefChallenge(r, index, lie) {
            ghost_refusedChallenges = type(uint256).max / 2; // an honest aggregate was slashed: fails an invariant
        } catch {
            ghost_refusedChallenges++;
        }
        uint64 end = rd.postedAt + c.challengeWindow;
        IFlAvailability.Availability memory av = game().availability(id, r);
        if (av.post == rd.posts && av.challengeEnd > end) end = av.challengeEnd;
        vm.warp(end);
    }

    /// @dev The watcher bonds a demand on an element of an included update or, every third
    ///      time, of the aggregate.
    function _demand(uint256 r, uint16 post, uint256 seed) internal {
        uint32[] memory who = _included(r);
        uint32 target = ghost_demands % 3 == 2 ? type(uint32).max : who[seed % who.length];
        uint256 bond = game().demandBond(id);
        mint(watcher, bond);
        vm.startPrank(watcher);
        token.approve(address(game()), bond);
        pendingDemand = game().demandOpening(id, target, uint32(seed % ELEMENTS));
        vm.stopPrank();
        demanded[id][r][post] = true;
        ghost_demands++;
        ghost_bondsIn += bond;
    }

    /// @dev Every other demand is answered (after a refused wrong answer); the rest run out.
    function _answerOrLetRunOut() internal {
        IFlAvailability.Demand memory d = game().demandOf(pendingDemand);
        if (ghost_demands % 2 == 0) return vm.warp(d.deadline);
        int256[] memory q = d.target == type(uint32).max ? postedAgg[id][d.round] : submitted[id][d.round][d.target];
        try this.wrongAnswer(pendingDemand, q, d.index) {
            ghost_refusedAnswers = type(uint256).max / 2; // a wrong opening was taken: fails an invariant
        } catch {
            ghost_refusedAnswers++;
        }
        address answerer = d.target == type(uint32).max ? aggregator : people[d.target];
        vm.prank(answerer);
        game().answerDemand(pendingDemand, q[d.index], proof(q, d.index));
        pendingDemand = 0;
        ghost_answers++;
        ghost_bondsOut += d.bond;
    }

    /// @dev External so that the refused answer can be caught: the right path with a wrong value.
    function wrongAnswer(uint256 demandId, int256[] memory q, uint32 index) external {
        require(msg.sender == address(this), "self only");
        game().answerDemand(demandId, q[index] + 1, proof(q, index));
    }

    /// @dev Nobody answered: the bond goes back, the post is void, the committer slashed.
    function _settleDemand() internal {
        IFlAvailability.Demand memory d = game().demandOf(pendingDemand);
        IFederatedTraining.Round memory rd = fl.round(id, d.round);
        bool voids = rd.status == IFederatedTraining.RoundStatus.Posted && rd.posts == d.post;
        if (voids && fl.taskState(id).aggregatorStaked) ghost_toPool += AGG_STAKE - AGG_STAKE / 2;
        if (d.target != type(uint32).max) {
            (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[d.target]);
            if (status == IFederatedTraining.ParticipantStatus.Active) ghost_toPool += JOIN_STAKE - JOIN_STAKE / 2;
        }
        game().settleDemand(pendingDemand);
        pendingDemand = 0;
        ghost_unanswered++;
        ghost_bondsOut += d.bond;
        if (voids) {
            ghost_voids++;
            require(
                fl.round(id, d.round).status == IFederatedTraining.RoundStatus.Empty, "a void post closed its round"
            );
        }
    }

    /// @dev External so that the refused challenge can be caught.
    function griefChallenge(uint256 r, uint32 index, int256 lie) external {
        require(msg.sender == address(this), "self only");
        _challenge(r, index, lie, true);
    }

    function _endgame(uint256 seed) internal {
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        if (!s.closed) {
            for (uint256 r = 1; r <= c.rounds; ++r) {
                IFederatedTraining.Round memory rd = fl.round(id, r);
                if (rd.status == IFederatedTraining.RoundStatus.Final && !rd.scored) return _score(r, seed);
            }
            vm.prank(owner);
            fl.closeTask(id);
            return;
        }
        for (uint32 i; i < s.participantCount; ++i) {
            (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[i]);
            if (status != IFederatedTraining.ParticipantStatus.Active) continue;
            uint256 active = fl.updateRoot(id, 1, i) != bytes32(0) ? 1 : fl.updateRoot(id, 2, i) != bytes32(0) ? 2 : 0;
            vm.prank(people[i]);
            fl.withdrawStake(id, active);
            return;
        }
        if (s.aggregatorStaked) {
            vm.prank(aggregator);
            fl.withdrawAggregatorStake(id);
            return;
        }
        for (uint256 i; i < ACTORS; ++i) {
            address who = this.actor(i);
            uint256 amount = fl.claimable(who);
            if (amount == 0) continue;
            vm.prank(who);
            fl.claim();
            ghost_out += amount;
            ghost_claims++;
            return;
        }
        done = true;
        ghost_tasksEnded++;
    }

    function _score(uint256 r, uint256 seed) internal {
        uint32[] memory who = _included(r);
        uint256[] memory scores = new uint256[](who.length);
        uint256 before;
        for (uint256 k; k < who.length; ++k) {
            (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[who[k]]);
            bool slashed = status == IFederatedTraining.ParticipantStatus.Slashed;
            scores[k] = slashed || (seed >> (k * 16)) % 4 == 0 ? 0 : (seed >> (k * 16)) % 1000;
            before += fl.claimable(people[who[k]]);
        }
        vm.prank(owner);
        fl.postScores(id, r, who, scores);
        uint256 credited;
        for (uint256 k; k < who.length; ++k) {
            credited += fl.claimable(people[who[k]]);
        }
        ghost_rewards += credited - before;
    }

    /// @dev Whether the run may now go rough (drop-outs, late aggregators, a clock that
    ///      jumps): only once it has proven a wrong aggregate in this task and voided a post by
    ///      an unanswered demand, so that every run reaches both.
    function _rough() internal view returns (bool) {
        return provenOnce && ghost_voids != 0;
    }

    /// @notice Moves the clock by up to a third of a window, so deadlines are missed at random too.
    ///         Until the run has proven a wrong aggregate and voided a post by an unanswered
    ///         demand the clock moves only by the task's own steps (and this call is one more
    ///         step), so that every run gets to a challenge and through the availability game.
    function warp(uint256 dt) external {
        if (!_rough()) return _act(dt);
        vm.warp(block.timestamp + bound(dt, 1, WINDOW / 3));
    }
}
