// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice A Groth16 verifier of one circuit (one model). Proof points as EIP-197 takes them:
/// G2 coordinates imaginary part first.
interface IGroth16Verifier {
    /// @notice The proof carries another number of public inputs than the circuit has.
    error PublicInputCount(uint256 expected, uint256 got);
    /// @notice Public input `index` is not below the scalar field order.
    error PublicInputNotInField(uint256 index);
    /// @notice An elliptic-curve precompile refused its input (a key point is malformed).
    error PrecompileFailed(uint256 precompile);

    /// @notice True when the proof verifies for these public inputs; false for a proof that does
    /// not (including points that are not on the curve).
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[] calldata input
    ) external view returns (bool);
}
