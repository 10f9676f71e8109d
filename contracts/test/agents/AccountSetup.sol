// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SpendSetup} from "./SpendSetup.sol";
import {AgentAccounts} from "../../src/agents/AgentAccounts.sol";
import {AgentAccount} from "../../src/agents/AgentAccount.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";

/// @title AccountSetup
/// @notice SpendSetup plus the account factory and an agent account whose session key is the
///         agent's key: the owner's permission names the account as spender, and the session
///         key signs EIP-3009 authorizations from the account, as the x402 client does.
abstract contract AccountSetup is SpendSetup {
    AgentAccounts internal accounts;
    AgentAccount internal account;
    ISpendPermissions.SpendPermission internal accountPermission;
    /// @dev Whoever submits authorizations (an x402 facilitator); holds nothing.
    address internal facilitator = address(0xFAC);
    address internal stranger = address(0x57A);

    function setUpAccount() internal {
        setUpSpend();
        accounts = new AgentAccounts(manager);
        address[] memory payees = new address[](1);
        payees[0] = service;
        // 10 tUSD a day, at most 2 a call, to active providers and `service`, for 30 days.
        account = createAccount(permissionWith(10e6, 2e6, true, payees));
    }

    /// @dev `p` with its spender set to the account it gives, signed by the owner and created.
    function createAccount(ISpendPermissions.SpendPermission memory p) internal returns (AgentAccount created) {
        p.spender = accounts.accountAddress(agent, p);
        created = AgentAccount(accounts.create(agent, p, sign(OWNER_KEY, p)));
        accountPermission = p;
    }

    /// @dev The TrellisToken digest of a TransferWithAuthorization from `from`.
    function transferDigest(address from, address to, uint256 value, uint256 validBefore, bytes32 nonce)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), from, to, value, 0, validBefore, nonce)
        );
        return keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
    }

    /// @dev What the agent's x402 signer sends: kind 0x01, the fields, `key`'s ECDSA signature.
    function authorize(uint256 key, address to, uint256 value, bytes32 nonce) internal view returns (bytes memory) {
        uint256 validBefore = block.timestamp + 120;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, transferDigest(address(account), to, value, validBefore, nonce));
        return abi.encodePacked(bytes1(0x01), abi.encode(to, value, 0, validBefore, nonce, abi.encodePacked(r, s, v)));
    }

    /// @dev The facilitator settles an authorization from the account.
    function settle(address to, uint256 value, bytes32 nonce, bytes memory signature) internal {
        vm.prank(facilitator);
        token.transferWithAuthorization(address(account), to, value, 0, block.timestamp + 120, nonce, signature);
    }
}
