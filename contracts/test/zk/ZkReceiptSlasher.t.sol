// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {Shapes} from "../utils/Shapes.sol";
import {ZkRegistry} from "../../src/zk/ZkRegistry.sol";
import {ZkReceiptSlasher} from "../../src/zk/ZkReceiptSlasher.sol";
import {BreastCancerMlpVerifier} from "../../src/zk/BreastCancerMlpVerifier.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "../../src/interfaces/ITrellisParams.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {BreastCancerMlpFixture} from "./BreastCancerMlpFixture.sol";

/// @notice The slash path of zk receipts, from every side that could lie: a provider that
///         signs a proof that fails is slashed once; a client or stranger cannot slash a
///         provider with a receipt it never signed, with a bad proof in place of the one the
///         receipt binds, with a valid proof, twice, or by starving the verifier of gas.
contract ZkReceiptSlasherTest is Fixture {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant PROVIDER_KEY = 0xA11CE;
    uint256 internal constant CLIENT_KEY = 0xC11E;
    uint256 internal constant STAKE = 1_000e6;
    uint256 internal constant SLASH = 50e6;
    uint256 internal constant SHARE_BPS = 5_000;
    address internal owner = address(0x0A);
    address internal reporter = address(0xBEEF);
    address internal provider;
    address internal client;
    bytes32 internal modelId;
    ZkRegistry internal zk;
    ZkReceiptSlasher internal slasher;

    function setUp() public {
        deploySystem();
        provider = vm.addr(PROVIDER_KEY);
        client = vm.addr(CLIENT_KEY);
        vm.prank(owner);
        modelId = models.publish(keccak256("breast-cancer-mlp.onnx"), bytes32(0), Shapes.none(), "ipfs://meta", 500);
        zk = new ZkRegistry(models);
        BreastCancerMlpVerifier verifier = new BreastCancerMlpVerifier();
        vm.prank(owner);
        zk.registerVerifier(modelId, verifier, BreastCancerMlpFixture.WEIGHT_HASH);
        slasher = new ZkReceiptSlasher(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IProviderRegistry(address(registry)),
            zk,
            address(escrow),
            SLASH,
            SHARE_BPS,
            7 days
        );
        vm.prank(governance);
        registry.setSlasher(address(slasher), true);
        mint(provider, STAKE);
        vm.startPrank(provider);
        token.approve(address(registry), STAKE);
        registry.register("http://p", "", STAKE);
        vm.stopPrank();
        vm.warp(block.timestamp + 1);
    }

    // ------------------------------------------------------------------ helpers

    function _signals() internal pure returns (uint256[] memory s) {
        s = new uint256[](2);
        s[0] = BreastCancerMlpFixture.WEIGHT_HASH;
        s[1] = BreastCancerMlpFixture.IO_HASH;
    }

    function _goodProof() internal pure returns (ZkReceiptSlasher.Proof memory p) {
        (p.a, p.b, p.c) = BreastCancerMlpFixture.proof();
    }

    /// @dev The real proof with C replaced by the curve's generator: well formed, but false.
    function _badProof() internal pure returns (ZkReceiptSlasher.Proof memory p) {
        p = _goodProof();
        p.c = [uint256(1), 2];
    }

    function _receipt(uint256[] memory signals, ZkReceiptSlasher.Proof memory p)
        internal
        view
        returns (IDisputeGame.Receipt memory)
    {
        return IDisputeGame.Receipt({
            requestHash: keccak256("request"),
            client: client,
            provider: provider,
            modelId: modelId,
            inputHash: keccak256("input"),
            outputHash: keccak256("output"),
            traceRoot: keccak256(abi.encode(p.a, p.b, p.c, signals)),
            fee: 5e5,
            channelTotal: 5e5,
            issuedAt: uint64(block.timestamp),
            verification: 3
        });
    }

    function _sign(uint256 key, IDisputeGame.Receipt memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(key, slasher.receiptDigest(r));
        return abi.encodePacked(rr, s, v);
    }

    function _stake() internal view returns (uint256) {
        return registry.getProvider(provider).activeStake;
    }

    // ------------------------------------------------------------------ tests

    function test_binding_matchesTheReceiptField() public view {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _goodProof();
        assertEq(slasher.proofBinding(s, p), _receipt(s, p).traceRoot, "binding");
    }

    function test_providersBadProof_isSlashedOnce() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _badProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        bytes memory sig = _sign(PROVIDER_KEY, r);
        bytes32 id = slasher.receiptDigest(r);

        vm.expectEmit(address(slasher));
        emit ZkReceiptSlasher.ZkReceiptSlashed(id, provider, reporter, SLASH, SLASH / 2);
        vm.prank(reporter);
        assertEq(slasher.slash(r, sig, s, p), SLASH, "slashed");
        assertEq(_stake(), STAKE - SLASH, "stake taken");
        assertEq(token.balanceOf(reporter), SLASH / 2, "reporter's share");
        assertEq(token.balanceOf(treasury), SLASH - SLASH / 2, "treasury's share");
        assertEq(token.balanceOf(address(slasher)), 0, "nothing kept");
        assertTrue(registry.getProvider(provider).jailedUntil > block.timestamp, "jailed");
        assertFalse(registry.isActive(provider), "out of rotation");

        // Replay, by anyone: refused by name, nothing moves.
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashAlreadySlashed.selector, id));
        vm.prank(client);
        slasher.slash(r, sig, s, p);
        assertEq(_stake(), STAKE - SLASH, "slashed once");
    }

    function test_proofForOtherWeights_isSlashed() public {
        uint256[] memory s = _signals();
        s[0] = s[0] - 1;
        ZkReceiptSlasher.Proof memory p = _goodProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        vm.prank(reporter);
        slasher.slash(r, _sign(PROVIDER_KEY, r), s, p);
        assertEq(_stake(), STAKE - SLASH, "slashed");
    }

    function test_malformedSignals_areSlashedNotReverted() public {
        ZkReceiptSlasher.Proof memory p = _goodProof();
        // A signal plus the field order: the verifier would revert; the slasher judges it failed.
        uint256[] memory s = _signals();
        s[1] = s[1] + R;
        IDisputeGame.Receipt memory r = _receipt(s, p);
        vm.prank(reporter);
        slasher.slash(r, _sign(PROVIDER_KEY, r), s, p);
        // A third signal.
        uint256[] memory three = new uint256[](3);
        (three[0], three[1]) = (BreastCancerMlpFixture.WEIGHT_HASH, BreastCancerMlpFixture.IO_HASH);
        IDisputeGame.Receipt memory r3 = _receipt(three, p);
        r3.requestHash = keccak256("request 3");
        vm.prank(reporter);
        slasher.slash(r3, _sign(PROVIDER_KEY, r3), three, p);
        assertEq(_stake(), STAKE - 2 * SLASH, "both slashed");
    }

    function test_validProof_cannotBeSlashed() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _goodProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        bytes memory sig = _sign(PROVIDER_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashProofValid.selector, slasher.receiptDigest(r)));
        vm.prank(client);
        slasher.slash(r, sig, s, p);
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_clientForgedReceipt_cannotSlash() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _badProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        // The client signs a receipt naming the provider, with a bad proof bound.
        bytes memory forged = _sign(CLIENT_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(
                ZkReceiptSlasher.ZkSlashBadSignature.selector, slasher.receiptDigest(r), client, provider
            )
        );
        vm.prank(client);
        slasher.slash(r, forged, s, p);
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_badProofInPlaceOfTheBoundOne_cannotSlash() public {
        uint256[] memory s = _signals();
        IDisputeGame.Receipt memory r = _receipt(s, _goodProof());
        bytes memory sig = _sign(PROVIDER_KEY, r);
        ZkReceiptSlasher.Proof memory bad = _badProof();
        vm.expectRevert(
            abi.encodeWithSelector(
                ZkReceiptSlasher.ZkSlashProofNotBound.selector,
                slasher.receiptDigest(r),
                r.traceRoot,
                slasher.proofBinding(s, bad)
            )
        );
        vm.prank(client);
        slasher.slash(r, sig, s, bad);
        // Other signals with the good proof: also not what the provider bound.
        uint256[] memory other = _signals();
        other[1] ^= 1;
        vm.expectRevert();
        slasher.slash(r, sig, other, _goodProof());
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_starvingTheVerifier_cannotSlashAValidProof() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _goodProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        bytes memory sig = _sign(PROVIDER_KEY, r);
        // From too little to just enough: every call reverts, none slashes.
        for (uint256 gas = 60_000; gas <= 700_000; gas += 40_000) {
            vm.prank(client);
            (bool ok,) = address(slasher).call{gas: gas}(abi.encodeCall(ZkReceiptSlasher.slash, (r, sig, s, p)));
            assertFalse(ok, "a valid proof is never slashed");
        }
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_otherModes_areRefused() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _badProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        r.verification = 2;
        bytes memory sig = _sign(PROVIDER_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashNotZkReceipt.selector, slasher.receiptDigest(r), 2)
        );
        slasher.slash(r, sig, s, p);
    }

    function test_receiptBeforeTheVerifier_isNotJudgedByIt() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _goodProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        bytes memory sig = _sign(PROVIDER_KEY, r);
        // The owner swaps in a verifier (here: one whose commitment no proof matches) later.
        vm.warp(block.timestamp + 10);
        BreastCancerMlpVerifier replacement = new BreastCancerMlpVerifier();
        vm.prank(owner);
        zk.registerVerifier(modelId, replacement, 12345);
        vm.expectRevert(
            abi.encodeWithSelector(
                ZkReceiptSlasher.ZkSlashVerifierReplaced.selector,
                slasher.receiptDigest(r),
                r.issuedAt,
                uint64(block.timestamp)
            )
        );
        slasher.slash(r, sig, s, p);
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_modelWithoutVerifier_isRefused() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _badProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        r.modelId = keccak256("other");
        bytes memory sig = _sign(PROVIDER_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashNoVerifier.selector, r.modelId));
        slasher.slash(r, sig, s, p);
    }

    function test_badConfig_isRefused() public {
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashBadConfig.selector, "slashAmount", 0));
        new ZkReceiptSlasher(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IProviderRegistry(address(registry)),
            zk,
            address(escrow),
            0,
            SHARE_BPS,
            0
        );
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashBadConfig.selector, "reporterShareBps", 10_001));
        new ZkReceiptSlasher(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IProviderRegistry(address(registry)),
            zk,
            address(escrow),
            SLASH,
            10_001,
            0
        );
    }
}
