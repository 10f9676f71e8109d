// Projections of the availability game of federated training (FlAvailability, docs/fl.md
// "Data availability: demand and open"): one row per demand that an element of a
// committed update or of the aggregate be opened, then answered or left unanswered. What
// an unanswered demand does to the task (the committer and the aggregator slashed, the
// round closed empty) arrives as the coordinator's own events, in fl_outcomes and
// fl_rounds.
import type { Apply } from './projections-agents.ts';

export const flAvailabilityTables = ['fl_demands'] as const;

/** The target that names the round's aggregate rather than a participant's update (FlAvailability.AGGREGATE). */
export const AGGREGATE_TARGET = 2 ** 32 - 1;

export const flAvailabilityAppliers: Record<string, Apply> = {
  'flAvailability.OpeningDemanded': (tx, e, a) =>
    tx.query(
      `INSERT INTO fl_demands (demand_id, task_id, round, demander, target, element_index, bond, deadline, status, demanded_block, demanded_tx)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10)`,
      [
        Number(a.demandId),
        Number(a.taskId),
        Number(a.round),
        a.demander,
        Number(a.target),
        Number(a.index),
        a.bond,
        Number(a.deadline),
        e.blockNumber,
        e.txHash,
      ],
    ),
  'flAvailability.DemandAnswered': (tx, e, a) =>
    tx.query(
      `UPDATE fl_demands SET status = 'answered', answerer = $2, opened_value = $3, challenge_end = $4, settled_block = $5, settled_tx = $6
       WHERE demand_id = $1`,
      [Number(a.demandId), a.answerer, a.value, Number(a.challengeEnd), e.blockNumber, e.txHash],
    ),
  'flAvailability.DemandUnanswered': (tx, e, a) =>
    tx.query(`UPDATE fl_demands SET status = 'unanswered', voided = $2, settled_block = $3, settled_tx = $4 WHERE demand_id = $1`, [
      Number(a.demandId),
      a.voided,
      e.blockNumber,
      e.txHash,
    ]),
};
