// The reads behind the federated-training routes: tasks, and one task with its
// participants, its rounds (who submitted, the aggregate, the availability game's
// demands) and its outcomes; and the demands across tasks.
import type { Queryable, Row } from '../db/database.ts';
import { AGGREGATE_TARGET } from '../projections-fl-availability.ts';
import {
  equals,
  listPage,
  type Filter,
  type ListSpec,
  type Page,
  type PageRequest,
  type Item,
  num,
  at,
  jsonRows,
  RECENT,
  HISTORY,
  onlyRow,
  ONE,
} from './pages.ts';

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

const roundItem = (r: Row): Item => ({
  round: num(r.round),
  status: r.status,
  openedAt: num(r.opened_at),
  submitEnd: num(r.submit_end),
  submissions: (r.submission_list as Row[]).map(submissionItem),
  demands: (r.demand_list as Row[]).map(demandItem),
  demandCount: Number(r.demand_count),
  aggregate:
    r.aggregate_root === null
      ? null
      : { root: r.aggregate_root, cid: r.aggregate_cid, excluded: r.excluded, selected: r.selected, challengeEnd: num(r.challenge_end) },
  modelRoot: r.model_root,
  scores: r.score_sum === null ? null : { scoreSum: r.score_sum, roundPool: r.round_pool, paid: r.paid },
  updatedBlock: num(r.updated_block),
});

const outcomeItem = (r: Row): Item => ({ ...at(r), kind: r.kind, round: num(r.round), account: r.account, amount: r.amount, details: r.details });

/** FederatedTraining.MAX_PARTICIPANTS: every participant of a task, and every submission of a round, fits. */
const PARTICIPANTS = 256;

/** How many of a task's latest rounds, of a round's latest demands and of a task's latest outcomes a row carries: in a list, and in the task's own record. */
type TaskCaps = { rounds: number; demands: number; outcomes: number };
export const taskCaps = {
  list: { rounds: RECENT, demands: RECENT, outcomes: 2 * RECENT },
  record: { rounds: HISTORY, demands: HISTORY, outcomes: HISTORY },
} satisfies Record<string, TaskCaps>;

/**
 * Tasks, each with its participants, its latest rounds (every submission, the latest
 * demands of the availability game and how many there are) and its latest outcomes:
 * one query for a page of tasks, where reading each task's record would be one
 * request per task. Amounts inside the JSON are text, like every amount the API gives.
 */
const taskSpec = (caps: TaskCaps): ListSpec => ({
  select: `SELECT * FROM (SELECT t.*,
      ${jsonRows(
        `SELECT account, member_index, examples, dataset_hash, slashed, returned::text AS returned, forfeited::text AS forfeited, joined_block
         FROM fl_participants WHERE task_id = t.id`,
        { pick: 'member_index', limit: PARTICIPANTS },
      )} AS participant_list,
      ${jsonRows(
        `SELECT r.round, r.status, r.opened_at, r.submit_end, r.aggregate_root, r.aggregate_cid, r.excluded, r.selected, r.challenge_end, r.model_root,
                r.score_sum::text AS score_sum, r.round_pool::text AS round_pool, r.paid::text AS paid, r.updated_block,
                ${jsonRows(
                  `SELECT block_number, log_index, tx_hash, account, member_index, root, cid FROM fl_submissions
                   WHERE task_id = r.task_id AND round = r.round`,
                  { pick: 'member_index', limit: PARTICIPANTS },
                )} AS submission_list,
                ${jsonRows(
                  `SELECT demand_id, task_id, round, demander, target, element_index, bond::text AS bond, deadline, status, answerer,
                          opened_value::text AS opened_value, challenge_end, voided, demanded_block, demanded_tx, settled_block, settled_tx
                   FROM fl_demands WHERE task_id = r.task_id AND round = r.round`,
                  { pick: 'demand_id DESC', shown: 'demand_id', limit: caps.demands },
                )} AS demand_list,
                (SELECT count(*) FROM fl_demands d WHERE d.task_id = r.task_id AND d.round = r.round) AS demand_count
         FROM fl_rounds r WHERE r.task_id = t.id`,
        { pick: 'round DESC', shown: 'round', limit: caps.rounds },
      )} AS round_list,
      (SELECT count(*) FROM fl_rounds r WHERE r.task_id = t.id) AS round_count,
      ${jsonRows(`SELECT block_number, log_index, tx_hash, kind, round, account, amount::text AS amount, details FROM fl_outcomes WHERE task_id = t.id`, {
        pick: 'block_number DESC, log_index DESC',
        shown: 'block_number, log_index',
        limit: caps.outcomes,
      })} AS outcome_list,
      (SELECT count(*) FROM fl_outcomes o WHERE o.task_id = t.id) AS outcome_count
    FROM fl_tasks t) tasks`,
  key: [{ column: 'id', kind: 'integer' }],
  descending: true,
});

const taskRow = (r: Row): Item => ({
  ...taskItem(r),
  participantList: (r.participant_list as Row[]).map(participantItem),
  roundList: (r.round_list as Row[]).map(roundItem),
  roundCount: Number(r.round_count),
  outcomes: (r.outcome_list as Row[]).map(outcomeItem),
  outcomeCount: Number(r.outcome_count),
});

const taskKey = (r: Row) => [Number(r.id)];

export const listTasks = (db: Queryable, page: PageRequest): Promise<Page<Item>> => listPage(db, taskSpec(taskCaps.list), [], page, taskRow, taskKey);

/** One task as a list row carries it, with up to HISTORY rounds, demands per round and outcomes. */
export const taskDetail = (db: Queryable, id: number): Promise<Item | undefined> =>
  onlyRow(listPage(db, taskSpec(taskCaps.record), [equals('id', id)], ONE, taskRow, taskKey));

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
