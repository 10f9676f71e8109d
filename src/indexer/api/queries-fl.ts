// The reads behind the federated-training routes: tasks, and one task with its
// participants, its rounds (who submitted, the aggregate, the availability game's
// demands) and its outcomes; and the demands across tasks.
import type { Queryable, Row } from '../db/database.ts';
import { AGGREGATE_TARGET } from '../projections-fl-availability.ts';
import { equals, listPage, type Filter, type Page, type PageRequest, type Item, num, at } from './pages.ts';

const taskItem = (r: Row): Item => ({
  id: num(r.id),
  owner: r.owner,
  config: r.config,
  initialModelCid: r.initial_model_cid,
  aggregator: r.aggregator,
  aggregatorStaked: r.aggregator_staked,
  rewardPool: r.reward_pool,
  rounds: r.rounds,
  participants: r.participants,
  finishedAt: num(r.finished_at),
  modelRoot: r.model_root,
  closed: r.closed,
  refunded: r.refunded,
  modelId: r.model_id,
  royalties: r.royalties,
  createdBlock: num(r.created_block),
  createdTx: r.created_tx,
  updatedBlock: num(r.updated_block),
});

const participantItem = (r: Row): Item => ({
  account: r.account,
  index: r.member_index,
  examples: num(r.examples),
  datasetHash: r.dataset_hash,
  slashed: r.slashed,
  returned: r.returned,
  forfeited: r.forfeited,
  joinedBlock: num(r.joined_block),
});

const submissionItem = (r: Row): Item => ({ ...at(r), account: r.account, index: r.member_index, root: r.root, cid: r.cid });

export const demandStatuses = ['pending', 'answered', 'unanswered'] as const;

const demandItem = (r: Row): Item => ({
  id: num(r.demand_id),
  taskId: num(r.task_id),
  round: num(r.round),
  demander: r.demander,
  // The aggregate, or the participant index whose committed update is demanded.
  target: Number(r.target) === AGGREGATE_TARGET ? 'aggregate' : Number(r.target),
  index: num(r.element_index),
  bond: r.bond,
  deadline: num(r.deadline),
  status: r.status,
  answerer: r.answerer,
  value: r.opened_value,
  challengeEnd: num(r.challenge_end),
  voided: r.voided,
  demandedBlock: num(r.demanded_block),
  demandedTx: r.demanded_tx,
  settledBlock: num(r.settled_block),
  settledTx: r.settled_tx,
});

const roundItem = (r: Row, submissions: Item[], demands: Item[]): Item => ({
  round: num(r.round),
  status: r.status,
  openedAt: num(r.opened_at),
  submitEnd: num(r.submit_end),
  submissions,
  demands,
  aggregate:
    r.aggregate_root === null
      ? null
      : { root: r.aggregate_root, cid: r.aggregate_cid, excluded: r.excluded, selected: r.selected, challengeEnd: num(r.challenge_end) },
  modelRoot: r.model_root,
  scores: r.score_sum === null ? null : { scoreSum: r.score_sum, roundPool: r.round_pool, paid: r.paid },
  updatedBlock: num(r.updated_block),
});

const outcomeItem = (r: Row): Item => ({ ...at(r), kind: r.kind, round: num(r.round), account: r.account, amount: r.amount, details: r.details });

export const listTasks = (db: Queryable, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, { select: 'SELECT * FROM fl_tasks', key: [{ column: 'id', kind: 'integer' }], descending: true }, [], page, taskItem, (r) => [Number(r.id)]);

/** Rounds, participants and outcomes of one task: bounded by its configured rounds and participants. */
export async function taskDetail(db: Queryable, id: number): Promise<Item | undefined> {
  const [row] = await db.query('SELECT * FROM fl_tasks WHERE id = $1', [id]);
  if (!row) return undefined;
  const [participants, rounds, submissions, demands, outcomes] = await Promise.all([
    db.query('SELECT * FROM fl_participants WHERE task_id = $1 ORDER BY member_index', [id]),
    db.query('SELECT * FROM fl_rounds WHERE task_id = $1 ORDER BY round', [id]),
    db.query('SELECT * FROM fl_submissions WHERE task_id = $1 ORDER BY round, member_index', [id]),
    db.query('SELECT * FROM fl_demands WHERE task_id = $1 ORDER BY round, demand_id', [id]),
    db.query('SELECT * FROM fl_outcomes WHERE task_id = $1 ORDER BY block_number, log_index', [id]),
  ]);
  return {
    ...taskItem(row),
    participantList: participants.map(participantItem),
    roundList: rounds.map((r) => {
      const inRound = (row: Row) => Number(row.round) === Number(r.round);
      return roundItem(r, submissions.filter(inRound).map(submissionItem), demands.filter(inRound).map(demandItem));
    }),
    outcomes: outcomes.map(outcomeItem),
  };
}

/** Demands across tasks, newest first (a task's own are in its detail, per round). */
export const listDemands = (db: Queryable, f: { taskId?: number; status?: (typeof demandStatuses)[number] }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    { select: 'SELECT * FROM fl_demands', key: [{ column: 'demand_id', kind: 'integer' }], descending: true },
    [f.taskId === undefined ? undefined : equals('task_id', f.taskId), f.status === undefined ? undefined : equals('status', f.status)].filter(
      (x): x is Filter => x !== undefined,
    ),
    page,
    demandItem,
    (r) => [Number(r.demand_id)],
  );
