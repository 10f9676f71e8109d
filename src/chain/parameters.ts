// The protocol parameters a deployment starts with. The governance timelock can change
// them later through TrellisParams, within the bounds that contract fixes (its MIN_ and
// MAX_ constants); these are the defaults of a new deployment.
import { parseUnits } from 'viem';

/** The payment token has 6 decimals, like the USD stablecoins x402 payments use. */
export const TOKEN_DECIMALS = 6;
export const tokens = (amount: string): bigint => parseUnits(amount, TOKEN_DECIMALS);

const HOUR = 3_600n;
const DAY = 24n * HOUR;

export type ProtocolParameters = {
  treasury?: `0x${string}`;
  minStake: bigint;
  /** Seconds; longer than the challenge window, so a stake cannot leave before a dispute on its last receipt ends. */
  unbondingDelay: bigint;
  challengeWindow: bigint;
  /** Seconds a client waits between asking to withdraw and withdrawing, so providers can redeem vouchers already signed. */
  withdrawalNotice: bigint;
  /** Seconds after the notice during which a withdrawal request can be executed; then it expires. */
  withdrawalWindow: bigint;
  /** Seconds a model's royalty increase waits before it applies; longer than the withdrawal notice. */
  royaltyNotice: bigint;
  protocolFeeBps: bigint;
  royaltyCapBps: bigint;
  /** Dispute game settings (docs/disputes.md); defaults apply when absent. */
  dispute?: DisputeParameters;
  /** Model staking and bounty settings (docs/market.md); defaults apply when absent. */
  market?: MarketParameters;
};

/** The values MarketParams starts with; governance tunes them within its bounds. */
export type MarketParameters = {
  /** Bond of a challenger of a model's weight commitment. */
  modelChallengeBond: bigint;
  /** Seconds a model's staker has to open a challenged leaf. */
  modelResponseWindow: bigint;
  /** Seconds between asking for a model stake back and withdrawing it. */
  modelUnstakeDelay: bigint;
  /** Share of a slashed model stake paid to its challenger; the rest goes to the treasury. */
  modelSlashChallengerBps: bigint;
  /** Bond a bounty submitter puts up with its model. */
  bountySubmitBond: bigint;
  /** Bond of a challenger of one row of a bounty claim. */
  bountyChallengeBond: bigint;
  /** Seconds a bounty claim stays open to row challenges. */
  bountyChallengeWindow: bigint;
  /** Seconds a claimant has to answer a row challenge. */
  bountyResponseWindow: bigint;
};

export const defaultMarketParameters: MarketParameters = {
  modelChallengeBond: tokens('10'),
  modelResponseWindow: 1n * DAY,
  modelUnstakeDelay: 7n * DAY,
  modelSlashChallengerBps: 5_000n,
  bountySubmitBond: tokens('10'),
  bountyChallengeBond: tokens('5'),
  bountyChallengeWindow: 1n * DAY,
  // Time to have the row's input run by a provider and send its receipt.
  bountyResponseWindow: 6n * HOUR,
};

export type DisputeParameters = {
  /** Seconds each side has for its next move. */
  moveTimeout: bigint;
  /** Smallest bond a challenger must put up. */
  minBond: bigint;
  /** Stake taken from a provider that loses a dispute. */
  slashAmount: bigint;
  /** Share of the slashed stake left after the client's refund that goes to the challenger. */
  challengerShareBps: bigint;
  /** Seconds a losing provider stays jailed. */
  jailDuration: bigint;
  /** Of a losing challenger's bond, what pays the provider's defence; the rest goes to the treasury. */
  defenceCompensation: bigint;
  /** Most of a slash that can go back to the client as a refund of its fee. */
  maxRefund: bigint;
  /** Disputes open at once on one provider beyond which only the receipt's client may open more. */
  maxOpenPerProvider: bigint;
};

export type GovernanceParameters = {
  /** Seconds every operation of the timelock that owns TrellisParams waits between scheduling and execution. */
  minDelay: bigint;
  /** Accounts that may schedule and cancel operations; the deployer when absent. */
  proposers?: `0x${string}`[];
  /** Accounts that may execute ready operations; the proposers when absent (the zero address lets anyone execute). */
  executors?: `0x${string}`[];
};

/**
 * Local default: an hour, so tests and local scripts can time-travel past it. On a real
 * network use days (contracts/README.md gives the recommendation), and a multisig as proposer.
 */
export const defaultGovernanceParameters: GovernanceParameters = { minDelay: 1n * HOUR };

export const defaultDisputeParameters: DisputeParameters = {
  moveTimeout: 1n * HOUR,
  minBond: tokens('10'),
  slashAmount: tokens('50'),
  challengerShareBps: 5_000n, // half of what remains after the refund; the rest to the treasury
  jailDuration: 7n * DAY,
  // An honest defence costs 0.25-0.52 M gas for the models measured (docs/disputes.md,
  // "Bond and window arithmetic"); 2 tUSD pays for it up to 1.3-2.7 gwei with ether at
  // 3,000 USD.
  defenceCompensation: tokens('2'),
  // A hundred times the default prices: a client is made whole, a provider that colludes
  // with its client gets back at most this much of its slash.
  maxRefund: tokens('1'),
  maxOpenPerProvider: 16n,
};

export const defaultParameters: ProtocolParameters = {
  minStake: tokens('100'),
  challengeWindow: 1n * DAY,
  unbondingDelay: 2n * DAY,
  withdrawalNotice: 1n * DAY,
  withdrawalWindow: 7n * DAY,
  royaltyNotice: 2n * DAY,
  protocolFeeBps: 100n, // 1 %
  royaltyCapBps: 3_000n, // 30 %
};
