// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {Multicall3} from "../src/Multicall3.sol";

/// @dev A target whose second function always reverts with a known reason.
contract Target {
    error TargetRefused(uint256 code);

    function answer(uint256 x) external pure returns (uint256) {
        return x + 1;
    }

    function refuse() external pure {
        revert TargetRefused(7);
    }

    function pay() external payable returns (uint256) {
        return msg.value;
    }
}

contract Multicall3Test is Fixture {
    Multicall3 internal multicall;
    Target internal target;

    function setUp() public {
        multicall = new Multicall3();
        target = new Target();
    }

    function calls() internal view returns (Multicall3.Call[] memory list) {
        list = new Multicall3.Call[](2);
        list[0] = Multicall3.Call(address(target), abi.encodeCall(Target.answer, (41)));
        list[1] = Multicall3.Call(address(target), abi.encodeCall(Target.refuse, ()));
    }

    function test_tryAggregate_reportsEachOutcome() public {
        Multicall3.Result[] memory results = multicall.tryAggregate(false, calls());
        assertTrue(results[0].success, "first succeeds");
        assertEq(abi.decode(results[0].returnData, (uint256)), 42, "first answer");
        assertFalse(results[1].success, "second fails");
        assertEq(results[1].returnData, abi.encodeWithSelector(Target.TargetRefused.selector, 7), "revert data kept");
    }

    function test_tryAggregate_requireSuccess_revertsNamingTheCall() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                Multicall3.Multicall3CallFailed.selector, 1, abi.encodeWithSelector(Target.TargetRefused.selector, 7)
            )
        );
        multicall.tryAggregate(true, calls());
    }

    function test_aggregate3_allowFailurePerCall() public {
        Multicall3.Call3[] memory list = new Multicall3.Call3[](2);
        list[0] = Multicall3.Call3(address(target), false, abi.encodeCall(Target.answer, (1)));
        list[1] = Multicall3.Call3(address(target), true, abi.encodeCall(Target.refuse, ()));
        Multicall3.Result[] memory results = multicall.aggregate3(list);
        assertEq(abi.decode(results[0].returnData, (uint256)), 2, "answer");
        assertFalse(results[1].success, "allowed failure reported");
        list[1].allowFailure = false;
        vm.expectRevert();
        multicall.aggregate3(list);
    }

    function test_aggregate3Value_refusesValueThatDoesNotAddUp() public {
        Multicall3.Call3Value[] memory list = new Multicall3.Call3Value[](1);
        list[0] = Multicall3.Call3Value(address(target), false, 5, abi.encodeCall(Target.pay, ()));
        Multicall3.Result[] memory results = multicall.aggregate3Value{value: 5}(list);
        assertEq(abi.decode(results[0].returnData, (uint256)), 5, "value forwarded");
        vm.expectRevert(abi.encodeWithSelector(Multicall3.Multicall3ValueMismatch.selector, 6, 5));
        multicall.aggregate3Value{value: 6}(list);
    }

    function test_views() public {
        assertEq(multicall.getEthBalance(address(this)), address(this).balance, "balance");
        assertEq(multicall.getEthBalance(address(0xBEEF)), 0, "empty balance");
        assertEq(multicall.getChainId(), block.chainid, "chain id");
        assertEq(multicall.getBlockNumber(), block.number, "block number");
        assertEq(multicall.getCurrentBlockTimestamp(), block.timestamp, "timestamp");
        (uint256 blockNumber, bytes[] memory data) = multicall.aggregate(new Multicall3.Call[](0));
        assertEq(blockNumber, block.number, "aggregate block");
        assertEq(data.length, 0, "no calls, no data");
    }
}
