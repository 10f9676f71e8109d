// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReenteringToken
/// @notice A payment token whose transfers call back into `target.withdraw()` once armed, as a
///         hook-carrying token would, recording whether the nested call succeeded.
contract ReenteringToken is ERC20 {
    address public target;
    bool public reentered;

    constructor() ERC20("Reentering", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_) external {
        target = target_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = target;
        if (t != address(0) && from == t) {
            target = address(0);
            (bool ok,) = t.call(abi.encodeWithSignature("withdraw()"));
            reentered = ok;
        }
    }
}
