// Payments: money into and out of escrow, newest first, by kind. Gas per request is
// not in the index: it belongs to a transaction, and one redemption transaction
// settles a batch of vouchers (docs/indexer.md), so bench/ measures it instead.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { getJson, type Page, type Payment, paths } from '../api.ts';
import { tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Hex, Loaded, NotIndexed } from '../parts.tsx';
import { Table } from '../table.tsx';

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
        {(page) => (
          <Table
            label="Payments"
            rows={page.items}
            rowKey={(p) => `${p.blockNumber}:${p.logIndex}`}
            empty="No payments of this kind."
            columns={[
              { header: 'Block', numeric: true, cell: (p) => p.blockNumber },
              { header: 'Kind', cell: (p) => p.kind.replace('_', ' ') },
              { header: 'Account', cell: (p) => <Hex value={p.account} /> },
              { header: 'Provider', cell: (p) => (p.provider ? <Hex value={p.provider} /> : '') },
              { header: 'Amount', numeric: true, cell: (p) => tokens(p.amount) },
              { header: 'Balance after', numeric: true, cell: (p) => (p.balance ? tokens(p.balance) : '') },
              { header: 'Shortfall', numeric: true, cell: (p) => (p.shortfall && p.shortfall !== '0' ? tokens(p.shortfall) : '') },
              { header: 'Transaction', cell: (p) => <Hex value={p.txHash} /> },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}

export const paymentsPage: DashboardPage = { path: 'payments', title: 'Payments', Component: PaymentsView };
