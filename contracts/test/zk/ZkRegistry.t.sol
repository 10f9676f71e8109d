// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {Shapes} from "../utils/Shapes.sol";
import {ZkRegistry} from "../../src/zk/ZkRegistry.sol";
import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";
import {BreastCancerMlpVerifier} from "../../src/zk/BreastCancerMlpVerifier.sol";
import {BreastCancerMlpFixture} from "./BreastCancerMlpFixture.sol";

/// @notice The committed breast-cancer-mlp verifier and a real proof from scripts/zk-setup.ts,
///         against every way a submitter could lie about it.
contract ZkRegistryTest is Fixture {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    address internal owner = address(0x0A);
    address internal stranger = address(0xBAD);
    bytes32 internal modelId;
    ZkRegistry internal zk;
    BreastCancerMlpVerifier internal verifier;

    function setUp() public {
        deploySystem();
        vm.prank(owner);
        modelId = models.publish(keccak256("breast-cancer-mlp.onnx"), bytes32(0), Shapes.none(), "ipfs://meta", 500);
        zk = new ZkRegistry(models);
        verifier = new BreastCancerMlpVerifier();
        vm.prank(owner);
        zk.registerVerifier(modelId, verifier, BreastCancerMlpFixture.WEIGHT_HASH);
    }

    function _signals() internal pure returns (uint256[] memory s) {
        s = new uint256[](2);
        s[0] = BreastCancerMlpFixture.WEIGHT_HASH;
        s[1] = BreastCancerMlpFixture.IO_HASH;
    }

    function test_realProof_verifiesAndRecords() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        assertTrue(verifier.verifyProof(a, b, c, _signals()), "verifier accepts");
        vm.expectEmit(address(zk));
        emit ZkRegistry.ResultVerified(
            modelId, BreastCancerMlpFixture.IO_HASH, BreastCancerMlpFixture.WEIGHT_HASH, stranger
        );
        vm.prank(stranger);
        bytes32 key = zk.verifyAndRecord(modelId, _signals(), a, b, c);
        assertEq(
            key, zk.resultKeyOf(modelId, BreastCancerMlpFixture.WEIGHT_HASH, BreastCancerMlpFixture.IO_HASH), "key"
        );
        assertTrue(
            zk.isVerified(modelId, BreastCancerMlpFixture.WEIGHT_HASH, BreastCancerMlpFixture.IO_HASH), "recorded"
        );
        // Submitting the same proof again succeeds and returns the same key.
        assertEq(zk.verifyAndRecord(modelId, _signals(), a, b, c), key, "same key");
    }

    function test_tamperedProof_isRefused() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        // A point off the curve: the pairing precompile refuses it.
        uint256[2] memory badA = [a[0], a[1] + 1];
        vm.expectRevert(
            abi.encodeWithSelector(ZkRegistry.ZkProofRejected.selector, modelId, BreastCancerMlpFixture.IO_HASH)
        );
        zk.verifyAndRecord(modelId, _signals(), badA, b, c);
        // A valid curve point that is not the proof's C (the generator).
        vm.expectRevert(
            abi.encodeWithSelector(ZkRegistry.ZkProofRejected.selector, modelId, BreastCancerMlpFixture.IO_HASH)
        );
        zk.verifyAndRecord(modelId, _signals(), a, b, [uint256(1), 2]);
        // A's y plus the base field order: the same point mod Q, refused as non-canonical.
        uint256[2] memory aliasA = [a[0], a[1] + Q];
        vm.expectRevert(
            abi.encodeWithSelector(ZkRegistry.ZkProofRejected.selector, modelId, BreastCancerMlpFixture.IO_HASH)
        );
        zk.verifyAndRecord(modelId, _signals(), aliasA, b, c);
        // B with its coordinates in the other order (the snarkjs order, not EIP-197's).
        uint256[2][2] memory swapped = [[b[0][1], b[0][0]], [b[1][1], b[1][0]]];
        vm.expectRevert(
            abi.encodeWithSelector(ZkRegistry.ZkProofRejected.selector, modelId, BreastCancerMlpFixture.IO_HASH)
        );
        zk.verifyAndRecord(modelId, _signals(), a, swapped, c);
        assertFalse(
            zk.isVerified(modelId, BreastCancerMlpFixture.WEIGHT_HASH, BreastCancerMlpFixture.IO_HASH), "not recorded"
        );
    }

    function test_tamperedIoHash_isRefused() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        uint256[] memory s = _signals();
        s[1] = s[1] ^ 1;
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkProofRejected.selector, modelId, s[1]));
        zk.verifyAndRecord(modelId, s, a, b, c);
        assertFalse(zk.isVerified(modelId, BreastCancerMlpFixture.WEIGHT_HASH, s[1]), "not recorded");
    }

    function test_signalOutsideField_isRefused() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        uint256[] memory s = _signals();
        // The same residue plus the field order: would alias the real I/O hash without the check.
        s[1] = s[1] + R;
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.PublicInputNotInField.selector, 1));
        zk.verifyAndRecord(modelId, s, a, b, c);
    }

    function test_otherWeights_areRefused() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        uint256[] memory s = _signals();
        s[0] = s[0] - 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                ZkRegistry.ZkWeightCommitmentMismatch.selector, modelId, BreastCancerMlpFixture.WEIGHT_HASH, s[0]
            )
        );
        zk.verifyAndRecord(modelId, s, a, b, c);
    }

    function test_wrongSignalCount_isRefused() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        uint256[] memory s = new uint256[](3);
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkPublicSignalCount.selector, 2, 3));
        zk.verifyAndRecord(modelId, s, a, b, c);
    }

    function test_modelWithoutVerifier_isRefused() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        bytes32 other = keccak256("other");
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkNoVerifier.selector, other));
        zk.verifyAndRecord(other, _signals(), a, b, c);
    }

    function test_onlyTheOwnerRegisters() public {
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkNotModelOwner.selector, modelId, owner, stranger));
        vm.prank(stranger);
        zk.registerVerifier(modelId, verifier, 1);
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkModelUnknown.selector, unknown));
        zk.registerVerifier(unknown, verifier, 1);
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkVerifierNotContract.selector, stranger));
        zk.registerVerifier(modelId, IGroth16Verifier(stranger), 1);
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkBadCommitment.selector, 0));
        zk.registerVerifier(modelId, verifier, 0);
        vm.expectRevert(abi.encodeWithSelector(ZkRegistry.ZkBadCommitment.selector, R));
        zk.registerVerifier(modelId, verifier, R);
        vm.stopPrank();
        (IGroth16Verifier v, uint256 commitment) = zk.verifierOf(modelId);
        assertEq(address(v), address(verifier), "verifier unchanged");
        assertEq(commitment, BreastCancerMlpFixture.WEIGHT_HASH, "nothing changed");
    }

    function test_replacingTheVerifier_keepsEarlierResults() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = BreastCancerMlpFixture.proof();
        zk.verifyAndRecord(modelId, _signals(), a, b, c);
        vm.prank(owner);
        zk.registerVerifier(modelId, verifier, 12345);
        assertTrue(
            zk.isVerified(modelId, BreastCancerMlpFixture.WEIGHT_HASH, BreastCancerMlpFixture.IO_HASH), "recorded"
        );
        // The old proof is about the old weights: refused under the new commitment.
        vm.expectRevert(
            abi.encodeWithSelector(
                ZkRegistry.ZkWeightCommitmentMismatch.selector, modelId, 12345, BreastCancerMlpFixture.WEIGHT_HASH
            )
        );
        zk.verifyAndRecord(modelId, _signals(), a, b, c);
    }
}
