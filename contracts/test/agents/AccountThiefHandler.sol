// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {TrellisToken} from "../../src/TrellisToken.sol";
import {AgentAccount} from "../../src/agents/AgentAccount.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";

/// @title AccountThiefHandler
/// @notice A thief holding an agent account's session key, signing whatever it likes: to
///         itself, to strangers, to the allowed payees, above the per-call maximum, over the
///         period; replaying what went through; calling the hook itself; and time passing.
///         Ghost sums come from the handler's own arithmetic, never from the manager.
contract AccountThiefHandler is TestBase {
    TrellisToken internal immutable token;
    AgentAccount internal immutable account;
    uint256 internal immutable sessionKey;
    ISpendPermissions.SpendPermission internal permission;
    uint160 internal immutable maxPerCall;
    /// @dev provider (active), service (named), then the thief and a stranger (neither allowed).
    address[4] internal payees;

    mapping(uint256 period => uint256) public ghost_spentIn;
    uint256[] internal _periodsTouched;
    uint256 public ghost_totalPaid;
    uint256 public ghost_paidToDisallowed;
    uint256 public ghost_wrongDecisions;
    uint256 public ghost_payeeRefused;
    uint256 public ghost_perCallRefused;
    uint256 public ghost_limitRefused;
    uint256 public ghost_replayRefused;
    uint256 public ghost_hookRefused;
    uint256 public ghost_laterPeriodPayments;

    uint256 internal _nonce;
    bytes32 internal _lastNonce;
    address internal _lastTo;
    uint256 internal _lastValue;
    uint256 internal _lastValidBefore;
    bytes internal _lastSignature;

    constructor(
        TrellisToken token_,
        AgentAccount account_,
        uint256 sessionKey_,
        ISpendPermissions.SpendPermission memory p,
        uint160 maxPerCall_,
        address[4] memory payees_
    ) {
        token = token_;
        account = account_;
        sessionKey = sessionKey_;
        permission = p;
        maxPerCall = maxPerCall_;
        payees = payees_;
    }

    function pay(uint256 value, uint256 payeeSeed) external {
        // Three payments in four to allowed payees, so that periods fill up.
        uint256 pick = payeeSeed % 8;
        address to = payees[pick < 3 ? 0 : pick < 6 ? 1 : pick - 4];
        bool allowed = pick < 6;
        uint256 period = (block.timestamp - permission.start) / permission.period;
        uint256 amount = bound(value, 1, maxPerCall);
        if (value % 4 == 0) {
            // At the period's edge: one below, at, or one above what it has left.
            uint256 left = permission.allowance - ghost_spentIn[period];
            amount = bound(left + (value / 4) % 3, 2, uint256(maxPerCall) + 1) - 1;
        } else if (value % 4 == 1) {
            // Above the per-call maximum.
            amount = uint256(maxPerCall) + 1 + (value / 4) % 1e6;
        }
        bool fits = amount <= maxPerCall && ghost_spentIn[period] + amount <= permission.allowance;
        bytes32 nonce = bytes32(++_nonce);
        uint256 validBefore = block.timestamp + 120;
        bytes memory signature = _sign(to, amount, validBefore, nonce);
        uint256 before = token.balanceOf(to);
        try token.transferWithAuthorization(address(account), to, amount, 0, validBefore, nonce, signature) {
            if (!allowed) ghost_paidToDisallowed += token.balanceOf(to) - before;
            if (!allowed || !fits) ++ghost_wrongDecisions;
            if (ghost_spentIn[period] == 0) _periodsTouched.push(period);
            ghost_spentIn[period] += amount;
            ghost_totalPaid += amount;
            if (period != 0) ++ghost_laterPeriodPayments;
            (_lastNonce, _lastTo, _lastValue, _lastValidBefore, _lastSignature) =
            (nonce, to, amount, validBefore, signature);
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            if (selector == ISpendPermissions.SpendPayeeNotAllowed.selector) ++ghost_payeeRefused;
            else if (selector == ISpendPermissions.SpendAboveMaxPerCall.selector) ++ghost_perCallRefused;
            else if (selector == ISpendPermissions.SpendLimitExceeded.selector) ++ghost_limitRefused;
            if (allowed && fits) ++ghost_wrongDecisions;
        }
    }

    /// @notice The thief's other moves, one per call: the last payment that went through
    ///         sent again (to its payee, or redirected to the thief), or the hook called directly.
    function misuse(uint256 seed) external {
        if (seed % 3 == 2) {
            try account.onAuthorizedTransfer(payees[2], bound(seed, 1, maxPerCall), bytes32(++_nonce)) {
                ++ghost_wrongDecisions;
            } catch {
                ++ghost_hookRefused;
            }
            return;
        }
        if (_lastSignature.length == 0) return;
        address to = seed % 3 == 1 ? payees[2] : _lastTo;
        try token.transferWithAuthorization(
            address(account), to, _lastValue, 0, _lastValidBefore, _lastNonce, _lastSignature
        ) {
            ++ghost_wrongDecisions;
        } catch {
            ++ghost_replayRefused;
        }
    }

    /// @notice Mostly up to a third of a period, so several payments share one; one time in
    ///         eight up to two periods, so a period is left untouched.
    function warp(uint256 dt) external {
        uint256 period = permission.period;
        uint256 step = dt % 8 == 7 ? bound(dt / 8, 1, 2 * period) : bound(dt / 8, 1, period / 3);
        // Stay inside the permission's window: the end is the unit test's concern.
        if (block.timestamp + step >= permission.end) return;
        vm.warp(block.timestamp + step);
    }

    function periodsTouched() external view returns (uint256[] memory) {
        return _periodsTouched;
    }

    function allowance() external view returns (uint256) {
        return permission.allowance;
    }

    function _sign(address to, uint256 value, uint256 validBefore, bytes32 nonce) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), address(account), to, value, 0, validBefore, nonce)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(sessionKey, digest);
        return abi.encodePacked(bytes1(0x01), abi.encode(to, value, 0, validBefore, nonce, abi.encodePacked(r, s, v)));
    }
}
