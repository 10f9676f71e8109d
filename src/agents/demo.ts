// The demo agent: a small multi-step task that buys inference per call. Each round it
// reads a handwritten digit, classifies it with digits-mlp, has digits-cnn check the
// answer, then screens a breast-cancer record with breast-cancer-mlp; every call is paid
// through the gateway's x402 route out of the agent's spend permission, and every
// answer's receipt is checked against the payment that bought it. It logs each payment
// (provider, amount, settlement, what is left) and stops, by name, when the permission
// refuses the next call: the limit is the contract's, not a counter in this file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import { formatDate, formatTokens } from '../chain/human-units.ts';
import { repoPath } from '../repo-root.ts';
import type { Deployment } from '../chain/manifest.ts';
import { applyPreprocess } from '../train/preprocess.ts';
import { loadModel, type CatalogModel } from '../models/catalog.ts';
import { resolveModel } from '../models/registry.ts';
import { classLabelOf } from '../models/schema.ts';
import { checkPaidResult } from '../x402/paid-result.ts';
import { parseBatchedPayment } from '../x402/batched-payload.ts';
import { BATCHED_SCHEME } from '../x402/batched-requirements.ts';
import { parseExactPayment } from '../x402/payment.ts';
import type { Agent, AgentPayment } from './agent.ts';
import { AgentError, SpendLimitExceededError } from './errors.ts';

export type DemoStep = { model: string; what: string; input: number[] };

const repoExamples = repoPath('examples');

/** One round of the task, from the inputs in examples/. */
export function demoRound(examplesDir: string = repoExamples): DemoStep[] {
  const digit = JSON.parse(readFileSync(join(examplesDir, 'digit-3.json'), 'utf8')) as number[];
  const [, row] = readFileSync(join(examplesDir, 'breast-cancer.csv'), 'utf8').trim().split(/\r?\n/);
  const record = row!.split(',').map(Number);
  return [
    { model: 'digits-mlp', what: 'read the digit', input: digit },
    { model: 'digits-cnn', what: 'check the digit', input: digit },
    { model: 'breast-cancer-mlp', what: 'screen the record', input: record },
  ];
}

export type DemoOptions = {
  agent: Agent;
  connection: Connection;
  deployment: Deployment;
  gatewayUrl: string;
  /** Most rounds to run; by default, until the permission refuses. */
  rounds?: number;
  log?: (line: string) => void;
};

export type DemoResult = {
  calls: number;
  paid: bigint;
  payments: AgentPayment[];
  /** Why it stopped: the named refusal, or undefined when it ran all its rounds. */
  stoppedBy: AgentError | undefined;
};

const short = (hex: string) => `${hex.slice(0, 10)}…`;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { agent, connection, deployment, gatewayUrl } = options;
  const log = options.log ?? console.log;
  const steps = demoRound();
  const models = new Map<string, { model: CatalogModel; modelId: Hex }>();
  for (const step of steps) {
    const model = loadModel(step.model);
    models.set(step.model, { model, modelId: await resolveModel(connection, deployment, model) });
  }
  const domain = { chainId: deployment.chainId, escrow: deployment.contracts.escrow };
  const start = agent.payments.length;
  let calls = 0;
  let stoppedBy: AgentError | undefined;
  const rounds = options.rounds ?? Number.POSITIVE_INFINITY;

  log(`agent #${agent.agentId} (account ${agent.address}, session key ${agent.sessionKey}), paying from ${agent.record.owner}`);
  task: for (let round = 1; round <= rounds; round++) {
    const labels: string[] = [];
    for (const step of steps) {
      const { model, modelId } = models.get(step.model)!;
      const input = Array.from(applyPreprocess(model.preprocess, step.input));
      let response: Response;
      try {
        response = await agent.fetch(`${gatewayUrl}/x402/v1/infer/${modelId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input, verification: 'none' }),
        });
      } catch (error) {
        if (!(error instanceof AgentError)) throw error;
        stoppedBy = error;
        break task;
      }
      const body = (await response.json()) as unknown;
      if (response.status !== 200)
        throw new AgentError('AGENT_PAYMENT_FAILED', `${step.model} answered ${response.status}.`, { details: [JSON.stringify(body)] });
      const payment = agent.payments.at(-1)!;
      const paid = payment.scheme === BATCHED_SCHEME ? parseBatchedPayment(payment.payload) : parseExactPayment(payment.payload);
      const checked = await checkPaidResult(body, { domain, modelId, payment: paid });
      const label = classLabelOf(model.schema, checked.output.indexOf(Math.max(...checked.output)));
      labels.push(label);
      calls++;
      log(
        `round ${round}  ${step.what.padEnd(17)} ${step.model.padEnd(17)} -> ${label.padEnd(9)} paid ${formatTokens(payment.amount)} to ${short(payment.payee)}` +
          ('voucher' in paid
            ? `  voucher ${formatTokens(paid.voucher.cumulativeAmount)} in all${payment.depositTransaction ? `, deposit ${short(payment.depositTransaction)}` : ''}`
            : `  settle ${short(payment.settlementTransaction)}`) +
          `  left ${formatTokens(payment.remaining)}`,
      );
    }
    if (labels[0] !== labels[1]) log(`round ${round}  the two digit models disagree (${labels[0]} vs ${labels[1]})`);
  }
  const payments = agent.payments.slice(start);
  const paid = payments.reduce((sum, p) => sum + p.amount, 0n);
  if (stoppedBy instanceof SpendLimitExceededError) {
    log(`stopped: limit reached. ${formatTokens(stoppedBy.remaining)} left this period; the allowance is whole again at ${formatDate(stoppedBy.periodEnd)}.`);
  } else if (stoppedBy) {
    log(`stopped: ${stoppedBy.shortMessage}`);
  }
  log(`${calls} paid call(s), ${formatTokens(paid)} in total`);
  return { calls, paid, payments, stoppedBy };
}
