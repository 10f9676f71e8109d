// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "./TestBase.sol";
import {TrellisParams} from "../../src/TrellisParams.sol";
import {TrellisToken} from "../../src/TrellisToken.sol";
import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {Escrow} from "../../src/Escrow.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";
import {ITrellisParams} from "../../src/interfaces/ITrellisParams.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title Fixture
/// @notice Deploys the whole system in the README's order with the local defaults.
abstract contract Fixture is TestBase {
    uint256 internal constant MIN_STAKE = 100e6;
    uint256 internal constant UNBONDING_DELAY = 7 days;
    uint256 internal constant CHALLENGE_WINDOW = 1 days;
    uint256 internal constant WITHDRAWAL_NOTICE = 1 days;
    uint256 internal constant FEE_BPS = 200;
    uint256 internal constant ROYALTY_CAP_BPS = 3_000;
    uint256 internal constant ROYALTY_NOTICE = 2 days;
    uint256 internal constant WITHDRAWAL_WINDOW = 7 days;
    uint256 internal constant LOCAL_CHAIN_ID = 31337;

    address internal governance = address(0x60F);
    address internal treasury = address(0x7EA5);

    TrellisParams internal params;
    TrellisToken internal token;
    ModelRegistry internal models;
    ProviderRegistry internal registry;
    Escrow internal escrow;

    function deploySystem() internal {
        vm.warp(1_700_000_000);
        params = new TrellisParams(
            governance,
            treasury,
            MIN_STAKE,
            UNBONDING_DELAY,
            CHALLENGE_WINDOW,
            WITHDRAWAL_NOTICE,
            FEE_BPS,
            ROYALTY_CAP_BPS,
            ROYALTY_NOTICE,
            WITHDRAWAL_WINDOW
        );
        token = new TrellisToken(LOCAL_CHAIN_ID, address(0), 0);
        models = new ModelRegistry(ITrellisParams(address(params)));
        registry = new ProviderRegistry(IERC20(address(token)), ITrellisParams(address(params)));
        escrow = new Escrow(IERC20(address(token)), ITrellisParams(address(params)), IModelRegistry(address(models)));
    }

    /// @dev Mints through the faucet in cap-sized steps (the test chain id is 31337).
    function mint(address to, uint256 amount) internal {
        uint256 cap = token.FAUCET_CAP();
        while (amount > cap) {
            token.faucet(to, cap);
            amount -= cap;
        }
        if (amount != 0) token.faucet(to, amount);
    }

    function signVoucher(uint256 key, IEscrow.Voucher memory voucher) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, escrow.hashVoucher(voucher));
        return abi.encodePacked(r, s, v);
    }
}
