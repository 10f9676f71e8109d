// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title PoseidonParams
/// @notice Per Poseidon width t (t - 1 inputs) of circomlib's Poseidon over BN254: its partial
///         rounds and keccak256 of its parameters packed (round constants, then the MDS matrix
///         row-major), so parameters passed as calldata can be checked. Written by
///         src/zk/poseidon-params.ts from poseidon-lite's constants; do not edit.
library PoseidonParams {
    /// @notice No Poseidon of this width exists here (widths 2..17).
    error PoseidonWidthUnknown(uint256 t);

    function width(uint256 t) internal pure returns (uint256 partialRounds, bytes32 paramsHash) {
        if (t == 2) return (56, 0x866ab11ab8558cc37b4843bf53290ce642bc4b1b9ee2934f908464c24d2fa3d6);
        if (t == 3) return (57, 0x71feb613ee90092dfb39db92ea6de277c3062752678a67d53b9ca036d4e45a71);
        if (t == 4) return (56, 0xc585f2056a7d4f8bfcaf482ad0999b3b56fe4a54f7f19a08b606364f49a152ad);
        if (t == 5) return (60, 0xad18383c02971dc88b87575f735d6b9cd648fbfd6c2fc36ee722485ce2c5f5c4);
        if (t == 6) return (60, 0x520cac2fe8ac729026d9e0a37df38571ccdfa729c90765100c8f71dbf53b7b12);
        if (t == 7) return (63, 0x40684c904d8ffff3ce3340f0437e5becc4372f62902d089d7dba2f10c2348019);
        if (t == 8) return (64, 0xe49083c3af5671f6a797315b4911ee82aa68a3bde7429e50fda599842beb102f);
        if (t == 9) return (63, 0x0854546648c0a63565110461d01452fe11364cbccb671289acde1117de64bfe6);
        if (t == 10) return (60, 0xf942a2f98009eb1e5a6f76bc216404261655184dc0d59e112a7666d366713f76);
        if (t == 11) return (66, 0x48a03cf427cfab348aaf083b21a99cc6b2c0c0a128106422be9639a3ec17c3f4);
        if (t == 12) return (60, 0x7e4cce1cbab9271dacf2c1ccf9deaf312ceb017a5a816f0c940e0103b834c412);
        if (t == 13) return (65, 0x88950b832e3777de84683860544d9ce92fa1c1184769ff64edf0b1b6b67c2028);
        if (t == 14) return (70, 0x032fa5356a223bb5bc1d33227148e021266dce7b274c02f5ca224746051c5a4f);
        if (t == 15) return (60, 0x80a83218244a5d96096b1b641255f52382e4dce9c4ef7f0ffb2907459dade6e3);
        if (t == 16) return (64, 0xd7164a436305d9c240c424fc993d55d007b185c88e2392ca678b05bf39491f55);
        if (t == 17) return (68, 0x27ddc52f41e95dfd39b5b4b08282e0b83e53a4b5db6c0f607b54ce5a36e9a64d);
        revert PoseidonWidthUnknown(t);
    }
}
