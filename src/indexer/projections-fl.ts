// Projections of federated training (docs/fl.md): tasks, participants, rounds with who
// submitted and the posted aggregate, and one row per outcome (challenge, slash, reward,
// returned stake, claim, royalties collected or paid by a task's royalty splitter).
import type { Queryable } from './db/database.ts';
import type { EventArgs, IndexedEvent } from './events.ts';
import type { Apply } from './projections-agents.ts';

export const flTables = ['fl_tasks', 'fl_participants', 'fl_rounds', 'fl_submissions', 'fl_outcomes'] as const;

const roundStatuses = ['none', 'open', 'posted', 'final', 'empty'];

const at = (e: IndexedEvent) => [e.blockNumber, e.logIndex, e.txHash] as const;

const outcome =
  (kind: string, fields: (a: EventArgs) => { account?: unknown; amount: unknown; round?: unknown }): Apply =>
  (tx, e, a) => {
    const f = fields(a);
    return tx.query(
      `INSERT INTO fl_outcomes (block_number, log_index, tx_hash, kind, task_id, round, account, amount, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        ...at(e),
        kind,
        a.taskId === undefined ? null : Number(a.taskId),
        f.round === undefined ? null : Number(f.round),
        f.account ?? null,
        f.amount,
        JSON.stringify(a),
      ],
    );
  };

/** Royalty splitter events name no task: it is the task whose final model created the splitter. */
const royalties =
  (kind: string, account: (a: EventArgs) => unknown): Apply =>
  async (tx, e, a) => {
    const [task] = await tx.query<{ id: number }>('SELECT id FROM fl_tasks WHERE royalties = $1', [e.address]);
    await tx.query(
      `INSERT INTO fl_outcomes (block_number, log_index, tx_hash, kind, task_id, account, amount, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [...at(e), kind, task?.id ?? null, account(a), a.amount, JSON.stringify({ ...a, splitter: e.address })],
    );
  };

const updateTask =
  (set: string, values: (a: EventArgs) => unknown[]): Apply =>
  (tx, e, a) =>
    tx.query(`UPDATE fl_tasks SET ${set}, updated_block = $2 WHERE id = $1`, [Number(a.taskId), e.blockNumber, ...values(a)]);

/** Creates the round's row if no event did yet (the first submission opens it). */
const ensureRound = (tx: Queryable, e: IndexedEvent, a: EventArgs) =>
  tx.query(`INSERT INTO fl_rounds (task_id, round, status, updated_block) VALUES ($1, $2, 'open', $3) ON CONFLICT (task_id, round) DO NOTHING`, [
    Number(a.taskId),
    Number(a.round),
    e.blockNumber,
  ]);

const updateRound =
  (set: string, values: (a: EventArgs) => unknown[]): Apply =>
  async (tx, e, a) => {
    await ensureRound(tx, e, a);
    await tx.query(`UPDATE fl_rounds SET ${set}, updated_block = $3 WHERE task_id = $1 AND round = $2`, [
      Number(a.taskId),
      Number(a.round),
      e.blockNumber,
      ...values(a),
    ]);
  };

export const flAppliers: Record<string, Apply> = {
  'federatedTraining.TaskCreated': (tx, e, a) => {
    const config = a.config as EventArgs;
    return tx.query(
      `INSERT INTO fl_tasks (id, owner, config, initial_model_cid, aggregator, reward_pool, rounds, created_block, created_tx, updated_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)`,
      [
        Number(a.taskId),
        a.owner,
        JSON.stringify(config),
        a.initialModelCid,
        config.aggregator,
        config.rewardPool,
        Number(config.rounds),
        e.blockNumber,
        e.txHash,
      ],
    );
  },
  'federatedTraining.ParticipantJoined': async (tx, e, a) => {
    await tx.query(`INSERT INTO fl_participants (task_id, account, member_index, examples, dataset_hash, joined_block) VALUES ($1, $2, $3, $4, $5, $6)`, [
      Number(a.taskId),
      a.account,
      Number(a.index),
      Number(a.examples),
      a.datasetHash,
      e.blockNumber,
    ]);
    await updateTask('participants = participants + 1', () => [])(tx, e, a);
  },
  'federatedTraining.AggregatorStaked': updateTask('aggregator = $3, aggregator_staked = $4', (a) => [a.aggregator, a.amount]),
  'federatedTraining.AggregatorReplaced': updateTask('aggregator = $3, aggregator_staked = NULL', (a) => [a.newAggregator]),
  'federatedTraining.RoundOpened': updateRound('opened_at = $4, submit_end = $5', (a) => [Number(a.start), Number(a.submitEnd)]),
  'federatedTraining.UpdateCommitted': async (tx, e, a) => {
    await tx.query(
      `INSERT INTO fl_submissions (block_number, log_index, tx_hash, task_id, round, account, member_index, root, cid)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [...at(e), Number(a.taskId), Number(a.round), a.account, Number(a.index), a.root, a.cid],
    );
    await updateRound('submissions = submissions + 1', () => [])(tx, e, a);
  },
  'federatedTraining.AggregatePosted': updateRound(
    `status = 'posted', aggregate_root = $4, aggregate_cid = $5, excluded = $6, selected = $7, challenge_end = $8`,
    (a) => [a.root, a.cid, JSON.stringify(a.excluded), JSON.stringify(a.selected), Number(a.challengeEnd)],
  ),
  'federatedTraining.AggregateChallenged': outcome('challenge', (a) => ({ account: a.challenger, amount: a.slashed, round: a.round })),
  'federatedTraining.AggregatorSlashed': outcome('aggregator_slashed', (a) => ({
    amount: BigInt(String(a.toChallenger)) + BigInt(String(a.toPool)),
    round: a.round,
  })),
  'federatedTraining.ParticipantSlashed': async (tx, e, a) => {
    await outcome('participant_slashed', (x) => ({ account: x.account, amount: BigInt(String(x.toChallenger)) + BigInt(String(x.toPool)) }))(tx, e, a);
    await tx.query('UPDATE fl_participants SET slashed = TRUE WHERE task_id = $1 AND account = $2', [Number(a.taskId), a.account]);
  },
  'federatedTraining.RoundClosed': updateRound('status = $4, model_root = $5', (a) => [roundStatuses[Number(a.status)] ?? String(a.status), a.modelRoot]),
  'federatedTraining.ScoresPosted': updateRound('score_sum = $4, round_pool = $5, paid = $6', (a) => [a.scoreSum, a.roundPool, a.paid]),
  'federatedTraining.RewardCredited': outcome('reward', (a) => ({ account: a.account, amount: a.reward, round: a.round })),
  'federatedTraining.StakeReturned': async (tx, e, a) => {
    await outcome('stake_returned', (x) => ({ account: x.account, amount: x.returned }))(tx, e, a);
    await tx.query('UPDATE fl_participants SET returned = $3, forfeited = $4 WHERE task_id = $1 AND account = $2', [
      Number(a.taskId),
      a.account,
      a.returned,
      a.forfeited,
    ]);
  },
  'federatedTraining.TaskFinished': updateTask('finished_at = $3, model_root = $4', (a) => [Number(a.finishedAt), a.modelRoot]),
  'federatedTraining.TaskClosed': updateTask('closed = TRUE, refunded = $3', (a) => [a.refunded]),
  'federatedTraining.FinalModelPublished': updateTask('model_id = $3, royalties = $4', (a) => [a.modelId, a.royalties]),
  'federatedTraining.Claimed': outcome('claim', (a) => ({ account: a.account, amount: a.amount })),
  'contributorRoyalties.RoyaltiesCollected': royalties('royalties_collected', () => null),
  'contributorRoyalties.RoyaltiesPaid': royalties('royalties_paid', (a) => a.account),
};
