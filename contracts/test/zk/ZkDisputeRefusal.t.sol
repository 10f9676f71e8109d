// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "../utils/DisputeSetup.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";

/// @notice A zk receipt carries a proof, judged by the ZkReceiptSlasher: the dispute game
///         refuses it by name rather than bisect a "trace" that is a proof binding.
contract ZkDisputeRefusalTest is DisputeSetup {
    function setUp() public {
        setUpGame();
    }

    function test_zkReceipt_cannotBeDisputed() public {
        IDisputeGame.Receipt memory zk = receipt(true);
        zk.verification = 3;
        bytes memory sig = sign(zk);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeZkReceipt.selector, game.receiptDigest(zk)));
        game.open(zk, sig, input(), BOND);
    }
}
