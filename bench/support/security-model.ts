// The economic security model behind `npm run bench -- security`: for each way a party
// can try to profit from the dispute game, what it gains per request, how likely it is
// to be caught, what being caught costs it, and so its expected profit per request over
// serving honestly. Pure arithmetic in tUSD (floating point; every figure is a rate or a
// product of a few terms, so rounding does not matter), so the same inputs always give
// the same table. The game's parameters come from src/chain/parameters.ts; what no
// contract fixes (sampling rates, volumes, prices) is an assumption with a default, and
// every result names the assumptions it rests on.
import { defaultDisputeParameters, defaultParameters, TOKEN_DECIMALS } from '../../src/chain/parameters.ts';
import { descentRounds, MAX_TENSOR_SIZE, measuredGas, movesOf, roundsOf, type MoveGas } from './dispute-gas.ts';

const DAY_S = 86_400;
const HOUR_S = 3_600;

/** The game's settings, in tUSD and seconds. */
export type GameSettings = {
  minBond: number;
  slashAmount: number;
  challengerShare: number;
  defenceCompensation: number;
  maxRefund: number;
  maxOpenPerProvider: number;
  moveTimeoutS: number;
  jailDurationS: number;
  challengeWindowS: number;
  unbondingDelayS: number;
  minStake: number;
};

const tusd = (amount: bigint): number => Number(amount) / 10 ** TOKEN_DECIMALS;

/** A new deployment's settings (src/chain/parameters.ts). */
export function defaultGameSettings(): GameSettings {
  const d = defaultDisputeParameters;
  return {
    minBond: tusd(d.minBond),
    slashAmount: tusd(d.slashAmount),
    challengerShare: Number(d.challengerShareBps) / 10_000,
    defenceCompensation: tusd(d.defenceCompensation),
    maxRefund: tusd(d.maxRefund),
    maxOpenPerProvider: Number(d.maxOpenPerProvider),
    moveTimeoutS: Number(d.moveTimeout),
    jailDurationS: Number(d.jailDuration),
    challengeWindowS: Number(defaultParameters.challengeWindow),
    unbondingDelayS: Number(defaultParameters.unbondingDelay),
    minStake: tusd(defaultParameters.minStake),
  };
}

/** What no contract fixes: each is a named input of the model, printed with the results. */
export type Assumptions = {
  /** tUSD a request pays (the cheapest default provider's price). */
  price: number;
  /** tUSD an honest provider spends serving one request. At most the price: a provider
   *  whose cost exceeded its price would not serve, so this is the most cheating saves. */
  computeCost: number;
  /** What a cheap wrong answer costs to make, as a share of `computeCost`. */
  cheapAnswerShare: number;
  /** Share of results a watcher re-executes (chosen by a seeded hash the provider cannot
   *  predict, src/verify/sample.ts). The watcher's own default is 1; a sparse 1 % is assumed. */
  watcherSampleRate: number;
  /** Share of verified requests that ask for redundancy (k = 2): a disagreement there is
   *  always re-executed and disputed. */
  redundantShare: number;
  /** Share of its results a client re-executes and disputes itself (the SDK does not by default). */
  clientDisputeRate: number;
  /** Requests a day the cheating provider serves (what squatting's fixed cost spreads over). */
  requestsPerDay: number;
  gasPriceGwei: number;
  /** tUSD per ether (the token is a USD stablecoin). */
  ethPrice: number;
  /** tUSD a jailed provider loses per day of jail (its honest margin); 0 leaves the jail out. */
  jailCostPerDay: number;
};

export const defaultAssumptions: Assumptions = {
  price: 0.01,
  computeCost: 0.01,
  cheapAnswerShare: 0.1,
  watcherSampleRate: 0.01,
  redundantShare: 0.1,
  clientDisputeRate: 0,
  requestsPerDay: 10_000,
  gasPriceGwei: 1,
  ethPrice: 3_000,
  jailCostPerDay: 0,
};

export const strategyNames = ['lazy', 'random_output', 'colluding_redundancy', 'squatting', 'griefing', 'self_challenge'] as const;
export type StrategyName = (typeof strategyNames)[number];

export type StrategyResult = {
  strategy: StrategyName;
  /** tUSD the strategy gains per request over serving honestly, before any penalty. */
  gain: number;
  /** Probability that a request it cheats on ends in a dispute it loses. */
  detection: number;
  /** tUSD it loses when caught (slash and jail, less what its own accounts get back). */
  lossWhenCaught: number;
  /** tUSD per request it pays whether caught or not (squatting's disputes, a griefer's bond). */
  fixedCost: number;
  /** gain - detection x lossWhenCaught - fixedCost. */
  profitPerRequest: number;
  /** What a "request" is for this strategy, and what the detection rests on. */
  per: string;
  assumes: string;
};

/** Everything the suite prints. */
export type SecurityReport = {
  settings: GameSettings;
  assumptions: Assumptions;
  strategies: StrategyResult[];
  /** Strategies that come out positive: cheating that pays at these inputs. */
  positive: StrategyName[];
  lazyBreakEvenSampleRate: number;
  squatting: { disputeHours: number; costPerDispute: number; costPerDay: number; breakEvenRequestsPerDay: number; breakEvenClientDisputeRate: number };
  defence: { model: string; gas: number; cost: number; net: number; breakEvenGasPriceGwei: number }[];
  watcher: { profitPerCatch: number; profitWhenPreempted: number };
  window: { maxDisputeMoves: number; maxDisputeHours: number; unbondingMarginHours: number };
};

/** tUSD of `gas` at the assumed gas price and ether price. */
export function gasCost(gas: number, a: Assumptions): number {
  return gas * a.gasPriceGwei * 1e-9 * a.ethPrice;
}

/** The split of a slash (DisputeGame._penalize): the client's refund, then the challenger's share. */
export function slashSplit(s: GameSettings, fee: number): { refund: number; reward: number; treasury: number } {
  const refund = Math.min(fee, s.maxRefund, s.slashAmount);
  const rest = s.slashAmount - refund;
  const reward = rest * s.challengerShare;
  return { refund, reward, treasury: rest - reward };
}

/** The dispute whose moves a gas figure describes, with `rounds` descent rounds priced from `gas`. */
function descentGas(gas: MoveGas, rounds: number) {
  const provider = gas.revealRoots + rounds * gas.revealNodes;
  const challenger = gas.open + gas.chooseLayer + rounds * gas.pick;
  return { provider, challenger, beforeStep: provider + challenger };
}

function result(r: Omit<StrategyResult, 'profitPerRequest'>): StrategyResult {
  return { ...r, profitPerRequest: r.gain - r.detection * r.lossWhenCaught - r.fixedCost };
}

export function securityReport(s: GameSettings = defaultGameSettings(), a: Assumptions = defaultAssumptions, gas = measuredGas): SecurityReport {
  const split = slashSplit(s, a.price);
  const jail = (s.jailDurationS / DAY_S) * a.jailCostPerDay;
  // A caught cheat does not play on: it loses by timeout and pays no gas. The fee stays
  // with it (vouchers are final); the client's refund comes out of the slash.
  const caught = s.slashAmount + jail;
  const lazyGain = a.computeCost * (1 - a.cheapAnswerShare);
  // The request names its verification mode, so a cheat can serve redundant requests
  // honestly and cheat only where a watcher's sample or the client itself can catch it.
  const sampled = 1 - (1 - a.watcherSampleRate) * (1 - a.clientDisputeRate);
  const deepestDefault = gas['digits-cnn'];
  const cnnRounds = roundsOf(deepestDefault);

  // Squatting: puppets hold every slot of the provider's dispute cap for as long as a
  // dispute can last (the deepest tensor a model may publish, each side moving at its last
  // second) and refill a slot in the transaction that ends it, so no other challenger ever
  // gets in; only the receipt's own client can still open. Each squat loses the puppet's
  // bond less the defence compensation, plus the pair's gas up to the last descent move
  // (the ending move is left out, so the cost is a lower bound).
  const deepRounds = descentRounds(MAX_TENSOR_SIZE);
  const deepMoves = movesOf(deepRounds);
  const squatSeconds = (deepMoves - 1) * s.moveTimeoutS;
  const squatCost = s.minBond - s.defenceCompensation + gasCost(descentGas(deepestDefault, deepRounds).beforeStep, a);
  const squatPerDay = s.maxOpenPerProvider * (DAY_S / squatSeconds) * squatCost;
  const squatMargin = lazyGain - a.clientDisputeRate * caught;

  // Self-challenge: when a watcher opens on its wrong receipt, the cheat stalls that dispute
  // (it may take a whole move timeout to reveal its roots) while its puppet plays a whole
  // dispute on the same receipt and wins first; the registry slashes a receipt once, so the
  // watcher's dispute closes with its bond back. The pair gets back the challenger's share
  // and, when the client is its own too, the refund; it pays both sides' gas of that dispute.
  const selfLoss = caught - split.reward - split.refund + gasCost(deepestDefault.total, a);

  // Griefing an honest receipt of the deepest default model, descending all the way so the
  // provider reveals every round, then losing the step: the griefer forfeits its bond.
  const grief = descentGas(deepestDefault, cnnRounds);

  const strategies: StrategyResult[] = [
    result({
      strategy: 'lazy',
      gain: lazyGain,
      detection: sampled,
      lossWhenCaught: caught,
      fixedCost: 0,
      per: 'optimistic request cheated on',
      assumes: 'watcher sample rate, client dispute rate; redundant requests served honestly',
    }),
    result({
      strategy: 'random_output',
      gain: a.computeCost,
      detection: 1 - (1 - a.watcherSampleRate) * (1 - a.redundantShare) * (1 - a.clientDisputeRate),
      lossWhenCaught: caught,
      fixedCost: 0,
      per: 'verified request (cheats on all, redundant ones included)',
      assumes: 'watcher sample rate, redundant share (an honest peer disagrees), client dispute rate',
    }),
    result({
      strategy: 'colluding_redundancy',
      gain: lazyGain,
      detection: sampled,
      lossWhenCaught: caught,
      fixedCost: 0,
      per: 'redundant request, each of the two providers',
      assumes: 'both sign the same wrong output, so the gateway sees agreement; each receipt sampled on its own',
    }),
    result({
      strategy: 'squatting',
      gain: lazyGain,
      detection: a.clientDisputeRate,
      lossWhenCaught: caught,
      fixedCost: squatPerDay / a.requestsPerDay,
      per: 'request cheated on while puppets fill the dispute cap',
      assumes: 'requests per day, client dispute rate (watchers are kept out), gas and ether price',
    }),
    result({
      strategy: 'griefing',
      gain: 0,
      detection: 1,
      lossWhenCaught: s.minBond + gasCost(grief.challenger, a),
      fixedCost: 0,
      per: 'honest receipt disputed (griefer side)',
      assumes: 'full descent of digits-cnn, then a losing step; gas and ether price',
    }),
    result({
      strategy: 'self_challenge',
      gain: lazyGain,
      detection: sampled,
      lossWhenCaught: selfLoss,
      fixedCost: 0,
      per: 'optimistic request cheated on',
      assumes: "watcher sample rate; the puppet wins the race; the client is also the cheat's (refund recovered)",
    }),
  ];

  const defenceOf = (model: string, rounds: number, g: MoveGas) => {
    const defenceGas = g.revealRoots + rounds * g.revealNodes;
    const cost = gasCost(defenceGas, a);
    return { model, gas: defenceGas, cost, net: s.defenceCompensation - cost, breakEvenGasPriceGwei: s.defenceCompensation / (defenceGas * 1e-9 * a.ethPrice) };
  };
  const defence = [
    ...(['breast-cancer-mlp', 'digits-mlp', 'digits-cnn', 'large-layer'] as const).map((m) => defenceOf(m, roundsOf(gas[m]), gas[m])),
    defenceOf('deepest', deepRounds, deepestDefault),
  ];

  const watcherMoves = deepestDefault.open + deepestDefault.chooseLayer + cnnRounds * deepestDefault.pick + deepestDefault.step;
  return {
    settings: s,
    assumptions: a,
    strategies,
    positive: strategies.filter((x) => x.profitPerRequest > 0).map((x) => x.strategy),
    lazyBreakEvenSampleRate: lazyGain / caught,
    squatting: {
      disputeHours: squatSeconds / HOUR_S,
      costPerDispute: squatCost,
      costPerDay: squatPerDay,
      breakEvenRequestsPerDay: squatMargin > 0 ? squatPerDay / squatMargin : Number.POSITIVE_INFINITY,
      breakEvenClientDisputeRate: lazyGain / caught,
    },
    defence,
    watcher: {
      profitPerCatch: split.reward - gasCost(watcherMoves, a),
      // Pre-empted by a self-challenge: the bond comes back, the gas of open does not
      // (close is not measured and left out).
      profitWhenPreempted: -gasCost(deepestDefault.open, a),
    },
    window: {
      maxDisputeMoves: deepMoves,
      maxDisputeHours: squatSeconds / HOUR_S,
      unbondingMarginHours: (s.unbondingDelayS - s.challengeWindowS - squatSeconds) / HOUR_S,
    },
  };
}
