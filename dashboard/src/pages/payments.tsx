// Payments: money into and out of escrow, newest first, by kind. Gas per request is
// not in the index: it belongs to a transaction, and one redemption transaction
// settles a batch of vouchers (docs/indexer.md), so bench/ measures it instead.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { getJson, type Page, type Payment, paths } from '../api.ts';
import { tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Hex, Loaded, NotIndexed } from '../parts.tsx';

const kinds = ['all', 'deposit', 'redemption', 'withdrawal_requested', 'withdrawal', 'claim'] as const;

function PaymentsView() {
  const [kind, setKind] = useState<(typeof kinds)[number]>('all');
  const payments = useQuery({ queryKey: [paths.payments(kind)], queryFn: () => getJson<Page<Payment>>(paths.payments(kind)) });
  return (
    <>
      <p>
        <label htmlFor="kind">Kind </label>
        <select id="kind" value={kind} onChange={(e) => setKind(e.target.value as (typeof kinds)[number])}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k.replace('_', ' ')}
            </option>
          ))}
        </select>{' '}
        <span className="muted">
          Gas per request:{' '}
          <NotIndexed what="gas" why="gas belongs to a transaction that settles a batch of vouchers; see bench/ for measured gas per request" />
        </span>
      </p>
      <Loaded query={payments}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No payments of this kind.</Empty>
          ) : (
            <table aria-label="Payments">
              <thead>
                <tr>
                  <th scope="col">Block</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Account</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Balance after</th>
                  <th scope="col">Shortfall</th>
                  <th scope="col">Transaction</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((p) => (
                  <tr key={`${p.blockNumber}:${p.logIndex}`}>
                    <td className="num">{p.blockNumber}</td>
                    <td>{p.kind.replace('_', ' ')}</td>
                    <td>
                      <Hex value={p.account} />
                    </td>
                    <td>{p.provider ? <Hex value={p.provider} /> : ''}</td>
                    <td className="num">{tokens(p.amount)}</td>
                    <td className="num">{p.balance ? tokens(p.balance) : ''}</td>
                    <td className="num">{p.shortfall && p.shortfall !== '0' ? tokens(p.shortfall) : ''}</td>
                    <td>
                      <Hex value={p.txHash} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </>
  );
}

export const paymentsPage: DashboardPage = { path: 'payments', title: 'Payments', Component: PaymentsView };
