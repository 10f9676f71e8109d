// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IDisputeGame} from "../interfaces/IDisputeGame.sol";
import {IGroth16Verifier} from "../interfaces/IGroth16Verifier.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "../interfaces/ITrellisParams.sol";
import {Poseidon} from "../libraries/Poseidon.sol";
import {TraceMerkle} from "../libraries/TraceMerkle.sol";
import {ZkRegistry} from "./ZkRegistry.sol";

/// @title ZkReceiptSlasher
/// @notice Slashes a provider whose signed zk receipt (verification 3) carries a proof that
///         does not prove what the receipt says (docs/zk.md). A zk receipt binds its proof: its
///         traceRoot is `proofBinding(publicSignals, proof)`, so whoever holds the receipt, the
///         proof the provider sent with it, and the receipt's input and output can show, in one
///         call, that the provider signed a lie. The proof fails the receipt when the model's
///         registered verifier refuses it, when its signals are malformed, when it is about other
///         weights than the receipt's model is registered with, or when its I/O hash is not the
///         one of the receipt's input and output: the slasher opens the receipt's inputHash and
///         outputHash (Merkle roots of the tensors given) and recomputes their Poseidon I/O hash.
/// @dev Must be an authorized slasher of the ProviderRegistry. Each receipt costs stake once
///      across every slasher (the registry keys slashes by the EIP-712 receipt digest, as the
///      DisputeGame does). Of the slashed stake the reporter gets `reporterShareBps`, the
///      treasury the rest, so a provider slashing itself to skip unbonding loses the rest.
contract ZkReceiptSlasher is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The receipt's verification value of the zk mode (src/protocol/messages.ts).
    uint8 public constant ZK_MODE = 3;
    uint256 private constant BPS = 10_000;
    /// @notice Gas handed to the verifier. A verifier given too little gas returns false (its
    ///         pairing precompile call fails) instead of reverting, which would let a reporter
    ///         slash a valid proof by sending a short transaction: the slash is refused unless
    ///         the verifier can get all of this.
    uint256 public constant VERIFY_GAS = 400_000;
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes32 requestHash,address client,address provider,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,uint256 fee,uint256 channelTotal,uint64 issuedAt,uint8 verification)"
    );

    /// @notice A Groth16 proof, points in the verifier's order (G2 imaginary part first).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice What the receipt's inputHash and outputHash commit to, and what it takes to hash
    ///         it as the circuit does.
    struct Opening {
        /// @dev The quantized input: its Merkle root must be the receipt's inputHash.
        int256[] input;
        /// @dev The output integers: their Merkle root must be the receipt's outputHash.
        int256[] output;
        /// @dev Poseidon parameters per width (src/zk/poseidon-params.ts poseidonParamsFor).
        uint256[][] poseidonParams;
    }

    IERC20 public immutable token;
    /// @notice Where the treasury is read.
    ITrellisParams public immutable params;
    IProviderRegistry public immutable providerRegistry;
    /// @notice The verifier and Poseidon weight commitment of each model.
    ZkRegistry public immutable zkRegistry;
    /// @notice The Escrow: the verifyingContract of the receipt domain.
    address public immutable escrow;
    uint256 public immutable slashAmount;
    uint256 public immutable reporterShareBps;
    uint256 public immutable jailDuration;

    event ZkReceiptSlashed(
        bytes32 indexed receiptId, address indexed provider, address indexed reporter, uint256 slashed, uint256 reward
    );

    /// @notice A constructor parameter is out of range.
    error ZkSlashBadConfig(string field, uint256 value);
    /// @notice The receipt is not a zk one (verification 3): its mode has no proof to judge.
    error ZkSlashNotZkReceipt(bytes32 receiptId, uint8 verification);
    /// @notice The signature over the receipt is not its provider's.
    error ZkSlashBadSignature(bytes32 receiptId, address recovered, address provider);
    /// @notice The proof given is not the one the receipt binds (its traceRoot).
    error ZkSlashProofNotBound(bytes32 receiptId, bytes32 traceRoot, bytes32 binding);
    /// @notice The model has no verifier registered: there is nothing to judge the proof by.
    error ZkSlashNoVerifier(bytes32 modelId);
    /// @notice The model's verifier was registered after the receipt was signed: the receipt
    ///         is not judged by a verifier the provider could not check against.
    error ZkSlashVerifierReplaced(bytes32 receiptId, uint64 issuedAt, uint64 registeredAt);
    /// @notice The proof verifies and is about the receipt's model, input and output: the
    ///         provider kept its word.
    error ZkSlashProofValid(bytes32 receiptId);
    /// @notice The input given is not the one the receipt's inputHash commits to.
    error ZkSlashInputNotReceipt(bytes32 receiptId, bytes32 inputHash, bytes32 root);
    /// @notice The output given is not the one the receipt's outputHash commits to.
    error ZkSlashOutputNotReceipt(bytes32 receiptId, bytes32 outputHash, bytes32 root);
    /// @notice The receipt was already slashed for (here or by another slasher).
    error ZkSlashAlreadySlashed(bytes32 receiptId);
    /// @notice The transaction left too little gas for the verifier to judge the proof fairly.
    error ZkSlashGasTooLow(uint256 left, uint256 needed);

    constructor(
        IERC20 token_,
        ITrellisParams params_,
        IProviderRegistry providerRegistry_,
        ZkRegistry zkRegistry_,
        address escrow_,
        uint256 slashAmount_,
        uint256 reporterShareBps_,
        uint256 jailDuration_
    ) {
        if (slashAmount_ == 0) revert ZkSlashBadConfig("slashAmount", 0);
        if (reporterShareBps_ > BPS) revert ZkSlashBadConfig("reporterShareBps", reporterShareBps_);
        token = token_;
        params = params_;
        providerRegistry = providerRegistry_;
        zkRegistry = zkRegistry_;
        escrow = escrow_;
        slashAmount = slashAmount_;
        reporterShareBps = reporterShareBps_;
        jailDuration = jailDuration_;
    }

    /// @notice Slashes and jails the provider of `receipt` when the proof it bound fails, or is
    ///         a proof of something else than the receipt's model, input and output.
    /// @param receipt The zk receipt, as the provider signed it.
    /// @param signature The provider's EIP-712 signature over it.
    /// @param publicSignals The public signals the provider sent with the receipt.
    /// @param proof The proof the provider sent with the receipt.
    /// @param opening The receipt's input and output, and the Poseidon parameters to hash them.
    /// @return slashed The stake taken (less than slashAmount if the provider had less).
    function slash(
        IDisputeGame.Receipt calldata receipt,
        bytes calldata signature,
        uint256[] calldata publicSignals,
        Proof calldata proof,
        Opening calldata opening
    ) external nonReentrant returns (uint256 slashed) {
        bytes32 receiptId = receiptDigest(receipt);
        if (receipt.verification != ZK_MODE) revert ZkSlashNotZkReceipt(receiptId, receipt.verification);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(receiptId, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != receipt.provider) {
            revert ZkSlashBadSignature(receiptId, recovered, receipt.provider);
        }
        bytes32 binding = proofBinding(publicSignals, proof);
        if (binding != receipt.traceRoot) revert ZkSlashProofNotBound(receiptId, receipt.traceRoot, binding);
        if (providerRegistry.isReceiptSlashed(receiptId)) revert ZkSlashAlreadySlashed(receiptId);
        if (_proofHolds(receiptId, receipt, publicSignals, proof, opening)) revert ZkSlashProofValid(receiptId);

        slashed = providerRegistry.slash(receipt.provider, slashAmount, address(this), receiptId);
        providerRegistry.jail(receipt.provider, uint64(block.timestamp + jailDuration));
        uint256 reward = slashed * reporterShareBps / BPS;
        emit ZkReceiptSlashed(receiptId, receipt.provider, msg.sender, slashed, reward);
        if (reward != 0) token.safeTransfer(msg.sender, reward);
        if (slashed > reward) token.safeTransfer(params.treasury(), slashed - reward);
    }

    /// @notice What a zk receipt's traceRoot holds: keccak256 of the ABI encoding of the proof's
    ///         points (a, b, c, in the verifier's order) and its public signals.
    function proofBinding(uint256[] calldata publicSignals, Proof calldata proof) public pure returns (bytes32) {
        return keccak256(abi.encode(proof.a, proof.b, proof.c, publicSignals));
    }

    /// @notice The receipt's EIP-712 digest: its id across every slasher.
    function receiptDigest(IDisputeGame.Receipt calldata receipt) public view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Trellis Inference"), keccak256("1"), block.chainid, escrow)
        );
        // Every Receipt field is static, so abi.encode of the struct is the EIP-712 encoding.
        return keccak256(abi.encodePacked(hex"1901", domain, keccak256(abi.encode(RECEIPT_TYPEHASH, receipt))));
    }

    /// @dev Whether the bound proof holds for the model's registered verifier and commitment and
    ///      is about the receipt's input and output. Reverts, judging nothing, when the opening
    ///      is not what the receipt commits to: a reporter cannot slash an honest receipt by
    ///      giving another input or output than the one the provider signed.
    function _proofHolds(
        bytes32 receiptId,
        IDisputeGame.Receipt calldata receipt,
        uint256[] calldata signals,
        Proof calldata proof,
        Opening calldata opening
    ) private view returns (bool) {
        (IGroth16Verifier verifier, uint256 commitment) = zkRegistry.verifierOf(receipt.modelId);
        if (address(verifier) == address(0)) revert ZkSlashNoVerifier(receipt.modelId);
        uint64 since = zkRegistry.registeredAt(receipt.modelId);
        if (receipt.issuedAt < since) revert ZkSlashVerifierReplaced(receiptId, receipt.issuedAt, since);
        _checkOpening(receiptId, receipt, opening);
        return _aboutReceipt(commitment, signals, opening) && _verifies(verifier, signals, proof);
    }

    /// @dev Reverts unless the opening is the input and output the receipt commits to.
    function _checkOpening(bytes32 receiptId, IDisputeGame.Receipt calldata receipt, Opening calldata opening)
        private
        pure
    {
        bytes32 inputRoot = _rootOf(opening.input);
        if (inputRoot != receipt.inputHash) revert ZkSlashInputNotReceipt(receiptId, receipt.inputHash, inputRoot);
        bytes32 outputRoot = _rootOf(opening.output);
        if (outputRoot != receipt.outputHash) {
            revert ZkSlashOutputNotReceipt(receiptId, receipt.outputHash, outputRoot);
        }
    }

    /// @dev Whether the signals are well formed and about the receipt's model (its registered
    ///      commitment), input and output. Malformed signals fail here rather than revert in the
    ///      verifier; both signals equal values below the field order once this holds.
    function _aboutReceipt(uint256 commitment, uint256[] calldata signals, Opening calldata opening)
        private
        view
        returns (bool)
    {
        if (signals.length != zkRegistry.PUBLIC_SIGNALS() || signals[0] != commitment) return false;
        (uint256 io, bool provable) = _ioHash(opening);
        return provable && signals[1] == io;
    }

    /// @dev Whether the verifier accepts the proof, given all the gas it may need.
    function _verifies(IGroth16Verifier verifier, uint256[] calldata signals, Proof calldata proof)
        private
        view
        returns (bool)
    {
        // At most 63/64 of what is left reaches the call: ask for enough that it gets it all.
        uint256 needed = VERIFY_GAS + VERIFY_GAS / 63 + 5_000;
        if (gasleft() < needed) revert ZkSlashGasTooLow(gasleft(), needed);
        try verifier.verifyProof{gas: VERIFY_GAS}(proof.a, proof.b, proof.c, signals) returns (bool ok) {
            return ok;
        } catch {
            // The verifier refused the points themselves (a precompile failed on them).
            return false;
        }
    }

    /// @dev Poseidon([tensorHash(input), tensorHash(output)]), the circuit's public signal 1;
    ///      provable false when a value lies outside int16, which no proof can be about.
    function _ioHash(Opening calldata opening) private pure returns (uint256 io, bool provable) {
        (uint256 inputHash, bool inputOk) = Poseidon.tensorHash(opening.input, opening.poseidonParams);
        (uint256 outputHash, bool outputOk) = Poseidon.tensorHash(opening.output, opening.poseidonParams);
        if (!inputOk || !outputOk) return (0, false);
        uint256[] memory pair = new uint256[](2);
        (pair[0], pair[1]) = (inputHash, outputHash);
        return (Poseidon.hash(pair, opening.poseidonParams), true);
    }

    /// @dev The Merkle root of a tensor, as a receipt's inputHash and outputHash are (chunked
    ///      int16 leaves), or zero when a value lies outside int16: such a value packs as
    ///      another one under the same root, so an opening holding it is no receipt's, and
    ///      judging it would let a reporter slash an honest receipt by aliasing one value.
    function _rootOf(int256[] calldata values) private pure returns (bytes32 root) {
        bool inRange;
        (root, inRange) = TraceMerkle.rootOfValues(values);
        if (!inRange) root = bytes32(0);
    }
}
