// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {PoseidonParams} from "./PoseidonParams.sol";

/// @title Poseidon
/// @notice circomlib's Poseidon over the BN254 scalar field (the hash of the zk circuits,
///         docs/zk.md), and the chain hash of packed int16 tensors built on it
///         (src/zk/commitment.ts). The parameters of a width are too large to deploy (about
///         400 kB for all widths), so the caller passes them as calldata and they are checked
///         against the keccak256 PoseidonParams holds: `params[t - 2]` for width t, empty
///         where unused.
library Poseidon {
    /// @dev Order of the BN254 scalar field.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant FULL_ROUNDS = 8;
    /// @dev int16 values packed per field element, 16 bits each, offset by 2^15.
    uint256 private constant PACK = 15;

    /// @notice The parameters passed for width t are not that width's Poseidon parameters.
    error PoseidonParamsWrong(uint256 t, bytes32 expected, bytes32 got);

    /// @notice Poseidon of 1..16 field elements (each below R).
    function hash(uint256[] memory inputs, uint256[][] calldata params) internal pure returns (uint256) {
        uint256 t = inputs.length + 1;
        (uint256 partialRounds, bytes32 expected) = PoseidonParams.width(t);
        if (t - 2 >= params.length) revert PoseidonParamsWrong(t, expected, keccak256(""));
        uint256[] calldata p = params[t - 2];
        bytes32 got = keccak256(abi.encodePacked(p));
        if (got != expected) revert PoseidonParamsWrong(t, expected, got);

        uint256[] memory state = new uint256[](t);
        for (uint256 i; i < inputs.length; ++i) {
            state[i + 1] = inputs[i];
        }
        return _permute(state, p, partialRounds);
    }

    /// @dev The permutation on `state` (width t), returning the first element.
    function _permute(uint256[] memory state, uint256[] calldata p, uint256 partialRounds)
        private
        pure
        returns (uint256)
    {
        uint256 t = state.length;
        uint256 rounds = FULL_ROUNDS + partialRounds;
        uint256[] memory next = new uint256[](t);
        for (uint256 r; r < rounds; ++r) {
            _addAndSbox(state, p, r * t, r < FULL_ROUNDS / 2 || r >= FULL_ROUNDS / 2 + partialRounds);
            _mix(state, next, p, rounds * t);
            (state, next) = (next, state);
        }
        return state[0];
    }

    /// @dev Adds the round constants at `offset`; x^5 on every element (full round) or the first.
    function _addAndSbox(uint256[] memory state, uint256[] calldata p, uint256 offset, bool full) private pure {
        unchecked {
            for (uint256 i; i < state.length; ++i) {
                uint256 v = addmod(state[i], p[offset + i], R);
                if (full || i == 0) {
                    uint256 sq = mulmod(v, v, R);
                    v = mulmod(v, mulmod(sq, sq, R), R);
                }
                state[i] = v;
            }
        }
    }

    /// @dev next = M * state, with M row-major at `offset`.
    function _mix(uint256[] memory state, uint256[] memory next, uint256[] calldata p, uint256 offset) private pure {
        uint256 t = state.length;
        unchecked {
            for (uint256 i; i < t; ++i) {
                uint256 acc;
                uint256 row = offset + i * t;
                for (uint256 j; j < t; ++j) {
                    acc = addmod(acc, mulmod(p[row + j], state[j], R), R);
                }
                next[i] = acc;
            }
        }
    }

    /// @notice The chain hash of an int16 tensor packed 15 values to an element: h = number of
    ///         elements, then h = Poseidon([h, ...chunk]) per chunk of at most 15 elements.
    /// @return h The hash, and ok false when a value lies outside int16 (no circuit takes it).
    function tensorHash(int256[] calldata values, uint256[][] calldata params)
        internal
        pure
        returns (uint256 h, bool ok)
    {
        uint256[] memory elements;
        (elements, ok) = _pack(values);
        if (!ok) return (0, false);
        uint256 n = elements.length;
        h = n;
        for (uint256 start; start < n; start += PACK) {
            uint256 size = start + PACK < n ? PACK : n - start;
            uint256[] memory inputs = new uint256[](size + 1);
            inputs[0] = h;
            for (uint256 i; i < size; ++i) {
                inputs[i + 1] = elements[start + i];
            }
            h = hash(inputs, params);
        }
    }

    /// @dev int16 values packed 15 to an element, the first in the low 16 bits, each plus 2^15.
    function _pack(int256[] calldata values) private pure returns (uint256[] memory elements, bool ok) {
        elements = new uint256[]((values.length + PACK - 1) / PACK);
        for (uint256 e; e < elements.length; ++e) {
            uint256 start = e * PACK;
            uint256 end = start + PACK < values.length ? start + PACK : values.length;
            uint256 acc;
            for (uint256 i = end; i > start; --i) {
                int256 v = values[i - 1];
                if (v < type(int16).min || v > type(int16).max) return (elements, false);
                acc = (acc << 16) | uint256(v + 32_768);
            }
            elements[e] = acc;
        }
        return (elements, true);
    }
}
