// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "./DisputeSetup.sol";
import {MarketParams} from "../../src/MarketParams.sol";
import {ModelBounty} from "../../src/ModelBounty.sol";
import {ModelStaking} from "../../src/ModelStaking.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {IMarketParams} from "../../src/interfaces/IMarketParams.sol";
import {IModelBounty} from "../../src/interfaces/IModelBounty.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {IModelStaking} from "../../src/interfaces/IModelStaking.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "../../src/interfaces/ITrellisParams.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title MarketSetup
/// @notice The market on DisputeSetup's system: Alice owns the honest two-layer model (its
///         commitment opens), Mallory a model of the same shape whose commitment is a random
///         word (nothing opens it). The bounty's evaluation set has four rows of two classes.
abstract contract MarketSetup is DisputeSetup {
    uint256 internal constant MODEL_BOND = 10e6;
    uint256 internal constant RESPONSE = 6 hours;
    uint256 internal constant UNSTAKE_DELAY = 3 days;
    uint256 internal constant SUBMIT_BOND = 20e6;
    uint256 internal constant ROW_BOND = 5e6;
    uint256 internal constant ROW_WINDOW = 1 days;
    uint256 internal constant REWARD = 1_000e6;
    uint256 internal constant STAKE = 200e6;
    uint256 internal constant ROWS = 4;

    MarketParams internal market;
    ModelStaking internal staking;
    ModelBounty internal bounty;
    address internal alice = address(0xA71CE);
    address internal mallory = address(0xBAD);
    address internal poster = address(0xB0B);
    bytes32 internal aliceModel;
    bytes32 internal malloryModel;
    bytes32[] internal evalLeaves;

    function setUpMarket() internal {
        setUpGame();
        market = new MarketParams(governance, defaultMarket());
        staking = new ModelStaking(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IMarketParams(address(market)),
            IModelRegistry(address(models))
        );
        bounty = new ModelBounty(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IMarketParams(address(market)),
            IModelRegistry(address(models)),
            IModelStaking(address(staking)),
            IProviderRegistry(address(registry)),
            IDisputeGame(address(game))
        );
        vm.prank(alice);
        aliceModel = models.publish(keccak256("alice"), commitment, shape(), "a", 500);
        vm.prank(mallory);
        malloryModel = models.publish(keccak256("mallory"), keccak256("no such tree"), shape(), "m", 500);
        address[5] memory actors = [alice, mallory, poster, challenger, treasury];
        for (uint256 i; i < actors.length; ++i) {
            mint(actors[i], 5_000e6);
            vm.startPrank(actors[i]);
            token.approve(address(staking), type(uint256).max);
            token.approve(address(bounty), type(uint256).max);
            vm.stopPrank();
        }
        bytes memory l = labels();
        for (uint256 i; i < ROWS; ++i) {
            evalLeaves.push(keccak256(abi.encode(inputHashOf(i), uint256(uint8(l[i])))));
        }
        // The test contract stands in for the dispute game's slashing right in a few tests.
        vm.prank(governance);
        registry.setSlasher(address(this), true);
    }

    function defaultMarket() internal pure returns (MarketParams.Values memory) {
        return MarketParams.Values({
            modelChallengeBond: MODEL_BOND,
            modelResponseWindow: RESPONSE,
            modelUnstakeDelay: UNSTAKE_DELAY,
            modelSlashChallengerBps: 5_000,
            bountySubmitBond: SUBMIT_BOND,
            bountyChallengeBond: ROW_BOND,
            bountyChallengeWindow: ROW_WINDOW,
            bountyResponseWindow: RESPONSE
        });
    }

    // ------------------------------------------------------------------ evaluation set

    function inputHashOf(uint256 row) internal pure returns (bytes32) {
        return keccak256(abi.encode("input", row));
    }

    function labels() internal pure returns (bytes memory) {
        return hex"01000101";
    }

    function inputHashes() internal pure returns (bytes32[] memory h) {
        h = new bytes32[](ROWS);
        for (uint256 i; i < ROWS; ++i) {
            h[i] = inputHashOf(i);
        }
    }

    function evalRoot() internal view returns (bytes32) {
        bytes32[] memory copy = evalLeaves;
        return TraceMerkle.rootOfLeaves(copy);
    }

    function rowPath(uint256 row) internal view returns (bytes32[] memory path) {
        path = new bytes32[](2);
        path[0] = evalLeaves[row ^ 1];
        uint256 other = row < 2 ? 2 : 0;
        path[1] = TraceMerkle.hashPair(evalLeaves[other], evalLeaves[other + 1]);
    }

    function task() internal view returns (IModelBounty.Task memory t) {
        t = IModelBounty.Task({
            inputSize: 2,
            classCount: 2,
            rowCount: uint32(ROWS),
            targetBps: 7_000,
            evalRoot: evalRoot(),
            minModelStake: 0,
            submitDeadline: uint64(block.timestamp + 1 days),
            revealDeadline: uint64(block.timestamp + 2 days),
            claimDeadline: uint64(block.timestamp + 3 days)
        });
    }

    // ------------------------------------------------------------------ moves

    function post() internal returns (uint256 id) {
        vm.prank(poster);
        id = bounty.post(task(), REWARD);
    }

    function submitAs(address who, uint256 id, bytes32 model) internal {
        vm.prank(who);
        bounty.submit(id, model);
    }

    function toReveal(uint256 id) internal {
        vm.warp(bounty.taskOf(id).submitDeadline + 1);
        vm.prank(poster);
        bounty.reveal(id, inputHashes(), labels(), "ipfs://eval");
    }

    function claimAs(address who, uint256 id, bytes32 model, bytes memory predictions) internal {
        vm.prank(who);
        bounty.claim(id, model, predictions);
    }

    function challengeRow(address who, uint256 id, bytes32 model, uint256 row) internal returns (bytes32) {
        vm.prank(who);
        return bounty.challenge(id, model, row, inputHashOf(row), rowPath(row));
    }

    /// @dev A two-class output whose argmax is `predicted`.
    function outputFor(uint256 predicted) internal pure returns (int256[] memory out) {
        out = new int256[](2);
        out[predicted] = 10;
    }

    /// @dev A receipt the registered provider signs now for `model` on `inputHash`.
    function rowReceipt(bytes32 model, bytes32 inputHash, int256[] memory out)
        internal
        view
        returns (IDisputeGame.Receipt memory r)
    {
        r = IDisputeGame.Receipt({
            requestHash: keccak256(abi.encode(model, inputHash)),
            client: client,
            provider: provider,
            modelId: model,
            inputHash: inputHash,
            outputHash: pair(out[0], out[1]),
            traceRoot: keccak256("trace"),
            fee: FEE,
            channelTotal: FEE,
            issuedAt: uint64(block.timestamp),
            verification: 2
        });
    }

    function answerRow(bytes32 id, bytes32 model, uint256 row, uint256 predicted)
        internal
        returns (IDisputeGame.Receipt memory r)
    {
        int256[] memory out = outputFor(predicted);
        r = rowReceipt(model, inputHashOf(row), out);
        bounty.answer(id, r, sign(r), out);
    }

    function withdrawAll(address who) internal returns (uint256 amount) {
        if (bounty.claimable(who) == 0) return 0;
        vm.prank(who);
        amount = bounty.withdraw();
    }
}
