// Federated training: each task with its participants and rounds (who submitted, the
// aggregate and its CID, the scores), and what happened to money: challenges that
// proved an aggregate wrong, slashes, rewards credited, claims and royalties.
import { useQueries, useQuery } from '@tanstack/react-query';
import { getJson, type Page, paths, type TrainingOutcome, type TrainingTask, type TrainingTaskDetail } from '../api.ts';
import { tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Figures, Hex, Loaded } from '../parts.tsx';

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

function Outcomes({ outcomes }: { outcomes: TrainingOutcome[] }) {
  if (outcomes.length === 0) return <Empty>No challenge, slash or reward yet.</Empty>;
  return (
    <table aria-label="Challenges, slashes and rewards">
      <thead>
        <tr>
          <th scope="col">Block</th>
          <th scope="col">What</th>
          <th scope="col">Round</th>
          <th scope="col">Account</th>
          <th scope="col">Amount</th>
        </tr>
      </thead>
      <tbody>
        {outcomes.map((o) => (
          <tr key={`${o.blockNumber}:${o.logIndex}`}>
            <td className="num">{o.blockNumber}</td>
            <td>{outcomeNames[o.kind] ?? o.kind}</td>
            <td className="num">{o.round ?? ''}</td>
            <td>{o.account ? <Hex value={o.account} /> : ''}</td>
            <td className="num">{tokens(o.amount)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Task({ task, detail }: { task: TrainingTask; detail: TrainingTaskDetail | undefined }) {
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
      {detail && (
        <>
          <h3>Rounds</h3>
          {detail.roundList.length === 0 ? (
            <Empty>No round has opened.</Empty>
          ) : (
            <table aria-label={`Rounds of task ${task.id}`}>
              <thead>
                <tr>
                  <th scope="col">Round</th>
                  <th scope="col">Status</th>
                  <th scope="col">Submitted by</th>
                  <th scope="col">Aggregate CID</th>
                  <th scope="col">Paid</th>
                </tr>
              </thead>
              <tbody>
                {detail.roundList.map((r) => (
                  <tr key={r.round}>
                    <td className="num">{r.round}</td>
                    <td>{r.status}</td>
                    <td>
                      {r.submissions.map((s) => (
                        <span key={s.index}>
                          <Hex value={s.account} />{' '}
                        </span>
                      ))}
                      ({r.submissions.length})
                    </td>
                    <td>{r.aggregate ? r.aggregate.cid : 'not posted'}</td>
                    <td className="num">{r.scores ? tokens(r.scores.paid) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Challenges, slashes and rewards</h3>
          <Outcomes outcomes={detail.outcomes} />
        </>
      )}
    </section>
  );
}

function TrainingView() {
  const tasks = useQuery({ queryKey: [paths.trainingTasks], queryFn: () => getJson<Page<TrainingTask>>(paths.trainingTasks) });
  const details = useQueries({
    queries: (tasks.data?.items ?? []).map((t) => ({
      queryKey: [paths.trainingTask(t.id)],
      queryFn: () => getJson<TrainingTaskDetail>(paths.trainingTask(t.id)),
    })),
  });
  return (
    <Loaded query={tasks}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No training task was created.</Empty>
        ) : (
          page.items.map((t, i) => <Task key={t.id} task={t} detail={details[i]?.data} />)
        )
      }
    </Loaded>
  );
}

export const trainingPage: DashboardPage = { path: 'training', title: 'Training', Component: TrainingView };
