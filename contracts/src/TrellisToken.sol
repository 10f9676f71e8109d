// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {ITrellisToken} from "./interfaces/ITrellisToken.sol";
import {IAuthorizedTransferHook} from "./interfaces/IAuthorizedTransferHook.sol";

/// @title TrellisToken
/// @notice Payment token of the network. EIP-712 domain: name "Trellis USD", version "1".
contract TrellisToken is ITrellisToken, ERC20Permit {
    /// @notice keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    /// @notice keccak256("ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    /// @notice keccak256("CancelAuthorization(address authorizer,bytes32 nonce)")
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");

    /// @notice Largest amount one faucet call may mint: 10,000 tokens.
    uint256 public constant FAUCET_CAP = 10_000e6;

    /// @notice The only chain id on which `faucet` works (31337 for a local anvil).
    uint256 public immutable faucetChainId;

    mapping(address authorizer => mapping(bytes32 nonce => bool used)) private _authorizationUsed;

    /// @param faucetChainId_ Chain id on which the faucet is enabled; pass 31337 for anvil and
    ///        any id that will never be used (e.g. 0) to disable it everywhere.
    /// @param initialHolder Receives `initialSupply` (ignored when the supply is zero).
    /// @param initialSupply Token units minted once at deployment.
    constructor(uint256 faucetChainId_, address initialHolder, uint256 initialSupply)
        ERC20("Trellis USD", "tUSD")
        ERC20Permit("Trellis USD")
    {
        faucetChainId = faucetChainId_;
        if (initialSupply != 0) _mint(initialHolder, initialSupply);
    }

    /// @notice 6 decimals, like USDC: x402 payments and most agent wallets quote prices in
    ///         USDC-style units, so amounts carry over between the two rails without rescaling.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @inheritdoc ITrellisToken
    function faucet(address to, uint256 amount) external {
        if (block.chainid != faucetChainId) revert TokenFaucetDisabled(block.chainid, faucetChainId);
        if (amount > FAUCET_CAP) revert TokenFaucetCapExceeded(amount, FAUCET_CAP);
        emit FaucetMinted(msg.sender, to, amount);
        _mint(to, amount);
    }

    /// @inheritdoc ITrellisToken
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            abi.encodePacked(r, s, v)
        );
    }

    /// @inheritdoc ITrellisToken
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    /// @inheritdoc ITrellisToken
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (to != msg.sender) revert TokenCallerNotPayee(to, msg.sender);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            abi.encodePacked(r, s, v)
        );
    }

    /// @inheritdoc ITrellisToken
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external {
        if (to != msg.sender) revert TokenCallerNotPayee(to, msg.sender);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    /// @inheritdoc ITrellisToken
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        _cancelAuthorization(authorizer, nonce, abi.encodePacked(r, s, v));
    }

    /// @inheritdoc ITrellisToken
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) external {
        _cancelAuthorization(authorizer, nonce, signature);
    }

    /// @inheritdoc ITrellisToken
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizationUsed[authorizer][nonce];
    }

    // ------------------------------------------------------------------ internal

    /// @dev The one path every EIP-3009 transfer takes: time window, nonce, signature, the
    ///      payer's hook if it has one (IAuthorizedTransferHook, an agent's account), then move.
    ///      The nonce is marked used before the hook runs, so the hook cannot replay it.
    function _transferWithAuthorization(
        bytes32 typeHash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) private {
        if (block.timestamp <= validAfter) {
            revert TokenAuthorizationNotYetValid(validAfter, block.timestamp);
        }
        if (block.timestamp >= validBefore) revert TokenAuthorizationExpired(validBefore, block.timestamp);
        _requireUnused(from, nonce);
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(typeHash, from, to, value, validAfter, validBefore, nonce)));
        _requireSignature(from, digest, signature);
        _authorizationUsed[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
        if (
            from.code.length != 0
                && ERC165Checker.supportsERC165InterfaceUnchecked(from, type(IAuthorizedTransferHook).interfaceId)
        ) {
            IAuthorizedTransferHook(from).onAuthorizedTransfer(to, value, nonce);
        }
        _transfer(from, to, value);
    }

    function _cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) private {
        _requireUnused(authorizer, nonce);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce)));
        _requireSignature(authorizer, digest, signature);
        _authorizationUsed[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    function _requireUnused(address authorizer, bytes32 nonce) private view {
        if (_authorizationUsed[authorizer][nonce]) revert TokenAuthorizationUsed(authorizer, nonce);
    }

    /// @dev ECDSA for externally owned accounts, ERC-1271 for contract accounts.
    function _requireSignature(address signer, bytes32 digest, bytes memory signature) private view {
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) revert TokenInvalidSignature(signer);
    }
}
