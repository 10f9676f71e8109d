// Disputes: every dispute with every move of its bisection game (the disputed layer
// and element, the values each side gave), the outcome and who was paid what. One
// read: each row carries its moves and payouts.
import { useQuery } from '@tanstack/react-query';
import { getJson, type ListedDispute, type Move, type Page, paths } from '../api.ts';
import { tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Hex, Loaded } from '../parts.tsx';
import { Table } from '../table.tsx';
import { disputeStatus } from './requests.tsx';

function DisputesView() {
  const disputes = useQuery({ queryKey: [paths.disputes], queryFn: () => getJson<Page<ListedDispute>>(paths.disputes) });
  const wanted = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('id');
  return (
    <Loaded query={disputes}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No dispute has been opened.</Empty>
        ) : (
          page.items.map((d) => (
            <section key={d.id} className={d.id === wanted ? 'card wanted' : 'card'} aria-label={`Dispute ${d.id}`}>
              <h2>
                Dispute <Hex value={d.id} />: {disputeStatus(d)}
              </h2>
              <dl className="figures">
                <div>
                  <dt>Provider</dt>
                  <dd>
                    <Hex value={d.provider} full />
                  </dd>
                </div>
                <div>
                  <dt>Challenger</dt>
                  <dd>
                    <Hex value={d.challenger} />
                  </dd>
                </div>
                <div>
                  <dt>Receipt</dt>
                  <dd>
                    <Hex value={d.receiptId} />
                  </dd>
                </div>
                <div>
                  <dt>Bond</dt>
                  <dd>{tokens(d.bond)}</dd>
                </div>
                <div>
                  <dt>Disputed layer and element</dt>
                  <dd>{disputedPoint(d.moves)}</dd>
                </div>
                <div>
                  <dt>Winner</dt>
                  <dd>{d.winner ? <Hex value={d.winner} /> : 'not decided'}</dd>
                </div>
              </dl>
              <h3>Moves</h3>
              <ol className="moves">
                {d.moves.map((m) => (
                  <li key={`${m.blockNumber}:${m.logIndex}`}>
                    <strong>{m.name}</strong> in block {m.blockNumber}
                    {moveSummary(m) && `: ${moveSummary(m)}`}
                  </li>
                ))}
              </ol>
              <h3>Payouts</h3>
              <Table
                label={`Payouts of dispute ${d.id.slice(0, 10)}`}
                rows={d.payouts}
                rowKey={(p) => `${p.blockNumber}:${p.logIndex}`}
                empty="None yet."
                columns={[
                  { header: 'Kind', cell: (p) => p.kind },
                  { header: 'To', cell: (p) => <Hex value={p.account} /> },
                  { header: 'Amount', numeric: true, cell: (p) => tokens(p.amount) },
                  { header: 'Block', numeric: true, cell: (p) => p.blockNumber },
                ]}
              />
            </section>
          ))
        )
      }
    </Loaded>
  );
}

/** The layer and element the game narrowed down to, from its last move that names them. */
function disputedPoint(moves: Move[]): string {
  const named = [...moves].reverse().find((m) => m.name === 'StepExecuted' || m.name === 'ElementNamed');
  if (named) return `layer ${named.args.layer}, element ${named.args.index}`;
  const layer = [...moves].reverse().find((m) => m.name === 'LayerChosen');
  return layer ? `layer ${layer.args.layer} (element not named yet)` : 'not narrowed yet';
}

function moveSummary(m: Move): string {
  const a = m.args;
  switch (m.name) {
    case 'RootsRevealed':
      return `${Array.isArray(a.roots) ? a.roots.length : '?'} layer roots`;
    case 'LayerChosen':
      return `layer ${a.layer} of size ${a.size}`;
    case 'NodesRevealed':
      return `height ${a.height}, node ${a.nodeIndex}`;
    case 'NodePicked':
      return `child ${a.child} at height ${a.height}`;
    case 'ChunkNamed':
      return `layer ${a.layer}, chunk ${a.chunk} (16 elements)`;
    case 'ElementNamed':
      return `layer ${a.layer}, element ${a.index}, provider's value ${a.providerValue}`;
    case 'StepExecuted':
      return `layer ${a.layer}, element ${a.index}: computed ${a.computed}, provider said ${a.providerValue}`;
    case 'DisputeResolved':
      return a.providerLost ? 'the provider lost' : 'the provider won';
    default:
      return '';
  }
}

export const disputesPage: DashboardPage = { path: 'disputes', title: 'Disputes', Component: DisputesView };
