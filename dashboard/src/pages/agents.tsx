// Agents: identities (owner, URI, wallet, validations), the spend permissions their
// spenders hold (an agent's account, or a key) with what each period spent against the
// limit, the payments made under them, and reputation per subject and tag.
import { useQueries, useQuery } from '@tanstack/react-query';
import {
  type Agent,
  type AgentDetail,
  getJson,
  type Page,
  paths,
  type ReputationSubject,
  type SpendPayment,
  type SpendPermission,
  type SpendPermissionDetail,
} from '../api.ts';
import { time, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Hex, Loaded } from '../parts.tsx';

function Identities() {
  const agents = useQuery({ queryKey: [paths.agents], queryFn: () => getJson<Page<Agent>>(paths.agents) });
  const details = useQueries({
    queries: (agents.data?.items ?? []).map((a) => ({ queryKey: [paths.agent(a.id)], queryFn: () => getJson<AgentDetail>(paths.agent(a.id)) })),
  });
  return (
    <Loaded query={agents}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No agent identity is registered.</Empty>
        ) : (
          <table aria-label="Agent identities">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Owner</th>
                <th scope="col">URI</th>
                <th scope="col">Wallet</th>
                <th scope="col">Validations</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((a, i) => (
                <tr key={a.id}>
                  <td className="num">#{a.id}</td>
                  <td>
                    <Hex value={a.owner} />
                  </td>
                  <td>{a.uri}</td>
                  <td>{a.wallet ? <Hex value={a.wallet} /> : 'none'}</td>
                  <td>
                    {(details[i]?.data?.validations ?? [])
                      .map((v) => (v.response === null ? `${v.tag ?? 'request'}: pending` : `${v.tag || 'response'}: ${v.response}/100`))
                      .join(', ') || 'none'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Loaded>
  );
}

function Limits() {
  const permissions = useQuery({ queryKey: [paths.spendPermissions], queryFn: () => getJson<Page<SpendPermission>>(paths.spendPermissions) });
  const details = useQueries({
    queries: (permissions.data?.items ?? []).map((p) => ({
      queryKey: [paths.spendPermission(p.hash)],
      queryFn: () => getJson<SpendPermissionDetail>(paths.spendPermission(p.hash)),
    })),
  });
  return (
    <Loaded query={permissions}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No spend permission is approved.</Empty>
        ) : (
          <table aria-label="Spend limits">
            <thead>
              <tr>
                <th scope="col">Permission</th>
                <th scope="col">Wallet</th>
                <th scope="col">Spender</th>
                <th scope="col">Limit per period</th>
                <th scope="col">Spent this period</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p, i) => {
                const latest = details[i]?.data?.periods[0];
                return (
                  <tr key={p.hash}>
                    <td>
                      <Hex value={p.hash} />
                    </td>
                    <td>
                      <Hex value={p.account} />
                    </td>
                    <td>
                      <Hex value={p.spender} />
                    </td>
                    <td className="num">
                      {tokens(p.allowance)} per {p.period / 3600} h
                    </td>
                    <td className="num">{latest ? `${tokens(latest.spent)} since ${time(latest.start)}` : tokens('0')}</td>
                    <td>{p.revoked ? 'revoked' : 'active'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )
      }
    </Loaded>
  );
}

function Payments() {
  const payments = useQuery({ queryKey: [paths.spendPayments], queryFn: () => getJson<Page<SpendPayment>>(paths.spendPayments) });
  return (
    <Loaded query={payments}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No agent has paid yet.</Empty>
        ) : (
          <table aria-label="Agent payments">
            <thead>
              <tr>
                <th scope="col">Block</th>
                <th scope="col">Spender</th>
                <th scope="col">Payee</th>
                <th scope="col">Amount</th>
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p) => (
                <tr key={`${p.blockNumber}:${p.logIndex}`}>
                  <td className="num">{p.blockNumber}</td>
                  <td>
                    <Hex value={p.spender} />
                  </td>
                  <td>
                    <Hex value={p.payee} />
                  </td>
                  <td className="num">{tokens(p.amount)}</td>
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
  );
}

function Reputation() {
  const subjects = useQuery({ queryKey: [paths.reputation], queryFn: () => getJson<Page<ReputationSubject>>(paths.reputation) });
  return (
    <Loaded query={subjects}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No reputation is recorded.</Empty>
        ) : (
          <table aria-label="Reputation">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Entries</th>
                <th scope="col">By tag</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((s) => (
                <tr key={s.subject}>
                  <td>
                    <Hex value={s.subject} full />
                  </td>
                  <td className="num">{s.entries}</td>
                  <td>
                    {Object.entries(s.byTag)
                      // A paid redemption counts token units; other tags count points.
                      .map(([tag, total]) => `${tag}: ${tag === 'redeemed' ? tokens(total) : total}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
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
