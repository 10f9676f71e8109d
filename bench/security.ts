// `npm run bench -- security`: the expected profit per request of each cheating strategy
// against the dispute game at the default parameters (bench/support/security-model.ts).
// Pure computation, no chain: the game's parameters come from src/chain/parameters.ts,
// the gas of each move from the disputes suite's last run (bench/support/dispute-gas.ts),
// and every assumption no contract fixes is an option, printed with the results.
import { report, type Figure } from './report.ts';
import { numberOption, type NumberOption } from './support/options.ts';
import { defaultAssumptions, securityReport, type Assumptions, type SecurityReport } from './support/security-model.ts';

const options: Record<keyof Assumptions, NumberOption> = {
  price: { name: 'price', fallback: defaultAssumptions.price, min: 0, max: 1_000 },
  computeCost: { name: 'compute-cost', fallback: defaultAssumptions.computeCost, min: 0, max: 1_000 },
  cheapAnswerShare: { name: 'cheap-answer-share', fallback: defaultAssumptions.cheapAnswerShare, min: 0, max: 1 },
  watcherSampleRate: { name: 'sample-rate', fallback: defaultAssumptions.watcherSampleRate, min: 0, max: 1 },
  redundantShare: { name: 'redundant-share', fallback: defaultAssumptions.redundantShare, min: 0, max: 1 },
  clientDisputeRate: { name: 'client-dispute-rate', fallback: defaultAssumptions.clientDisputeRate, min: 0, max: 1 },
  requestsPerDay: { name: 'requests-per-day', fallback: defaultAssumptions.requestsPerDay, min: 1, max: 1e9 },
  gasPriceGwei: { name: 'gas-price-gwei', fallback: defaultAssumptions.gasPriceGwei, min: 0, max: 10_000 },
  ethPrice: { name: 'eth-price', fallback: defaultAssumptions.ethPrice, min: 0, max: 1e7 },
  jailCostPerDay: { name: 'jail-cost-per-day', fallback: defaultAssumptions.jailCostPerDay, min: 0, max: 1e6 },
};

export async function main(args: string[]): Promise<void> {
  const assumptions = Object.fromEntries(Object.entries(options).map(([key, option]) => [key, numberOption(args, option)])) as Assumptions;
  const result = securityReport(undefined, assumptions);
  printStrategies(result);
  report('security', figures(result));
}

function printStrategies(r: SecurityReport): void {
  const rows = r.strategies.map((x) => [x.strategy, fmt(x.gain), fmt(x.detection), fmt(x.lossWhenCaught), fmt(x.fixedCost), fmt(x.profitPerRequest), x.per]);
  const head = ['strategy', 'gain', 'detection', 'loss if caught', 'fixed cost', 'profit/request', 'per'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i > 0 && i < 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log('\nsecurity: expected profit per request over honest service (tUSD)');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const x of r.strategies) console.log(`${x.strategy}: assumes ${x.assumes}`);
  console.log(r.positive.length === 0 ? '\nEvery strategy loses money at these inputs.' : `\nCHEATING PAYS at these inputs: ${r.positive.join(', ')}.`);
}

function fmt(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(4)).toString() : String(value);
}

const assumptionLabels: Record<keyof Assumptions, [string, string]> = {
  price: ['price per request', 'tUSD'],
  computeCost: ['honest compute cost per request', 'tUSD'],
  cheapAnswerShare: ['cost of a cheap wrong answer / compute cost', 'x'],
  watcherSampleRate: ['watcher sample rate', 'share'],
  redundantShare: ['share of verified requests asking for k=2 redundancy', 'share'],
  clientDisputeRate: ['share of results a client re-executes and disputes', 'share'],
  requestsPerDay: ['requests a day the cheating provider serves', 'req/day'],
  gasPriceGwei: ['gas price', 'gwei'],
  ethPrice: ['ether price', 'tUSD/ETH'],
  jailCostPerDay: ['earnings a jailed provider loses per day', 'tUSD'],
};

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function figures(r: SecurityReport): Figure[] {
  const out: Figure[] = [];
  for (const [key, [label, unit]] of Object.entries(assumptionLabels)) {
    out.push({ figure: `assumed_${snake(key)}`, label: `assumed: ${label}`, value: r.assumptions[key as keyof Assumptions], unit });
  }
  for (const x of r.strategies) {
    const pays = x.profitPerRequest > 0 ? ' — POSITIVE: THIS CHEAT PAYS' : '';
    out.push({
      figure: `${x.strategy}_profit_per_request`,
      label: `${x.strategy}: expected profit per request${pays}`,
      value: x.profitPerRequest,
      unit: 'tUSD',
    });
    out.push({ figure: `${x.strategy}_detection_probability`, label: `${x.strategy}: probability of a lost dispute`, value: x.detection, unit: 'share' });
  }
  out.push({ figure: 'cheating_strategies_positive', label: 'strategies whose expected profit is positive', value: r.positive.length, unit: 'strategies' });
  out.push({ figure: 'lazy_break_even_sample_rate', label: 'watcher sample rate below which lazy pays', value: r.lazyBreakEvenSampleRate, unit: 'share' });
  const q = r.squatting;
  out.push({ figure: 'squatting_dispute_hours', label: 'squatting: hours one puppet dispute holds a slot', value: q.disputeHours, unit: 'h' });
  out.push({
    figure: 'squatting_cost_per_dispute',
    label: 'squatting: cost of one puppet dispute (bond less compensation, gas)',
    value: q.costPerDispute,
    unit: 'tUSD',
  });
  out.push({ figure: 'squatting_cost_per_day', label: 'squatting: cost a day of keeping the cap full', value: q.costPerDay, unit: 'tUSD' });
  // Infinite when clients dispute enough that no volume makes squatting pay: left out.
  if (Number.isFinite(q.breakEvenRequestsPerDay)) {
    out.push({
      figure: 'squatting_break_even_requests_per_day',
      label: 'squatting pays above this many requests a day',
      value: q.breakEvenRequestsPerDay,
      unit: 'req/day',
    });
  }
  out.push({
    figure: 'squatting_break_even_client_dispute_rate',
    label: 'client dispute rate above which squatting never pays',
    value: q.breakEvenClientDisputeRate,
    unit: 'share',
  });
  for (const d of r.defence) {
    const m = d.model.replace(/-/g, '_');
    out.push({ figure: `defence_gas_${m}`, label: `${d.model}: gas of an honest defence`, value: d.gas, unit: 'gas' });
    out.push({ figure: `defence_net_${m}`, label: `${d.model}: compensation less the defence's gas`, value: d.net, unit: 'tUSD' });
    out.push({
      figure: `defence_break_even_gas_price_${m}`,
      label: `${d.model}: gas price the compensation covers`,
      value: d.breakEvenGasPriceGwei,
      unit: 'gwei',
    });
  }
  out.push({
    figure: 'watcher_profit_per_catch',
    label: 'watcher: reward less gas per cheat caught (digits-cnn)',
    value: r.watcher.profitPerCatch,
    unit: 'tUSD',
  });
  out.push({
    figure: 'watcher_profit_when_preempted',
    label: 'watcher: net when a self-challenge settles first',
    value: r.watcher.profitWhenPreempted,
    unit: 'tUSD',
  });
  out.push({ figure: 'max_dispute_moves', label: 'moves of a dispute over a 2^24-element tensor', value: r.window.maxDisputeMoves, unit: 'moves' });
  out.push({ figure: 'max_dispute_hours', label: 'longest a dispute runs: (moves - 1) x move timeout', value: r.window.maxDisputeHours, unit: 'h' });
  out.push({
    figure: 'unbonding_margin_hours',
    label: 'unbonding delay - challenge window - longest dispute',
    value: r.window.unbondingMarginHours,
    unit: 'h',
  });
  return out;
}
