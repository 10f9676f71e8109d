// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Ledger} from "./Ledger.sol";
import {Escrow} from "../../src/Escrow.sol";
import {TrellisToken} from "../../src/TrellisToken.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";
import {ITrellisToken} from "../../src/interfaces/ITrellisToken.sol";

/// @title ClientHandler
/// @notice Clients deposit (themselves, or by an EIP-3009 authorization someone else submits,
///         under attack), request and complete withdrawals, and sign vouchers.
contract ClientHandler is TestBase {
    /// @notice A withdrawal paid `paid` where the escrow's rules give `expected`.
    error WithdrawalOffRules(address client, uint256 paid, uint256 expected);
    /// @notice A deposit by authorization credited `credited` and took `taken` from the
    ///         signer's wallet, where the authorization says `amount`.
    error DepositOffRules(address client, uint256 credited, uint256 taken, uint256 amount);
    /// @notice An attacker's move with a deposit authorization went through.
    error AttackNotRefused(string attack);
    /// @notice An attacker's move was refused, but not by the error that names it.
    error AttackRefusedOtherwise(string attack, bytes reason);
    /// @notice A refused move still changed a balance or used up the authorization.
    error AttackMovedFunds(string attack);

    /// @notice A receive authorization to the escrow as its signer made it.
    struct Authorization {
        address from;
        uint256 value;
        uint256 validAfter;
        uint256 validBefore;
        bytes32 nonce;
        bytes signature;
    }

    /// @dev What an attack must leave alone: the signer's credit and wallet, what the escrow
    ///      holds, and whether the authorization is still unused.
    struct Balances {
        uint256 credited;
        uint256 wallet;
        uint256 held;
        bool used;
    }

    /// @dev The notice and window of the Fixture's parameters (none of the handlers changes them).
    uint256 internal constant WITHDRAWAL_NOTICE = 1 days;
    uint256 internal constant WITHDRAWAL_WINDOW = 7 days;

    Ledger internal immutable ledger;
    Escrow internal immutable escrow;
    TrellisToken internal immutable token;

    mapping(address client => uint256) public ghost_deposited;
    mapping(address client => uint256) public ghost_withdrawn;
    uint256 public ghost_vouchersSigned;
    /// @dev Withdrawals that paid something.
    uint256 public ghost_withdrawals;
    /// @dev Each client's pending request as the handler made it.
    mapping(address client => IEscrow.WithdrawalRequest) public ghost_request;

    /// @dev Holds every authorization it sees on the way; signs with its own key only.
    uint256 internal constant ATTACKER_KEY = 0xA77AC;
    address internal immutable attacker;
    uint256 internal _authorizations;

    /// @dev Deposits by authorization that landed, and each attack refused as it must be.
    uint256 public ghost_authorizedDeposits;
    uint256 public ghost_attackerRelayed;
    uint256 public ghost_replaysRefused;
    uint256 public ghost_tokenFrontRunsRefused;
    uint256 public ghost_redirectsRefused;
    uint256 public ghost_expiredRefused;
    uint256 public ghost_notYetValidRefused;
    uint256 public ghost_foreignKeysRefused;

    constructor(Ledger ledger_, Escrow escrow_, TrellisToken token_) {
        ledger = ledger_;
        escrow = escrow_;
        token = token_;
        attacker = vm.addr(ATTACKER_KEY);
    }

    function _client(uint256 seed) internal view returns (address client, uint256 key) {
        uint256 i = seed % ledger.clientCount();
        return (ledger.clients(i), ledger.clientKeys(i));
    }

    /// @notice A client deposits: itself, or (`how` odd) by an EIP-3009 authorization that
    ///         someone else submits, under attack (`_depositByAuthorization`).
    function deposit(uint256 seed, uint256 amount, uint256 how) external {
        (address client, uint256 key) = _client(seed);
        // Of the order of a few vouchers, so balances run short and redemptions pay in part.
        amount = bound(amount, 1, 100e6);
        if (how % 2 == 0) _deposit(client, amount);
        else _depositByAuthorization(client, key, amount, how, seed);
    }

    function _deposit(address client, uint256 amount) internal {
        token.faucet(client, amount);
        vm.startPrank(client);
        token.approve(address(escrow), amount);
        escrow.deposit(amount);
        vm.stopPrank();
        ghost_deposited[client] += amount;
        ledger.bookDeposit(client, amount);
    }

    /// @dev Starting at `seed`, the first client for which `ready` holds (so sequences that
    ///      need a prior step reach their last step often).
    function _clientWith(uint256 seed, function(address) internal view returns (bool) ready)
        internal
        view
        returns (address)
    {
        uint256 count = ledger.clientCount();
        for (uint256 k; k < count; ++k) {
            address client = ledger.clients((seed % count + k) % count);
            if (ready(client)) return client;
        }
        return address(0);
    }

    function _hasBalance(address client) internal view returns (bool) {
        return ledger.ghost_balance(client) != 0;
    }

    function _hasRequest(address client) internal view returns (bool) {
        return ghost_request[client].amount != 0;
    }

    function requestWithdrawal(uint256 seed, uint256 amount) external {
        address client = _clientWith(seed, _hasBalance);
        if (client == address(0)) return;
        _request(client, bound(amount, 1, ledger.ghost_balance(client)));
    }

    function _request(address client, uint256 amount) internal {
        vm.prank(client);
        escrow.requestWithdrawal(amount);
        uint256 readyAt = block.timestamp + WITHDRAWAL_NOTICE;
        ghost_request[client] = IEscrow.WithdrawalRequest({
            amount: amount, readyAt: uint64(readyAt), expiresAt: uint64(readyAt + WITHDRAWAL_WINDOW)
        });
    }

    /// @notice Waits out the notice of a pending request and up to a day past its window, then
    ///         withdraws: it pays the smaller of the request and the balance left after
    ///         redemptions. An expired request is dead: the client asks again instead.
    function completeWithdrawal(uint256 seed, uint256 waitTime) external {
        address client = _clientWith(seed, _hasRequest);
        if (client == address(0)) {
            // Nobody has asked yet: a client with a balance asks for all of it.
            client = _clientWith(seed, _hasBalance);
            if (client != address(0)) _request(client, ledger.ghost_balance(client));
            return;
        }
        IEscrow.WithdrawalRequest memory request = ghost_request[client];
        uint256 from = block.timestamp > request.readyAt ? block.timestamp : request.readyAt;
        vm.warp(from + bound(waitTime, 0, WITHDRAWAL_WINDOW + 1 days));
        uint256 balance = ledger.ghost_balance(client);
        if (block.timestamp > request.expiresAt) {
            delete ghost_request[client];
            if (balance != 0) _request(client, request.amount < balance ? request.amount : balance);
            return;
        }
        uint256 amount = request.amount < balance ? request.amount : balance;
        uint256 before = token.balanceOf(client);
        vm.prank(client);
        escrow.withdraw();
        uint256 got = token.balanceOf(client) - before;
        if (got != amount) revert WithdrawalOffRules(client, got, amount);
        delete ghost_request[client];
        ghost_withdrawn[client] += amount;
        ledger.bookWithdrawal(client, amount);
        if (amount != 0) ++ghost_withdrawals;
    }

    /// @notice The client raises the cumulative amount on one of its channels and signs it,
    ///         topping its balance up by at most the increment first (from nothing, so
    ///         the balance may fall short of the voucher). Model ids include one nobody
    ///         published, to cover unknown models.
    function signVoucher(uint256 clientSeed, uint256 providerSeed, uint256 modelSeed, uint256 increment, uint256 topUp)
        external
    {
        (address client, uint256 key) = _client(clientSeed);
        address provider = ledger.providers(providerSeed % ledger.providerCount());
        uint256 modelCount = ledger.modelCount();
        bytes32 modelId = modelSeed % (modelCount + 1) == modelCount
            ? keccak256("unpublished model")
            : ledger.modelIds(modelSeed % (modelCount + 1));
        bytes32 channel = escrow.channelId(client, provider, modelId);
        increment = bound(increment, 1, 50e6);
        topUp = bound(topUp, 0, increment);
        if (topUp != 0) _deposit(client, topUp);
        uint256 cumulative = ledger.maxSigned(channel) + increment;
        IEscrow.Voucher memory voucher = IEscrow.Voucher(client, provider, modelId, cumulative);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, escrow.hashVoucher(voucher));
        ledger.recordVoucher(channel, voucher, abi.encodePacked(r, s, v));
        ++ghost_vouchersSigned;
    }

    // ------------------------------------------------------------------ deposits by authorization

    /// @notice A client signs an EIP-3009 receive authorization to the escrow and someone else
    ///         submits it (a provider, in the batched x402 scheme). An attacker who sees the
    ///         signed authorization first tries every move it has: push it through the token
    ///         itself, have the deposit credited to another account or raised, sign one of its
    ///         own for the client's funds, submit one of the client's outside its time window.
    ///         Each move must be refused by the error that names it and move nothing. Then the
    ///         deposit lands in full, credited to the signer alone, whether the relayer submits
    ///         it or (`how % 4 == 3`) the attacker does first; submitting the used
    ///         authorization again is refused.
    function _depositByAuthorization(address client, uint256 key, uint256 amount, uint256 how, uint256 seed) internal {
        token.faucet(client, amount);
        uint256 lifetime = how % 1 days;
        Authorization memory a = _authorize(key, client, amount, 0, block.timestamp + 1 + lifetime);
        _frontRunThroughToken(a);
        _redirect(a, seed);
        _outOfWindow(key, client, amount, lifetime, true);
        _outOfWindow(key, client, amount, lifetime, false);
        _foreignKey(client, amount);
        address relayer = ledger.providers(seed % ledger.providerCount());
        if (how % 4 == 3) {
            // The attacker relays first: that is the client's deposit, and the relayer's is a replay.
            _submit(a, attacker);
            ++ghost_attackerRelayed;
            _replay(a, relayer);
        } else {
            _submit(a, relayer);
            _replay(a, attacker);
        }
    }

    function _authorize(uint256 key, address from, uint256 value, uint256 validAfter, uint256 validBefore)
        internal
        returns (Authorization memory a)
    {
        bytes32 nonce = keccak256(abi.encode("deposit authorization", ++_authorizations));
        bytes32 structHash = keccak256(
            abi.encode(
                token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(),
                from,
                address(escrow),
                value,
                validAfter,
                validBefore,
                nonce
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        a = Authorization(from, value, validAfter, validBefore, nonce, abi.encodePacked(r, s, v));
    }

    /// @dev The escrow credits the signer in full and takes it from the signer's wallet.
    function _submit(Authorization memory a, address relayer) internal {
        Balances memory before = _balances(a);
        vm.prank(relayer);
        escrow.depositWithAuthorization(a.from, a.value, a.validAfter, a.validBefore, a.nonce, a.signature);
        Balances memory after_ = _balances(a);
        uint256 credited = after_.credited - before.credited;
        uint256 taken = before.wallet - after_.wallet;
        if (credited != a.value || taken != a.value || after_.held - before.held != a.value) {
            revert DepositOffRules(a.from, credited, taken, a.value);
        }
        ghost_deposited[a.from] += a.value;
        ledger.bookDeposit(a.from, a.value);
        ++ghost_authorizedDeposits;
    }

    function _replay(Authorization memory a, address relayer) internal {
        Balances memory before = _balances(a);
        _depositRefused(relayer, a.from, a.value, a, ITrellisToken.TokenAuthorizationUsed.selector, "replay");
        _unmoved(a, before, "replay");
        ++ghost_replaysRefused;
    }

    /// @dev The receive authorization through the token's own transfer (its signature is over
    ///      another type), and through its receive entry point by anyone but the escrow.
    function _frontRunThroughToken(Authorization memory a) internal {
        Balances memory before = _balances(a);
        vm.prank(attacker);
        try token.transferWithAuthorization(
            a.from, address(escrow), a.value, a.validAfter, a.validBefore, a.nonce, a.signature
        ) {
            revert AttackNotRefused("transferWithAuthorization");
        } catch (bytes memory reason) {
            _refusedBy(reason, ITrellisToken.TokenInvalidSignature.selector, "transferWithAuthorization");
        }
        vm.prank(attacker);
        try token.receiveWithAuthorization(
            a.from, address(escrow), a.value, a.validAfter, a.validBefore, a.nonce, a.signature
        ) {
            revert AttackNotRefused("receiveWithAuthorization");
        } catch (bytes memory reason) {
            _refusedBy(reason, ITrellisToken.TokenCallerNotPayee.selector, "receiveWithAuthorization");
        }
        _unmoved(a, before, "front-run through the token");
        ++ghost_tokenFrontRunsRefused;
    }

    /// @dev The client's signature submitted for another payer (a client or the attacker), or
    ///      for a larger amount.
    function _redirect(Authorization memory a, uint256 seed) internal {
        Balances memory before = _balances(a);
        (address other,) = _client(seed % ledger.clientCount() + 1);
        address beneficiary = other == a.from ? attacker : other;
        uint256 otherCredit = escrow.balanceOf(beneficiary);
        token.faucet(beneficiary, a.value);
        _depositRefused(
            attacker, beneficiary, a.value, a, ITrellisToken.TokenInvalidSignature.selector, "credit to another"
        );
        _depositRefused(attacker, a.from, a.value + 1, a, ITrellisToken.TokenInvalidSignature.selector, "raised amount");
        if (escrow.balanceOf(beneficiary) != otherCredit) revert AttackMovedFunds("credit to another");
        // The beneficiary's faucet tokens stay in its wallet; none reached the escrow.
        _unmoved(a, before, "credit to another");
        ++ghost_redirectsRefused;
    }

    /// @dev An authorization of the client's submitted after its end or before its start.
    function _outOfWindow(uint256 key, address client, uint256 amount, uint256 lifetime, bool expired) internal {
        Authorization memory a = expired
            ? _authorize(key, client, amount, 0, block.timestamp - lifetime % block.timestamp)
            : _authorize(key, client, amount, block.timestamp + lifetime, block.timestamp + 2 days);
        Balances memory before = _balances(a);
        bytes4 expected = expired
            ? ITrellisToken.TokenAuthorizationExpired.selector
            : ITrellisToken.TokenAuthorizationNotYetValid.selector;
        _depositRefused(attacker, a.from, a.value, a, expected, "out of window");
        _unmoved(a, before, "out of window");
        if (expired) ++ghost_expiredRefused;
        else ++ghost_notYetValidRefused;
    }

    /// @dev The attacker signs, with its own key, an authorization from the client's funds.
    function _foreignKey(address client, uint256 amount) internal {
        Authorization memory a = _authorize(ATTACKER_KEY, client, amount, 0, block.timestamp + 120);
        Balances memory before = _balances(a);
        _depositRefused(attacker, a.from, a.value, a, ITrellisToken.TokenInvalidSignature.selector, "another key");
        _unmoved(a, before, "another key");
        ++ghost_foreignKeysRefused;
    }

    /// @dev `relayer` submits `a`'s signature as a deposit of `value` credited to `from`; it
    ///      must be refused with `expected`.
    function _depositRefused(
        address relayer,
        address from,
        uint256 value,
        Authorization memory a,
        bytes4 expected,
        string memory attack
    ) internal {
        vm.prank(relayer);
        try escrow.depositWithAuthorization(from, value, a.validAfter, a.validBefore, a.nonce, a.signature) {
            revert AttackNotRefused(attack);
        } catch (bytes memory reason) {
            _refusedBy(reason, expected, attack);
        }
    }

    function _balances(Authorization memory a) internal view returns (Balances memory) {
        return Balances({
            credited: escrow.balanceOf(a.from),
            wallet: token.balanceOf(a.from),
            held: token.balanceOf(address(escrow)),
            used: token.authorizationState(a.from, a.nonce)
        });
    }

    function _unmoved(Authorization memory a, Balances memory before, string memory attack) internal view {
        Balances memory now_ = _balances(a);
        if (
            now_.credited != before.credited || now_.wallet != before.wallet || now_.held != before.held
                || now_.used != before.used
        ) revert AttackMovedFunds(attack);
    }

    function _refusedBy(bytes memory reason, bytes4 expected, string memory attack) internal pure {
        if (reason.length < 4 || bytes4(reason) != expected) revert AttackRefusedOtherwise(attack, reason);
    }
}
