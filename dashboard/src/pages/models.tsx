// Models: each published model with its owner, royalty and what it has earned, its
// package, and the providers that set a price for it (those serve it). One read: each
// row carries its prices and its earnings, which the charts draw too.
import { useQuery } from '@tanstack/react-query';
import { getJson, type ListedModel, type Page, paths } from '../api.ts';
import { ShareBars } from '../charts/share-bars.tsx';
import { modelName, packageCid, percentBps, short, tokenNumber, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Hex, Loaded } from '../parts.tsx';
import { Table } from '../table.tsx';

function ModelsView() {
  const models = useQuery({ queryKey: [paths.models], queryFn: () => getJson<Page<ListedModel>>(paths.models) });
  const label = (m: ListedModel) => modelName(m.metadataURI) ?? short(m.id);
  return (
    <Loaded query={models}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No model is published yet.</Empty>
        ) : (
          <>
            <Table
              label="Models"
              rows={page.items}
              rowKey={(m) => m.id}
              columns={[
                {
                  header: 'Model',
                  rowHeader: true,
                  cell: (m) => (
                    <>
                      {label(m)}
                      {m.deprecated && ' (deprecated)'}
                      <br />
                      <Hex value={m.id} />
                    </>
                  ),
                },
                { header: 'Owner', cell: (m) => <Hex value={m.owner} /> },
                {
                  header: 'Royalty',
                  numeric: true,
                  cell: (m) => (
                    <>
                      {percentBps(m.royaltyBps)}
                      {m.pendingRoyalty && ` (rising to ${percentBps(m.pendingRoyalty.royaltyBps)})`}
                    </>
                  ),
                },
                { header: 'Royalties earned', numeric: true, cell: (m) => tokens(m.earnings.royalty) },
                {
                  header: 'Package',
                  cell: (m) => {
                    const cid = packageCid(m.metadataURI);
                    return cid ? <code title={m.metadataURI}>{short(cid)}</code> : <span title={m.metadataURI}>by name ({m.metadataURI})</span>;
                  },
                },
                {
                  header: 'Served by',
                  cell: (m) => {
                    if (m.prices.length === 0) return 'no provider';
                    return m.prices.map((p) => (
                      <span key={p.provider} className="chip">
                        <Hex value={p.provider} /> {tokens(p.price)}
                      </span>
                    ));
                  },
                },
              ]}
            />
            {page.items.some((m) => m.earnings.redemptions > 0) && (
              <div className="charts">
                <ShareBars
                  title="Royalties earned per model"
                  rows={page.items.map((m) => ({
                    label: label(m),
                    value: tokenNumber(m.earnings.royalty),
                    shown: tokens(m.earnings.royalty),
                  }))}
                />
                <ShareBars
                  title="Earned by providers per model"
                  rows={page.items.map((m) => ({
                    label: label(m),
                    value: tokenNumber(m.earnings.providerAmount),
                    shown: tokens(m.earnings.providerAmount),
                  }))}
                />
              </div>
            )}
          </>
        )
      }
    </Loaded>
  );
}

export const modelsPage: DashboardPage = { path: 'models', title: 'Models', Component: ModelsView };
