// Requests and receipts: search any 32-byte hash (a transaction, a receipt, a dispute or
// a model) and see what the index holds for it. Requests settle on chain as voucher
// redemptions; a receipt reaches the chain only when it is disputed.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Dispute, getJson, type Page, type Payment, paths, type SearchResult } from '../api.ts';
import { outcomes, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, ErrorNotice, Hex, Loaded, NotIndexed } from '../parts.tsx';
import { Table } from '../table.tsx';

const HASH = /^0x[0-9a-fA-F]{64}$/;

function RequestsView() {
  const [input, setInput] = useState(() => new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('hash') ?? '');
  const [hash, setHash] = useState(input);
  const [problem, setProblem] = useState<string | null>(null);
  const search = useQuery({ queryKey: [paths.search(hash)], queryFn: () => getJson<SearchResult>(paths.search(hash)), enabled: hash !== '' });
  const redemptions = useQuery({ queryKey: [paths.payments('redemption')], queryFn: () => getJson<Page<Payment>>(paths.payments('redemption')) });
  const disputes = useQuery({ queryKey: [paths.disputes], queryFn: () => getJson<Page<Dispute>>(paths.disputes) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = input.trim();
    // Said here rather than sent: the API would refuse it with the same reason.
    if (value === '') return setProblem('Enter a hash: 0x and 64 hex digits.');
    if (!HASH.test(value)) {
      return setProblem(
        `"${value.length > 70 ? `${value.slice(0, 70)}…` : value}" is not a 32-byte hash: expected 0x and 64 hex digits${
          value.startsWith('0x') ? `, got ${value.length - 2} characters after 0x` : ', and it does not start with 0x'
        }.`,
      );
    }
    setProblem(null);
    setHash(value.toLowerCase());
  };

  return (
    <>
      <section aria-labelledby="search">
        <h2 id="search">Search by hash</h2>
        <form onSubmit={submit} className="search">
          <label htmlFor="hash">Transaction, receipt, dispute or model hash</label>
          <input
            id="hash"
            name="hash"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            placeholder="0x…"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'hash-problem' : undefined}
          />
          <button type="submit">Search</button>
        </form>
        {problem && (
          <p id="hash-problem" className="error" role="alert">
            {problem}
          </p>
        )}
        {!problem && hash !== '' && (search.isError ? <ErrorNotice error={search.error} /> : search.data && <SearchAnswer result={search.data} />)}
      </section>
      <section aria-labelledby="receipts">
        <h2 id="receipts">Disputed receipts</h2>
        <p className="muted">
          Verification mode of a request: <NotIndexed what="verification mode" why="the gateway's receipts hold it; the index does not take them yet" />.
        </p>
        <Loaded query={disputes}>
          {(page) => (page.items.length === 0 ? <Empty>No receipt has been disputed.</Empty> : <ReceiptTable disputes={page.items} />)}
        </Loaded>
      </section>
      <section aria-labelledby="settled">
        <h2 id="settled">Settled requests (voucher redemptions)</h2>
        <Loaded query={redemptions}>
          {(page) => (
            <Table
              label="Settled requests"
              rows={page.items}
              rowKey={(p) => `${p.blockNumber}:${p.logIndex}`}
              empty="No voucher has been redeemed yet."
              columns={[
                { header: 'Block', numeric: true, cell: (p) => p.blockNumber },
                { header: 'Client', cell: (p) => <Hex value={p.account} /> },
                { header: 'Provider', cell: (p) => <Hex value={p.provider} /> },
                { header: 'Model', cell: (p) => <Hex value={p.modelId} /> },
                { header: 'Paid', numeric: true, cell: (p) => tokens(p.amount) },
                { header: 'Cumulative', numeric: true, cell: (p) => (p.cumulativeAmount ? tokens(p.cumulativeAmount) : '') },
                { header: 'Transaction', cell: (p) => <Hex value={p.txHash} /> },
              ]}
            />
          )}
        </Loaded>
      </section>
    </>
  );
}

export const disputeStatus = (d: Dispute) =>
  d.resolved ? `resolved: ${outcomes[d.outcome ?? -1] ?? `outcome ${d.outcome}`}${d.providerLost ? ', provider lost' : ''}` : `open, last move ${d.lastMove}`;

function ReceiptTable({ disputes }: { disputes: Dispute[] }) {
  return (
    <Table
      label="Receipts"
      rows={disputes}
      rowKey={(d) => d.id}
      columns={[
        { header: 'Receipt', cell: (d) => <Hex value={d.receiptId} full /> },
        { header: 'Provider', cell: (d) => <Hex value={d.provider} /> },
        { header: 'Client', cell: (d) => <Hex value={d.client} /> },
        {
          header: 'Verification status',
          cell: (d) => (
            <>
              disputed, {disputeStatus(d)} (<a href={`#/disputes?id=${d.id}`}>dispute</a>)
            </>
          ),
        },
      ]}
    />
  );
}

function SearchAnswer({ result }: { result: SearchResult }) {
  return (
    <section className="card" aria-label="Search result">
      <p>
        Found <Hex value={result.hash} full />:
      </p>
      {result.receipt && (
        <>
          <h3>Receipt</h3>
          <ReceiptTable disputes={result.receipt.disputes} />
        </>
      )}
      {result.dispute && (
        <>
          <h3>Dispute</h3>
          <p>
            Over receipt <Hex value={result.dispute.receiptId} />, {disputeStatus(result.dispute)}.{' '}
            <a href={`#/disputes?id=${result.dispute.id}`}>Every move</a>
          </p>
        </>
      )}
      {result.model && (
        <>
          <h3>Model</h3>
          <p>
            Owned by <Hex value={result.model.owner} full />, published in block {result.model.publishedBlock}: {result.model.metadataURI}
          </p>
        </>
      )}
      {result.transaction && (
        <>
          <h3>Transaction in block {result.transaction.blockNumber}</h3>
          <ul>
            {result.transaction.events.map((e) => (
              <li key={e.logIndex}>
                {e.contract}.{e.name}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export const requestsPage: DashboardPage = { path: 'requests', title: 'Requests and receipts', Component: RequestsView };
