// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IAuthorizedTransferHook} from "../../src/interfaces/IAuthorizedTransferHook.sol";
import {TrellisToken} from "../../src/TrellisToken.sol";

/// @title ReplayingHookWallet
/// @notice A wallet whose transfer hook tries to spend the authorization being settled a
///         second time, from inside the transfer: the token must have marked it used already.
contract ReplayingHookWallet is IERC1271, IERC165, IAuthorizedTransferHook {
    TrellisToken internal immutable token;
    address internal immutable signer;
    bytes internal _pending;
    bool public replayWentThrough;
    uint256 public hookCalls;

    constructor(TrellisToken token_, address signer_) {
        token = token_;
        signer = signer_;
    }

    /// @dev The call the hook will try again: the same authorization, signature and all.
    function arm(bytes calldata call) external {
        _pending = call;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        return ECDSA.recover(hash, signature) == signer ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    function onAuthorizedTransfer(address, uint256, bytes32) external {
        ++hookCalls;
        if (_pending.length == 0) return;
        bytes memory call = _pending;
        delete _pending;
        (bool ok,) = address(token).call(call);
        replayWentThrough = ok;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IAuthorizedTransferHook).interfaceId;
    }
}
