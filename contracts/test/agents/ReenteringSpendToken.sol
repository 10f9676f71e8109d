// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";

/// @title ReenteringSpendToken
/// @notice A token that, once armed, calls `spend` again from inside its own transfer, as a
///         hook-carrying token holding the session key would, to spend the period twice.
contract ReenteringSpendToken is ERC20 {
    ISpendPermissions internal manager;
    ISpendPermissions.SpendPermission internal permission;
    address internal payee;
    uint160 internal value;
    bool public attempted;
    bool public reentered;

    constructor() ERC20("Reentering", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(ISpendPermissions manager_, ISpendPermissions.SpendPermission memory p, address payee_, uint160 v)
        external
    {
        manager = manager_;
        permission = p;
        payee = payee_;
        value = v;
    }

    function _update(address from, address to, uint256 amount) internal override {
        super._update(from, to, amount);
        if (address(manager) != address(0) && !attempted) {
            attempted = true;
            try manager.spend(permission, payee, value) {
                reentered = true;
            } catch {}
        }
    }
}
