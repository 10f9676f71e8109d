// Overview: the network at a glance (providers and stake, models, disputes, money
// through escrow and the fees it paid), then activity over time as charts.
import { useQuery } from '@tanstack/react-query';
import { type Activity, type GatewaySummary, getJson, type Overview, paths, type Provider, type Page } from '../api.ts';
import { BarChart } from '../charts/bar-chart.tsx';
import { time, tokenNumber, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Figures, Hex, Loaded, NotIndexed } from '../parts.tsx';
import { Table } from '../table.tsx';

/** What the gateway reported; not a chain event, so polled rather than refreshed by the stream. */
export const useGateway = () => useQuery({ queryKey: [paths.gateway], queryFn: () => getJson<GatewaySummary>(paths.gateway), refetchInterval: 5000 });

export const noGateway = 'the index follows no gateway (trellis up does; trellis indexer takes --gateway-url), or the gateway has not reported this yet';

function GatewayHealth({ summary, address }: { summary: GatewaySummary | undefined; address: string }) {
  const own = summary?.providers.find((p) => p.address === address);
  if (!own) return <NotIndexed what="health" why={noGateway} />;
  return <>{own.healthy ? 'healthy' : `unhealthy: ${own.healthReason}`}</>;
}

function RequestRate({ summary }: { summary: GatewaySummary | undefined }) {
  if (!summary || summary.latestAt === null) return <NotIndexed what="requests per second" why={noGateway} />;
  const errors = summary.errorRate === null ? '' : `, ${(summary.errorRate * 100).toFixed(1)} % failed`;
  return (
    <span data-testid="request-rate">
      {summary.requestsPerSecond.toFixed(2)} requests per second over the last {summary.windowSeconds} s ({summary.requests} requests{errors})
    </span>
  );
}

function OverviewView() {
  const overview = useQuery({ queryKey: [paths.overview], queryFn: () => getJson<Overview>(paths.overview) });
  const activity = useQuery({ queryKey: [paths.activity], queryFn: () => getJson<Activity>(paths.activity) });
  const providers = useQuery({ queryKey: [paths.providers], queryFn: () => getJson<Page<Provider>>(paths.providers) });
  const gateway = useGateway();
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
            <Table
              label="Providers and their health"
              rows={page.items}
              rowKey={(p) => p.address}
              columns={[
                { header: 'Provider', cell: (p) => <Hex value={p.address} full /> },
                { header: 'Stake', numeric: true, cell: (p) => tokens(p.activeStake) },
                { header: 'Standing on chain', cell: (p) => standing(p, overview.data?.latestBlockTime) },
                { header: 'Health', cell: (p) => <GatewayHealth summary={gateway.data} address={p.address} /> },
              ]}
            />
          )}
        </Loaded>
      </section>
      <section aria-labelledby="activity">
        <h2 id="activity">Activity</h2>
        <p className="muted">
          Per {activity.data?.bucketSeconds ?? 10} s of block time. Requests are settled in batches by voucher redemptions, so the charts count redemptions; at
          the gateway: <RequestRate summary={gateway.data} />.
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
