// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {SpendPermissions} from "../../src/agents/SpendPermissions.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

/// @title SpendSetup
/// @notice The system, a permission manager, an owner with funds that granted the manager an
///         ERC-20 allowance, an agent session key, a registered provider and a named service.
abstract contract SpendSetup is Fixture {
    uint256 internal constant OWNER_KEY = 0xA11CE;
    uint256 internal constant AGENT_KEY = 0xA6E27;
    uint256 internal constant MALLORY_KEY = 0xBAD;
    uint256 internal constant OWNER_FUNDS = 1_000e6;

    SpendPermissions internal manager;
    address internal owner;
    address internal agent;
    address internal mallory;
    address internal provider = address(0x9A0);
    address internal service = address(0x5E7);

    function setUpSpend() internal {
        deploySystem();
        manager = new SpendPermissions(IProviderRegistry(address(registry)));
        owner = vm.addr(OWNER_KEY);
        agent = vm.addr(AGENT_KEY);
        mallory = vm.addr(MALLORY_KEY);
        mint(owner, OWNER_FUNDS);
        vm.prank(owner);
        token.approve(address(manager), type(uint256).max);
        mint(provider, MIN_STAKE);
        vm.startPrank(provider);
        token.approve(address(registry), MIN_STAKE);
        registry.register("http://provider", hex"01", MIN_STAKE);
        vm.stopPrank();
    }

    /// @dev 10 tUSD a day, at most 2 tUSD a call, to active providers and `service`, for 30 days.
    function permission() internal view returns (ISpendPermissions.SpendPermission memory p) {
        address[] memory payees = new address[](1);
        payees[0] = service;
        p = permissionWith(10e6, 2e6, true, payees);
    }

    function permissionWith(uint160 allowance, uint160 maxPerCall, bool anyProvider, address[] memory payees)
        internal
        view
        returns (ISpendPermissions.SpendPermission memory p)
    {
        p.account = owner;
        p.spender = agent;
        p.token = address(token);
        p.allowance = allowance;
        p.period = 1 days;
        p.start = uint48(block.timestamp);
        p.end = uint48(block.timestamp + 30 days);
        p.salt = 1;
        p.extraData = terms(maxPerCall, manager.epochOf(owner), anyProvider, payees);
    }

    function terms(uint160 maxPerCall, uint64 epoch, bool anyProvider, address[] memory payees)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(
            ISpendPermissions.Terms({
                maxPerCall: maxPerCall, epoch: epoch, anyActiveProvider: anyProvider, payees: payees
            })
        );
    }

    function sign(uint256 key, ISpendPermissions.SpendPermission memory p) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, manager.getHash(p));
        return abi.encodePacked(r, s, v);
    }

    function approved(ISpendPermissions.SpendPermission memory p) internal returns (bytes32 hash) {
        manager.approveWithSignature(p, sign(OWNER_KEY, p));
        hash = manager.getHash(p);
    }

    function spendAs(address who, ISpendPermissions.SpendPermission memory p, address payee, uint160 value) internal {
        vm.prank(who);
        manager.spend(p, payee, value);
    }
}
