// Models: each published model with its owner, royalty and what it has earned, its
// package, and the providers that set a price for it (those serve it).
import { useQueries, useQuery } from '@tanstack/react-query';
import { getJson, type Model, type ModelDetail, type Overview, type Page, paths } from '../api.ts';
import { ShareBars } from '../charts/share-bars.tsx';
import { modelName, packageCid, percentBps, short, tokenNumber, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Hex, Loaded } from '../parts.tsx';
import { Table } from '../table.tsx';

function ModelsView() {
  const models = useQuery({ queryKey: [paths.models], queryFn: () => getJson<Page<Model>>(paths.models) });
  const overview = useQuery({ queryKey: [paths.overview], queryFn: () => getJson<Overview>(paths.overview) });
  const details = useQueries({
    queries: (models.data?.items ?? []).map((m) => ({ queryKey: [paths.model(m.id)], queryFn: () => getJson<ModelDetail>(paths.model(m.id)) })),
  });
  const earned = (id: string) => overview.data?.earningsByModel.find((e) => e.modelId === id);
  const label = (m: Model) => modelName(m.metadataURI) ?? short(m.id);
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
                { header: 'Royalties earned', numeric: true, cell: (m) => tokens(earned(m.id)?.royalty ?? '0') },
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
                    const serving = details[page.items.indexOf(m)]?.data?.prices;
                    if (serving === undefined) return '…';
                    if (serving.length === 0) return 'no provider';
                    return serving.map((p) => (
                      <span key={p.provider} className="chip">
                        <Hex value={p.provider} /> {tokens(p.price)}
                      </span>
                    ));
                  },
                },
              ]}
            />
            {overview.data && overview.data.earningsByModel.length > 0 && (
              <div className="charts">
                <ShareBars
                  title="Royalties earned per model"
                  rows={page.items.map((m) => ({
                    label: label(m),
                    value: tokenNumber(earned(m.id)?.royalty ?? '0'),
                    shown: tokens(earned(m.id)?.royalty ?? '0'),
                  }))}
                />
                <ShareBars
                  title="Earned by providers per model"
                  rows={page.items.map((m) => ({
                    label: label(m),
                    value: tokenNumber(earned(m.id)?.providerAmount ?? '0'),
                    shown: tokens(earned(m.id)?.providerAmount ?? '0'),
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
