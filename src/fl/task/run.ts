// The long-running loops behind `trellis fl run`: each role polls the task, acts when
// its window is open, and stops when the task is over. One tick is one step of
// participant.ts, aggregator.ts, watcher.ts or owner.ts, so tests drive the same steps
// with anvil's clock instead of waiting. Participants and the aggregator first answer
// any demand to open what they committed (src/fl/task/openings.ts): an unanswered one
// costs the committer its stake.
import { formatTokens } from '../../chain/human-units.ts';
import { TrellisError } from '../../errors.ts';
import type { Dataset } from '../../train/datasets.ts';
import { aggregatorStep, stakeAggregator } from './aggregator.ts';
import { AGGREGATE_TARGET, flWrite, readTask, type FlContext } from './chain.ts';
import { finishTask, scoreRounds, type PublishedTask } from './owner.ts';
import { answerDemands } from './openings.ts';
import { participantStep, withdrawParticipantStake } from './participant.ts';
import { syncTask } from './sync.ts';
import { watcherStep, type WatchResult } from './watcher.ts';

export type Role = 'participant' | 'aggregator' | 'watcher' | 'owner';

export type RunOptions = {
  role: Role;
  taskId: bigint;
  /** participant: its rows and local epochs. */
  data?: Dataset;
  epochs?: number;
  seed?: number;
  /** owner: where the final model package is written. */
  workDir?: string;
  pollMs?: number;
  print: (line: string) => void;
  signal?: AbortSignal;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Runs `role` until the task is over; the owner's run returns the published model. */
export async function runRole(ctx: FlContext, o: RunOptions): Promise<PublishedTask | undefined> {
  const { print } = o;
  const checked = new Set<string>();
  while (!o.signal?.aborted) {
    try {
      const done = await tick(ctx, o, checked);
      if (done) return done.published;
    } catch (error) {
      // A write can land a moment before the deadline the wall clock saw pass (anvil mines
      // on demand): the contract refuses it by name, and the next tick tries again.
      if (!(error instanceof TrellisError && error.code === 'TRANSACTION_FAILED')) throw error;
      print(`retrying: ${error.message}`);
    }
    await sleep(o.pollMs ?? 1000, o.signal);
  }
  return undefined;
}

/** One look at the task; returns a value when the role is done. */
async function tick(ctx: FlContext, o: RunOptions, checked: Set<string>): Promise<{ published: PublishedTask | undefined } | undefined> {
  const { taskId, print } = o;
  {
    const t = await syncTask(ctx, taskId);
    if (o.role === 'participant' || o.role === 'aggregator') {
      for (const a of await answerDemands(ctx, taskId, { asAggregator: o.role === 'aggregator' })) {
        print(`round ${a.round}: opened element ${a.index} of ${describeTarget(a.target)} on demand ${a.demandId} (value ${a.value})`);
      }
    }
    switch (o.role) {
      case 'participant': {
        if (t.finished) {
          await withdrawParticipantStake(ctx, taskId);
          print(`task ${taskId} is over; stake withdrawn`);
          return { published: undefined };
        }
        const sent = await participantStep(ctx, taskId, { data: o.data!, epochs: o.epochs ?? 1, seed: o.seed ?? 1 });
        if (sent)
          print(
            `round ${sent.round}: trained on ${o.data!.rows} rows (loss ${sent.loss.toFixed(4)}), committed ${sent.root.slice(0, 10)}… as ${sent.cid} (${sent.gasUsed} gas)`,
          );
        break;
      }
      case 'aggregator': {
        if (t.finished) {
          if (t.state.aggregatorStaked) await flWrite(ctx, `Withdrawing the aggregator stake of task ${taskId}`, 'withdrawAggregatorStake', [taskId]);
          print(`task ${taskId} is over`);
          return { published: undefined };
        }
        if (!t.state.aggregatorStaked) {
          await stakeAggregator(ctx, taskId, t.config.aggregatorStake);
          print(`staked ${formatTokens(t.config.aggregatorStake)} as the aggregator`);
        }
        const posted = await aggregatorStep(ctx, taskId);
        if (posted) {
          for (const r of posted.refused) print(`round ${posted.round}: excluded participant ${r.update.index}: ${r.error.message}`);
          print(`round ${posted.round}: aggregated participants ${posted.included.join(', ')} into ${posted.cid}`);
        }
        break;
      }
      case 'watcher': {
        if (t.finished) return { published: undefined };
        const verdict = await watcherStep(ctx, taskId, checked);
        // Waiting for answers is not news on every look.
        if (verdict && verdict.verdict !== 'awaiting') print(describeVerdict(verdict));
        break;
      }
      case 'owner': {
        for (const s of await scoreRounds(ctx, taskId)) {
          const paid = s.contributions.map((c) => `#${c.client} ${c.score}`).join(', ');
          print(`round ${s.round}: accuracy ${(s.accuracy * 100).toFixed(1)} %, loss ${s.loss.toFixed(4)}; scores (validation rows gained) ${paid || 'none'}`);
        }
        if (t.finished) {
          const published = await finishTask(ctx, taskId, o.workDir!);
          const { state } = await readTask(ctx, taskId);
          print(`published the final model as ${published.modelId} (${published.metadataURI}), owned by the royalty account ${state.royalties}`);
          return { published };
        }
        break;
      }
    }
  }
  return undefined;
}

const describeTarget = (target: number) => (target === AGGREGATE_TARGET ? 'the aggregate' : `participant ${target}'s update`);

function describeVerdict(v: WatchResult): string {
  const head = `round ${v.round}: `;
  switch (v.verdict) {
    case 'challenged':
      return `${head}WRONG aggregate at element ${v.index} (posted ${v.posted}, recomputed ${v.recomputed}${v.opened > 0 ? `, ${v.opened} values opened on chain` : ''}); challenged, aggregator slashed`;
    case 'correct':
      return `${head}aggregate recomputed and correct`;
    case 'unverifiable':
      return `${head}aggregate not checkable: ${v.reason}`;
    case 'demanded':
      return `${head}${v.reason}; demanded openings of ${v.demands.map((d) => `element ${d.index} of ${describeTarget(d.target)}`).join(', ')}`;
    case 'awaiting':
      return `${head}waiting for ${v.pending} demanded opening(s)`;
    case 'spot-checked':
      return `${head}the opened element ${v.index} checks out`;
    case 'settled':
      return `${head}demand ${v.demandId} went unanswered: bond back, committer slashed${v.voided ? ', the round is void and the aggregator slashed' : ''}`;
    case 'selection-challenged':
      return v.kind === 'distance'
        ? `${head}WRONG distance of participants ${v.pair?.join(' and ')} at element ${v.element}; challenged, aggregator slashed`
        : `${head}WRONG Krum post (${v.expected?.length ? `its matrix selects ${v.expected.join(', ')}` : 'no matrix over exactly its included updates'}); challenged, aggregator slashed`;
  }
}
