// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAgentAccount} from "../interfaces/IAgentAccount.sol";
import {IAuthorizedTransferHook} from "../interfaces/IAuthorizedTransferHook.sol";
import {IEscrow} from "../interfaces/IEscrow.sol";

/// @title AgentAccount
/// @notice An agent's x402 payer (see IAgentAccount). Deployed once as the implementation;
///         every agent's account is a clone whose immutable arguments are its Config, so the
///         account keeps no storage and nothing in it can change after creation.
contract AgentAccount is IAgentAccount, IERC1271, IERC165, IAuthorizedTransferHook {
    using SafeERC20 for IERC20;

    /// @dev TrellisToken's EIP-3009 type (contracts/src/TrellisToken.sol).
    bytes32 private constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    /// @dev TrellisToken's EIP-3009 receive type: only its payee can execute it (an escrow deposit).
    bytes32 private constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    /// @dev Escrow's voucher type (contracts/src/Escrow.sol).
    bytes32 private constant VOUCHER_TYPEHASH =
        keccak256("Voucher(address client,address provider,bytes32 modelId,uint256 cumulativeAmount)");
    bytes1 private constant SESSION_KEY_TRANSFER = 0x01;
    bytes1 private constant OWNER_SIGNATURE = 0x02;
    bytes1 private constant SESSION_KEY_RECEIVE = 0x03;
    bytes1 private constant SESSION_KEY_VOUCHER = 0x04;

    /// @inheritdoc IAgentAccount
    function config() public view returns (Config memory c) {
        c = abi.decode(Clones.fetchCloneArgs(address(this)), (Config));
        // The arguments leave the spender out (the address depends on them); it is this account.
        c.permission.spender = address(this);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length < 2) return 0xffffffff;
        Config memory c = config();
        bool valid;
        bytes1 kind = signature[0];
        if (kind == SESSION_KEY_TRANSFER) {
            valid = _isAuthorization(c, TRANSFER_WITH_AUTHORIZATION_TYPEHASH, hash, signature[1:]);
        } else if (kind == SESSION_KEY_RECEIVE) {
            valid = _isAuthorization(c, RECEIVE_WITH_AUTHORIZATION_TYPEHASH, hash, signature[1:]);
        } else if (kind == SESSION_KEY_VOUCHER) {
            valid = _isVoucher(c, hash, signature[1:]);
        } else if (kind == OWNER_SIGNATURE) {
            valid = SignatureChecker.isValidSignatureNow(c.permission.account, hash, signature[1:]);
        }
        return valid ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @inheritdoc IAuthorizedTransferHook
    /// @dev The manager checks the payee, the per-call maximum, the period's remainder, the
    ///      time window, revocation and the kill switch, then moves `value` from the owner to
    ///      this account, which the token then pays on to `to`: the account holds it for the
    ///      length of one transfer.
    function onAuthorizedTransfer(address to, uint256 value, bytes32 nonce) external {
        Config memory c = config();
        if (msg.sender != c.permission.token) revert AccountNotToken(msg.sender, c.permission.token);
        if (value > type(uint160).max) revert AccountValueTooLarge(value);
        c.manager.spendThrough(c.permission, to, uint160(value));
        emit AgentAccountPaid(to, value, nonce);
    }

    /// @inheritdoc IAgentAccount
    function recover(address token, address to, uint256 amount) external {
        address owner = config().permission.account;
        if (msg.sender != owner) revert AccountNotOwner(msg.sender, owner);
        emit AgentAccountRecovered(token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IAgentAccount
    function requestEscrowWithdrawal(IEscrow escrow, uint256 amount) external {
        address owner = config().permission.account;
        if (msg.sender != owner) revert AccountNotOwner(msg.sender, owner);
        escrow.requestWithdrawal(amount);
    }

    /// @inheritdoc IAgentAccount
    function withdrawEscrow(IEscrow escrow) external returns (uint256 amount) {
        Config memory c = config();
        address owner = c.permission.account;
        if (msg.sender != owner) revert AccountNotOwner(msg.sender, owner);
        IERC20 token = IERC20(c.permission.token);
        uint256 before = token.balanceOf(address(this));
        escrow.withdraw();
        amount = token.balanceOf(address(this)) - before;
        emit AgentAccountRecovered(address(token), owner, amount);
        if (amount != 0) token.safeTransfer(owner, amount);
    }

    /// @dev The session key's signature over the token's EIP-3009 digest of `typeHash` from this
    ///      account with the body's fields, and `hash` is that digest.
    function _isAuthorization(Config memory c, bytes32 typeHash, bytes32 hash, bytes calldata body)
        private
        view
        returns (bool)
    {
        (address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes memory sig) =
            abi.decode(body, (address, uint256, uint256, uint256, bytes32, bytes));
        bytes32 structHash = keccak256(abi.encode(typeHash, address(this), to, value, validAfter, validBefore, nonce));
        bytes32 digest =
            MessageHashUtils.toTypedDataHash(IERC20Permit(c.permission.token).DOMAIN_SEPARATOR(), structHash);
        return digest == hash && _signedBySessionKey(c, hash, sig);
    }

    /// @dev The session key's signature over the Escrow voucher from this account with the
    ///      body's fields, and `hash` is that voucher's digest. A voucher needs no hook: it only
    ///      draws on what the account deposited, and every deposit went through the permission.
    function _isVoucher(Config memory c, bytes32 hash, bytes calldata body) private view returns (bool) {
        (address escrow, address provider, bytes32 modelId, uint256 cumulativeAmount, bytes memory sig) =
            abi.decode(body, (address, address, bytes32, uint256, bytes));
        bytes32 structHash = keccak256(abi.encode(VOUCHER_TYPEHASH, address(this), provider, modelId, cumulativeAmount));
        bytes32 digest = MessageHashUtils.toTypedDataHash(IEscrow(escrow).domainSeparator(), structHash);
        return digest == hash && _signedBySessionKey(c, hash, sig);
    }

    function _signedBySessionKey(Config memory c, bytes32 hash, bytes memory sig) private pure returns (bool) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, sig);
        return err == ECDSA.RecoverError.NoError && signer == c.sessionKey;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IERC1271).interfaceId
            || interfaceId == type(IAuthorizedTransferHook).interfaceId;
    }
}
