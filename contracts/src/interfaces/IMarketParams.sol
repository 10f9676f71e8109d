// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IMarketParams
/// @notice Governed parameters of the model market (model staking and bounties). Games copy
///         the values they use when they start, so a change applies to later games only.
interface IMarketParams {
    /// @notice A value outside its hard bounds.
    error MarketParamsOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice Ownership cannot be renounced: nobody could tune the market again.
    error MarketParamsRenounceDisabled();

    /// @notice A parameter changed.
    event MarketParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);

    /// @notice Bond a challenger of a model's commitment puts up.
    function modelChallengeBond() external view returns (uint256);
    /// @notice Seconds a model's staker has to open a challenged leaf.
    function modelResponseWindow() external view returns (uint256);
    /// @notice Seconds between asking to unstake and being able to withdraw.
    function modelUnstakeDelay() external view returns (uint256);
    /// @notice Share of a slashed model stake paid to the challenger, in basis points.
    function modelSlashChallengerBps() external view returns (uint256);
    /// @notice Bond a bounty submitter puts up with its model.
    function bountySubmitBond() external view returns (uint256);
    /// @notice Bond a challenger of one row of a bounty claim puts up.
    function bountyChallengeBond() external view returns (uint256);
    /// @notice Seconds a bounty claim stays open to row challenges.
    function bountyChallengeWindow() external view returns (uint256);
    /// @notice Seconds a claimant has to answer a row challenge with a receipt.
    function bountyResponseWindow() external view returns (uint256);

    function setModelChallengeBond(uint256 value) external;
    function setModelResponseWindow(uint256 value) external;
    function setModelUnstakeDelay(uint256 value) external;
    function setModelSlashChallengerBps(uint256 value) external;
    function setBountySubmitBond(uint256 value) external;
    function setBountyChallengeBond(uint256 value) external;
    function setBountyChallengeWindow(uint256 value) external;
    function setBountyResponseWindow(uint256 value) external;
}
