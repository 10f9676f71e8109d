// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";

/// @title PathTally
/// @notice Adds up, across the runs of one test contract's invariant campaigns, how often each
///         interesting path was taken, and checks that each was taken at least once per run on
///         average. The EVM state is reset between runs, so the running totals live in one
///         process environment variable per suite (one string: a lost update from campaigns
///         running in parallel drops a run's paths together with the run itself).
abstract contract PathTally is TestBase {
    /// @dev Runs tallied before the averages are checked, so that a few unlucky first runs
    ///      do not fail a campaign whose average is sound.
    uint256 internal constant WARM_UP_RUNS = 64;

    /// @dev Shown with -vv: the running totals, then the run count.
    function _log(string memory line) internal view {
        address console = address(0x000000000000000000636F6e736F6c652e6c6f67);
        (bool ok,) = console.staticcall(abi.encodeWithSignature("log(string)", line));
        ok;
    }

    /// @notice One path: its name, how often this run took it, and how many runs may share one
    ///         taking of it on average (1: at least once per run).
    struct Path {
        string name;
        uint256 count;
        uint256 runsPerHit;
    }

    /// @notice Adds this run's counts to the totals under `key` and, once enough runs are in,
    ///         asserts every path was taken at least once per `runsPerHit` runs on average.
    function tallyPaths(string memory key, Path[] memory paths) internal {
        uint256[] memory counts = new uint256[](paths.length);
        for (uint256 i; i < paths.length; ++i) {
            counts[i] = paths[i].count;
        }
        uint256[] memory none = new uint256[](0);
        uint256[] memory totals = vm.envOr(key, ",", none);
        if (totals.length != counts.length + 1) totals = new uint256[](counts.length + 1);
        uint256 runs = ++totals[counts.length];
        string memory joined;
        for (uint256 i; i < counts.length; ++i) {
            totals[i] += counts[i];
            joined = string.concat(joined, vm.toString(totals[i]), ",");
        }
        vm.setEnv(key, string.concat(joined, vm.toString(runs)));
        _log(string.concat(key, " ", joined, vm.toString(runs)));
        if (runs < WARM_UP_RUNS) return;
        for (uint256 i; i < counts.length; ++i) {
            assertGe(
                totals[i] * paths[i].runsPerHit,
                runs,
                string.concat("path taken less often than required: ", paths[i].name)
            );
        }
    }
}
