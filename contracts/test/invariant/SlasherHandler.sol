// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Ledger} from "./Ledger.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";

/// @title SlasherHandler
/// @notice Stands in for a dispute contract: it is an authorized slasher and jails and slashes
///         providers, sending slashed stake to a watcher.
contract SlasherHandler is TestBase {
    Ledger internal immutable ledger;
    ProviderRegistry internal immutable registry;
    address public constant WATCHER = address(0x3A7C4E5);

    uint256 public ghost_slashed;
    /// @dev Each slash names a receipt of its own: a receipt can cost stake only once.
    uint256 public ghost_slashCalls;

    constructor(Ledger ledger_, ProviderRegistry registry_) {
        ledger = ledger_;
        registry = registry_;
    }

    function slash(uint256 seed, uint256 amount) external {
        address provider = ledger.providers(seed % ledger.providerCount());
        if (!registry.getProvider(provider).registered) return;
        amount = bound(amount, 1, 600e6);
        ghost_slashed += registry.slash(
            provider, amount, WATCHER, keccak256(abi.encode(address(this), ++ghost_slashCalls))
        );
    }

    function jail(uint256 seed, uint256 duration) external {
        address provider = ledger.providers(seed % ledger.providerCount());
        if (!registry.getProvider(provider).registered) return;
        registry.jail(provider, uint64(block.timestamp + bound(duration, 1, 2 days)));
    }
}
