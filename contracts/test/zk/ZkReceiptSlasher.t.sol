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
import {Poseidon} from "../../src/libraries/Poseidon.sol";
import {PoseidonParams} from "../../src/libraries/PoseidonParams.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";

/// @notice The slash path of zk receipts, from every side that could lie: a provider that
///         signs a proof that fails, or a valid proof of another output, input or model than
///         its receipt names, is slashed once; a client or stranger cannot slash a provider
///         with a receipt it never signed, with a bad proof in place of the one the receipt
///         binds, with another input or output than the receipt's, with a valid proof, twice,
///         or by starving the verifier of gas.
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
    PoseidonHarness internal poseidon = new PoseidonHarness();

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
            inputHash: _root(BreastCancerMlpFixture.input()),
            outputHash: _root(BreastCancerMlpFixture.output()),
            traceRoot: keccak256(abi.encode(p.a, p.b, p.c, signals)),
            fee: 5e5,
            channelTotal: 5e5,
            issuedAt: uint64(block.timestamp),
            verification: 3
        });
    }

    /// @dev A tensor's root as receipts commit it (TraceMerkle's chunked leaves).
    function _root(int256[] memory values) internal view returns (bytes32) {
        return this.rootOfValues(values);
    }

    function rootOfValues(int256[] calldata values) external pure returns (bytes32 root) {
        (root,) = TraceMerkle.rootOfValues(values);
    }

    /// @dev The fixture's real input and output: what the receipts of `_receipt` commit to.
    function _opening() internal pure returns (ZkReceiptSlasher.Opening memory) {
        return ZkReceiptSlasher.Opening(
            BreastCancerMlpFixture.input(), BreastCancerMlpFixture.output(), BreastCancerMlpFixture.poseidonParams()
        );
    }

    /// @dev A receipt for `output` (and `input`) under the real, valid proof of the fixture's.
    function _lyingReceipt(int256[] memory input, int256[] memory output)
        internal
        view
        returns (IDisputeGame.Receipt memory r, ZkReceiptSlasher.Opening memory o)
    {
        r = _receipt(_signals(), _goodProof());
        r.inputHash = _root(input);
        r.outputHash = _root(output);
        o = ZkReceiptSlasher.Opening(input, output, BreastCancerMlpFixture.poseidonParams());
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
        assertEq(slasher.slash(r, sig, s, p, _opening()), SLASH, "slashed");
        assertEq(_stake(), STAKE - SLASH, "stake taken");
        assertEq(token.balanceOf(reporter), SLASH / 2, "reporter's share");
        assertEq(token.balanceOf(treasury), SLASH - SLASH / 2, "treasury's share");
        assertEq(token.balanceOf(address(slasher)), 0, "nothing kept");
        assertTrue(registry.getProvider(provider).jailedUntil > block.timestamp, "jailed");
        assertFalse(registry.isActive(provider), "out of rotation");

        // Replay, by anyone: refused by name, nothing moves.
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashAlreadySlashed.selector, id));
        vm.prank(client);
        slasher.slash(r, sig, s, p, _opening());
        assertEq(_stake(), STAKE - SLASH, "slashed once");
    }

    function test_proofForOtherWeights_isSlashed() public {
        uint256[] memory s = _signals();
        s[0] = s[0] - 1;
        ZkReceiptSlasher.Proof memory p = _goodProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        vm.prank(reporter);
        slasher.slash(r, _sign(PROVIDER_KEY, r), s, p, _opening());
        assertEq(_stake(), STAKE - SLASH, "slashed");
    }

    function test_malformedSignals_areSlashedNotReverted() public {
        ZkReceiptSlasher.Proof memory p = _goodProof();
        // A signal plus the field order: the verifier would revert; the slasher judges it failed.
        uint256[] memory s = _signals();
        s[1] = s[1] + R;
        IDisputeGame.Receipt memory r = _receipt(s, p);
        vm.prank(reporter);
        slasher.slash(r, _sign(PROVIDER_KEY, r), s, p, _opening());
        // A third signal.
        uint256[] memory three = new uint256[](3);
        (three[0], three[1]) = (BreastCancerMlpFixture.WEIGHT_HASH, BreastCancerMlpFixture.IO_HASH);
        IDisputeGame.Receipt memory r3 = _receipt(three, p);
        r3.requestHash = keccak256("request 3");
        vm.prank(reporter);
        slasher.slash(r3, _sign(PROVIDER_KEY, r3), three, p, _opening());
        assertEq(_stake(), STAKE - 2 * SLASH, "both slashed");
    }

    function test_validProof_cannotBeSlashed() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _goodProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        bytes memory sig = _sign(PROVIDER_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashProofValid.selector, slasher.receiptDigest(r)));
        vm.prank(client);
        slasher.slash(r, sig, s, p, _opening());
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
        slasher.slash(r, forged, s, p, _opening());
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
        slasher.slash(r, sig, s, bad, _opening());
        // Other signals with the good proof: also not what the provider bound.
        uint256[] memory other = _signals();
        other[1] ^= 1;
        vm.expectRevert();
        slasher.slash(r, sig, other, _goodProof(), _opening());
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_starvingTheVerifier_cannotSlashAValidProof() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _goodProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        bytes memory sig = _sign(PROVIDER_KEY, r);
        // From too little to just enough: every call reverts, none slashes.
        for (uint256 gas = 60_000; gas <= 2_200_000; gas += 40_000) {
            vm.prank(client);
            (bool ok,) =
                address(slasher).call{gas: gas}(abi.encodeCall(ZkReceiptSlasher.slash, (r, sig, s, p, _opening())));
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
        slasher.slash(r, sig, s, p, _opening());
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
        slasher.slash(r, sig, s, p, _opening());
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_modelWithoutVerifier_isRefused() public {
        uint256[] memory s = _signals();
        ZkReceiptSlasher.Proof memory p = _badProof();
        IDisputeGame.Receipt memory r = _receipt(s, p);
        r.modelId = keccak256("other");
        bytes memory sig = _sign(PROVIDER_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashNoVerifier.selector, r.modelId));
        slasher.slash(r, sig, s, p, _opening());
    }

    // ------------------------------------------------ a valid proof of something else

    function test_poseidon_recomputesTheProofsIoHash() public view {
        ZkReceiptSlasher.Opening memory o = _opening();
        (uint256 inputHash, bool inOk) = poseidon.tensorHash(o.input, o.poseidonParams);
        (uint256 outputHash, bool outOk) = poseidon.tensorHash(o.output, o.poseidonParams);
        assertTrue(inOk && outOk, "int16 tensors");
        assertEq(poseidon.pair(inputHash, outputHash, o.poseidonParams), BreastCancerMlpFixture.IO_HASH, "I/O hash");
    }

    function test_validProofUnderAReceiptForAnotherOutput_isSlashed() public {
        int256[] memory output = BreastCancerMlpFixture.output();
        // The other decision: the classes swapped.
        (output[0], output[1]) = (output[1], output[0]);
        (IDisputeGame.Receipt memory r, ZkReceiptSlasher.Opening memory o) =
            _lyingReceipt(BreastCancerMlpFixture.input(), output);
        bytes memory sig = _sign(PROVIDER_KEY, r);
        vm.prank(reporter);
        assertEq(slasher.slash(r, sig, _signals(), _goodProof(), o), SLASH, "slashed");
        assertEq(_stake(), STAKE - SLASH, "stake taken");
        assertEq(token.balanceOf(reporter), SLASH / 2, "reporter's share");
        assertTrue(registry.getProvider(provider).jailedUntil > block.timestamp, "jailed");

        // A double slash, with the same opening or by anyone: refused, slashed once.
        bytes32 id = slasher.receiptDigest(r);
        vm.expectRevert(abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashAlreadySlashed.selector, id));
        vm.prank(client);
        slasher.slash(r, sig, _signals(), _goodProof(), o);
        assertEq(_stake(), STAKE - SLASH, "slashed once");
        assertEq(token.balanceOf(client), 0, "nothing for the second reporter");
    }

    function test_validProofUnderAReceiptForAnotherInput_isSlashed() public {
        int256[] memory input = BreastCancerMlpFixture.input();
        input[7] += 1;
        (IDisputeGame.Receipt memory r, ZkReceiptSlasher.Opening memory o) =
            _lyingReceipt(input, BreastCancerMlpFixture.output());
        vm.prank(reporter);
        assertEq(slasher.slash(r, _sign(PROVIDER_KEY, r), _signals(), _goodProof(), o), SLASH, "slashed");
        assertEq(_stake(), STAKE - SLASH, "stake taken");
    }

    function test_validProofUnderAReceiptForAnotherModel_isSlashed() public {
        // Another model, with its own weights, registered by its owner.
        vm.prank(owner);
        bytes32 other = models.publish(keccak256("other.onnx"), bytes32(0), Shapes.none(), "ipfs://other", 500);
        BreastCancerMlpVerifier verifier = new BreastCancerMlpVerifier();
        vm.prank(owner);
        zk.registerVerifier(other, verifier, 12_345);
        // The provider answers a request for it with the valid proof of breast-cancer-mlp.
        IDisputeGame.Receipt memory r = _receipt(_signals(), _goodProof());
        r.modelId = other;
        vm.prank(reporter);
        assertEq(slasher.slash(r, _sign(PROVIDER_KEY, r), _signals(), _goodProof(), _opening()), SLASH, "slashed");
        assertEq(_stake(), STAKE - SLASH, "stake taken");
    }

    /// forge-config: ci.fuzz.runs = 32
    function testFuzz_anyOtherOutputUnderTheValidProof_isSlashed(uint256 index, int16 value) public {
        int256[] memory output = BreastCancerMlpFixture.output();
        index = bound(index, 0, output.length - 1);
        vm.assume(int256(value) != output[index]);
        output[index] = value;
        (IDisputeGame.Receipt memory r, ZkReceiptSlasher.Opening memory o) =
            _lyingReceipt(BreastCancerMlpFixture.input(), output);
        vm.prank(reporter);
        slasher.slash(r, _sign(PROVIDER_KEY, r), _signals(), _goodProof(), o);
        assertEq(_stake(), STAKE - SLASH, "slashed");
    }

    function test_openingOutsideInt16_isRefusedNotJudged() public {
        // 65,536 more than a real output packs as the same int16 under the same root: the
        // opening of an honest receipt must not become a slash by aliasing one value.
        IDisputeGame.Receipt memory r = _receipt(_signals(), _goodProof());
        bytes32 id = slasher.receiptDigest(r);
        ZkReceiptSlasher.Opening memory o = _opening();
        o.output[0] += 65_536;
        assertEq(_root(o.output), r.outputHash, "the alias packs under the receipt's root");
        bytes memory sig = _sign(PROVIDER_KEY, r);
        vm.expectRevert(
            abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashOutputNotReceipt.selector, id, r.outputHash, bytes32(0))
        );
        vm.prank(reporter);
        slasher.slash(r, sig, _signals(), _goodProof(), o);
        assertEq(_stake(), STAKE, "untouched");
    }

    function test_honestReceipt_cannotBeSlashedWithAnotherOpening() public {
        IDisputeGame.Receipt memory r = _receipt(_signals(), _goodProof());
        bytes memory sig = _sign(PROVIDER_KEY, r);
        bytes32 id = slasher.receiptDigest(r);
        // Another output than the one the provider signed: the opening is refused, not judged.
        ZkReceiptSlasher.Opening memory o = _opening();
        o.output[0] += 1;
        vm.expectRevert(
            abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashOutputNotReceipt.selector, id, r.outputHash, _root(o.output))
        );
        vm.prank(reporter);
        slasher.slash(r, sig, _signals(), _goodProof(), o);
        // Another input.
        o = _opening();
        o.input[0] -= 1;
        vm.expectRevert(
            abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashInputNotReceipt.selector, id, r.inputHash, _root(o.input))
        );
        vm.prank(reporter);
        slasher.slash(r, sig, _signals(), _goodProof(), o);
        assertEq(_stake(), STAKE, "untouched");
        assertEq(token.balanceOf(reporter), 0, "the reporter gained nothing");
    }

    function test_honestReceipt_cannotBeSlashedWithTheProofOfAnotherReceipt() public {
        // Two honest receipts: the fixture's, and one whose proof is another (well formed) one.
        IDisputeGame.Receipt memory honest = _receipt(_signals(), _goodProof());
        bytes memory sig = _sign(PROVIDER_KEY, honest);
        ZkReceiptSlasher.Proof memory otherProof = _badProof();
        uint256 before = token.balanceOf(reporter);
        vm.expectRevert(
            abi.encodeWithSelector(
                ZkReceiptSlasher.ZkSlashProofNotBound.selector,
                slasher.receiptDigest(honest),
                honest.traceRoot,
                slasher.proofBinding(_signals(), otherProof)
            )
        );
        vm.prank(reporter);
        slasher.slash(honest, sig, _signals(), otherProof, _opening());
        // And with the honest proof and opening, the receipt stands.
        vm.expectRevert(
            abi.encodeWithSelector(ZkReceiptSlasher.ZkSlashProofValid.selector, slasher.receiptDigest(honest))
        );
        vm.prank(reporter);
        slasher.slash(honest, sig, _signals(), _goodProof(), _opening());
        assertEq(_stake(), STAKE, "untouched");
        assertEq(token.balanceOf(reporter), before, "the reporter paid only gas");
    }

    function test_wrongPoseidonParams_areRefusedByName() public {
        IDisputeGame.Receipt memory r = _receipt(_signals(), _goodProof());
        bytes memory sig = _sign(PROVIDER_KEY, r);
        ZkReceiptSlasher.Opening memory o = _opening();
        (, bytes32 expected) = poseidon.paramsOf(4);
        uint256[] memory tampered = o.poseidonParams[2];
        tampered[5] ^= 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                Poseidon.PoseidonParamsWrong.selector, 4, expected, keccak256(abi.encodePacked(tampered))
            )
        );
        slasher.slash(r, sig, _signals(), _goodProof(), o);
        // Missing widths: refused as the hash of nothing.
        o.poseidonParams = new uint256[][](1);
        vm.expectRevert();
        slasher.slash(r, sig, _signals(), _goodProof(), o);
        assertEq(_stake(), STAKE, "untouched");
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

/// @dev The Poseidon library on calldata, for the tests.
contract PoseidonHarness {
    function tensorHash(int256[] calldata values, uint256[][] calldata params) external pure returns (uint256, bool) {
        return Poseidon.tensorHash(values, params);
    }

    function pair(uint256 left, uint256 right, uint256[][] calldata params) external pure returns (uint256) {
        uint256[] memory inputs = new uint256[](2);
        (inputs[0], inputs[1]) = (left, right);
        return Poseidon.hash(inputs, params);
    }

    function paramsOf(uint256 t) external pure returns (uint256, bytes32) {
        return PoseidonParams.width(t);
    }
}
