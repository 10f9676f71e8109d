// Overview: the network at a glance (providers and stake, models, disputes, money
// through escrow and the fees it paid), then activity over time as charts.
import { useQuery } from '@tanstack/react-query';
import { type Activity, getJson, type Overview, paths, type Provider, type Page } from '../api.ts';
import { BarChart } from '../charts/bar-chart.tsx';
import { time, tokenNumber, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Figures, Hex, Loaded, NotIndexed } from '../parts.tsx';

function OverviewView() {
  const overview = useQuery({ queryKey: [paths.overview], queryFn: () => getJson<Overview>(paths.overview) });
  const activity = useQuery({ queryKey: [paths.activity], queryFn: () => getJson<Activity>(paths.activity) });
  const providers = useQuery({ queryKey: [paths.providers], queryFn: () => getJson<Page<Provider>>(paths.providers) });
  return (
    <>
      <Loaded query={overview}>
        {(o) => (
          <section aria-labelledby="totals">
            <h2 id="totals">Totals</h2>
            <Figures
              items={[
                { label: 'Providers', value: o.providers.count },
                { label: 'Active stake', value: tokens(o.providers.activeStake) },
                { label: 'Slashed', value: `${tokens(o.providers.slashedTotal)} (${o.providers.slashes} slashes)` },
                { label: 'Models', value: o.models.count },
                { label: 'Disputes open / resolved', value: `${o.disputes.open} / ${o.disputes.resolved}` },
                { label: 'Deposited', value: tokens(o.escrow.deposited) },
                { label: 'Paid to providers, owners and fees', value: `${tokens(o.escrow.redeemed)} in ${o.escrow.redemptions} redemptions` },
                { label: 'Protocol fees', value: tokens(o.fees.protocolFee) },
                { label: 'Royalties', value: tokens(o.fees.royalty) },
                { label: 'Newest block', value: o.latestBlockTime === null ? 'none' : time(o.latestBlockTime) },
              ]}
            />
          </section>
        )}
      </Loaded>
      <section aria-labelledby="health">
        <h2 id="health">Providers</h2>
        <Loaded query={providers}>
          {(page) => (
            <table>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Stake</th>
                  <th scope="col">Standing on chain</th>
                  <th scope="col">Health</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((p) => (
                  <tr key={p.address}>
                    <td>
                      <Hex value={p.address} full />
                    </td>
                    <td className="num">{tokens(p.activeStake)}</td>
                    <td>{standing(p, overview.data?.latestBlockTime)}</td>
                    <td>
                      <NotIndexed what="health" why="health checks happen in the gateway, whose request stream the index does not take yet" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Loaded>
      </section>
      <section aria-labelledby="activity">
        <h2 id="activity">Activity</h2>
        <p className="muted">
          Per {activity.data?.bucketSeconds ?? 10} s of block time. Requests are settled in batches by voucher redemptions, so requests per second are shown as
          redemptions per bucket; <NotIndexed what="requests per second at the gateway" why="the index does not take the gateway's request stream yet" />.
        </p>
        <Loaded query={activity}>
          {(a) => {
            const label = (start: number) => time(start).slice(11);
            return (
              <div className="charts">
                <BarChart title="Redemptions" unit="redemptions" bars={a.buckets.map((b) => ({ label: label(b.start), value: b.redemptions }))} />
                <BarChart title="Paid through escrow" unit="tUSD" bars={a.buckets.map((b) => ({ label: label(b.start), value: tokenNumber(b.paid) }))} />
                <BarChart
                  title="Protocol fees"
                  unit="tUSD"
                  color="#8a4b08"
                  bars={a.buckets.map((b) => ({ label: label(b.start), value: tokenNumber(b.protocolFee) }))}
                />
                <BarChart
                  title="Deposits"
                  unit="tUSD"
                  color="#2e7d4f"
                  bars={a.buckets.map((b) => ({ label: label(b.start), value: tokenNumber(b.deposited) }))}
                />
              </div>
            );
          }}
        </Loaded>
      </section>
    </>
  );
}

/** A provider's standing in words; `now` is chain time (the newest block's), since a jail ends by the chain's clock. */
export function standing(p: Provider, now: number | null | undefined): string {
  const parts: string[] = [];
  if (p.jailedUntil && p.jailedUntil > (now ?? Date.now() / 1000)) parts.push(`jailed until ${time(p.jailedUntil)}`);
  if (p.slashCount > 0) parts.push(`slashed ${p.slashCount}×`);
  if (p.openDisputes > 0) parts.push(`${p.openDisputes} open dispute(s)`);
  if (BigInt(p.activeStake) === 0n) parts.push('no active stake');
  return parts.length === 0 ? 'in good standing' : parts.join(', ');
}

export const overviewPage: DashboardPage = { path: 'overview', title: 'Overview', Component: OverviewView };
