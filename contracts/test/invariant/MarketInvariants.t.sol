// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MarketHandler} from "./MarketHandler.sol";
import {PathTally} from "./PathTally.sol";
import {IModelBounty} from "../../src/interfaces/IModelBounty.sol";
import {IModelStaking} from "../../src/interfaces/IModelStaking.sol";
import {ModelBounty} from "../../src/ModelBounty.sol";
import {ModelStaking} from "../../src/ModelStaking.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title MarketInvariants
/// @notice Token conservation of model staking and bounties: each contract holds exactly
///         what it owes (stakes, bonds, escrowed rewards, credits), and exactly what went in
///         minus what came out.
contract MarketInvariants is PathTally {
    MarketHandler internal handler;
    ModelStaking internal staking;
    ModelBounty internal bounty;
    IERC20 internal token;

    function setUp() public {
        handler = new MarketHandler();
        staking = ModelStaking(_staking());
        bounty = ModelBounty(_bounty());
        token = IERC20(address(staking.token()));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory s = new bytes4[](10);
        s[0] = handler.stake.selector;
        s[1] = handler.requestUnstake.selector;
        s[2] = handler.withdrawUnstaked.selector;
        s[3] = handler.challengeModel.selector;
        s[4] = handler.answerModel.selector;
        s[5] = handler.timeoutModel.selector;
        s[6] = handler.claimStaking.selector;
        s[7] = handler.advance.selector;
        s[8] = handler.withdraw.selector;
        s[9] = handler.warp.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), s);
    }

    /// @notice Staking holds every stake, every open challenge's bond and every credit.
    function invariant_stakingConserves() public view {
        uint256 owed =
            staking.slashableStakeOf(handler.aliceModelId()) + staking.slashableStakeOf(handler.malloryModelId());
        uint256 n = staking.challengeCount();
        for (uint256 id = 1; id <= n; ++id) {
            IModelStaking.Challenge memory c = staking.getChallenge(id);
            if (c.status == IModelStaking.Status.Open) owed += c.bond;
        }
        for (uint256 i; i < handler.actorCount(); ++i) {
            owed += staking.claimable(handler.actor(i));
        }
        uint256 held = token.balanceOf(address(staking));
        assertEq(held, owed, "staking holds what it owes");
        assertEq(held, handler.ghost_stakingIn() - handler.ghost_stakingOut(), "staking: in minus out");
    }

    /// @notice The bounty holds every unpaid reward, every submission bond not yet paid out,
    ///         every unresolved challenge's bond and every credit.
    function invariant_bountyConserves() public view {
        uint256 owed;
        for (uint256 k; k < handler.bountyCount(); ++k) {
            uint256 id = handler.bountyIds(k);
            IModelBounty.Bounty memory b = bounty.getBounty(id);
            if (b.finalized) continue;
            owed += b.reward;
            IModelBounty.Submission[] memory subs = bounty.submissions(id);
            for (uint256 i; i < subs.length; ++i) {
                if (!subs[i].voided) owed += b.submitBond;
            }
        }
        for (uint256 k; k < handler.rowChallengeCount(); ++k) {
            IModelBounty.RowChallenge memory c = bounty.getChallenge(handler.rowChallenges(k));
            if (c.status == IModelBounty.Status.Open || c.status == IModelBounty.Status.Answered) owed += c.bond;
        }
        for (uint256 i; i < handler.actorCount(); ++i) {
            owed += bounty.claimable(handler.actor(i));
        }
        uint256 held = token.balanceOf(address(bounty));
        assertEq(held, owed, "bounty holds what it owes");
        assertEq(held, handler.ghost_bountyIn() - handler.ghost_bountyOut(), "bounty: in minus out");
    }

    /// @notice Both games reach their ends, not only their openings.
    function afterInvariant() public {
        Path[] memory p = new Path[](10);
        p[0] = Path("model stake slashed", handler.ghost_modelSlashed(), 1);
        p[1] = Path("model leaf opened", handler.ghost_modelAnswered(), 4);
        p[2] = Path("unstake refused while challenged", handler.ghost_withdrawRefused(), 2);
        p[3] = Path("unrevealed bounty split", handler.ghost_unrevealedSplit(), 4);
        p[4] = Path("bounty won", handler.ghost_won(), 4);
        p[5] = Path("bounty without winner", handler.ghost_noWinner(), 8);
        p[6] = Path("unanswered row voids claim", handler.ghost_liarCaught(), 8);
        p[7] = Path("slashed receipt voids claim", handler.ghost_answerSlashed(), 16);
        p[8] = Path("honest row answer settled", handler.ghost_griefLost(), 16);
        p[9] = Path("bounty withdrawal", handler.ghost_withdrawals(), 2);
        tallyPaths("TRELLIS_MARKET_PATHS", p);
    }

    function _staking() internal view returns (address) {
        return address(handler.stakingContract());
    }

    function _bounty() internal view returns (address) {
        return address(handler.bountyContract());
    }
}
