// Providers: every registered provider with its stake and standing, the price it
// asks per model (by name), and its slashes. Latency and error rate are as the gateway
// measured them (when the index follows one), reputation from the chain. One read for
// the providers: each row carries its prices, latest slashes and reputation.
import { useQuery } from '@tanstack/react-query';
import { getJson, type Overview, type Page, paths, type GatewayProvider, type Provider } from '../api.ts';
import { modelName, short, time, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Hex, Loaded, NotIndexed } from '../parts.tsx';
import { Table } from '../table.tsx';
import { noGateway, standing, useGateway } from './overview.tsx';

function Measured({ gateway }: { gateway: GatewayProvider | undefined }) {
  if (!gateway) return <NotIndexed what="gateway measurements" why={noGateway} />;
  const latency = gateway.latencyMs === null ? 'no answer timed yet' : `${Math.round(gateway.latencyMs)} ms`;
  return (
    <>
      {latency}, {(gateway.errorRate * 100).toFixed(1)} % errors ({gateway.served} served)
    </>
  );
}

function ProvidersView() {
  const providers = useQuery({ queryKey: [paths.providers], queryFn: () => getJson<Page<Provider>>(paths.providers) });
  // Chain time for the standing (a jail ends by the chain's clock), shared with the overview page.
  const overview = useQuery({ queryKey: [paths.overview], queryFn: () => getJson<Overview>(paths.overview) });
  const gateway = useGateway();
  return (
    <Loaded query={providers}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No provider has registered yet.</Empty>
        ) : (
          page.items.map((p) => (
            <section key={p.address} aria-label={`Provider ${p.address}`} className="card">
              <h2>
                <Hex value={p.address} full />
              </h2>
              <dl className="figures">
                <div>
                  <dt>Endpoint</dt>
                  <dd>{p.endpoint}</dd>
                </div>
                <div>
                  <dt>Active stake</dt>
                  <dd>{tokens(p.activeStake)}</dd>
                </div>
                <div>
                  <dt>Unbonding</dt>
                  <dd>{tokens(p.unbondingStake)}</dd>
                </div>
                <div>
                  <dt>Standing</dt>
                  <dd>{standing(p, overview.data?.latestBlockTime)}</dd>
                </div>
                <div>
                  <dt>Slashed</dt>
                  <dd>
                    {tokens(p.slashedTotal)} in {p.slashCount} slash(es)
                  </dd>
                </div>
                <div>
                  <dt>Latency, error rate</dt>
                  <dd>
                    <Measured gateway={gateway.data?.providers.find((g) => g.address === p.address)} />
                  </dd>
                </div>
                <div>
                  <dt>Reputation</dt>
                  <dd>{p.reputation.map((s) => `${s.tag}: ${s.tag === 'redeemed' ? tokens(s.total) : s.total}`).join(', ') || 'none recorded'}</dd>
                </div>
              </dl>
              <h3>Prices per request</h3>
              <Table
                label={`Prices of provider ${short(p.address)}`}
                rows={p.prices}
                rowKey={(price) => price.modelId}
                empty="No prices set."
                columns={[
                  {
                    header: 'Model',
                    cell: (price) => <span title={price.modelId}>{(price.metadataURI ? modelName(price.metadataURI) : null) ?? short(price.modelId)}</span>,
                  },
                  { header: 'Price', numeric: true, cell: (price) => tokens(price.price) },
                  { header: 'Set in block', numeric: true, cell: (price) => price.updatedBlock },
                ]}
              />
              {p.slashes.length > 0 && (
                <>
                  <h3>{p.slashCount > p.slashes.length ? `The latest ${p.slashes.length} of ${p.slashCount} slashes` : 'Slashes'}</h3>
                  <Table
                    label={`Slashes of provider ${short(p.address)}`}
                    rows={p.slashes}
                    rowKey={(s) => s.txHash + s.recipient}
                    columns={[
                      { header: 'Block', numeric: true, cell: (s) => s.blockNumber },
                      { header: 'Taken', numeric: true, cell: (s) => tokens(BigInt(s.fromActive) + BigInt(s.fromUnbonding)) },
                      { header: 'To', cell: (s) => <Hex value={s.recipient} /> },
                      { header: 'Transaction', cell: (s) => <Hex value={s.txHash} /> },
                    ]}
                  />
                </>
              )}
              {p.jailedUntil ? <p>Jailed until {time(p.jailedUntil)}.</p> : null}
            </section>
          ))
        )
      }
    </Loaded>
  );
}

export const providersPage: DashboardPage = { path: 'providers', title: 'Providers', Component: ProvidersView };
