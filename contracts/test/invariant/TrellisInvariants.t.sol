// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {Ledger} from "./Ledger.sol";
import {ClientHandler} from "./ClientHandler.sol";
import {ProviderHandler} from "./ProviderHandler.sol";
import {ModelOwnerHandler} from "./ModelOwnerHandler.sol";
import {SlasherHandler} from "./SlasherHandler.sol";
import {PathTally} from "./PathTally.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

/// @title TrellisInvariants
/// @notice Wires the handlers and asserts the system's invariants after every call sequence.
contract TrellisInvariants is Fixture, PathTally {
    Ledger internal ledger;
    ClientHandler internal clients;
    ProviderHandler internal providers;
    ModelOwnerHandler internal owners;
    SlasherHandler internal slasher;

    function setUp() public {
        deploySystem();
        ledger = new Ledger();
        for (uint256 i = 1; i <= 3; ++i) {
            uint256 key = 0xC1000 + i;
            ledger.addClient(vm.addr(key), key);
            ledger.addProvider(address(uint160(0xB000 + i)));
        }
        ledger.addModelOwner(address(0x0A01));
        ledger.addModelOwner(address(0x0A02));

        clients = new ClientHandler(ledger, escrow, token);
        providers = new ProviderHandler(ledger, escrow, token, params, registry);
        owners = new ModelOwnerHandler(ledger, escrow, models, params);
        slasher = new SlasherHandler(ledger, registry);
        vm.prank(governance);
        registry.setSlasher(address(slasher), true);

        // One model to start with, so vouchers have a royalty-paying model from the first call.
        owners.publish(0, 0, 1_000);
    }

    /// @notice Only the handlers are fuzzed.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](4);
        targets[0] = address(clients);
        targets[1] = address(providers);
        targets[2] = address(owners);
        targets[3] = address(slasher);
    }

    /// @notice The escrow holds exactly what it owes: every client balance and every unclaimed
    ///         earning, summed over all actors.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    /// forge-config: default.invariant.depth = 80
    /// forge-config: ci.invariant.depth = 80
    /// forge-config: deep.invariant.depth = 80
    function invariant_escrowSolvent() public view {
        uint256 balances;
        for (uint256 i; i < ledger.clientCount(); ++i) {
            balances += escrow.balanceOf(ledger.clients(i));
        }
        uint256 owed;
        for (uint256 i; i < ledger.providerCount(); ++i) {
            owed += escrow.earnings(ledger.providers(i));
        }
        for (uint256 i; i < ledger.modelOwnerCount(); ++i) {
            owed += escrow.earnings(ledger.modelOwners(i));
        }
        owed += escrow.earnings(treasury);
        assertEq(balances, escrow.totalBalances(), "sum of client balances");
        assertEq(owed, escrow.totalEarnings(), "sum of unclaimed earnings");
        assertEq(token.balanceOf(address(escrow)), balances + owed, "token balance == owed");
    }

    /// @notice Per channel, the redeemed counter equals what the handlers' redemptions paid by
    ///         the escrow's rules (the owed part, as far as the balance went) and never exceeds
    ///         what the client signed: no amount is paid twice.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    /// forge-config: default.invariant.depth = 80
    /// forge-config: ci.invariant.depth = 80
    /// forge-config: deep.invariant.depth = 80
    function invariant_noDoubleRedemption() public view {
        for (uint256 i; i < ledger.channelCount(); ++i) {
            bytes32 channel = ledger.channels(i);
            (IEscrow.Voucher memory v,) = ledger.latest(channel);
            uint256 counter = escrow.redeemed(v.client, v.provider, v.modelId);
            assertEq(ledger.ghost_redeemed(channel), counter, "counter == redemptions by the rules");
            assertLe(counter, ledger.maxSigned(channel), "counter <= max signed");
        }
    }

    /// @notice A client's balance moves only by its deposits, its own withdrawals and
    ///         redemptions of vouchers it signed; forged vouchers never pay.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    /// forge-config: default.invariant.depth = 80
    /// forge-config: ci.invariant.depth = 80
    /// forge-config: deep.invariant.depth = 80
    function invariant_onlyClientSignatureMovesFunds() public view {
        for (uint256 i; i < ledger.clientCount(); ++i) {
            address client = ledger.clients(i);
            assertEq(escrow.balanceOf(client), ledger.ghost_balance(client), "balance == the ledger's");
            assertEq(
                escrow.balanceOf(client),
                clients.ghost_deposited(client) - clients.ghost_withdrawn(client)
                    - providers.ghost_paidByClient(client),
                "balance == deposits - withdrawals - signed redemptions"
            );
        }
        assertFalse(providers.ghost_forgeryPaid(), "a forged voucher paid");
    }

    /// @notice Every redeemed unit went to exactly one of provider, model owner, treasury, and
    ///         is either still owed or was claimed.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    /// forge-config: default.invariant.depth = 80
    /// forge-config: ci.invariant.depth = 80
    /// forge-config: deep.invariant.depth = 80
    function invariant_feeSplitExact() public view {
        uint256 redeemedTotal = providers.ghost_redeemed();
        assertEq(
            providers.ghost_toProviders() + providers.ghost_toModelOwners() + providers.ghost_toTreasury(),
            redeemedTotal,
            "provider + owner + treasury == redeemed"
        );
        assertEq(
            escrow.totalEarnings() + providers.ghost_claimed() + owners.ghost_claimed(),
            redeemedTotal,
            "earnings + claimed == redeemed"
        );
    }

    /// @notice Stake ledger: staked - slashed - withdrawn == active + unbonding == registry
    ///         token balance.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    /// forge-config: default.invariant.depth = 80
    /// forge-config: ci.invariant.depth = 80
    /// forge-config: deep.invariant.depth = 80
    function invariant_stakeAccounting() public view {
        uint256 held;
        for (uint256 i; i < ledger.providerCount(); ++i) {
            IProviderRegistry.ProviderInfo memory info = registry.getProvider(ledger.providers(i));
            IProviderRegistry.Unbonding[] memory entries = registry.unbondingEntries(ledger.providers(i));
            uint256 entrySum;
            for (uint256 j; j < entries.length; ++j) {
                entrySum += entries[j].amount;
            }
            assertEq(entrySum, info.unbondingStake, "entries sum to unbonding stake");
            held += info.activeStake + info.unbondingStake;
        }
        assertEq(
            providers.ghost_staked() - slasher.ghost_slashed() - providers.ghost_stakeWithdrawn(),
            held,
            "ghost ledger == active + unbonding"
        );
        assertEq(registry.totalStaked(), held, "totalStaked");
        assertEq(token.balanceOf(address(registry)), held, "registry token balance");
        assertEq(token.balanceOf(slasher.WATCHER()), slasher.ghost_slashed(), "slashed went to the watcher");
    }

    /// @notice The flows the invariants are about really happen: at least once per run on
    ///         average, redemptions that pay, redemptions cut short by the client's balance,
    ///         withdrawals that pay, claims, deposits by authorization with every attack on
    ///         them refused (each deposit meets all of them) and the refused replays of used
    ///         ones; at least once per two runs, a deposit the attacker relays for its signer.
    function afterInvariant() public {
        Path[] memory p = new Path[](12);
        p[0] = Path("paying redemption", providers.ghost_payingRedemptions(), 1);
        p[1] = Path("short-balance redemption", providers.ghost_shortRedemptions(), 1);
        p[2] = Path("withdrawal", clients.ghost_withdrawals(), 1);
        p[3] = Path("claim", providers.ghost_claims() + owners.ghost_claims(), 1);
        p[4] = Path("deposit by authorization", clients.ghost_authorizedDeposits(), 1);
        p[5] = Path("replayed authorization refused", clients.ghost_replaysRefused(), 1);
        p[6] = Path("front-run through the token refused", clients.ghost_tokenFrontRunsRefused(), 1);
        p[7] = Path("credit to another or raised amount refused", clients.ghost_redirectsRefused(), 1);
        p[8] = Path("expired authorization refused", clients.ghost_expiredRefused(), 1);
        p[9] = Path("not-yet-valid authorization refused", clients.ghost_notYetValidRefused(), 1);
        p[10] = Path("another key's authorization refused", clients.ghost_foreignKeysRefused(), 1);
        p[11] = Path("deposit relayed by the attacker credited to its signer", clients.ghost_attackerRelayed(), 2);
        tallyPaths("TRELLIS_ESCROW_PATHS", p);
    }
}
