// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "../utils/DisputeSetup.sol";
import {AgentIdentity} from "../../src/agents/AgentIdentity.sol";
import {ValidationRegistry} from "../../src/agents/ValidationRegistry.sol";
import {ReputationRegistry} from "../../src/agents/ReputationRegistry.sol";
import {IAgentIdentity} from "../../src/interfaces/IAgentIdentity.sol";
import {IValidationRegistry} from "../../src/interfaces/IValidationRegistry.sol";
import {IReputationRegistry} from "../../src/interfaces/IReputationRegistry.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title ReputationTest
/// @notice Reputation is read from what the Escrow, the DisputeGame and trusted validators
///         hold; every test here is someone trying to write a score they did not earn, or
///         to dodge one they did.
contract ReputationTest is DisputeSetup {
    uint256 internal constant WALLET_KEY = 0x3A11E7;
    uint256 internal constant MALLORY_KEY = 0xBAD;

    AgentIdentity internal identity;
    ValidationRegistry internal validations;
    ReputationRegistry internal reputation;
    address internal verifier = address(0x7E21F1E2);
    address internal mallory;

    function setUp() public {
        setUpGame();
        mallory = vm.addr(MALLORY_KEY);
        identity = new AgentIdentity();
        validations = new ValidationRegistry(identity);
        reputation = new ReputationRegistry(
            IEscrow(address(escrow)), game, identity, validations, Ownable(address(params)), 1e6
        );
        vm.prank(governance);
        reputation.setTrustedValidator(verifier, true);
    }

    // ------------------------------------------------------------------ paid work

    function pay(uint256 cumulative) internal {
        IEscrow.Voucher memory v =
            IEscrow.Voucher({client: client, provider: provider, modelId: modelId, cumulativeAmount: cumulative});
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        escrow.redeem(v, sig);
    }

    function fundClient() internal {
        mint(client, 100e6);
        vm.startPrank(client);
        token.approve(address(escrow), 100e6);
        escrow.deposit(100e6);
        vm.stopPrank();
    }

    function test_redeemedWorkCountsForBothSidesOnce() public {
        fundClient();
        pay(3e6);
        assertEq(reputation.recordRedemption(client, provider, modelId), 3e6, "first record");
        bytes32 channel = escrow.channelId(client, provider, modelId);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationNothingNew.selector, channel, 3e6, 3e6));
        reputation.recordRedemption(client, provider, modelId);
        pay(5e6);
        assertEq(reputation.recordRedemption(client, provider, modelId), 2e6, "only the growth");
        assertEq(reputation.reputationOf(provider).paidServed, 5e6, "provider served 5");
        assertEq(reputation.reputationOf(client).paidSpent, 5e6, "client paid 5");
        // 5 units of work: (5 + 1) / (5 + 2).
        assertEq(reputation.scoreOf(provider), 6 * 10_000 / uint256(7), "score");
    }

    function test_signedButUnredeemedVouchersProveNothing() public {
        fundClient();
        bytes32 channel = escrow.channelId(client, provider, modelId);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationNothingNew.selector, channel, 0, 0));
        reputation.recordRedemption(client, provider, modelId);
        assertEq(reputation.scoreOf(provider), 5_000, "no evidence, no change");
    }

    function test_selfDealingChannelIsRefused() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationSelfDealing.selector, provider));
        reputation.recordRedemption(provider, provider, modelId);
    }

    // ------------------------------------------------------------------ disputes

    function test_lostDisputeIsRecordedByAnyoneOnce() public {
        bytes32 id = openAs(challenger, true);
        vm.warp(block.timestamp + TIMEOUT + 1);
        game.timeout(id);
        IDisputeGame.Receipt memory r = receipt(true);
        vm.prank(mallory); // anyone may point at the settlement
        reputation.recordDisputeLoss(r);
        assertEq(reputation.reputationOf(provider).disputesLost, 1, "one loss");
        bytes32 fact = keccak256(abi.encode(bytes32("dispute-lost"), game.receiptDigest(r)));
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationAlreadyRecorded.selector, fact));
        reputation.recordDisputeLoss(r);
        assertEq(reputation.reputationOf(provider).disputesLost, 1, "still one");
        assertLe(reputation.scoreOf(provider), 100, "a loss with no work behind it is near zero");
    }

    function test_forgedDisputeLossIsRefused() public {
        // A receipt nobody disputed.
        IDisputeGame.Receipt memory r = receipt(true);
        bytes32 receiptId = game.receiptDigest(r);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationDisputeNotLost.selector, receiptId));
        reputation.recordDisputeLoss(r);

        // A real loss, edited to pin it on a competitor.
        bytes32 id = openAs(challenger, true);
        vm.warp(block.timestamp + TIMEOUT + 1);
        game.timeout(id);
        r.provider = mallory;
        receiptId = game.receiptDigest(r);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationDisputeNotLost.selector, receiptId));
        reputation.recordDisputeLoss(r);
        assertEq(reputation.reputationOf(mallory).disputesLost, 0, "the competitor is clean");
    }

    function test_disputeTheProviderWonLeavesNoLoss() public {
        bytes32 id = openAs(challenger, false);
        vm.prank(provider);
        game.revealRoots(id, roots(false));
        vm.warp(block.timestamp + TIMEOUT + 1);
        game.timeout(id); // the challenger went silent
        IDisputeGame.Receipt memory r = receipt(false);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationDisputeNotLost.selector, game.receiptDigest(r))
        );
        reputation.recordDisputeLoss(r);
    }

    // ------------------------------------------------------------------ validations

    function registerAgent(address who) internal returns (uint256 agentId) {
        vm.prank(who);
        agentId = identity.register("ipfs://agent");
    }

    function test_trustedValidationCountsForTheAgentWallet() public {
        uint256 agentId = registerAgent(mallory);
        vm.prank(mallory);
        validations.validationRequest(verifier, agentId, "ipfs://work", keccak256("work"));
        vm.prank(verifier);
        validations.validationResponse(keccak256("work"), 100, "", bytes32(0), "zk");
        reputation.recordValidation(keccak256("work"));
        assertEq(reputation.reputationOf(mallory).validationsPassed, 1, "passed");
        (address wallet,, uint256 score) = reputation.getSummary(agentId);
        assertEq(wallet, mallory, "summary reads the wallet");
        assertEq(score, reputation.scoreOf(mallory), "summary score");
        bytes32 fact = keccak256(abi.encode(bytes32("validation"), keccak256("work")));
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationAlreadyRecorded.selector, fact));
        reputation.recordValidation(keccak256("work"));
    }

    function test_selfValidationIsRefused() public {
        // Mallory names herself as validator of her own agent and answers "passed".
        uint256 agentId = registerAgent(mallory);
        vm.startPrank(mallory);
        validations.validationRequest(mallory, agentId, "", keccak256("mine"));
        validations.validationResponse(keccak256("mine"), 100, "", bytes32(0), "");
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationUntrustedValidator.selector, mallory));
        reputation.recordValidation(keccak256("mine"));
        assertEq(reputation.scoreOf(mallory), 5_000, "nothing recorded");
    }

    function test_failedValidationCannotBeDodged() public {
        uint256 agentId = registerAgent(mallory);
        vm.prank(mallory);
        validations.validationRequest(verifier, agentId, "", keccak256("bad work"));
        vm.prank(verifier);
        validations.validationResponse(keccak256("bad work"), 0, "", bytes32(0), "");
        vm.prank(client); // anyone records it, whatever the agent would like
        reputation.recordValidation(keccak256("bad work"));
        assertEq(reputation.reputationOf(mallory).validationsFailed, 1, "failed");
        assertLe(reputation.scoreOf(mallory), 1_000, "low score");
    }

    function test_onlyTheNamedValidatorAnswersAndOnlyOwnersAsk() public {
        uint256 agentId = registerAgent(client);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationNotAgentOwner.selector, mallory, agentId));
        vm.prank(mallory);
        validations.validationRequest(verifier, agentId, "", keccak256("x"));
        vm.prank(client);
        validations.validationRequest(verifier, agentId, "", keccak256("x"));
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationNotValidator.selector, mallory, verifier));
        vm.prank(mallory);
        validations.validationResponse(keccak256("x"), 100, "", bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationRequestExists.selector, keccak256("x")));
        vm.prank(client);
        validations.validationRequest(mallory, agentId, "", keccak256("x"));
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationResponseOutOfRange.selector, 101));
        vm.prank(verifier);
        validations.validationResponse(keccak256("x"), 101, "", bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationNoResponse.selector, keccak256("x")));
        reputation.recordValidation(keccak256("x"));
    }

    // ------------------------------------------------------------------ sources and governance

    function test_feedbackOnlyFromTrustedSourcesAndNeverAboutThemselves() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationNotSource.selector, mallory));
        vm.prank(mallory);
        reputation.giveFeedback(provider, 100, "great", bytes32(0));

        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationNotGovernance.selector, mallory, governance)
        );
        vm.prank(mallory);
        reputation.setTrustedSource(mallory, true);

        vm.prank(governance);
        reputation.setTrustedSource(address(game), true);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationSelfFeedback.selector, address(game)));
        vm.prank(address(game));
        reputation.giveFeedback(address(game), 100, "won", bytes32(0));
        vm.prank(address(game));
        reputation.giveFeedback(provider, 100, "won", keccak256("dispute"));
        bytes32 fact = keccak256(abi.encode(address(game), bytes32("won"), keccak256("dispute"), provider));
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationAlreadyRecorded.selector, fact));
        vm.prank(address(game));
        reputation.giveFeedback(provider, 100, "won", keccak256("dispute"));
        assertEq(reputation.reputationOf(provider).feedbackCount, 1, "once per evidence");
    }

    function test_untrustingAValidatorStopsNewRecords() public {
        vm.prank(governance);
        reputation.setTrustedValidator(verifier, false);
        uint256 agentId = registerAgent(client);
        vm.prank(client);
        validations.validationRequest(verifier, agentId, "", keccak256("y"));
        vm.prank(verifier);
        validations.validationResponse(keccak256("y"), 100, "", bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationUntrustedValidator.selector, verifier));
        reputation.recordValidation(keccak256("y"));
    }

    function test_scoresOfReadsMany() public view {
        address[] memory who = new address[](2);
        who[0] = provider;
        who[1] = mallory;
        uint256[] memory scores = reputation.scoresOf(who);
        assertEq(scores.length, 2, "two");
        assertEq(scores[0], 5_000, "neutral");
    }

    // ------------------------------------------------------------------ identity

    function walletSignature(uint256 key, uint256 agentId, address owner_, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, identity.agentWalletDigest(agentId, vm.addr(key), owner_, deadline));
        return abi.encodePacked(r, s, v);
    }

    function test_registrationSetsUriOwnerAndWallet() public {
        IAgentIdentity.MetadataEntry[] memory md = new IAgentIdentity.MetadataEntry[](1);
        md[0] = IAgentIdentity.MetadataEntry("model", "digits-mlp");
        vm.prank(client);
        uint256 agentId = identity.register("ipfs://agent", md);
        assertEq(agentId, 1, "ids start at 1");
        assertEq(identity.ownerOf(agentId), client, "owner");
        assertEq(identity.tokenURI(agentId), "ipfs://agent", "agent URI");
        assertEq(identity.getAgentWallet(agentId), client, "wallet is the registrant");
        assertEq(identity.getMetadata(agentId, "model"), bytes("digits-mlp"), "metadata");
    }

    function test_walletKeyIsReserved() public {
        uint256 agentId = registerAgent(client);
        vm.expectRevert(abi.encodeWithSelector(IAgentIdentity.IdentityReservedKey.selector, "agentWallet"));
        vm.prank(client);
        identity.setMetadata(agentId, "agentWallet", abi.encodePacked(provider));
        IAgentIdentity.MetadataEntry[] memory md = new IAgentIdentity.MetadataEntry[](1);
        md[0] = IAgentIdentity.MetadataEntry("agentWallet", abi.encodePacked(provider));
        vm.expectRevert(abi.encodeWithSelector(IAgentIdentity.IdentityReservedKey.selector, "agentWallet"));
        vm.prank(mallory);
        identity.register("", md);
    }

    function test_walletMovesOnlyWithTheNewWalletsSignature() public {
        uint256 agentId = registerAgent(client);
        address wallet = vm.addr(WALLET_KEY);
        uint256 deadline = block.timestamp + 5 minutes;
        // The owner claims a provider's address (its reputation) without the provider's consent.
        bytes memory byMallory = walletSignature(MALLORY_KEY, agentId, client, deadline);
        bytes32 digest = identity.agentWalletDigest(agentId, provider, client, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentIdentity.IdentityInvalidWalletSignature.selector, provider, digest)
        );
        vm.prank(client);
        identity.setAgentWallet(agentId, provider, deadline, byMallory);

        bytes memory consent = walletSignature(WALLET_KEY, agentId, client, deadline);
        vm.expectRevert(abi.encodeWithSelector(IAgentIdentity.IdentityNotAuthorized.selector, mallory, agentId));
        vm.prank(mallory);
        identity.setAgentWallet(agentId, wallet, deadline, consent);

        bytes memory tooLate = walletSignature(WALLET_KEY, agentId, client, deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentIdentity.IdentityDeadlineTooFar.selector, deadline + 1, block.timestamp + 5 minutes
            )
        );
        vm.prank(client);
        identity.setAgentWallet(agentId, wallet, deadline + 1, tooLate);

        vm.prank(client);
        identity.setAgentWallet(agentId, wallet, deadline, consent);
        assertEq(identity.getAgentWallet(agentId), wallet, "moved");

        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IAgentIdentity.IdentityDeadlinePassed.selector, deadline, deadline + 1));
        vm.prank(client);
        identity.setAgentWallet(agentId, wallet, deadline, consent);
    }

    function test_transferClearsTheWalletAndItsReputationStaysBehind() public {
        fundClient();
        pay(4e6);
        reputation.recordRedemption(client, provider, modelId);
        uint256 agentId = registerAgent(client);
        (, IReputationRegistry.Record memory before,) = reputation.getSummary(agentId);
        assertEq(before.paidSpent, 4e6, "the seller's record");

        vm.prank(client);
        identity.transferFrom(client, mallory, agentId);
        assertEq(identity.ownerOf(agentId), mallory, "new owner");
        assertEq(identity.getAgentWallet(agentId), address(0), "wallet cleared");
        (address wallet, IReputationRegistry.Record memory afterSale,) = reputation.getSummary(agentId);
        assertEq(wallet, address(0), "no wallet");
        assertEq(afterSale.paidSpent, 0, "the buyer does not inherit the seller's record");

        // The old owner manages nothing any more; the new one brings a wallet that signs.
        vm.expectRevert(abi.encodeWithSelector(IAgentIdentity.IdentityNotAuthorized.selector, client, agentId));
        vm.prank(client);
        identity.setAgentURI(agentId, "ipfs://hijack");
        uint256 deadline = block.timestamp + 1 minutes;
        bytes memory consent = walletSignature(WALLET_KEY, agentId, mallory, deadline);
        vm.prank(mallory);
        identity.setAgentWallet(agentId, vm.addr(WALLET_KEY), deadline, consent);
        assertEq(identity.getAgentWallet(agentId), vm.addr(WALLET_KEY), "new wallet");
        vm.prank(mallory);
        identity.setAgentURI(agentId, "ipfs://v2");
        assertEq(identity.tokenURI(agentId), "ipfs://v2", "new owner updates the URI");
    }

    function test_walletSignatureForTheOldOwnerDoesNotServeTheNewOne() public {
        uint256 agentId = registerAgent(client);
        uint256 deadline = block.timestamp + 1 minutes;
        bytes memory forClient = walletSignature(WALLET_KEY, agentId, client, deadline);
        vm.prank(client);
        identity.transferFrom(client, mallory, agentId);
        bytes32 digest = identity.agentWalletDigest(agentId, vm.addr(WALLET_KEY), mallory, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentIdentity.IdentityInvalidWalletSignature.selector, vm.addr(WALLET_KEY), digest)
        );
        vm.prank(mallory);
        identity.setAgentWallet(agentId, vm.addr(WALLET_KEY), deadline, forClient);
    }
}
