// Federated training: each task with its participants and rounds (who submitted, the
// aggregate and its CID, the scores), under each round the availability game's demands
// (an element of an update or of the aggregate to open: answered, or left unanswered and
// the committer slashed), and what happened to money: challenges that proved an aggregate
// wrong, slashes, rewards credited, claims and royalties. One read: each task's row
// carries its latest rounds, their demands, and its latest outcomes.
import { useQuery } from '@tanstack/react-query';
import { type Demand, getJson, type Page, paths, type TrainingRound, type TrainingTask } from '../api.ts';
import { time, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Figures, Hex, Loaded } from '../parts.tsx';
import { Table } from '../table.tsx';

const outcomeNames: Record<string, string> = {
  challenge: 'aggregate proven wrong',
  aggregator_slashed: 'aggregator slashed',
  participant_slashed: 'participant slashed',
  reward: 'reward credited',
  stake_returned: 'stake returned',
  claim: 'claimed',
  royalties_collected: 'royalties collected',
  royalties_paid: 'royalties paid',
};

function demandState(d: Demand): string {
  if (d.status === 'answered') return 'answered: opened on chain';
  if (d.status === 'unanswered') return d.voided ? 'unanswered: committer slashed, post void' : 'unanswered: committer slashed';
  return `pending until ${time(d.deadline)}`;
}

/** "Rounds", or which of them a row carries when it holds only the latest. */
const latest = (what: string, shown: number, total: number) => (total > shown ? `${what} (the latest ${shown} of ${total})` : what);

function Demands({ taskId, round }: { taskId: number; round: TrainingRound }) {
  return (
    <Table
      label={latest(`Availability demands of task ${taskId}, round ${round.round}`, round.demands.length, round.demandCount)}
      caption
      rows={round.demands}
      rowKey={(d) => d.id}
      columns={[
        { header: 'Demand', numeric: true, cell: (d) => `#${d.id}` },
        { header: 'Of', cell: (d) => (d.target === 'aggregate' ? 'the aggregate' : `update of participant ${d.target}`) },
        { header: 'Element', numeric: true, cell: (d) => d.index },
        { header: 'Demander', cell: (d) => <Hex value={d.demander} /> },
        { header: 'Bond', numeric: true, cell: (d) => tokens(d.bond) },
        { header: 'State', cell: demandState },
        { header: 'Answered by', cell: (d) => (d.answerer ? <Hex value={d.answerer} /> : '') },
      ]}
    />
  );
}

function Task({ task }: { task: TrainingTask }) {
  return (
    <section className="card" aria-label={`Training task ${task.id}`}>
      <h2>
        Task #{task.id}: {task.closed ? 'closed' : task.finishedAt ? 'finished' : 'training'}
      </h2>
      <Figures
        items={[
          { label: 'Owner', value: <Hex value={task.owner} /> },
          { label: 'Aggregator', value: <Hex value={task.aggregator} /> },
          { label: 'Reward pool', value: tokens(task.rewardPool) },
          { label: 'Participants', value: task.participants },
          { label: 'Rounds', value: task.rounds },
          { label: 'Initial model', value: task.initialModelCid },
        ]}
      />
      <h3>{latest('Rounds', task.roundList.length, task.roundCount)}</h3>
      <Table
        label={`Rounds of task ${task.id}`}
        rows={task.roundList}
        rowKey={(r) => r.round}
        empty="No round has opened."
        columns={[
          { header: 'Round', numeric: true, cell: (r) => r.round },
          { header: 'Status', cell: (r) => r.status },
          {
            header: 'Submitted by',
            cell: (r) => (
              <>
                {r.submissions.map((s) => (
                  <span key={s.index}>
                    <Hex value={s.account} />{' '}
                  </span>
                ))}
                ({r.submissions.length})
              </>
            ),
          },
          { header: 'Aggregate CID', cell: (r) => (r.aggregate ? r.aggregate.cid : 'not posted') },
          { header: 'Demands', numeric: true, cell: (r) => r.demandCount },
          { header: 'Paid', numeric: true, cell: (r) => (r.scores ? tokens(r.scores.paid) : '') },
        ]}
      />
      {task.roundList
        .filter((r) => r.demands.length > 0)
        .map((r) => (
          <Demands key={r.round} taskId={task.id} round={r} />
        ))}
      <h3>{latest('Challenges, slashes and rewards', task.outcomes.length, task.outcomeCount)}</h3>
      <Table
        label="Challenges, slashes and rewards"
        rows={task.outcomes}
        rowKey={(o) => `${o.blockNumber}:${o.logIndex}`}
        empty="No challenge, slash or reward yet."
        columns={[
          { header: 'Block', numeric: true, cell: (o) => o.blockNumber },
          { header: 'What', cell: (o) => outcomeNames[o.kind] ?? o.kind },
          { header: 'Round', numeric: true, cell: (o) => o.round ?? '' },
          { header: 'Account', cell: (o) => (o.account ? <Hex value={o.account} /> : '') },
          { header: 'Amount', numeric: true, cell: (o) => tokens(o.amount) },
        ]}
      />
    </section>
  );
}

function TrainingView() {
  const tasks = useQuery({ queryKey: [paths.trainingTasks], queryFn: () => getJson<Page<TrainingTask>>(paths.trainingTasks) });
  return (
    <Loaded query={tasks}>
      {(page) => (page.items.length === 0 ? <Empty>No training task was created.</Empty> : page.items.map((t) => <Task key={t.id} task={t} />))}
    </Loaded>
  );
}

export const trainingPage: DashboardPage = { path: 'training', title: 'Training', Component: TrainingView };
