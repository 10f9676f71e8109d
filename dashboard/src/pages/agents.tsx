// Agents: identities (owner, URI, wallet, validations), the spend permissions their
// spenders hold (an agent's account, or a key) with what each period spent against the
// limit, the payments made under them, and reputation per subject and tag. One read per
// table: the list rows carry the latest validations and the current period.
import { useQuery } from '@tanstack/react-query';
import { type Agent, getJson, type Page, paths, type ReputationSubject, type SpendPayment, type SpendPermission } from '../api.ts';
import { time, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Hex, Loaded } from '../parts.tsx';
import { Table } from '../table.tsx';

const validationText = (a: Agent) =>
  a.validations.map((v) => (v.response === null ? `${v.tag ?? 'request'}: pending` : `${v.tag || 'response'}: ${v.response}/100`)).join(', ') || 'none';

function Identities() {
  const agents = useQuery({ queryKey: [paths.agents], queryFn: () => getJson<Page<Agent>>(paths.agents) });
  return (
    <Loaded query={agents}>
      {(page) => (
        <Table
          label="Agent identities"
          rows={page.items}
          rowKey={(a) => a.id}
          empty="No agent identity is registered."
          columns={[
            { header: 'Agent', numeric: true, cell: (a) => `#${a.id}` },
            { header: 'Owner', cell: (a) => <Hex value={a.owner} /> },
            { header: 'URI', cell: (a) => a.uri },
            { header: 'Wallet', cell: (a) => (a.wallet ? <Hex value={a.wallet} /> : 'none') },
            { header: 'Validations', cell: validationText },
          ]}
        />
      )}
    </Loaded>
  );
}

function Limits() {
  const permissions = useQuery({ queryKey: [paths.spendPermissions], queryFn: () => getJson<Page<SpendPermission>>(paths.spendPermissions) });
  return (
    <Loaded query={permissions}>
      {(page) => (
        <Table
          label="Spend limits"
          rows={page.items}
          rowKey={(p) => p.hash}
          empty="No spend permission is approved."
          columns={[
            { header: 'Permission', cell: (p) => <Hex value={p.hash} /> },
            { header: 'Wallet', cell: (p) => <Hex value={p.account} /> },
            { header: 'Spender', cell: (p) => <Hex value={p.spender} /> },
            { header: 'Limit per period', numeric: true, cell: (p) => `${tokens(p.allowance)} per ${p.period / 3600} h` },
            {
              header: 'Spent this period',
              numeric: true,
              cell: (p) => (p.currentPeriod ? `${tokens(p.currentPeriod.spent)} since ${time(p.currentPeriod.start)}` : tokens('0')),
            },
            { header: 'State', cell: (p) => (p.revoked ? 'revoked' : 'active') },
          ]}
        />
      )}
    </Loaded>
  );
}

function Payments() {
  const payments = useQuery({ queryKey: [paths.spendPayments], queryFn: () => getJson<Page<SpendPayment>>(paths.spendPayments) });
  return (
    <Loaded query={payments}>
      {(page) => (
        <Table
          label="Agent payments"
          rows={page.items}
          rowKey={(p) => `${p.blockNumber}:${p.logIndex}`}
          empty="No agent has paid yet."
          columns={[
            { header: 'Block', numeric: true, cell: (p) => p.blockNumber },
            { header: 'Spender', cell: (p) => <Hex value={p.spender} /> },
            { header: 'Payee', cell: (p) => <Hex value={p.payee} /> },
            { header: 'Amount', numeric: true, cell: (p) => tokens(p.amount) },
            { header: 'Transaction', cell: (p) => <Hex value={p.txHash} /> },
          ]}
        />
      )}
    </Loaded>
  );
}

function Reputation() {
  const subjects = useQuery({ queryKey: [paths.reputation], queryFn: () => getJson<Page<ReputationSubject>>(paths.reputation) });
  return (
    <Loaded query={subjects}>
      {(page) => (
        <Table
          label="Reputation"
          rows={page.items}
          rowKey={(s) => s.subject}
          empty="No reputation is recorded."
          columns={[
            { header: 'Subject', cell: (s) => <Hex value={s.subject} full /> },
            { header: 'Entries', numeric: true, cell: (s) => s.entries },
            {
              header: 'By tag',
              cell: (s) =>
                Object.entries(s.byTag)
                  // A paid redemption counts token units; other tags count points.
                  .map(([tag, total]) => `${tag}: ${tag === 'redeemed' ? tokens(total) : total}`)
                  .join(', '),
            },
          ]}
        />
      )}
    </Loaded>
  );
}

function AgentsView() {
  return (
    <>
      <h2>Identities</h2>
      <Identities />
      <h2>Limits and spend per period</h2>
      <Limits />
      <h2>Payments</h2>
      <Payments />
      <h2>Reputation</h2>
      <Reputation />
    </>
  );
}

export const agentsPage: DashboardPage = { path: 'agents', title: 'Agents', Component: AgentsView };
